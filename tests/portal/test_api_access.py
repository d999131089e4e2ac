"""Every /api/v1/ endpoint × every persona: who gets what, and out-of-scope objects answer 404."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from rehab import services as rehab_services
from tests.access import PERSONAS
from tests.factories import AlertFactory, IntakeFactory, PlanTemplateFactory

V1 = "/api/v1"


@pytest.fixture
def world(people):
    """athlete_a has a plan (in phase 1 of 3), a log for today, an intake and an open alert; so does the
    other clinic's athlete, so every detail URL has an out-of-scope twin."""
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    today = timezone.localdate()
    objects = {}
    for key, athlete, clinician in [
        ("a", people.athlete_a, people.clinician),
        ("other", people.other_athlete, people.other_clinician),
    ]:
        plan = rehab_services.plan_assign(
            athlete=athlete, template=template, by=clinician.user, start=today - timedelta(days=10)
        )
        rehab_services.log_save(athlete=athlete, day=today, data={"pain_during": 1, "run_minutes": 20})
        objects[key] = SimpleNamespace(
            athlete=athlete,
            plan=plan,
            intake=IntakeFactory(athlete=athlete),
            alert=AlertFactory(athlete=athlete, kind="pain_spike"),
        )
    return SimpleNamespace(today=today, template=template, **objects)


def url_for(world, name):
    a = world.a
    return {
        "me": ("get", f"{V1}/me/", None),
        "athletes": ("get", f"{V1}/athletes/", None),
        "athlete_a": ("get", f"{V1}/athletes/{a.athlete.pk}/", None),
        "athlete_a_summary": ("get", f"{V1}/athletes/{a.athlete.pk}/summary/", None),
        "alerts": ("get", f"{V1}/alerts/", None),
        "alert_a": ("get", f"{V1}/alerts/{a.alert.pk}/", None),
        "conditions": ("get", f"{V1}/conditions/", None),
        "condition": ("get", f"{V1}/conditions/stress_fracture/", None),
        "exercises": ("get", f"{V1}/exercises/", None),
        "intakes": ("get", f"{V1}/intakes/", None),
        "intake_a": ("get", f"{V1}/intakes/{a.intake.pk}/", None),
        "plan_templates": ("get", f"{V1}/plan-templates/", None),
        "plan_template": ("get", f"{V1}/plan-templates/{world.template.pk}/", None),
        "plans": ("get", f"{V1}/plans/", None),
        "plan_a": ("get", f"{V1}/plans/{a.plan.pk}/", None),
        "daily_logs": ("get", f"{V1}/daily-logs/", None),
        "daily_log_a": ("get", f"{V1}/daily-logs/{world.today}/?athlete={a.athlete.pk}", None),
        # writes
        "add_athlete": ("post", f"{V1}/athletes/", {"first_name": "Nia", "last_name": "New"}),
        "resolve_alert_a": ("post", f"{V1}/alerts/{a.alert.pk}/resolve/", {"note": "Called her."}),
        "submit_intake_for_a": ("post", f"{V1}/intakes/", {"athlete": a.athlete.pk, "answers": {"age": 30}}),
        "review_intake_a": ("post", f"{V1}/intakes/{a.intake.pk}/review/", {"notes": "Seen."}),
        "assign_plan_to_a": (
            "post",
            f"{V1}/plans/",
            {"athlete": a.athlete.pk, "template": world.template.pk, "start_date": str(world.today)},
        ),  # fmt: skip
        "pause_plan_a": ("patch", f"{V1}/plans/{a.plan.pk}/", {"status": "paused"}),
        "advance_plan_a": ("post", f"{V1}/plans/{a.plan.pk}/advance/", {}),
        "regress_plan_a": ("post", f"{V1}/plans/{a.plan.pk}/regress/", {}),
        "move_plan_a": ("post", f"{V1}/plans/{a.plan.pk}/move/", {"phase": a.plan.phases.last().pk}),
        "log_today": ("put", f"{V1}/daily-logs/{world.today}/", {"pain_during": 2}),
        "revoke_token": ("delete", f"{V1}/auth/token/", None),
    }[name]


