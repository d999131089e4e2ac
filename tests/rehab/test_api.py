"""The rehab API: phase moves as plan actions, filters and ordering, daily logs by date, and query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Alert
from rehab import services
from rehab.models import DailyLog, PhaseChange, Plan
from tests.factories import AthleteFactory, PlanTemplateFactory

TODAY = timezone.localdate
PLANS = "/api/v1/plans/"
LOGS = "/api/v1/daily-logs/"


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def template(people):
    return PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)


@pytest.fixture
def plan(people, template):
    return services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=TODAY() - timedelta(days=9),
    )


def phase_order(plan) -> int:
    return Plan.objects.select_related("current_phase").get(pk=plan.pk).current_phase.order


# --------------------------------------------------------------------------- phase moves


def test_advance_regress_and_move_record_the_history(client_for, plan):
    client = client_for("clinician")
    response = post(client, f"{PLANS}{plan.pk}/advance/", {"reason": "Pain-free week"})
    assert response.status_code == 200
    body = response.json()
    assert body["current_phase"] == plan.phases.get(order=2).pk
    assert body["history"][0]["kind"] == "advance" and body["history"][0]["reason"] == "Pain-free week"
    assert post(client, f"{PLANS}{plan.pk}/regress/").json()["history"][0]["kind"] == "regress"
    last = plan.phases.get(order=3)
    moved = post(client, f"{PLANS}{plan.pk}/move/", {"phase": last.pk, "reason": "Skip ahead"})
    assert moved.json()["current_phase"] == last.pk and moved.json()["history"][0]["kind"] == "jump"
    assert PhaseChange.objects.filter(plan=plan).count() == 4  # start, advance, regress, jump


def test_moves_that_cannot_happen_are_a_400_with_the_reason(client_for, people, plan, template):
    client = client_for("clinician")
    first = post(client, f"{PLANS}{plan.pk}/regress/")
    assert first.status_code == 400 and first.json()["detail"] == "This is the first phase."
    same = post(client, f"{PLANS}{plan.pk}/move/", {"phase": plan.current_phase_id})
    assert same.status_code == 400 and same.json()["detail"] == "The plan is already in that phase."
    other_plan = services.plan_assign(
        athlete=AthleteFactory(clinic=plan.athlete.clinic),
        template=template,
        by=people.clinician.user,
        start=TODAY(),
    )
    foreign = post(client, f"{PLANS}{plan.pk}/move/", {"phase": other_plan.current_phase_id})
    assert foreign.status_code == 400 and foreign.json()["errors"] == {"phase": ["Not a phase of this plan."]}
    missing = post(client, f"{PLANS}{plan.pk}/move/", {"phase": "second"})
    assert missing.status_code == 400 and "phase" in missing.json()["errors"]
    assert post(client, f"{PLANS}{plan.pk}/advance/", {"reason": "x" * 501}).status_code == 400
    assert phase_order(plan) == 1


def test_apply_recommendation_acts_on_the_current_advice_only(client_for, people, plan):
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"night_pain": True, "pain_during": 3})
    client = client_for("clinician")
    summary = client.get(f"/api/v1/athletes/{people.athlete_a.pk}/summary/").json()
    assert summary["recommendation"]["action"] == "stop_and_refer"
    stale = post(client, f"{PLANS}{plan.pk}/apply-recommendation/", {"action": "advance"})
    assert stale.status_code == 400 and "recommendation has changed" in stale.json()["detail"]
    bad = post(client, f"{PLANS}{plan.pk}/apply-recommendation/", {"action": "hold"})
    assert bad.status_code == 400 and "action" in bad.json()["errors"]
    response = post(client, f"{PLANS}{plan.pk}/apply-recommendation/", {"action": "stop_and_refer"})
    assert response.status_code == 200 and response.json()["status"] == "paused"


def test_athletes_cannot_move_their_plan(client_for, plan):
    assert post(client_for("athlete_a"), f"{PLANS}{plan.pk}/advance/").status_code == 403
    assert phase_order(plan) == 1


# --------------------------------------------------------------------------- filters and ordering


def test_plan_filters_and_ordering(client_for, people, plan, template):
    later = services.plan_assign(
        athlete=people.athlete_b, template=template, by=people.clinician.user, start=TODAY()
    )
    services.plan_set_status(plan=later, status="paused", by=None)
    client = client_for("clinician")

    def ids(**params):
        return [row["id"] for row in client.get(PLANS, params).json()["results"]]

    assert ids() == [later.pk, plan.pk]  # newest start first
    assert ids(ordering="start_date") == [plan.pk, later.pk]
    assert ids(status="paused") == [later.pk]
    assert ids(athlete=people.athlete_a.pk) == [plan.pk]
    assert ids(template=template.pk + 1000) == []
    assert client.get(PLANS, {"status": "dormant"}).status_code == 400


def test_template_filters(client_for, people, template):
    from triage.models import Condition

    template.conditions.add(Condition.objects.get(code="stress_fracture"))
    own = PlanTemplateFactory(clinic=people.clinic, phases=1)
    PlanTemplateFactory(clinic=people.other_clinic, phases=1)
    client = client_for("clinician")

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/plan-templates/", params).json()["results"]}

    assert ids() == {template.pk, own.pk}
    assert ids(condition="stress_fracture") == {template.pk}
    assert ids(shipped="true") == {template.pk}
    assert ids(shipped="false") == {own.pk}


def test_daily_log_filters_and_the_clinicians_read_of_one_day(client_for, people, plan):
    for days_ago in (0, 3, 6):
        services.log_save(
            athlete=people.athlete_a, day=TODAY() - timedelta(days=days_ago), data={"pain_during": 1}
        )
    services.log_save(athlete=people.athlete_b, day=TODAY(), data={"pain_during": 2})
    client = client_for("clinician")

    def dates(**params):
        return [row["date"] for row in client.get(LOGS, params).json()["results"]]

    assert len(dates()) == 4
    week = dates(athlete=people.athlete_a.pk, date_after=str(TODAY() - timedelta(days=4)))
    assert week == [str(TODAY()), str(TODAY() - timedelta(days=3))]
    assert dates(athlete=people.athlete_a.pk, ordering="date")[0] == str(TODAY() - timedelta(days=6))
    # Two athletes logged today: a clinician says whose day they mean.
    unspecified = client.get(f"{LOGS}{TODAY()}/")
    assert unspecified.status_code == 400 and "athlete" in unspecified.json()["errors"]
    day = client.get(f"{LOGS}{TODAY()}/", {"athlete": people.athlete_b.pk}).json()
    assert day["pain_during"] == 2
    assert client.get(f"{LOGS}{TODAY()}/", {"athlete": people.other_athlete.pk}).status_code == 404


def test_put_reports_exercises_and_refuses_someone_elses_shoe(client_for, people, plan):
    from tests.factories import ShoeFactory

    row = plan.current_phase.exercises.first()
    client = client_for("athlete_a")
    url = f"{LOGS}{TODAY()}/"
    theirs = ShoeFactory(athlete=people.athlete_b)
    response = client.put(url, {"shoe": theirs.pk, "distance_km": 5}, content_type="application/json")
    assert response.status_code == 400 and "shoe" in response.json()["errors"]
    body = {"exercises": [{"plan_exercise": row.pk, "sets_done": 3}], "run_minutes": 15}
    saved = client.put(url, body, content_type="application/json").json()
    assert saved["exercises"][0] == {"plan_exercise": row.pk, "exercise": row.exercise_id, "sets_done": 3}
    assert saved["sets_done"] == 3 and saved["plan"] == plan.pk
    again = client.put(
        url, {"pain_after": 1}, content_type="application/json"
    ).json()  # partial: keeps the rest
    assert (again["id"], again["run_minutes"], again["sets_done"], again["pain_after"]) == (
        saved["id"],
        15,
        3,
        1,
    )
    assert DailyLog.objects.count() == 1


def test_put_leaves_an_unsent_pain_question_unanswered_never_0(client_for, people, plan):
    client = client_for("athlete_a")
    url = f"{LOGS}{TODAY() - timedelta(days=2)}/"
    first = client.put(url, {"run_minutes": 20}, content_type="application/json").json()
    assert (first["pain_during"], first["pain_after"], first["pain_next_morning"]) == (None, None, None)
    again = client.put(url, {"pain_during": 2}, content_type="application/json").json()
    assert (again["pain_during"], again["pain_after"], again["pain_next_morning"]) == (2, None, None)
    cleared = client.put(url, {"pain_during": None}, content_type="application/json").json()
    assert cleared["pain_during"] is None
    assert DailyLog.objects.get(athlete=people.athlete_a).pain_after is None


@pytest.mark.parametrize("flag", ["numbness", "fever_unwell", "saddle_bladder_bowel"])
def test_put_takes_the_new_red_flags_and_old_clients_stay_valid(client_for, people, plan, flag):
    client = client_for("athlete_a")
    url = f"{LOGS}{TODAY()}/"
    saved = client.put(url, {"pain_during": 1, flag: True}, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()[flag] is True and saved.json()["red_flags"] == [flag]
    assert Alert.objects.open().filter(athlete=people.athlete_a, kind="log_red_flag").exists()
    # An app that does not know the new fields sends what it always sent: accepted, and the flag is kept.
    old_client = {"pain_during": 1, "pain_after": 1, "night_pain": False, "cannot_bear_weight": False,
                  "swelling": False, "locking": False}  # fmt: skip
    again = client.put(url, old_client, content_type="application/json")
    assert again.status_code == 200 and again.json()["red_flags"] == [flag]
    summary = client_for("clinician").get(f"/api/v1/athletes/{people.athlete_a.pk}/summary/").json()
    assert summary["recommendation"]["action"] == "stop_and_refer"


# --------------------------------------------------------------------------- query counts


@pytest.mark.parametrize("extra", [2, 20])
def test_list_query_counts_do_not_grow(client_for, people, template, extra, django_assert_max_num_queries):
    for _ in range(extra):
        athlete = AthleteFactory(clinic=people.clinic)
        services.plan_assign(
            athlete=athlete, template=template, by=people.clinician.user, start=TODAY() - timedelta(days=2)
        )
        services.log_save(athlete=athlete, day=TODAY(), data={"pain_during": 1}, sets={})
        PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    client = client_for("clinician")
    # Plans and logs: +2 for the audit trail (the listed athletes, and one insert of their "viewed" entries).
    for url, queries in [(PLANS, 10), (LOGS, 8), ("/api/v1/plan-templates/", 9)]:
        with django_assert_max_num_queries(queries):
            response = client.get(url, {"page_size": 100})
        assert response.status_code == 200 and response.json()["count"] >= extra
