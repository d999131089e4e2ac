"""Criteria-based progression: a phase's measured exit criteria (structured_criteria) in the progression engine,
the status it stores, the alerts it raises, the phase edit form and the pages that show them.

The engine tables are pure (phases are SimpleNamespaces, results outcomes.criteria.Results); the rest reads
what a clinician records through outcomes.services.
"""

import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outcomes import codes
from outcomes import services as outcome_services
from outcomes.codes import Reason
from outcomes.criteria import MET, MISSING, RecordedTest, Results
from rehab import services
from rehab.codes import Action
from rehab.criteria import reason_text, reasons_json
from rehab.models import DailyLog, PhaseTemplate, PlanPhase, RehabStatus
from rehab.progression import LogDay, recommend
from rehab.status import log_alerts, snapshot
from tests.factories import PlanTemplateFactory

# The outcomes codes a phase's measured criteria give (the engine's own reasons are rehab codes).
CRITERIA_CODES = {codes.CRITERION_MET, codes.CRITERION_NOT_MET, codes.CRITERION_MISSING, codes.BAD_CRITERION}

TODAY = date(2025, 3, 20)
STARTED = TODAY - timedelta(days=13)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def run(days_ago: int, during=0, after=0, morning=0) -> LogDay:
    return LogDay(
        date=ago(days_ago), run_minutes=20, pain_during=during, pain_after=after, pain_next_morning=morning
    )


# Three pain-free sessions this week in a phase started two weeks ago: the pain rules say advance.
GOOD = (run(5), run(3), run(1))
SQUAT = {"kind": "test", "test": "single_leg_squat", "side": "each", "max_pain": 2, "min_count": 10}
HOP = {"kind": "test", "test": "hop_on_spot", "side": "each", "max_pain": 2, "min_count": 10}
SYMMETRY = {"kind": "symmetry", "test": "hhd_hip_abduction", "min_pct": 90}
CLEARANCE = {"kind": "clearance"}


def phase(criteria=(), **kw) -> SimpleNamespace:
    base = {
        "max_pain_during": 2, "max_pain_after": 2, "must_settle_by_morning": True, "next_day_pain_allowed": False,
        "min_days": 7, "started_on": STARTED, "run_activity": "walk_jog", "sessions_per_week": 3,
        "structured_criteria": list(criteria),
    }  # fmt: skip
    return SimpleNamespace(**(base | kw))


def squat(side, days_ago=2, reps=12, pain=1):
    return RecordedTest("single_leg_squat", side, ago(days_ago), {"reps": reps, "pain": pain}, True)


def hop(side, days_ago=2, hops=15, pain=0):
    return RecordedTest("hop_on_spot", side, ago(days_ago), {"hops": hops, "pain": pain}, True)


ALL_TESTS = (squat("left"), squat("right"), hop("left"), hop("right"))
STRENGTH = RecordedTest("hhd_hip_abduction", "left", ago(4), {"left": 190, "right": 200}, True, 95.0)


def codes_of(rec, code):
    return [r for r in rec.reasons if isinstance(r, Reason) and r.code == code]


