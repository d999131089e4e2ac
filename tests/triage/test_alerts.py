"""Urgent intakes alert the care team: one open alert per athlete, resolved by the review, shown first."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal import services as portal_services
from portal.models import Alert
from tests.factories import AlertFactory, AthleteFactory, IntakeFactory
from tests.triage.utils import sample
from triage import services
from triage.models import Condition

T0 = timezone.now() - timedelta(days=2)


def submit(athlete, name, minutes=0):
    return services.intake_submit(
        athlete=athlete, by=athlete.user, answers=sample(name), now=T0 + timedelta(minutes=minutes)
    )


def open_alerts(athlete):
    return list(Alert.objects.open().filter(athlete=athlete))


def test_urgent_intake_raises_one_open_alert_for_the_care_team(people):
    intake = submit(people.athlete_a, "urgent_night_pain")
    [alert] = open_alerts(people.athlete_a)
    assert (alert.kind, alert.severity) == ("triage", "urgent")
    assert alert.link == intake.get_review_url()
    assert alert.message.startswith("Hip check (")
    assert "night or rest pain" in alert.message


def test_a_second_urgent_intake_updates_the_open_alert_instead_of_adding_one(people):
    submit(people.athlete_a, "urgent_night_pain")
    second = submit(people.athlete_a, "urgent_night_pain", minutes=10)
    [alert] = open_alerts(people.athlete_a)
    assert alert.link == second.get_review_url()
    assert alert.updated == T0 + timedelta(minutes=10)
    assert Alert.objects.count() == 1


def test_an_open_alert_never_gets_milder(people):
    emergency = submit(people.athlete_a, "emergency_stress_fracture")
    submit(people.athlete_a, "urgent_night_pain", minutes=5)
    [alert] = open_alerts(people.athlete_a)
    assert alert.severity == "emergency"
    assert alert.link == emergency.get_review_url()


def test_a_more_severe_intake_upgrades_the_open_alert(people):
    submit(people.athlete_a, "urgent_night_pain")
    emergency = submit(people.athlete_a, "emergency_stress_fracture", minutes=5)
    [alert] = open_alerts(people.athlete_a)
    assert alert.severity == "emergency" and alert.link == emergency.get_review_url()
    assert "pain on the single-leg hop" in alert.message


def test_review_resolves_the_alert(people):
    intake = submit(people.athlete_a, "emergency_stress_fracture")
    condition = Condition.objects.get(code="stress_fracture")
    services.intake_review(intake=intake, by=people.clinician.user, condition=condition, notes="MRI booked.")
    assert open_alerts(people.athlete_a) == []
    alert = Alert.objects.get()
    assert alert.resolved_by == people.clinician.user and alert.resolved_at is not None
    assert f"Intake {intake.pk} reviewed" in alert.resolved_note


def test_reviewing_one_of_two_waiting_intakes_points_the_alert_at_the_other(people):
    urgent = submit(people.athlete_a, "urgent_night_pain")
    emergency = submit(people.athlete_a, "emergency_stress_fracture", minutes=5)
    services.intake_review(intake=emergency, by=people.clinician.user, condition=None)
    [alert] = open_alerts(people.athlete_a)
    assert alert.severity == "urgent" and alert.link == urgent.get_review_url()
    services.intake_review(intake=urgent, by=people.clinician.user, condition=None)
    assert open_alerts(people.athlete_a) == []
    assert Alert.objects.filter(athlete=people.athlete_a).count() == 2  # the history is kept


def test_reviewing_a_routine_intake_leaves_the_alert_alone(people):
    submit(people.athlete_a, "urgent_night_pain")
    routine = submit(people.athlete_a, "routine_outer_hip", minutes=5)
    before = open_alerts(people.athlete_a)
    services.intake_review(intake=routine, by=people.clinician.user, condition=None)
    assert open_alerts(people.athlete_a) == before


def test_after_resolving_a_new_urgent_intake_opens_a_new_alert(people):
    first = submit(people.athlete_a, "urgent_night_pain")
    services.intake_review(intake=first, by=people.clinician.user, condition=None)
    submit(people.athlete_a, "urgent_night_pain", minutes=30)
    assert len(open_alerts(people.athlete_a)) == 1
    assert Alert.objects.filter(athlete=people.athlete_a).count() == 2


def test_the_database_allows_one_open_alert_per_athlete_and_kind(people):
    AlertFactory(athlete=people.athlete_a)
    AlertFactory(athlete=people.athlete_a, kind="rehab")  # another kind is fine
    AlertFactory(athlete=people.athlete_a, resolved_at=timezone.now())  # so is a closed one
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertFactory(athlete=people.athlete_a)


def test_alert_raise_rejects_an_unknown_severity(people):
    with pytest.raises(ValidationError):
        portal_services.alert_raise(athlete=people.athlete_a, kind="triage", severity="panic", message="x")
    assert not Alert.objects.exists()


def test_alert_resolve_twice_changes_nothing(people):
    alert = AlertFactory(athlete=people.athlete_a)
    first = portal_services.alert_resolve(alert=alert, by=people.clinician.user, note="done")
    second = portal_services.alert_resolve(alert=alert, by=people.coach.user, note="again")
    assert second.resolved_at == first.resolved_at and second.resolved_by == people.clinician.user


def test_alerts_are_for_the_care_team_only(people):
    AlertFactory(athlete=people.athlete_a)
    AlertFactory(athlete=people.other_athlete)
    assert Alert.objects.visible_to(people.clinician.user).get().athlete == people.athlete_a
    assert Alert.objects.visible_to(people.other_clinician.user).get().athlete == people.other_athlete
    assert not Alert.objects.visible_to(people.athlete_a.user).exists()
    assert Alert.objects.visible_to(people.superuser).count() == 2


# --------------------------------------------------------------------------- the caseload


def test_athlete_list_puts_alerted_athletes_first_most_severe_first(client_for, people):
    zed = AthleteFactory(clinic=people.clinic, first_name="Zed", last_name="Zimmer")
    AlertFactory(athlete=people.athlete_b, severity="urgent")  # Bruno Bianchi
    AlertFactory(athlete=zed, severity="emergency")
    AlertFactory(athlete=people.other_athlete, severity="emergency")  # another clinic: not listed
    response = client_for("clinician").get(reverse("athlete_list"))
    names = [row.name for row in response.context["rows"]]
    assert names == ["Zed Zimmer", "Bruno Bianchi", "Anna Aalto"]


def test_resolved_alerts_do_not_move_athletes_up(client_for, people):
    AlertFactory(athlete=people.athlete_b, severity="emergency", resolved_at=timezone.now())
    response = client_for("clinician").get(reverse("athlete_list"))
    names = [row.name for row in response.context["rows"]]
    assert names == ["Anna Aalto", "Bruno Bianchi"]


def test_athlete_list_shows_the_alert_badge_and_message(client_for, people):
    submit(people.athlete_b, "emergency_stress_fracture")
    html = client_for("clinician").get(reverse("athlete_list")).content.decode()
    assert "alert-badge-emergency" in html
    assert "Hip check (" in html and "pain on the single-leg hop" in html


def test_athlete_list_with_alerts_keeps_a_constant_query_count(
    client_for, people, django_assert_max_num_queries
):
    for i in range(30):
        athlete = AthleteFactory(clinic=people.clinic)
        if i % 3 == 0:
            AlertFactory(athlete=athlete, severity=["urgent", "emergency"][i % 2])
            AlertFactory(athlete=athlete, kind="rehab", severity="notice")
    client = client_for("clinician")
    client.get(reverse("athlete_list"))  # the day's first visit refreshes the statuses
    with django_assert_max_num_queries(5):  # as tests/rehab/test_logs.py counts them
        response = client.get(reverse("athlete_list"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0].alert_severity == "emergency" and rows[0].alert_more == 1
    assert [row.alert_severity for row in rows[:10]] == ["emergency"] * 5 + ["urgent"] * 5


def test_athlete_detail_shows_open_alerts_and_intakes(client_for, people):
    intake = submit(people.athlete_a, "urgent_night_pain")
    IntakeFactory(athlete=people.athlete_a)
    html = client_for("clinician").get(reverse("athlete_detail", args=[people.athlete_a.pk])).content.decode()
    assert "Open alerts" in html and "Hip check (" in html
    assert "Hip checks" in html and intake.get_review_url() in html
    assert "Needs review" in html
    assert reverse("triage:intake_new_for_athlete", args=[people.athlete_a.pk]) in html


def test_athlete_detail_query_count_does_not_grow_with_intakes(
    client_for, people, django_assert_max_num_queries
):
    for _ in range(10):
        submit(people.athlete_a, "urgent_night_pain")
        IntakeFactory(athlete=people.athlete_a, confirmed_condition=Condition.objects.first())
    AlertFactory(athlete=people.athlete_a, kind="rehab", severity="notice")
    client = client_for("clinician")
    # with the unread messages, the outside coaches and the clinic visits
    with django_assert_max_num_queries(16):
        response = client.get(reverse("athlete_detail", args=[people.athlete_a.pk]))
    assert response.status_code == 200


def test_clinician_resolves_alerts_in_the_admin(client_for, people):
    mine = AlertFactory(athlete=people.athlete_a)
    theirs = AlertFactory(athlete=people.other_athlete)
    client = client_for("clinician")
    url = reverse("admin:portal_alert_changelist")
    html = client.get(url).content.decode()
    assert "Anna Aalto" in html and "Olga Otto" not in html
    response = client.post(url, {"action": "resolve", "_selected_action": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.resolved_by == people.clinician.user
    assert theirs.resolved_at is None  # not in the clinician's queryset
