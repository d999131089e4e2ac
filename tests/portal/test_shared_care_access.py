"""What an athlete's own coach from outside the clinic (shared care) can reach: that athlete's pages, with the
coach's capabilities, and nothing else; and nothing at all from the moment they are removed."""

from datetime import date

import pytest
from django.urls import reverse

from portal import shared_care
from portal.capabilities import Cap, can, capabilities_of
from portal.models import Athlete
from rehab import services as rehab_services
from tests.factories import AlertFactory, ClinicianFactory, IntakeFactory, PlanTemplateFactory, UserFactory


@pytest.fixture
def guest(people):
    """Cora, a club coach with a login of her own, on athlete_a's care team."""
    row, _link = shared_care.invite(
        athlete=people.athlete_a, name="Cora Club", email="cora@club.example", by=people.athlete_a.user
    )
    user = UserFactory(email="cora@club.example", first_name="Cora", last_name="Club")
    shared_care.accept_as(row=row, user=user)
    user.refresh_from_db()
    user.row = row
    return user


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=1)
    return rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )


def test_the_outside_coach_sees_only_the_shared_athlete(client, people, guest, plan):
    client.force_login(guest)
    assert client.get(reverse("home")).url == reverse("athlete_list")
    caseload = client.get(reverse("athlete_list")).content.decode()
    assert "Anna Aalto" in caseload and "Bruno" not in caseload and "Olga" not in caseload
    assert client.get(reverse("athlete_detail", args=[people.athlete_a.pk])).status_code == 200
    assert client.get(reverse("rehab:timeline", args=[people.athlete_a.pk])).status_code == 200
    assert client.get(reverse("rehab:plan_detail", args=[plan.pk])).status_code == 200
    for other in (people.athlete_b, people.other_athlete):
        assert client.get(reverse("athlete_detail", args=[other.pk])).status_code == 404
    assert list(Athlete.objects.visible_to(guest)) == [people.athlete_a]


def test_the_outside_coach_holds_the_coachs_capabilities_for_that_athlete_only(people, guest):
    assert can(guest, Cap.MANAGE_RUNNING, people.athlete_a)
    assert not can(guest, Cap.MANAGE_RUNNING, people.athlete_b)
    for cap in (
        Cap.TAILOR_PLAN,
        Cap.EXPORT_DATA,
        Cap.DELETE_DATA,
        Cap.REVIEW_INTAKE,
        Cap.USE_ADMIN,
        Cap.EDIT_ATHLETE,
    ):
        assert not can(guest, cap, people.athlete_a), cap
    assert Cap.USE_ADMIN not in capabilities_of(guest)


def test_another_clinics_physio_as_outside_coach_is_a_coach_here_and_a_physio_at_home(people):
    physio = ClinicianFactory(clinic=people.other_clinic, user__email="pat@hilltop.example")
    row, _link = shared_care.invite(
        athlete=people.athlete_a, name="Pat", email="pat@hilltop.example", by=people.athlete_a.user
    )
    shared_care.accept_as(row=row, user=physio.user)
    physio.user.refresh_from_db()
    user = physio.user
    assert can(user, Cap.TAILOR_PLAN, people.other_athlete)  # their own clinic's athlete
    assert can(user, Cap.MANAGE_RUNNING, people.athlete_a)  # the shared one: a coach's rights
    assert not can(user, Cap.TAILOR_PLAN, people.athlete_a)
    assert set(Athlete.objects.visible_to(user)) == {people.athlete_a, people.other_athlete}


def test_the_outside_coach_never_sees_intakes_exports_or_the_admin(client, people, guest):
    intake = IntakeFactory(athlete=people.athlete_a)
    client.force_login(guest)
    assert client.get(reverse("triage:intake_detail", args=[intake.pk])).status_code in (403, 404)
    assert client.post(reverse("athlete_export", args=[people.athlete_a.pk])).status_code in (403, 404)
    assert client.get(reverse("admin:index")).status_code == 302  # the admin's login page
    page = client.get(reverse("athlete_detail", args=[people.athlete_a.pk])).content.decode()
    assert reverse("triage:intake_detail", args=[intake.pk]) not in page