CASES = [
    # id, criteria, results, logs, expected action, expected (code, params subset) among the reasons
    ("all-met-advance", [SQUAT, HOP], Results(tests=ALL_TESTS), GOOD, Action.ADVANCE,
     (codes.CRITERION_MET, {"test": "hop_on_spot", "side": "right"})),
    ("one-side-missing-holds-naming-it", [SQUAT, HOP], Results(tests=ALL_TESTS[:3]), GOOD, Action.HOLD,
     (codes.CRITERION_MISSING, {"test": "hop_on_spot", "side": "right"})),
    ("nothing-recorded-holds", [SQUAT], Results(), GOOD, Action.HOLD,
     (codes.CRITERION_MISSING, {"test": "single_leg_squat", "side": "left"})),
    ("not-met-holds", [SQUAT], Results(tests=(squat("left"), squat("right", pain=4))), GOOD, Action.HOLD,
     (codes.CRITERION_NOT_MET, {"test": "single_leg_squat", "side": "right", "pain": 4})),
    ("result-before-the-phase-is-missing", [SQUAT],
     Results(tests=(squat("left"), squat("right", days_ago=20))), GOOD, Action.HOLD,
     (codes.MEASURED_BEFORE_PHASE, {"on": ago(20).isoformat()})),
    ("symmetry-met", [SYMMETRY], Results(tests=(STRENGTH,)), GOOD, Action.ADVANCE,
     (codes.CRITERION_MET, {"kind": "symmetry", "pct": 95.0})),
    ("clearance-missing-holds", [CLEARANCE], Results(), GOOD, Action.HOLD,
     (codes.CRITERION_MISSING, {"kind": "clearance"})),
    # A clearance is not redone per phase: one recorded before this phase counts.
    ("clearance-any-time-met", [CLEARANCE], Results(clearances=(ago(30),)), GOOD, Action.ADVANCE,
     (codes.CRITERION_MET, {"kind": "clearance", "on": ago(30).isoformat()})),
    # The pain rules keep their priority: a stop or a step back beats every criterion met.
    ("pain-stop-beats-criteria-met", [SQUAT, HOP], Results(tests=ALL_TESTS), GOOD + (run(0, during=8),),
     Action.STOP_AND_REFER, None),
    ("step-back-beats-criteria-met", [SQUAT, HOP], Results(tests=ALL_TESTS),
     (run(5, during=4), run(3, during=4), run(1)), Action.REGRESS, None),
    # The pain rules' own holds stay, and the missing criteria are named beside them.
    ("too-few-sessions-and-missing", [HOP], Results(), (run(1),), Action.HOLD,
     (codes.CRITERION_MISSING, {"test": "hop_on_spot"})),
]  # fmt: skip


