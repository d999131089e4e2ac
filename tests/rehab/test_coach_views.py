"""The coach's part of a plan, through its pages: who may use each, the limits, the coach's running changes
and advances, requests and the clinician's one-click decision."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Alert
from rehab import services
from rehab.coach import check_advance
from rehab.models import ChangeRequest, PhaseChange, Plan, PlanPhase, RunningChange
from rehab.services import coach as coach_services
from tests.access import LOGIN, assert_outcome
from tests.factories import AlertFactory, PlanTemplateFactory

PERSONAS = ["anonymous", "athlete_a", "athlete_b", "clinician", "coach", "other_clinician", "superuser"]


@pytest.fixture
def plan(people):
    """athlete_a's plan in phase 1 of 3: walk/jog 20 minutes, 3 times a week (60 minutes a week)."""
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=1)
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )


def _limit(plan, *, session=30, week=80, increase=10, advance_to=2) -> Plan:
    Plan.objects.filter(pk=plan.pk).update(
        coach_max_session_minutes=session,
        coach_max_week_minutes=week,
        coach_max_weekly_increase_pct=increase,
        coach_advance_to=advance_to,
    )
    return Plan.objects.select_related("athlete", "current_phase").get(pk=plan.pk)


def _running(**changes) -> dict:
    values = {"run_minutes": 20, "sessions_per_week": 3, "walk_minutes": 3, "jog_minutes": 1, "run_note": ""}
    return {k: "" if v is None else v for k, v in (values | changes).items()}


def _request(plan, people, **proposed) -> ChangeRequest:
    return coach_services.request_create(
        plan=plan, by=people.coach.user, kind="running", reason="Four short runs suit her week.",
        proposed=proposed or {"sessions_per_week": 4},
    )  # fmt: skip


def _current(plan) -> PlanPhase:
    return PlanPhase.objects.get(pk=Plan.objects.get(pk=plan.pk).current_phase_id)


# ------------------------------------------------------------------------------------------------- who may


def _cases():
    rows = {
        # name: (method, outcomes in PERSONAS order)
        "coach_limits-get": ("get", [LOGIN, 403, 403, 200, 403, 404, 200]),
        "coach_limits-post": ("post", [LOGIN, 403, 403, 200, 403, 404, 200]),
        "coach_running-get": ("get", [LOGIN, 403, 403, 200, 200, 404, 200]),
        "coach_running-post": ("post", [LOGIN, 403, 403, 200, 200, 404, 200]),
        "coach_advance-get": ("get", [LOGIN, 403, 403, 405, 405, 405, 405]),
        "coach_advance-post": ("post", [LOGIN, 403, 403, 302, 302, 404, 302]),
        "change_request_new-get": ("get", [LOGIN, 403, 403, 403, 200, 403, 403]),
        "change_request_new-post": ("post", [LOGIN, 403, 403, 403, 200, 403, 403]),
        "change_request_decide-get": ("get", [LOGIN, 403, 403, 405, 403, 405, 405]),
        "change_request_decide-post": ("post", [LOGIN, 403, 403, 302, 403, 404, 302]),
    }
    return [
        pytest.param(name.rsplit("-", 1)[0], method, persona, expected, id=f"{name}-{persona}")
        for name, (method, outcomes) in rows.items()
        for persona, expected in zip(PERSONAS, outcomes, strict=True)
    ]


@pytest.mark.parametrize(("name", "method", "persona", "expected"), _cases())
def test_who_may_use_the_coach_pages(client_for, people, plan, name, method, persona, expected):
    args = [plan.pk]
    if name == "change_request_decide":
        args.append(_request(plan, people).pk)
    client = client_for(persona)
    response = getattr(client, method)(reverse(f"rehab:{name}", args=args))
    assert_outcome(response, expected)
    if name == "change_request_decide" and method == "post":  # an empty body decides nothing
        assert ChangeRequest.objects.get().status == ChangeRequest.Status.PENDING


def test_athlete_b_and_other_clinic_never_see_the_request(client_for, people, plan):
    req = _request(plan, people)
    for persona in ("athlete_b", "other_clinician"):
        response = client_for(persona).post(
            reverse("rehab:change_request_decide", args=[plan.pk, req.pk]),
            {"decision": "accept", "version": plan.version + 1},
        )
        assert response.status_code in (403, 404)
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.PENDING


# ------------------------------------------------------------------------------------------------- limits