def test_removal_takes_effect_at_the_next_request(client, people, guest):
    client.force_login(guest)
    url = reverse("athlete_detail", args=[people.athlete_a.pk])
    assert client.get(url).status_code == 200
    shared_care.remove(row=guest.row, by=people.athlete_a.user)
    assert client.get(url).status_code in (403, 404)
    assert client.get(reverse("athlete_list")).status_code == 403


def _clinical_urls(people, plan):
    """Every clinical page or action on athlete_a (method, url): none is open to an outside coach."""
    a, phase = people.athlete_a.pk, plan.phases.order_by("order").first().pk
    alert = AlertFactory(athlete=people.athlete_a, kind="pain_spike", severity="urgent")
    return [
        ("get", reverse("rehab:plan_assign", args=[a])),
        ("get", reverse("rehab:phase_edit", args=[plan.pk, phase])),
        ("post", reverse("rehab:phase_edit", args=[plan.pk, phase])),
        ("post", reverse("rehab:plan_move", args=[plan.pk])),
        ("post", reverse("rehab:plan_status", args=[plan.pk])),
        ("post", reverse("rehab:plan_cancel", args=[plan.pk])),
        ("post", reverse("rehab:plan_save_template", args=[plan.pk])),
        ("post", reverse("rehab:recommendation_apply", args=[plan.pk])),
        ("post", reverse("rehab:phase_clear", args=[plan.pk, phase])),
        ("post", reverse("rehab:coach_limits", args=[plan.pk])),
        ("get", reverse("athlete_edit", args=[a])),
        ("post", reverse("athlete_invite", args=[a])),
        ("post", reverse("athlete_review", args=[a])),
        ("post", reverse("athlete_export", args=[a])),
        ("get", reverse("athlete_anonymise", args=[a])),
        ("get", reverse("athlete_shared_care", args=[a])),
        ("get", reverse("triage:intake_new_for_athlete", args=[a])),
        ("post", reverse("alert_resolve", args=[alert.pk])),
        ("get", reverse("athlete_add")),
    ]


def test_no_clinical_page_or_action_opens_to_the_outside_coach(client, people, guest, plan):
    client.force_login(guest)
    for method, url in _clinical_urls(people, plan):
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (method, url, response.status_code)


def test_the_outside_coach_uses_the_coachs_pages_for_the_shared_athlete(client, people, guest, plan):
    client.force_login(guest)
    for url in (
        reverse("rehab:coach_running", args=[plan.pk]),
        reverse("rehab:change_request_new", args=[plan.pk]),
        reverse("rehab:plan_print", args=[plan.pk]),
        reverse("athlete_messages", args=[people.athlete_a.pk]),
    ):
        assert client.get(url).status_code == 200, url
    # ... and the API: that athlete only, read; no change to the record, no intakes
    assert [row["id"] for row in client.get("/api/v1/athletes/").json()["results"]] == [people.athlete_a.pk]
    assert client.get(f"/api/v1/athletes/{people.athlete_b.pk}/").status_code == 404
    patch = client.patch(
        f"/api/v1/athletes/{people.athlete_a.pk}/", {"goal_event": "x"}, content_type="application/json"
    )
    assert patch.status_code in (403, 405)  # the record is not changed through the API by anyone but staff
    IntakeFactory(athlete=people.athlete_a)
    assert client.get("/api/v1/intakes/").json()["results"] == []


def test_another_clinics_physio_as_outside_coach_gets_no_clinical_page_here(client, people, plan):
    physio = ClinicianFactory(clinic=people.other_clinic, user__email="pat@hilltop.example")
    row, _link = shared_care.invite(
        athlete=people.athlete_a, name="Pat", email="pat@hilltop.example", by=people.athlete_a.user
    )
    shared_care.accept_as(row=row, user=physio.user)
    client.force_login(physio.user)
    assert client.get(reverse("athlete_detail", args=[people.athlete_a.pk])).status_code == 200
    for method, url in _clinical_urls(people, plan):
        if url == reverse("athlete_add"):
            continue  # their own clinic's page
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (method, url, response.status_code)