@pytest.mark.parametrize(
    "criteria, results, logs, action, expected", [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_criteria_table(criteria, results, logs, action, expected):
    rec = recommend(phase(criteria), list(logs), TODAY, results=results)
    assert rec.action == action, rec.reasons
    assert len(rec.criteria) == len(criteria)  # evaluated whatever the action, for the pages
    if expected is not None:
        code, params = expected
        found = codes_of(rec, code)
        assert any(params.items() <= r.params.items() for r in found), rec.reasons
    if action == Action.ADVANCE:
        assert all(result.status == MET for result in rec.criteria)
    if action == Action.STOP_AND_REFER:
        assert not codes_of(rec, codes.CRITERION_MET)


@pytest.mark.parametrize("results", [None, Results(), Results(tests=ALL_TESTS, clearances=(ago(3),))])
@pytest.mark.parametrize(
    "logs", [GOOD, (run(1),), (run(5, during=4), run(3, during=4), run(1)), GOOD + (run(0, during=8),)]
)
def test_no_criteria_behaves_exactly_as_before(results, logs):
    without = recommend(phase(), list(logs), TODAY)
    given = recommend(phase(), list(logs), TODAY, results=results)
    assert given == without and given.criteria == ()
    assert not any(r.code in CRITERIA_CODES for r in given.reasons)


def test_missing_reason_names_the_criterion_and_when_it_was_last_measured():
    rec = recommend(
        phase([SQUAT]), list(GOOD), TODAY, results=Results(tests=(squat("left"), squat("right", days_ago=20)))
    )
    [result] = rec.criteria
    # The criterion's last measurement: the left side, in the phase (the right one only before it).
    assert (result.status, result.last_measured) == (MISSING, ago(2))
    texts = [reason_text(r) for r in rec.reasons]
    assert "Single-leg squat, right: not measured in this phase yet." in texts
    assert "Last measured on 28 Feb 2025, before this phase started." in texts
    assert "Single-leg squat, left (12 reps, pain 1/10) on 18 Mar 2025: met." in texts


def test_last_phase_with_a_criterion_missing_does_not_say_complete():
    rec = recommend(phase([HOP]), list(GOOD), TODAY, is_last=True, results=Results())
    assert rec.action == Action.HOLD
    assert not any("consider completing" in reason_text(r) for r in rec.reasons)


def test_next_phase_clearance_still_holds_once_criteria_are_met():
    rec = recommend(
        phase([SQUAT]), list(GOOD), TODAY, next_needs_clearance=True, results=Results(tests=ALL_TESTS[:2])
    )
    assert rec.action == Action.HOLD and rec.needs_clearance


def test_criteria_stored_past_the_form_check_hold_and_say_so():
    rec = recommend(phase([{"kind": "test", "test": "nope"}]), list(GOOD), TODAY, results=Results())
    assert rec.action == Action.HOLD
    assert [r.code for r in rec.reasons if r.code in CRITERIA_CODES] == [codes.BAD_CRITERION]
    assert reason_text(rec.reasons[-1]).startswith("Exit criterion 1: unknown test")


@pytest.mark.parametrize(
    "results, alerted",
    [(Results(tests=ALL_TESTS), True), (Results(tests=ALL_TESTS[:3]), False), (Results(), False)],
    ids=["all-met", "one-missing", "none-recorded"],
)
def test_ready_to_advance_alerts_only_when_every_criterion_is_met(results, alerted):
    logs = list(GOOD)
    snap = snapshot(logs=logs, today=TODAY, phase=phase([SQUAT, HOP]), results=results)
    kinds = [due.kind for due in log_alerts(logs[-1], logs, snap)]
    assert ("ready_to_advance" in kinds) is alerted


def test_stored_reasons_are_json_with_codes():
    rec = recommend(phase([SQUAT]), list(GOOD), TODAY, results=Results(tests=(squat("left"),)))
    stored = json.loads(json.dumps(reasons_json(rec.reasons)))
    assert {"code": codes.CRITERION_MISSING, "params": {"kind": "test", "test": "single_leg_squat",
            "side": "right", "max_pain": 2, "min_count": 10}} in stored  # fmt: skip
    assert [reason_text(r) for r in stored] == [reason_text(r) for r in rec.reasons]


# The models, the copy on assign, the status service


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"kind": "clearance"}, "Criteria must be a list."),
        ([{"kind": "test", "test": "nope"}], "Exit criterion 1: unknown test."),
        (
            [CLEARANCE, {"kind": "prom", "instrument": "ihot12", "value": 500}],
            "Exit criterion 2: value must be",
        ),
        ([{"kind": "test", "test": "single_leg_squat", "colour": "red"}], "Exit criterion 1: unknown keys"),
    ],
)
def test_model_refuses_bad_criteria_on_the_field(db, raw, message):
    template = PlanTemplateFactory(phases=1)
    phase_row = template.phases.get()
    phase_row.structured_criteria = raw
    with pytest.raises(ValidationError) as error:
        phase_row.full_clean()
    assert any(m.startswith(message) for m in error.value.message_dict["structured_criteria"])


def test_assigning_a_template_copies_its_criteria(people):
    template = PlanTemplateFactory(phases=2)
    PhaseTemplate.objects.filter(template=template, order=1).update(structured_criteria=[SQUAT, CLEARANCE])
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    assert [p.structured_criteria for p in plan.phases.order_by("order")] == [[SQUAT, CLEARANCE], []]


def _plan_with_criteria(people, athlete, criteria, *, today):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=0)
    PhaseTemplate.objects.filter(template=template, order=1).update(structured_criteria=criteria)
    plan = services.plan_assign(
        athlete=athlete, template=template, by=people.clinician.user, start=today - timedelta(days=13)
    )
    for days in (5, 3, 1):
        DailyLog.objects.create(
            athlete=athlete, date=today - timedelta(days=days), plan=plan, phase=plan.current_phase,
            run_minutes=20, pain_during=0, pain_after=0, pain_next_morning=0,
        )  # fmt: skip
    return plan


def _record(people, athlete, on, *tests):
    visit = outcome_services.visit_save(athlete=athlete, clinician=people.clinician, on=on, notes="")
    for test, side, values in tests:
        outcome_services.visit_test_save(visit=visit, test=test, side=side, values=values)