def test_clinician_sets_the_coach_limits(client_for, people, plan):
    response = client_for("clinician").post(
        reverse("rehab:coach_limits", args=[plan.pk]),
        {"version": plan.version, "coach_max_session_minutes": 30, "coach_max_week_minutes": 90,
         "coach_max_weekly_increase_pct": 10, "coach_advance_to": 2},
    )  # fmt: skip
    assert response.status_code == 302
    saved = Plan.objects.get(pk=plan.pk)
    assert (saved.coach_max_session_minutes, saved.coach_max_week_minutes) == (30, 90)
    assert (saved.coach_max_weekly_increase_pct, saved.coach_advance_to) == (10, 2)
    assert saved.version == plan.version + 1
    assert saved.changed_by == people.clinician.user


def test_running_limits_are_all_or_none(client_for, plan):
    response = client_for("clinician").post(
        reverse("rehab:coach_limits", args=[plan.pk]),
        {"version": plan.version, "coach_max_session_minutes": 30},
    )
    assert response.status_code == 200
    assert "Set all three running limits, or none" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).coach_max_session_minutes is None


def test_stale_limits_form_is_refused(client_for, plan):
    response = client_for("clinician").post(
        reverse("rehab:coach_limits", args=[plan.pk]), {"version": plan.version - 1 or 99}
    )
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).version == plan.version


# ------------------------------------------------------------------------------------------------- running


def test_coach_changes_the_running_within_limits_and_the_clinician_sees_it(client_for, people, plan):
    plan = _limit(plan)
    coach = client_for("coach")
    response = coach.post(
        reverse("rehab:coach_running", args=[plan.pk]),
        _running(run_minutes=22)
        | {"version": plan.version, "reason": "Three easy weeks, no pain next morning."},
    )
    assert response.status_code == 302
    assert _current(plan).run_minutes == 22
    change = RunningChange.objects.get()
    assert (change.by, change.before, change.after) == (
        people.coach.user,
        {"run_minutes": 20},
        {"run_minutes": 22},
    )
    assert Plan.objects.get(pk=plan.pk).version == plan.version + 1
    page = client_for("clinician").get(plan.get_absolute_url()).content.decode()
    assert "session length (minutes) 20 → 22" in page
    assert "Three easy weeks, no pain next morning." in page
    timeline = client_for("clinician").get(reverse("rehab:timeline", args=[plan.athlete_id])).content.decode()
    assert "Latest running changes" in timeline and "20 → 22" in timeline


def test_two_changes_in_a_week_cannot_add_twice_the_allowance(client_for, people, plan):
    plan = _limit(plan, increase=10)  # 60 minutes a week now: at most 66 within a week
    coach, url = client_for("coach"), reverse("rehab:coach_running", args=[plan.pk])
    first = coach.post(url, _running(run_minutes=22) | {"version": plan.version, "reason": "Easy."})
    assert first.status_code == 302  # 66 minutes a week
    second = coach.post(url, _running(run_minutes=24) | {"version": plan.version + 1, "reason": "Again."})
    assert second.status_code == 200
    assert "more than the 60 of a week ago" in second.content.decode()
    assert _current(plan).run_minutes == 22


