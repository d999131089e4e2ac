"""Clinic visit pages: record, read and change a visit with the catalog's tests; who may; errors by the field;
the visits on the athlete page and the tests' trends on the timeline."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes import services
from outcomes.catalog import BY_CODE
from outcomes.forms_visits import pass_mark
from outcomes.models import TestResult, Visit

DAY = date(2026, 5, 10)


@pytest.fixture
def visit(people):
    visit = services.visit_save(
        athlete=people.athlete_a, clinician=people.clinician, on=DAY, notes="Groin sore after derby."
    )
    services.visit_test_save(visit=visit, test="single_leg_squat", side="left", values={"reps": 8, "pain": 3})
    services.visit_test_save(
        visit=visit, test="hhd_hip_adduction", side="right", values={"left": 200, "right": 160, "unit": "N"}
    )
    return visit


def _post(**tests) -> dict:
    data = {"date": DAY.isoformat(), "notes": "Seen for the groin."}
    for test, values in tests.items():
        data |= {f"{test}-{key}": value for key, value in values.items()}
    return data


# ----------------------------------------------------------------------------------------------- who may


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", 302),
        ("athlete_a", 403),
        ("athlete_b", 403),
        ("coach", 403),
        ("other_clinician", 404),
        ("clinician", 200),
        ("superuser", 200),
    ],
)
def test_who_opens_the_visit_pages(client_for, people, visit, persona, expected):
    client = client_for(persona)
    for url in (
        reverse("outcomes:visit_add", args=[people.athlete_a.pk]),
        reverse("outcomes:visit_detail", args=[visit.pk]),
        reverse("outcomes:visit_edit", args=[visit.pk]),
    ):
        response = client.get(url)
        assert response.status_code == expected, url
        if persona == "anonymous":
            assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["athlete_a", "coach", "other_clinician"])
def test_no_one_else_records_a_visit(client_for, people, persona):
    response = client_for(persona).post(
        reverse("outcomes:visit_add", args=[people.athlete_a.pk]), _post(fadir={"left_finding": "negative"})
    )
    assert response.status_code in (403, 404)
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "persona, shown",
    [("clinician", True), ("superuser", True), ("coach", False)],
)
def test_the_athlete_page_and_timeline_show_visits_to_the_clinical_team_only(
    client_for, people, visit, persona, shown
):
    client = client_for(persona)
    page = client.get(reverse("athlete_detail", args=[people.athlete_a.pk]))
    assert page.status_code == 200
    assert ("Clinic visits" in page.content.decode()) is shown
    assert ("Groin sore after derby" in page.content.decode()) is shown
    timeline = client.get(reverse("rehab:timeline", args=[people.athlete_a.pk]))
    assert timeline.status_code == 200
    assert ("Clinic tests over time" in timeline.content.decode()) is shown


# ------------------------------------------------------------------------------------------------ record


def test_a_clinician_records_a_visit_with_tests(client_for, people):
    client = client_for("clinician")
    page = client.get(reverse("outcomes:visit_add", args=[people.athlete_a.pk]))
    html = page.content.decode()
    # Each test shows its pass mark in words, its measures' ranges, and the strength test its two sides.
    assert "Pass: pain at most 2/10 with at least 10 reps." in html
    assert "0–100 reps" in html
    assert "Pass: side-to-side at least 90 % (affected leg ÷ other leg)." in html
    assert 'name="hhd_hip_abduction-left"' in html and 'name="hhd_hip_abduction-right"' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html  # the date starts as today
    response = client.post(
        reverse("outcomes:visit_add", args=[people.athlete_a.pk]),
        _post(
            single_leg_squat={"left_reps": "12", "left_pain": "1", "right_reps": "10", "right_pain": "4"},
            fadir={"right_finding": "positive", "right_pain": "5"},
            hhd_hip_abduction={"left": "180.5", "right": "200", "unit": "N", "affected": "left"},
        ),
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("outcomes:visit_detail", args=[visit.pk])
    assert (visit.athlete, visit.clinician, visit.date, visit.notes) == (
        people.athlete_a,
        people.clinician,
        DAY,
        "Seen for the groin.",
    )
    results = {(r.test, r.side): r for r in visit.test_results.all()}
    assert set(results) == {
        ("single_leg_squat", "left"),
        ("single_leg_squat", "right"),
        ("fadir", "right"),
        ("hhd_hip_abduction", "left"),
    }
    assert results[("single_leg_squat", "left")].values == {"reps": 12, "pain": 1}
    assert results[("single_leg_squat", "left")].passed is True
    assert results[("single_leg_squat", "right")].passed is False
    assert results[("fadir", "right")].passed is False
    strength = results[("hhd_hip_abduction", "left")]
    assert strength.values == {"left": 180.5, "right": 200.0, "unit": "N"}
    assert strength.symmetry_pct == 90.2
    assert strength.passed is True
    detail = client.get(response.url).content.decode()
    assert "90.2 %" in detail
    assert "Single-leg squat, right: pain 4/10, above 2/10." in detail
    assert "12 reps · pain 1/10" in detail


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("single_leg_squat-left_reps", "101", "Repetitions: 101 is outside 0–100."),
        ("single_leg_squat-left_reps", "10.5", "Repetitions takes a whole number."),
        ("single_leg_squat-left_reps", "lots", "Enter a number."),
        ("single_leg_squat-left_pain", "11", "Pain: 11 is outside 0–10."),
        ("hhd_hip_abduction-left", "151", "Left: 151 is outside 0–150."),
        ("fadir-left_finding", "maybe", "Select a valid choice."),
        ("hip_rom-left_flexion", "1e400", "Enter a number."),
        ("date", "2026-13-01", "Enter a valid date."),
    ],
)
def test_bad_values_are_said_next_to_the_field(client_for, people, field, value, message):
    data = _post(
        single_leg_squat={"left_reps": "10", "left_pain": "1"},
        hhd_hip_abduction={"left": "100", "right": "100", "unit": "kg", "affected": "none"},
        fadir={"left_finding": "negative"},
    )
    data[field] = value
    response = client_for("clinician").post(reverse("outcomes:visit_add", args=[people.athlete_a.pk]), data)
    assert response.status_code == 200
    assert not Visit.objects.exists()
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    error_id = f'id="id_{field}_error"'
    assert error_id in html  # the message sits under its field (crispy's error id)


def test_a_side_with_half_its_measures_asks_for_the_rest(client_for, people):
    response = client_for("clinician").post(
        reverse("outcomes:visit_add", args=[people.athlete_a.pk]),
        _post(single_leg_squat={"left_pain": "1"}),
    )
    assert response.status_code == 200
    assert "Repetitions: record it too." in response.content.decode()
    assert not Visit.objects.exists()


def test_a_visit_ahead_of_its_date_is_refused(client_for, people):
    data = _post()
    data["date"] = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client_for("clinician").post(reverse("outcomes:visit_add", args=[people.athlete_a.pk]), data)
    assert "A visit cannot be recorded ahead of its date." in response.content.decode()
    assert not Visit.objects.exists()


def test_editing_a_visit_changes_removes_and_adds_results(client_for, visit):
    client = client_for("clinician")
    page = client.get(reverse("outcomes:visit_edit", args=[visit.pk])).content.decode()
    assert 'value="8"' in page and "Groin sore after derby." in page  # the recorded values are filled in
    assert "80 %" in page  # the strength test's side-to-side, as saved
    response = client.post(
        reverse("outcomes:visit_edit", args=[visit.pk]),
        _post(
            single_leg_squat={"left_reps": "10", "left_pain": "2"},
            trendelenburg={"right_finding": "negative"},
        ),
    )
    assert response.status_code == 302
    results = {(r.test, r.side): r for r in TestResult.objects.filter(visit=visit)}
    assert set(results) == {("single_leg_squat", "left"), ("trendelenburg", "right")}
    assert results[("single_leg_squat", "left")].passed is True
    visit.refresh_from_db()
    assert visit.notes == "Seen for the groin."
    assert Visit.objects.count() == 1


def test_a_new_visit_starts_with_the_last_visits_affected_leg_and_unit(client_for, people, visit):
    """The fixture's visit named the right leg affected for adduction strength: the next visit is preset so the
    side-to-side % is worked out the same way (affected ÷ other); a test never measured starts at neither."""
    services.visit_test_save(
        visit=visit, test="hhd_hip_abduction", side="left", values={"left": 20, "right": 25, "unit": "kg"}
    )
    page = client_for("clinician").get(reverse("outcomes:visit_add", args=[people.athlete_a.pk]))
    forms = {form.test.code: form for form in page.context["tests"]}
    assert forms["hhd_hip_adduction"]["affected"].value() == "right"
    assert forms["hhd_hip_adduction"]["unit"].value() == "N"
    assert forms["hhd_hip_adduction"]["left"].value() is None  # the values are this visit's to measure
    assert (forms["hhd_hip_abduction"]["affected"].value(), forms["hhd_hip_abduction"]["unit"].value()) == (
        "left",
        "kg",
    )
    other = client_for("clinician").get(reverse("outcomes:visit_add", args=[people.athlete_b.pk]))
    assert {form.test.code: form for form in other.context["tests"]}["hhd_hip_adduction"][
        "affected"
    ].value() == "none"


def test_a_visits_results_name_their_columns_for_the_phone_layout(client_for, visit):
    """On a phone each result is a block whose lines say their column (visits.css reads data-label)."""
    page = client_for("clinician").get(reverse("outcomes:visit_detail", args=[visit.pk])).content.decode()
    assert 'class="table table-sm small mb-0 visit-results"' in page
    for label in ("Side", "Recorded", "Side-to-side", "Result"):
        assert page.count(f'data-label="{label}"') == 2  # two results


def test_another_clinics_visit_cannot_be_changed(client_for, people, visit):
    response = client_for("other_clinician").post(
        reverse("outcomes:visit_edit", args=[visit.pk]), _post(fadir={"left_finding": "negative"})
    )
    assert response.status_code == 404
    assert TestResult.objects.filter(visit=visit).count() == 2


def test_no_visit_for_an_athlete_whose_data_was_deleted(client_for, people):
    from portal.privacy import anonymise_athlete

    anonymise_athlete(people.athlete_a, by=people.clinician.user)
    response = client_for("clinician").post(
        reverse("outcomes:visit_add", args=[people.athlete_a.pk]), _post(fadir={"left_finding": "negative"})
    )
    assert response.status_code == 302
    assert not Visit.objects.exists()


# ------------------------------------------------------------------------------------ deleting a visit


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", 302),
        ("athlete_a", 403),
        ("athlete_b", 403),
        ("coach", 403),
        ("other_clinician", 404),
        ("clinician", 302),
        ("superuser", 302),
    ],
)
def test_who_deletes_a_visit(client_for, visit, persona, expected):
    client = client_for(persona)
    url = reverse("outcomes:visit_delete", args=[visit.pk])
    if persona in ("clinician", "superuser"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Delete the visit on Sunday 10 May 2026?" in page.content.decode()
        assert Visit.objects.filter(pk=visit.pk).exists()  # opening the page deletes nothing
    response = client.post(url)
    assert response.status_code == expected
    deleted = not Visit.objects.filter(pk=visit.pk).exists()
    assert deleted == (persona in ("clinician", "superuser"))
    assert TestResult.objects.filter(visit_id=visit.pk).exists() != deleted


def test_deleting_a_visit_says_so_and_is_in_the_audit_trail(client_for, people, visit):
    from auditlog.models import LogEntry

    from portal.models import AuditEntry

    client = client_for("clinician")
    detail = client.get(reverse("outcomes:visit_detail", args=[visit.pk])).content.decode()
    assert reverse("outcomes:visit_delete", args=[visit.pk]) in detail
    response = client.post(reverse("outcomes:visit_delete", args=[visit.pk]), follow=True)
    assert response.redirect_chain[-1][0] == people.athlete_a.get_absolute_url()
    assert "Visit on 10 May 2026 deleted, with its test results." in response.content.decode()
    deletions = AuditEntry.objects.filter(athlete=people.athlete_a, action=LogEntry.Action.DELETE)
    assert sorted(deletions.values_list("content_type__model", flat=True)) == [
        "testresult",
        "testresult",
        "visit",
    ]
    assert set(deletions.values_list("actor", flat=True)) == {people.clinician.user.pk}


def test_a_deleted_athletes_visits_are_kept(client_for, people, visit):
    from portal.privacy import anonymise_athlete

    anonymise_athlete(people.athlete_a, by=people.clinician.user)
    client = client_for("clinician")
    assert client.get(reverse("outcomes:visit_delete", args=[visit.pk])).status_code == 302
    response = client.post(reverse("outcomes:visit_delete", args=[visit.pk]))
    assert response.status_code == 302
    assert Visit.objects.filter(pk=visit.pk).exists()
    assert TestResult.objects.filter(visit=visit).count() == 2


@pytest.mark.parametrize(
    "code, words",
    [
        ("fadir", "Pass: negative (it does not bring on the familiar pain)."),
        ("trendelenburg", "Pass: negative (the pelvis stays level, the trunk upright)."),
        ("single_leg_stance_30s", "Pass: pain at most 2/10 with at least 30 s."),
        ("adductor_squeeze", "Pass: pain at most 2/10 (a pressure alone has no pass mark)."),
        ("hip_rom", "No pass mark: recorded to follow the trend."),
        ("hhd_hip_adduction", "Pass: side-to-side at least 90 % (affected leg ÷ other leg)."),
    ],
)
def test_pass_marks_in_words(code, words):
    assert pass_mark(BY_CODE[code]) == words


# ------------------------------------------------------------------------------------------------ trends


def test_the_timeline_shows_each_tests_results_over_time(client_for, people, visit):
    later = services.visit_save(
        athlete=people.athlete_a, clinician=people.clinician, on=DAY + timedelta(days=14)
    )
    services.visit_test_save(
        visit=later, test="single_leg_squat", side="left", values={"reps": 10, "pain": 1}
    )
    services.visit_test_save(
        visit=later, test="hhd_hip_adduction", side="right", values={"left": 200, "right": 190, "unit": "N"}
    )
    html = client_for("clinician").get(reverse("rehab:timeline", args=[people.athlete_a.pk])).content.decode()
    section = html[html.index("Clinic tests over time") :]
    assert "Single-leg squat, left" in section
    # Newest first: the later squat before the earlier one; strength with its side-to-side.
    assert section.index("10 reps · pain 1/10") < section.index("8 reps · pain 3/10")
    assert "L 200 · R 190 N" in section and "95 %" in section and "80 %" in section


@pytest.mark.parametrize("visits", [1, 6])
def test_visit_pages_and_trends_run_a_constant_number_of_queries(
    client_for, people, visits, django_assert_max_num_queries
):
    for n in range(visits):
        v = services.visit_save(
            athlete=people.athlete_a, clinician=people.clinician, on=DAY + timedelta(days=n)
        )
        for test, side, values in (
            ("single_leg_squat", "left", {"reps": 10, "pain": 1}),
            ("fadir", "right", {"finding": "negative"}),
            ("hhd_hip_abduction", "none", {"left": 100, "right": 110, "unit": "kg"}),
        ):
            services.visit_test_save(visit=v, test=test, side=side, values=values)
    client = client_for("clinician")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("outcomes:visit_edit", args=[v.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("outcomes:visit_detail", args=[v.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("outcomes:visit_add", args=[people.athlete_a.pk])).status_code == 200