def test_status_refresh_reads_what_the_clinician_recorded_in_the_phase(people):
    today = timezone.localdate()
    _plan_with_criteria(people, people.athlete_a, [SQUAT], today=today)
    services.status_refresh([people.athlete_a], today=today, raise_alerts=False)
    status = RehabStatus.objects.get(athlete=people.athlete_a)
    assert status.action == Action.HOLD
    assert {"code": codes.CRITERION_MISSING, "params": {"kind": "test", "test": "single_leg_squat",
            "side": "left", "max_pain": 2, "min_count": 10}} in status.reasons  # fmt: skip
    # Before the phase started: still missing. In the phase, both sides: advance.
    _record(
        people,
        people.athlete_a,
        today - timedelta(days=30),
        ("single_leg_squat", "left", {"reps": 12, "pain": 0}),
    )
    _record(people, people.athlete_a, today - timedelta(days=2), ("single_leg_squat", "left", {"reps": 12, "pain": 0}),
            ("single_leg_squat", "right", {"reps": 11, "pain": 2}))  # fmt: skip
    services.status_refresh([people.athlete_a], today=today, raise_alerts=False)
    status.refresh_from_db()
    assert status.action == Action.ADVANCE, status.reasons
    assert [r["code"] for r in status.reasons if r["code"] in CRITERIA_CODES] == [codes.CRITERION_MET] * 2


def test_clearance_criterion_reads_the_plans_recorded_clearance(people):
    today = timezone.localdate()
    plan = _plan_with_criteria(people, people.athlete_a, [CLEARANCE], today=today)
    _, snap = services.status_snapshots([people.athlete_a], today)[people.athlete_a.pk]
    assert snap.recommendation.action == Action.HOLD and snap.recommendation.criteria[0].status == MISSING
    first = plan.current_phase
    first.cleared_at, first.cleared_by = timezone.now() - timedelta(days=40), people.clinician.user
    first.save(update_fields=["cleared_at", "cleared_by"])
    _, snap = services.status_snapshots([people.athlete_a], today)[people.athlete_a.pk]
    assert snap.recommendation.action == Action.ADVANCE
    assert snap.recommendation.criteria[0].last_measured == timezone.localdate(first.cleared_at)


def test_status_of_many_athletes_reads_results_once_for_all(people, django_assert_max_num_queries):
    """The caseload refresh judges athletes in bulk: results are three queries for all, not per athlete or
    criterion, and none when no phase has criteria."""
    today = timezone.localdate()
    athletes = [people.athlete_a, people.athlete_b]
    for athlete in athletes:
        _plan_with_criteria(people, athlete, [SQUAT, HOP, SYMMETRY, CLEARANCE], today=today)
        _record(people, athlete, today - timedelta(days=2), ("single_leg_squat", "left", {"reps": 12, "pain": 0}),
                ("hop_on_spot", "left", {"hops": 12, "pain": 0}))  # fmt: skip
    with django_assert_max_num_queries(4 + 3):
        snaps = services.status_snapshots(athletes, today)
    for athlete in athletes:
        statuses = [r.status for r in snaps[athlete.pk][1].recommendation.criteria]
        assert statuses == [MISSING, MISSING, MISSING, MISSING]
        assert snaps[athlete.pk][1].recommendation.criteria[0].last_measured == today - timedelta(days=2)


# The phase edit form and the pages


def _edit_data(plan, phase_row, *rows):
    """The tailor page's post with its measured criteria as rows (rehab.forms_criteria: box names, not JSON)."""
    data = {
        "phase-name": phase_row.name, "phase-goal": phase_row.goal, "phase-min_days": phase_row.min_days,
        "phase-max_pain_during": 2, "phase-max_pain_after": 2, "phase-must_settle_by_morning": "on",
        "phase-run_activity": "walk_jog", "phase-run_minutes": 20, "phase-sessions_per_week": 3,
        "phase-walk_minutes": 3, "phase-jog_minutes": 1,
        "ex-TOTAL_FORMS": "0", "ex-INITIAL_FORMS": "0", "ex-MIN_NUM_FORMS": "0", "ex-MAX_NUM_FORMS": "30",
        "crit-TOTAL_FORMS": str(len(rows)), "crit-INITIAL_FORMS": "0", "crit-MIN_NUM_FORMS": "0",
        "crit-MAX_NUM_FORMS": "20", "version": plan.version,
    }  # fmt: skip
    for index, row in enumerate(rows):
        data |= {f"crit-{index}-{name}": value for name, value in row.items()}
    return data