def test_outside_the_limits_the_coach_is_offered_a_request(client_for, people, plan):
    plan = _limit(plan)
    coach = client_for("coach")
    response = coach.post(
        reverse("rehab:coach_running", args=[plan.pk]),
        _running(sessions_per_week=4) | {"version": plan.version, "reason": "She has time for four."},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "you may add up to 10% a week" in page
    assert "Send as a request to Maya Okafor" in page
    assert _current(plan).sessions_per_week == 3 and not RunningChange.objects.exists()
    # The offered form sends the same values.
    response = coach.post(
        reverse("rehab:change_request_new", args=[plan.pk]),
        _running(sessions_per_week=4) | {"kind": "running", "reason": "She has time for four."},
    )
    assert response.status_code == 302
    req = ChangeRequest.objects.get()
    assert (req.kind, req.proposed, req.current) == (
        "running",
        {"sessions_per_week": 4},
        {"sessions_per_week": 3},
    )
    assert req.requested_by == people.coach.user and req.status == "pending"
    notice = Alert.objects.open().get(athlete=plan.athlete, kind=coach_services.NOTICE_KIND)
    assert notice.severity == "notice" and notice.link == plan.get_absolute_url()


def test_sending_the_same_request_twice_keeps_one(client_for, plan):
    data = _running(sessions_per_week=5) | {"kind": "running", "reason": "Five short ones."}
    coach = client_for("coach")
    for _ in range(2):
        assert coach.post(reverse("rehab:change_request_new", args=[plan.pk]), data).status_code == 302
    assert ChangeRequest.objects.count() == 1


def test_without_limits_the_coach_cannot_change_running(client_for, plan):
    coach = client_for("coach")
    page = coach.get(plan.get_absolute_url()).content.decode()
    assert "has set no running limits on this plan" in page
    assert reverse("rehab:coach_running", args=[plan.pk]) not in page
    response = coach.post(
        reverse("rehab:coach_running", args=[plan.pk]),
        _running(run_minutes=18) | {"version": plan.version, "reason": "Shorter."},
    )
    assert "every running change goes to them" in response.content.decode()
    assert _current(plan).run_minutes == 20


def test_clinician_changes_running_without_limits(client_for, plan):
    response = client_for("clinician").post(
        reverse("rehab:coach_running", args=[plan.pk]),
        _running(run_minutes=45, sessions_per_week=5) | {"version": plan.version, "reason": "Race build-up."},
    )
    assert response.status_code == 302
    assert _current(plan).run_minutes == 45


# ------------------------------------------------------------------------------------------------- advance


def _advance(client, plan):
    return client.post(
        reverse("rehab:coach_advance", args=[plan.pk]), {"version": plan.version, "reason": "Ready."}
    )


def test_coach_advances_within_limits(client_for, people, plan):
    plan = _limit(plan, advance_to=2)
    assert _advance(client_for("coach"), plan).status_code == 302
    change = PhaseChange.objects.filter(plan=plan).first()
    assert (change.kind, change.by, change.to_phase.order) == ("advance", people.coach.user, 2)


@pytest.mark.parametrize(
    "situation",
    ["not-opened", "clearance", "urgent-alert"],
)
def test_coach_may_not_advance(client_for, people, plan, situation):
    plan = _limit(plan, advance_to=None if situation == "not-opened" else 3)
    if situation == "clearance":
        PlanPhase.objects.filter(plan=plan, order=2).update(requires_clearance=True)
    if situation == "urgent-alert":
        AlertFactory(athlete=plan.athlete, kind="pain_spike", severity="urgent")
    coach = client_for("coach")
    response = _advance(coach, plan)
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).current_phase.order == 1
    assert Plan.objects.get(pk=plan.pk).version == plan.version
    page = coach.get(plan.get_absolute_url()).content.decode()
    assert reverse("rehab:coach_advance", args=[plan.pk]) not in page


def test_a_stop_and_refer_blocks_the_coach(people, plan):
    plan = _limit(plan, advance_to=3)
    refused = coach_services.advance_situation(
        plan, list(plan.phases.all()), engine_action="stop_and_refer", serious_alert=False
    )
    assert [r.code for r in check_advance(coach_services.limits_of(plan), refused)] == ["engine"]


# ------------------------------------------------------------------------------------------------- decisions


def _decide(client, plan, req, decision, **extra):
    data = {"decision": decision, "version": Plan.objects.get(pk=plan.pk).version} | extra
    return client.post(reverse("rehab:change_request_decide", args=[plan.pk, req.pk]), data)


def test_accepting_applies_the_change_once(client_for, people, plan):
    req = _request(plan, people)
    clinician = client_for("clinician")
    page = clinician.get(plan.get_absolute_url()).content.decode()
    assert "Waiting for your decision" in page and "Four short runs suit her week." in page
    version = Plan.objects.get(pk=plan.pk).version
    data = {"decision": "accept", "version": version}
    url = reverse("rehab:change_request_decide", args=[plan.pk, req.pk])
    assert clinician.post(url, data).status_code == 302
    assert clinician.post(url, data).status_code == 302  # the same click again
    req.refresh_from_db()
    assert (req.status, req.decided_by) == ("accepted", people.clinician.user)
    assert _current(plan).sessions_per_week == 4
    assert RunningChange.objects.get().request == req
    assert Plan.objects.get(pk=plan.pk).version == version + 1
    assert not Alert.objects.open().filter(kind=coach_services.NOTICE_KIND).exists()


