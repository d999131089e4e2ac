"""/api/v1/me/, /athletes/ (with summary and invite) and /alerts/: what each role gets and what it costs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import Alert, Athlete, CareTeamMember, Clinician
from rehab import services as rehab_services
from rehab.models import Action
from tests.factories import AlertFactory, AthleteFactory, ClinicianFactory, PlanTemplateFactory

TODAY = timezone.localdate
ATHLETES = "/api/v1/athletes/"
ALERTS = "/api/v1/alerts/"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def plan(people):
    """athlete_a, ten days into a 3-phase plan, with five days of logs."""
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=TODAY() - timedelta(days=10),
    )
    for days_ago in range(5, 0, -1):
        rehab_services.log_save(
            athlete=people.athlete_a,
            day=TODAY() - timedelta(days=days_ago),
            data={"pain_during": 1, "run_minutes": 20, "distance_km": Decimal("3.5")},
        )
    return plan


# --------------------------------------------------------------------------- me


@pytest.mark.parametrize(
    "persona,role", [("athlete_a", "athlete"), ("clinician", "clinician"), ("superuser", "superuser")]
)
def test_me_says_who_is_logged_in(client_for, people, persona, role):
    body = client_for(persona).get("/api/v1/me/").json()
    user = people.user(persona)
    assert (body["id"], body["email"], body["role"]) == (user.pk, user.email, role)
    assert (body["athlete"] is not None) == (role == "athlete")
    assert (body["clinician"] is not None) == (role == "clinician")
    assert (body["summary"] is not None) == (role == "athlete")


def test_me_for_an_athlete_has_their_record_shoes_and_summary_without_care_team_fields(
    client_for, people, plan
):
    body = client_for("athlete_a").get("/api/v1/me/").json()
    assert body["athlete"]["clinic"] == {"id": people.clinic.pk, "name": "Riverside"}
    assert body["athlete"]["shoes"][0] | {"id": 0} == {
        "id": 0, "name": "Ghost 16", "km": "820.0", "retired": False, "needs_replacing": True,
    }  # fmt: skip
    summary = body["summary"]
    assert summary["plan"]["id"] == plan.pk and summary["plan"]["day"] == 11
    assert summary["load"]["km_7d"] == 17.5
    assert summary["recommendation"] is None and summary["risk"] is None  # for the care team


def test_me_for_a_clinician_names_their_clinic(client_for, people):
    body = client_for("clinician").get("/api/v1/me/").json()
    assert body["clinician"] == {
        "id": people.clinician.pk,
        "clinic": {"id": people.clinic.pk, "name": "Riverside"},
        "profession": "physiotherapist",
    }


# --------------------------------------------------------------------------- athletes


def test_summary_for_the_care_team(client_for, people, plan):
    body = client_for("clinician").get(f"{ATHLETES}{people.athlete_a.pk}/summary/").json()
    assert body["as_of"] == str(TODAY())
    assert body["plan"] | {"start_date": None} == {
        "id": plan.pk, "name": plan.name, "status": "active", "start_date": None, "day": 11,
    }  # fmt: skip
    assert body["phase"]["order"] == 1 and body["phase"]["label"] == "Phase 1"
    assert body["recommendation"]["action"] in Action.values and body["recommendation"]["reasons"]
    assert body["compliance_7d"]["band"] in {"on_track", "partial", "off_track", "none"}
    assert body["weeks"] and body["weeks"][-1]["end"] == str(TODAY() - timedelta(days=1))
    assert body["load"]["km_7d"] == 17.5 and body["load"]["warnings"][0]["level"] == "notice"  # the shoe
    assert body["load"]["warnings"][0]["message"].startswith("Shoes (")  # about the athlete, not "Your …"
    assert (body["pain_last"], body["last_log_date"], body["days_without_log"]) == (
        1, str(TODAY() - timedelta(days=1)), 1,
    )  # fmt: skip
    assert len(body["pain_spark"]) == 14 and isinstance(body["risk"], int)


def test_summary_without_a_plan_is_mostly_empty(client_for, people):
    body = client_for("clinician").get(f"{ATHLETES}{people.athlete_b.pk}/summary/").json()
    assert body["plan"] is None and body["phase"] is None and body["recommendation"] is None
    assert body["weeks"] == [] and body["compliance_7d"] is None and body["load"]["km_7d"] == 0


@pytest.mark.parametrize("logs", [3, 40])
def test_summary_query_count_is_constant(client_for, people, plan, logs, django_assert_max_num_queries):
    from rehab.models import DailyLog

    DailyLog.objects.bulk_create(
        DailyLog(athlete=people.athlete_a, date=TODAY() - timedelta(days=6 + n), pain_during=1)
        for n in range(logs)
    )
    client = client_for("clinician")
    with django_assert_max_num_queries(12):
        assert client.get(f"{ATHLETES}{people.athlete_a.pk}/summary/").status_code == 200


def test_athlete_list_is_the_caseload(client_for, people, plan):
    AlertFactory(athlete=people.athlete_b, kind="triage", severity="emergency")
    client = client_for("clinician")
    rows = client.get(ATHLETES).json()["results"]
    assert [row["full_name"] for row in rows] == ["Bruno Bianchi", "Anna Aalto"]  # open alerts first
    assert rows[0]["open_alerts"] == 1 and rows[0]["worst_alert"] == "emergency"
    assert rows[1]["status"]["as_of"] == str(TODAY()) and rows[1]["has_login"] is True
    assert [r["full_name"] for r in client.get(ATHLETES, {"q": "anna"}).json()["results"]] == ["Anna Aalto"]
    no_plan = client.get(ATHLETES, {"show": "no_plan"}).json()["results"]
    assert [r["full_name"] for r in no_plan] == ["Bruno Bianchi"]
    by_name = client.get(ATHLETES, {"ordering": "last_name"}).json()["results"]
    assert [r["last_name"] for r in by_name] == ["Aalto", "Bianchi"]
    response = client.get(ATHLETES, {"show": "everything"})
    assert response.status_code == 400 and "show" in response.json()["errors"]


@pytest.mark.parametrize("extra", [2, 20])
def test_athlete_list_query_count_is_constant(client_for, people, extra, django_assert_max_num_queries):
    for _ in range(extra):
        AlertFactory(athlete=AthleteFactory(clinic=people.clinic), kind="no_log", severity="notice")
    client = client_for("clinician")
    client.get(ATHLETES)  # the first read of the day refreshes every status
    with django_assert_max_num_queries(6):
        response = client.get(ATHLETES, {"page_size": 100})
    assert response.json()["count"] == extra + 2


def test_a_clinician_adds_an_athlete_to_their_clinic(client_for, people):
    body = {"first_name": "Nia", "last_name": "Ndiaye", "email": " Nia@Example.com ", "weekly_km": 25}
    Clinician.objects.filter(pk=people.coach.pk).update(is_manager=True)  # a coach adds athletes as manager
    client = client_for("coach")
    elsewhere = post(client, ATHLETES, {**body, "clinic": people.other_clinic.pk})
    assert elsewhere.status_code == 400 and "clinic" in elsewhere.json()["errors"]  # not offered
    response = post(client, ATHLETES, body)
    assert response.status_code == 201, response.json()
    athlete = Athlete.objects.get(pk=response.json()["id"])
    assert (athlete.clinic, athlete.email, athlete.weekly_km) == (people.clinic, "nia@example.com", 25)
    assert CareTeamMember.objects.get(athlete=athlete, is_primary=True).clinician == people.coach
    assert response.json()["clinic"]["name"] == "Riverside" and response.json()["has_login"] is False


def test_superuser_names_the_clinic_and_the_primary_clinician(client_for, people):
    client = client_for("superuser")
    body = {"first_name": "Nia", "last_name": "Ndiaye", "clinic": people.other_clinic.pk}
    wrong = post(client, ATHLETES, {**body, "primary": people.clinician.pk})
    assert wrong.status_code == 400 and wrong.json()["errors"] == {
        "primary": ["Choose a clinician from the athlete's clinic."]
    }
    response = post(client, ATHLETES, {**body, "primary": people.other_clinician.pk})
    assert response.status_code == 201
    assert Athlete.objects.get(pk=response.json()["id"]).care_team.get().clinician == people.other_clinician


@pytest.mark.parametrize(
    "change,field",
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": None}, "last_name"),
        ({"email": "anna.aalto"}, "email"),
        ({"email": "RUNNER_A"}, "email"),  # already in the clinic
        ({"date_of_birth": "2100-01-01"}, "date_of_birth"),
        ({"sex": "robot"}, "sex"),
        ({"weekly_km": 501}, "weekly_km"),
        ({"primary": 999999}, "primary"),
    ],
    ids=lambda value: str(value)[:24],
)
def test_invalid_athletes_are_a_400_with_field_messages(client_for, people, change, field):
    if change.get("email") == "RUNNER_A":
        change = {"email": people.athlete_a.email.upper()}
    response = post(client_for("clinician"), ATHLETES, {"first_name": "Nia", "last_name": "Ndiaye", **change})
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Athlete.objects.filter(first_name="Nia").exists()


def test_invite_emails_a_link_to_an_athlete_without_a_login(client_for, people):
    athlete = AthleteFactory(clinic=people.clinic, email="new@example.com")
    response = post(client_for("clinician"), f"{ATHLETES}{athlete.pk}/invite/", {})
    assert response.status_code == 201 and response.json()["email"] == "new@example.com"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.com"]
    again = post(client_for("clinician"), f"{ATHLETES}{people.athlete_a.pk}/invite/", {})
    assert again.status_code == 400
    assert again.json()["detail"] == "This athlete already has a login."


# --------------------------------------------------------------------------- alerts


@pytest.fixture
def alerts(people):
    other = ClinicianFactory(clinic=people.clinic)
    resolved = AlertFactory(athlete=people.athlete_b, kind="no_log", severity="notice")
    from portal.services import alert_resolve

    alert_resolve(alert=resolved, by=other.user, note="Phoned.")
    return {
        "notice": AlertFactory(athlete=people.athlete_a, kind="low_compliance", severity="notice"),
        "urgent": AlertFactory(athlete=people.athlete_a, kind="pain_spike", severity="urgent"),
        "emergency": AlertFactory(athlete=people.athlete_b, kind="log_red_flag", severity="emergency"),
        "resolved": resolved,
        "other_clinic": AlertFactory(athlete=people.other_athlete, kind="triage", severity="emergency"),
    }


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_alerts_list_most_severe_first_and_filters(client_for, people, alerts):
    client = client_for("clinician")
    order = ["emergency", "urgent", "notice", "resolved"]
    assert ids(client.get(ALERTS)) == [alerts[key].pk for key in order]
    assert ids(client.get(ALERTS, {"open": "true"})) == [alerts[key].pk for key in order[:3]]
    assert ids(client.get(ALERTS, {"open": "false"})) == [alerts["resolved"].pk]
    assert ids(client.get(ALERTS, {"severity": "urgent"})) == [alerts["urgent"].pk]
    assert ids(client.get(ALERTS, {"kind": "low_compliance"})) == [alerts["notice"].pk]
    assert ids(client.get(ALERTS, {"athlete": people.athlete_b.pk})) == [
        alerts["emergency"].pk,
        alerts["resolved"].pk,
    ]
    assert ids(client.get(ALERTS, {"ordering": "severity_rank"}))[0] in {
        alerts["notice"].pk,
        alerts["resolved"].pk,
    }
    for bad in ({"severity": "apocalyptic"}, {"open": "maybe"}, {"athlete": "anna"}, {"athlete": 2**63}):
        response = client.get(ALERTS, bad)
        assert response.status_code == 400 and set(response.json()["errors"]) == set(bad)


def test_resolving_needs_a_note_and_happens_once(client_for, people, alerts):
    client = client_for("clinician")
    url = f"{ALERTS}{alerts['urgent'].pk}/resolve/"
    for body in ({}, {"note": ""}, {"note": "x" * 301}):
        response = post(client, url, body)
        assert response.status_code == 400 and "note" in response.json()["errors"]
    assert Alert.objects.get(pk=alerts["urgent"].pk).is_open
    response = post(client, url, {"note": "Called; easing off hills."})
    assert response.status_code == 200
    body = response.json()
    assert body["is_open"] is False and body["resolved_by"] == people.clinician.user.pk
    assert body["resolved_note"] == "Called; easing off hills."
    again = post(client, url, {"note": "Second note"})
    assert again.status_code == 200 and again.json()["resolved_note"] == "Called; easing off hills."


def test_another_clinics_alert_is_not_found(client_for, alerts):
    url = f"{ALERTS}{alerts['other_clinic'].pk}/resolve/"
    assert post(client_for("clinician"), url, {"note": "Mine now"}).status_code == 404
    assert Alert.objects.get(pk=alerts["other_clinic"].pk).is_open


@pytest.mark.parametrize("extra", [2, 20])
def test_alert_list_query_count_is_constant(client_for, people, extra, django_assert_max_num_queries):
    for _ in range(extra):
        AlertFactory(athlete=AthleteFactory(clinic=people.clinic))
    client = client_for("clinician")
    with django_assert_max_num_queries(5):
        assert client.get(ALERTS).json()["count"] == extra