# Expected status per persona: anonymous, athlete_a, athlete_b, clinician, other_clinician, superuser.
MATRIX = {
    "me": [401, 200, 200, 200, 200, 200],
    "athletes": [401, 403, 403, 200, 200, 200],
    "athlete_a": [401, 403, 403, 200, 404, 200],
    "athlete_a_summary": [401, 403, 403, 200, 404, 200],
    "alerts": [401, 403, 403, 200, 200, 200],
    "alert_a": [401, 403, 403, 200, 404, 200],
    "conditions": [401, 200, 200, 200, 200, 200],
    "condition": [401, 200, 200, 200, 200, 200],
    "exercises": [401, 200, 200, 200, 200, 200],
    "intakes": [401, 200, 200, 200, 200, 200],
    "intake_a": [401, 200, 404, 200, 404, 200],
    "plan_templates": [401, 200, 200, 200, 200, 200],
    "plan_template": [401, 200, 200, 200, 200, 200],
    "plans": [401, 200, 200, 200, 200, 200],
    "plan_a": [401, 200, 404, 200, 404, 200],
    "daily_logs": [401, 200, 200, 200, 200, 200],
    "daily_log_a": [401, 200, 404, 200, 404, 200],
    # Superusers name the clinic of a new athlete (400 without one); the other clinic adds to its own.
    "add_athlete": [401, 403, 403, 201, 201, 400],
    "resolve_alert_a": [401, 403, 403, 200, 404, 200],
    # Athletes always submit their own check (the athlete field must still be one they can see).
    "submit_intake_for_a": [401, 201, 400, 201, 400, 201],
    "review_intake_a": [401, 403, 403, 200, 404, 200],
    # athlete_a already has an active plan: the clinician's assign is refused with a reason.
    "assign_plan_to_a": [401, 403, 403, 400, 400, 400],
    "pause_plan_a": [401, 403, 403, 200, 404, 200],
    "advance_plan_a": [401, 403, 403, 200, 404, 200],
    "regress_plan_a": [401, 403, 403, 400, 404, 400],  # already in the first phase
    "move_plan_a": [401, 403, 403, 200, 404, 200],
    "log_today": [401, 200, 200, 403, 403, 403],
    "revoke_token": [401, 204, 204, 204, 204, 204],
}


def request(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("endpoint", MATRIX)
def test_api_access_matrix(client_for, world, endpoint):
    """One world per endpoint; each persona's request is rolled back, so writes never leak into the next."""
    method, url, body = url_for(world, endpoint)
    for persona, expected in zip(PERSONAS, MATRIX[endpoint], strict=True):
        with transaction.atomic():
            response = request(client_for(persona), method, url, body)
            transaction.set_rollback(True)
        assert response.status_code == expected, (persona, response.status_code, response.content[:300])
        assert response.status_code == 204 or response["Content-Type"].startswith("application/json")
        if expected >= 400:
            assert set(response.json()) == {"detail", "code", "errors"}, persona


LISTS = {
    "athletes": {"clinician": {"a", "b"}, "other_clinician": {"other"}, "superuser": {"a", "b", "other"}},
    "alerts": {"clinician": {"a"}, "other_clinician": {"other"}, "superuser": {"a", "other"}},
    "intakes": {"athlete_a": {"a"}, "athlete_b": set(), "clinician": {"a"}, "other_clinician": {"other"}},
    "plans": {"athlete_a": {"a"}, "athlete_b": set(), "clinician": {"a"}, "other_clinician": {"other"}},
    "daily-logs": {"athlete_a": {"a"}, "athlete_b": set(), "clinician": {"a"}, "other_clinician": {"other"}},
}


@pytest.mark.parametrize("endpoint", LISTS)
def test_lists_show_exactly_what_the_persona_may_see(client_for, people, world, endpoint):
    athletes = {"a": people.athlete_a, "b": people.athlete_b, "other": people.other_athlete}
    for persona, expected in LISTS[endpoint].items():
        rows = client_for(persona).get(f"{V1}/{endpoint}/").json()["results"]
        seen = {row["id"] if endpoint == "athletes" else row["athlete"] for row in rows}
        assert seen == {athletes[key].pk for key in expected}, persona


@pytest.mark.parametrize("persona", ["athlete_a", "clinician"])
def test_options_describe_every_endpoint_without_errors(client_for, world, persona):
    client = client_for(persona)
    for endpoint in MATRIX:
        _, url, _ = url_for(world, endpoint)
        response = client.options(url)
        assert response.status_code in (200, 401, 403), (endpoint, response.status_code)