def test_accepting_from_an_out_of_date_page_changes_nothing(client_for, people, plan):
    req = _request(plan, people)
    stale = Plan.objects.get(pk=plan.pk).version
    services.plan_update(plan=Plan.objects.get(pk=plan.pk), by=people.clinician.user, goal="10 km in spring")
    response = client_for("clinician").post(
        reverse("rehab:change_request_decide", args=[plan.pk, req.pk]),
        {"decision": "accept", "version": stale},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "pending" and _current(plan).sessions_per_week == 3


def test_declining_tells_the_coach_why(client_for, people, plan):
    req = _request(plan, people)
    clinician = client_for("clinician")
    response = _decide(clinician, plan, req, "decline", note="Wait for her scan.", back="timeline")
    assert response.url == reverse("rehab:timeline", args=[plan.athlete_id])
    req.refresh_from_db()
    assert (req.status, req.decision_note) == ("declined", "Wait for her scan.")
    assert _current(plan).sessions_per_week == 3
    assert "Wait for her scan." in client_for("coach").get(plan.get_absolute_url()).content.decode()


def test_accepting_a_phase_request_moves_the_plan(client_for, people, plan):
    target = plan.phases.get(order=3)
    req = coach_services.request_create(
        plan=plan,
        by=people.coach.user,
        kind="phase",
        reason="Flying through.",
        proposed={"to_phase": target.pk},
    )
    assert _decide(client_for("clinician"), plan, req, "accept").status_code == 302
    change = PhaseChange.objects.filter(plan=plan).first()
    assert (change.to_phase, change.by, change.reason) == (target, people.clinician.user, "Flying through.")


def test_accepting_an_exercise_request_opens_the_tailor_page(client_for, people, plan):
    req = coach_services.request_create(
        plan=plan, by=people.coach.user, kind="exercise", reason="Swap bridges for step-ups."
    )
    response = _decide(client_for("clinician"), plan, req, "accept")
    assert response.url == reverse("rehab:phase_edit", args=[plan.pk, plan.current_phase_id])


def test_pending_request_is_on_the_physios_timeline(client_for, people, plan):
    _request(plan, people)
    page = client_for("clinician").get(reverse("rehab:timeline", args=[plan.athlete_id])).content.decode()
    assert "1 request waiting for your decision" in page
    assert "Accept and apply" in page
    coach_page = client_for("coach").get(reverse("rehab:timeline", args=[plan.athlete_id])).content.decode()
    assert "1 request waiting for a clinician’s decision" in coach_page
    assert "Accept and apply" not in coach_page


# ------------------------------------------------------------------------------------------------- the plan page


def test_coach_sees_limits_and_no_clinical_actions(client_for, plan):
    plan = _limit(plan, advance_to=2)
    page = client_for("coach").get(plan.get_absolute_url()).content.decode()
    assert "You may set up to <strong>30 minutes a session</strong>" in page
    assert "now phase 1 → 2" in page
    for clinical in (
        "Tailor</a>",
        "Cancel plan",
        "Save as clinic protocol",
        "Move the plan yourself",
        "Pause",
    ):
        assert clinical not in page
    clinician_page = client_for("clinician").get(plan.get_absolute_url()).content.decode()
    for clinical in ("Tailor</a>", "Cancel plan", "Move the plan yourself", "Save the coach’s limits"):
        assert clinical in clinician_page


@pytest.mark.parametrize("page", ["plan", "timeline"])
@pytest.mark.parametrize("persona", ["clinician", "coach"])
def test_pages_queries_do_not_grow_with_requests(client_for, people, plan, persona, page):
    plan = _limit(plan)
    _request(plan, people)
    client = client_for(persona)
    url = plan.get_absolute_url() if page == "plan" else reverse("rehab:timeline", args=[plan.athlete_id])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        _request(plan, people, run_minutes=21 + n)
        coach_services.running_change(plan=Plan.objects.get(pk=plan.pk), by=people.clinician.user, seen=None,
                                      values={"run_note": f"Note {n}"}, reason="", limited=False)  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_deleting_personal_data_removes_the_requests_free_text(people, plan):
    req = _request(plan, people)
    coach_services.running_change(plan=plan, by=people.clinician.user, seen=None, values={"run_minutes": 25},
                                  reason="Anna asked for longer runs.", limited=False)  # fmt: skip
    coach_services.coach_text_forget(people.athlete_a, by=people.clinician.user)
    req.refresh_from_db()
    assert (req.status, req.reason, req.decision_note) == ("declined", "", "")
    change = RunningChange.objects.get()
    assert change.reason == "" and change.after == {"run_minutes": 25}