SQUAT_ROW = {"kind": "test", "test": "single_leg_squat", "side": "each", "max_pain": 2, "min_count": 10}
SYMMETRY_ROW = {"kind": "symmetry", "symmetry_test": "hhd_hip_abduction", "min_pct": 90}


@pytest.mark.parametrize(
    "row, field, message",
    [
        ({"kind": "test", "test": "nope"}, "test", "from the list"),
        ({"kind": "symmetry", "symmetry_test": "single_leg_squat", "min_pct": 90}, "symmetry_test",
         "from the list"),
        ({"kind": "test", "test": "single_leg_squat", "side": "none"}, "side", "is done on each side"),
        ({"kind": "prom", "instrument": "ihot12", "value": 120}, "value", "iHOT-12 scores run from 0 to 100."),
    ],
)  # fmt: skip
def test_phase_edit_refuses_bad_criteria_next_to_the_field(client_for, people, row, field, message):
    today = timezone.localdate()
    plan = _plan_with_criteria(people, people.athlete_a, [], today=today)
    phase_row = plan.current_phase
    url = reverse("rehab:phase_edit", args=[plan.pk, phase_row.pk])
    response = client_for("clinician").post(url, _edit_data(plan, phase_row, row))
    assert response.status_code == 200
    errors = response.context["criteria"].forms[0].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert errors[field][0].replace('"', "&quot;") in response.content.decode()
    phase_row.refresh_from_db()
    assert phase_row.structured_criteria == []


def test_phase_edit_saves_criteria_and_shows_them_in_words(client_for, people):
    today = timezone.localdate()
    plan = _plan_with_criteria(people, people.athlete_a, [], today=today)
    phase_row = plan.current_phase
    url = reverse("rehab:phase_edit", args=[plan.pk, phase_row.pk])
    client = client_for("clinician")
    response = client.post(url, _edit_data(plan, phase_row, SQUAT_ROW, SYMMETRY_ROW))
    assert response.status_code == 302, response.context and response.context["criteria"].errors
    phase_row.refresh_from_db()
    assert phase_row.structured_criteria == [SQUAT, SYMMETRY]
    html = client.get(url).content.decode()
    assert "Single-leg squat, each side: pain at most 2/10, at least 10 reps" in html
    assert "Hip abduction strength (hand-held dynamometer): side-to-side at least 90 %" in html
    # Both removed: no criteria, the pain rules alone decide.
    removed = {"DELETE": "on"}
    data = _edit_data(plan, phase_row, SQUAT_ROW | removed, SYMMETRY_ROW | removed)
    response = client.post(url, data | {"version": plan.version + 1})
    assert response.status_code == 302
    phase_row.refresh_from_db()
    assert phase_row.structured_criteria == []


