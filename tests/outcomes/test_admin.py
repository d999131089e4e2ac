"""Outcome records in the admin: read-only, and only the clinic's own."""

from datetime import date

import pytest
from django.urls import reverse

from outcomes import services


@pytest.fixture
def visits(people):
    own = services.visit_save(athlete=people.athlete_a, clinician=people.clinician, on=date(2026, 5, 10))
    services.visit_test_save(visit=own, test="single_leg_squat", side="left", values={"reps": 10, "pain": 1})
    other = services.visit_save(
        athlete=people.other_athlete, clinician=people.other_clinician, on=date(2026, 5, 9)
    )
    services.response_save(athlete=people.athlete_a, instrument="nprs", answers={"pain": 3}, complete=True)
    return own, other


def test_clinician_reads_their_clinics_visits(client_for, visits):
    own, other = visits
    client = client_for("clinician")
    listing = client.get(reverse("admin:outcomes_visit_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [own]
    page = client.get(reverse("admin:outcomes_visit_change", args=[own.pk]))
    assert page.status_code == 200
    assert b"Single-leg squat" in page.content
    assert client.get(reverse("admin:outcomes_visit_change", args=[other.pk])).status_code == 302  # not found


@pytest.mark.parametrize("url", ["admin:outcomes_visit_add", "admin:outcomes_questionnaireresponse_add"])
def test_nobody_adds_outcome_records_in_the_admin(client_for, visits, url):
    assert client_for("superuser").get(reverse(url)).status_code == 403


def test_questionnaire_list_shows_scores(client_for, visits):
    page = client_for("clinician").get(reverse("admin:outcomes_questionnaireresponse_changelist"))
    assert page.status_code == 200
    assert b"NPRS" in page.content


@pytest.mark.parametrize("persona", ["athlete_a", "coach"])
def test_athletes_and_coaches_have_no_outcomes_admin(client_for, visits, persona):
    response = client_for(persona).get(reverse("admin:outcomes_visit_changelist"))
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    "persona, ihot_wording",
    [("clinician", "ready"), ("other_clinician", "needs your licensed wording"), ("superuser", None)],
)
def test_the_admin_lists_the_questionnaire_and_test_catalogs(client_for, people, persona, ihot_wording):
    services.wording_import(
        clinic=people.clinic,
        data={
            "instrument": "ihot12",
            "version": "1",
            "items": {f"Q{i}": f"Licensed question {i}" for i in range(1, 13)},
        },
    )
    page = client_for(persona).get(reverse("admin:outcomes_instrumentwording_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    catalog = html[html.index('id="questionnaires"') :]
    assert "Hip abduction strength (hand-held dynamometer)" in catalog
    assert "Pass: side-to-side at least 90 % (affected leg ÷ other leg)." in catalog
    ihot = catalog[catalog.index("<td>ihot12</td>") :].split("</tr>")[0]
    assert (ihot_wording or "needs your licensed wording") in ihot
    assert "Licensed question" not in html


@pytest.mark.parametrize("persona", ["athlete_a", "coach"])
def test_athletes_and_coaches_do_not_see_the_catalogs_in_the_admin(client_for, persona):
    response = client_for(persona).get(reverse("admin:outcomes_instrumentwording_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url