def test_plan_and_timeline_show_each_criterion_with_status_and_last_measured(
    client_for, people, django_assert_max_num_queries
):
    today = timezone.localdate()
    plan = _plan_with_criteria(people, people.athlete_a, [SQUAT, HOP], today=today)
    measured = today - timedelta(days=2)
    _record(people, people.athlete_a, measured, ("single_leg_squat", "left", {"reps": 12, "pain": 0}),
            ("single_leg_squat", "right", {"reps": 12, "pain": 1}),
            ("hop_on_spot", "left", {"hops": 4, "pain": 0}))  # fmt: skip
    client = client_for("clinician")
    when = f"last measured {measured.day} {measured:%b %Y}"
    phase_row = plan.current_phase
    for url in (plan.get_absolute_url(), reverse("rehab:timeline", args=[people.athlete_a.pk])):
        # As many queries as without criteria, plus the athlete's questionnaires, tests and (plan page) the
        # plan's clearances: three at most.
        PlanPhase.objects.filter(pk=phase_row.pk).update(structured_criteria=[])
        with CaptureQueriesContext(connection) as without:
            client.get(url)
        PlanPhase.objects.filter(pk=phase_row.pk).update(structured_criteria=[SQUAT, HOP])
        with django_assert_max_num_queries(len(without) + 3):
            html = client.get(url).content.decode()
        assert 'class="criterion py-1 criterion-met"' in html
        assert 'class="criterion py-1 criterion-not_met"' in html
        assert "Single-leg squat, each side: pain at most 2/10, at least 10 reps" in html
        assert when in html
        assert "Hopping on the spot, right: not measured in this phase yet." in html
    assert plan.current_phase.structured_criteria  # the second phase has none: nothing listed for it


def test_pages_do_not_grow_with_results_or_criteria(client_for, people):
    """More criteria and more visits cost no query on the plan page."""
    today = timezone.localdate()
    plan = _plan_with_criteria(people, people.athlete_a, [SQUAT], today=today)
    client = client_for("clinician")
    client.get(plan.get_absolute_url())  # the session's first request may read more
    with CaptureQueriesContext(connection) as before:
        client.get(plan.get_absolute_url())
    phase_row = plan.current_phase
    phase_row.structured_criteria = [SQUAT, HOP, SYMMETRY, CLEARANCE]
    phase_row.save(update_fields=["structured_criteria"])
    for days in (1, 2, 3):
        _record(
            people,
            people.athlete_a,
            today - timedelta(days=days),
            ("hop_on_spot", "left", {"hops": 12, "pain": 0}),
        )
    with CaptureQueriesContext(connection) as after:
        client.get(plan.get_absolute_url())
    assert len(after) == len(before)


def test_shipped_templates_carry_the_ready_to_run_checks(db):
    from django.core.management import call_command

    call_command("load_library", verbosity=0)
    call_command("load_protocols", verbosity=0)
    running = ("walk_jog", "jog", "run")
    checked = 0
    for template in PlanTemplateFactory._meta.model.objects.filter(clinic=None).prefetch_related("phases"):
        phases = list(template.phases.all())
        for index, phase_row in enumerate(phases):
            if phase_row.run_activity in running and index and phases[index - 1].run_activity not in running:
                tests = {c["test"]: c for c in phases[index - 1].structured_criteria if c["kind"] == "test"}
                assert set(tests) == {
                    "single_leg_stance_30s",
                    "single_leg_squat",
                    "jog_on_spot",
                    "hop_on_spot",
                }
                pain = 0 if template.slug == "bone-stress-injury" else 2
                assert {c["max_pain"] for c in tests.values()} == {pain}
                assert (tests["jog_on_spot"]["min_count"], tests["single_leg_stance_30s"]["min_count"]) == (
                    60,
                    10,
                )
                checked += 1
            if phase_row.run_activity == "run" and index and phases[index - 1].run_activity != "run":
                assert SYMMETRY in phases[index - 1].structured_criteria
            phase_row.full_clean()  # every shipped criterion parses
    assert checked == 9


def test_api_summary_gives_the_criteria_reasons_in_words_and_the_phase_its_criteria(client_for, people):
    today = timezone.localdate()
    plan = _plan_with_criteria(people, people.athlete_a, [SQUAT], today=today)
    client = client_for("clinician")
    summary = client.get(f"/api/v1/athletes/{people.athlete_a.pk}/summary/").json()
    assert summary["recommendation"]["action"] == Action.HOLD
    assert "Single-leg squat, left: not measured in this phase yet." in summary["recommendation"]["reasons"]
    detail = client.get(f"/api/v1/plans/{plan.pk}/").json()
    assert detail["phases"][0]["structured_criteria"] == [SQUAT]
