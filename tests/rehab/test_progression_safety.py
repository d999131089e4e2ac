"""The clinical safety pass (DOMAIN.md section 6, "Refinements"): the engine's rules at their dangerous edges.

Pure tests, as tables: the phases are SimpleNamespaces and the logs LogDays. Each table names the finding of the
safety review it answers; every case here was answered differently before.
"""

from datetime import timedelta

import pytest

from rehab import codes, compliance, status
from rehab.codes import Action, Reason
from rehab.compliance import Prescription
from rehab.load import Load
from rehab.progression import (
    LogDay,
    Recommendation,
    morning_baseline,
    recommend,
)
from rehab.wording import says
from tests.rehab.test_progression import GOOD, TODAY, ago, case, exercises, phase, rest
from tests.rehab.test_progression import run as _run


def run(days_ago: int, during=0, after=0, morning=0, run_minutes=20, **kw) -> LogDay:
    """A session `days_ago` days before TODAY (20 minutes unless said), with its three pain ratings."""
    log = _run(days_ago, during, after, morning, **kw)
    return LogDay(**{**log.__dict__, "run_minutes": run_minutes})


def check(recommendation, action, fragments, absent):
    assert all(isinstance(r, Reason) for r in recommendation.reasons), recommendation.reasons
    text = "\n".join(says(recommendation.reasons))
    assert recommendation.action == action, text
    for fragment in fragments:
        assert fragment in text, text
    for fragment in absent:
        assert fragment not in text, text


# Finding 5: 1–2/10 pain while jogging on a bone stress plan only held; it must stop the plan.
BONE_STRESS = [
    case("pain-1-during-a-walk-jog-phase", Action.STOP_AND_REFER,
         "Mon 17 Mar: pain 1/10 while running on a bone stress plan", logs=(run(5), run(3, during=1), run(1)),
         pain_free=True),
    case("pain-2-after-a-jog", Action.STOP_AND_REFER, "Wed 19 Mar: pain 2/10 while running",
         logs=(run(5), run(3), run(1, after=2)), pain_free=True, phase_kw={"run_activity": "jog"}),
    case("next-morning-1-in-a-running-phase", Action.STOP_AND_REFER, "Wed 19 Mar: pain 1/10 while running",
         logs=(run(5), run(3), run(1, morning=1)), pain_free=True, phase_kw={"run_activity": "run"}),
    case("pain-free-running-still-advances", Action.ADVANCE, "Day 14 of at least 7", pain_free=True),
    case("pain-in-a-cross-training-phase-holds", Action.HOLD, "this plan must stay pain-free",
         logs=(run(5), run(3, during=1), run(1)), pain_free=True, phase_kw={"run_activity": "cross_train"},
         absent=("while running",)),
    case("pain-before-the-running-phase-started-does-not-refer", Action.HOLD, "2 of 3 sessions",
         logs=(run(8, during=1), run(3), run(1)), pain_free=True, phase_kw={"started_on": ago(4)},
         absent=("while running",)),
    case("same-pain-on-an-ordinary-plan-advances", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(5), run(3, during=1), run(1))),
]  # fmt: skip

# Finding 14: the log's new red flags must stop and refer like the old four.
NEW_RED_FLAGS = [
    case(f"red-flag-{flag}", Action.STOP_AND_REFER, f"Tue 18 Mar: red flag — {label}.",
         logs=GOOD + (rest(2, red_flags=(flag,)),))
    for flag, label in (
        ("numbness", "numbness or tingling"),
        ("fever_unwell", "fever or feeling unwell"),
        ("saddle_bladder_bowel", "saddle numbness or bladder/bowel change"),
    )
]  # fmt: skip

# Finding 7: next-morning pain creeping 0 → 3 over two weeks raised its own 7-day baseline and was never "2+".
CREEP = tuple(
    run(n, morning=m) if n in (5, 3, 1) else rest(n, pain_next_morning=m)
    for n, m in ((13, 0), (12, 0), (11, 0), (10, 1), (9, 1), (8, 1), (7, 1), (6, 2), (5, 2), (4, 2), (3, 2),
                 (2, 3), (1, 3))
)  # fmt: skip
BEFORE_PHASE_AT_0 = tuple(rest(n, pain_next_morning=0) for n in range(14, 21))
BASELINE = [
    case("creep-caught-against-the-week-before-the-phase", Action.REGRESS,
         "Wed 19 Mar: next morning 3/10, 3 points above the usual 0/10.", logs=BEFORE_PHASE_AT_0 + CREEP),
    case("creep-caught-without-history-before-the-phase", Action.REGRESS, "next morning 3/10",
         logs=CREEP, phase_kw={"started_on": ago(13)}),
    case("steady-pain-is-not-a-creep", Action.ADVANCE, "Day 14 of at least 7",
         logs=tuple(rest(n, pain_next_morning=1) for n in range(14, 21) if n)
         + tuple(run(n, morning=1) if n in (5, 3, 1) else rest(n, pain_next_morning=1) for n in range(14)),
         phase_kw={"next_day_pain_allowed": True}),
]  # fmt: skip

# Finding 8: a doubled week and 40-minute runs in a 25-minute phase still advanced.
KM = {"run_minutes": 30}
LOAD = [
    case("doubled-week-holds", Action.HOLD, "Weekly distance up 100 % (12 → 24 km)",
         logs=(run(12, distance_km=4, **KM), run(10, distance_km=4, **KM), run(8, distance_km=4, **KM),
               run(5, distance_km=8), run(3, distance_km=8), run(1, distance_km=8))),
    case("30-percent-exactly-advances", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(10, distance_km=5), run(8, distance_km=5),
               run(5, distance_km=4.5), run(3, distance_km=4.5), run(1, distance_km=4)),
         absent=("Weekly distance",)),
    case("31-percent-holds", Action.HOLD, "Weekly distance up 31 %",
         logs=(run(10, distance_km=5), run(8, distance_km=5),
               run(5, distance_km=4.5), run(3, distance_km=4.5), run(1, distance_km=4.1))),
    case("a-run-50-percent-longer-holds", Action.HOLD, "Wed 19 Mar: a run of 9 km, 50 % longer than the longest",
         logs=(run(12, distance_km=6), run(10, distance_km=6), run(8, distance_km=6), run(5, distance_km=6),
               run(3, distance_km=3), run(1, distance_km=9))),
    case("a-run-49-percent-longer-advances", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(12, distance_km=6), run(10, distance_km=6), run(8, distance_km=6), run(5, distance_km=6),
               run(3, distance_km=3), run(1, distance_km=8.9)), absent=("longer than", "Weekly")),
    case("40-minutes-in-a-25-minute-phase-holds", Action.HOLD, "40 minutes, well above the 25 this phase asks for",
         logs=(run(5, run_minutes=40), run(3, run_minutes=40), run(1, run_minutes=40)),
         phase_kw={"run_activity": "jog", "run_minutes": 25}),
    case("30-minutes-in-a-25-minute-phase-advances", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(5, run_minutes=30), run(3, run_minutes=30), run(1, run_minutes=30)),
         phase_kw={"run_activity": "jog", "run_minutes": 25}),
]  # fmt: skip

# Finding 9: in the first phase the engine said "step back", which could not be applied.
FIRST_PHASE = [
    case("first-phase-regress-becomes-hold-and-review", Action.HOLD, "Sat 15 Mar: 3/10 during",
         "This is the plan's first phase, so there is nothing to step back to",
         logs=(run(5, during=3), run(3), run(1, during=3)), is_first=True),
    case("later-phase-still-regresses", Action.REGRESS, "Sat 15 Mar: 3/10 during",
         logs=(run(5, during=3), run(3), run(1, during=3)), absent=("first phase",)),
    case("first-phase-stop-and-refer-stays", Action.STOP_AND_REFER, "red flag", logs=GOOD + (rest(2, red_flags=("swelling",)),),
         is_first=True),
]  # fmt: skip

# Finding 5 (clearance) and the walk/jog ladder (finding 15).
LADDER = [{"jog": 1, "walk": 3}, {"jog": 2, "walk": 2}, {"jog": 5, "walk": 1}]
GATES = [
    case("next-phase-needs-clearance-holds", Action.HOLD, "the next phase needs a clinician's clearance",
         next_needs_clearance=True),
    case("clearance-needed-but-criteria-not-met", Action.HOLD, "2 of 3 sessions", logs=GOOD[1:], next_needs_clearance=True,
         absent=("clearance",)),
    case("ladder-not-climbed-holds", Action.HOLD, "Walk/jog ladder: 0 of 3 sessions at the last step",
         logs=tuple(run(n, jog_minutes=1, walk_minutes=3) for n in (5, 3, 1)), phase_kw={"run_steps": LADDER}),
    case("ladder-top-step-twice-holds", Action.HOLD, "Walk/jog ladder: 2 of 3",
         logs=(run(5, jog_minutes=2, walk_minutes=2), run(3, jog_minutes=5, walk_minutes=1),
               run(1, jog_minutes=5, walk_minutes=1)), phase_kw={"run_steps": LADDER}),
    case("ladder-climbed-advances", Action.ADVANCE, "Day 14 of at least 7",
         logs=tuple(run(n, jog_minutes=5, walk_minutes=1) for n in (5, 3, 1)), phase_kw={"run_steps": LADDER}),
]  # fmt: skip


@pytest.mark.parametrize(
    "phase_kw, logs, kwargs, action, fragments, absent",
    BONE_STRESS + NEW_RED_FLAGS + BASELINE + LOAD + FIRST_PHASE + GATES,
)
def test_recommend_at_the_edges(phase_kw, logs, kwargs, action, fragments, absent):
    check(recommend(phase(**phase_kw), logs, TODAY, **kwargs), action, fragments, absent)


def test_first_phase_hold_is_flagged_for_review_and_weighed_as_a_step_back():
    rec = recommend(phase(), (run(5, during=3), run(3), run(1, during=3)), TODAY, is_first=True)
    assert rec.review is True
    common = {"last_pain": 3, "trend": 0, "compliance": 100, "days_without_log": 0}
    assert status.risk_score(action=Action.HOLD, review=True, **common) == status.risk_score(
        action=Action.REGRESS, **common
    )
    assert status.risk_score(action=Action.HOLD, review=True, **common) >= status.SERIOUS_RISK
    assert status.risk_score(action=Action.HOLD, **common) < status.SERIOUS_RISK


def test_clearance_hold_says_so():
    rec = recommend(phase(), GOOD, TODAY, next_needs_clearance=True)
    assert rec.needs_clearance is True
    assert recommend(phase(), GOOD, TODAY).needs_clearance is False


@pytest.mark.parametrize(
    "logs, phase_start, expected",
    [
        pytest.param([], None, 0.0, id="no-history"),
        pytest.param([rest(n, pain_next_morning=2) for n in range(1, 8)], None, 2.0, id="7-day-median"),
        pytest.param(
            [*(rest(n, pain_next_morning=0) for n in range(11, 18)), *(rest(n, pain_next_morning=2) for n in (1, 2, 3))],
            ago(10), 0.0, id="lower-before-the-phase",
        ),
        pytest.param(
            [*(rest(n, pain_next_morning=3) for n in range(11, 18)), *(rest(n, pain_next_morning=1) for n in (1, 2, 3))],
            ago(10), 1.0, id="lower-now",
        ),
        pytest.param(
            [*(rest(n, pain_next_morning=0) for n in range(14, 21)), *(rest(n, pain_next_morning=2) for n in range(1, 8))],
            ago(40), 0.0, id="phase-older-than-the-logs-two-weeks-earlier",
        ),
        pytest.param(
            [*(rest(n, pain_next_morning=0) for n in range(8, 13)), *(rest(n, pain_next_morning=2) for n in range(1, 8))],
            ago(12), 0.0, id="no-history-before-the-phase-its-first-week",
        ),
        pytest.param([rest(n, pain_next_morning=None) for n in range(1, 8)], ago(3), 0.0, id="unanswered-is-unknown"),
    ],
)  # fmt: skip
def test_morning_baseline_does_not_creep(logs, phase_start, expected):
    assert morning_baseline(logs, TODAY, phase_start=phase_start) == expected


def test_unanswered_next_morning_is_never_settled():
    """Finding 11: a morning left unanswered is unknown, so the session waits for it instead of counting."""
    rec = recommend(phase(), (run(5), run(3), run(1, morning=None)), TODAY)
    check(rec, Action.HOLD, ["Wed 19 Mar: next-morning pain not recorded yet."], [])


# Finding 10: warm-up and cool-down rows without days a week counted as daily, so a perfectly adherent runner
# scored 59–73 % and a phase without a run count could never be advanced.
def row(kind, sets=1, days=None, times=None):
    from types import SimpleNamespace

    return SimpleNamespace(exercise_kind=kind, sets=sets, days_per_week=days, times_per_day=times)


RUN_PHASE = {"run_activity": "jog", "sessions_per_week": 3}
RUN_ROWS = [
    row("warm_up"),
    row("warm_up"),
    row("strength", 2, days=3),
    row("strength", 2, days=3),
    row("cool_down"),
]


def adherent_week(run_days=(6, 4, 2), strength_days=(6, 4, 2), strength_sets=4, warm=3):
    logs = []
    for n in range(7):
        sets = (strength_sets if n in strength_days else 0) + (warm if n in run_days else 0)
        logs.append(LogDay(date=ago(n), run_minutes=20 if n in run_days else None, sets_done=sets))
    return logs


@pytest.mark.parametrize(
    "phase_kw, rows, logs, expected",
    [
        pytest.param(RUN_PHASE, RUN_ROWS, adherent_week(), 100, id="adherent-runner-scores-100"),
        pytest.param({"run_activity": "run", "sessions_per_week": None}, RUN_ROWS,
                     adherent_week(), 100, id="no-run-count-phase-can-reach-100"),
        pytest.param(RUN_PHASE, RUN_ROWS, adherent_week(warm=0), 78, id="runs-without-warm-ups-score-less"),
        pytest.param(RUN_PHASE, RUN_ROWS, adherent_week(run_days=(6, 4)), 84, id="a-missed-run-is-missed-once"),
    ],
)  # fmt: skip
def test_run_tied_rows_are_due_per_run(phase_kw, rows, logs, expected):
    from types import SimpleNamespace

    prescription = Prescription.from_phase(SimpleNamespace(**phase_kw), rows)
    assert prescription.sets_per_run == 3
    week = compliance.compliance([(ago(13), prescription)], logs, ago(6), TODAY)
    assert week.percent == expected


def test_old_daily_counting_scored_an_adherent_runner_under_80():
    """The same week, counting warm-ups daily as before: the gap this fix closes."""
    from types import SimpleNamespace

    rows = [row(None), row(None), row("strength", 2, days=3), row("strength", 2, days=3), row(None)]
    prescription = Prescription.from_phase(SimpleNamespace(**RUN_PHASE), rows)
    week = compliance.compliance([(ago(13), prescription)], adherent_week(), ago(6), TODAY)
    assert week.exercise_percent == 64


# Finding 13 and 14: alerts follow the engine, and log red flags have the right severity.
def snap(action=None, percent=None, needs_clearance=False):
    rec = Recommendation(action, ("why",), needs_clearance=needs_clearance) if action else None
    week = (
        compliance.Compliance(ago(6), TODAY, sets_planned=100, sets_done=percent)
        if percent is not None
        else None
    )
    return status.Snapshot(today=TODAY, recommendation=rec, compliance=week, load=Load(0, 0, 0, None, None),
                           last_log_date=None, last_pain=None, baseline=0.0, trend=None)  # fmt: skip


@pytest.mark.parametrize(
    "snapshot, open_kinds, closing",
    [
        pytest.param(snap(Action.HOLD), {"ready_to_advance"}, {"ready_to_advance": "now says hold"}, id="ready-then-hold"),
        pytest.param(snap(Action.REGRESS), {"ready_to_advance"}, {"ready_to_advance": "now says regress"}, id="ready-then-regress"),
        pytest.param(snap(Action.ADVANCE), {"ready_to_advance"}, {}, id="still-ready"),
        pytest.param(None, {"ready_to_advance"}, {"ready_to_advance": "no active plan"}, id="plan-ended"),
        pytest.param(snap(Action.HOLD, needs_clearance=True), {"clearance_due"}, {}, id="clearance-still-due"),
        pytest.param(snap(Action.HOLD), {"clearance_due"}, {"clearance_due": "no clearance is waiting"}, id="clearance-gone"),
        pytest.param(snap(Action.HOLD, percent=49), {"low_compliance"}, {}, id="compliance-still-low"),
        pytest.param(snap(Action.HOLD, percent=50), {"low_compliance"}, {"low_compliance": "50 %"}, id="compliance-back"),
        pytest.param(snap(Action.HOLD), {"pain_spike", "log_red_flag"}, {}, id="events-wait-for-a-clinician"),
    ],
)  # fmt: skip
def test_stale_alerts(snapshot, open_kinds, closing):
    got = status.stale_alerts(snapshot, open_kinds)
    assert set(got) == set(closing)
    for kind, fragment in closing.items():
        assert got[kind].code.startswith("closed_"), got[kind]
        said = says([got[kind]])[0]
        assert fragment in said and said.startswith("Closed automatically")


@pytest.mark.parametrize(
    "flags, severity",
    [
        (("numbness",), "urgent"),
        (("night_pain",), "urgent"),
        (("fever_unwell",), "emergency"),
        (("saddle_bladder_bowel",), "emergency"),
        (("cannot_bear_weight",), "emergency"),
        (("swelling", "fever_unwell"), "emergency"),
    ],
)
def test_log_red_flag_severity(flags, severity):
    log = LogDay(date=TODAY, red_flags=flags)
    (due,) = [a for a in status.stop_alerts(log) if a.kind == "log_red_flag"]
    assert due.severity == severity


@pytest.mark.parametrize(
    "pain_free, activity, pain, raised",
    [
        (True, "walk_jog", 1, True),
        (True, "jog", 2, True),
        (True, "cross_train", 2, False),
        (True, "walk_jog", 0, False),
        (False, "walk_jog", 2, False),
    ],
)
def test_bone_stress_pain_alert(pain_free, activity, pain, raised):
    log = LogDay(date=TODAY, run_minutes=20, pain_during=pain)
    kinds = {a.kind for a in status.stop_alerts(log, phase=phase(run_activity=activity), pain_free=pain_free)}
    assert ("bone_stress_pain" in kinds) is raised


def test_clearance_due_alert_when_the_engine_waits_for_one():
    log = LogDay(date=TODAY, run_minutes=20)
    kinds = {a.kind for a in status.log_alerts(log, [log], snap(Action.HOLD, needs_clearance=True))}
    assert kinds == {"clearance_due"}


def test_the_athletes_advice_and_the_engine_agree_on_emergencies_and_stop_alerts():
    from rehab import feedback, progression

    assert set(feedback.EMERGENCIES) == set(progression.EMERGENCY_RED_FLAGS)
    assert feedback.HOLD_ALERT_KINDS == status.STOP_ALERT_KINDS
    # Stop alerts wait for a clinician: nothing closes them automatically.
    assert not set(status.STOP_ALERT_KINDS) & set(
        status.stale_alerts(snap(Action.HOLD), set(status.STOP_ALERT_KINDS))
    )


# Found in a black-box review against DOMAIN.md section 6.
REVIEW = [
    case("unanswered-pain-is-not-within-the-allowance", Action.HOLD,
         "Wed 19 Mar: pain during and after not recorded, so this session cannot count",
         logs=(run(5), run(3), run(1, during=None, after=None))),
    case("unanswered-after-only", Action.HOLD, "Mon 17 Mar: pain after not recorded", logs=(run(5), run(3, after=None), run(1))),
    case("todays-session-does-not-hide-the-oldest-judged-one", Action.HOLD, "Sat 15 Mar: 3/10 during",
         logs=(run(5, during=3), run(3), run(1), run(0, morning=None))),
    case("todays-session-does-not-hide-an-unsettled-morning", Action.HOLD, "Sat 15 Mar: next morning 1/10",
         logs=(run(5, morning=1), run(3), run(1), run(0, morning=None))),
    case("two-over-in-the-last-3-with-today-regresses", Action.REGRESS, "Thu 20 Mar: 3/10 during",
         logs=(run(5), run(3), run(1, during=3), run(0, during=3, morning=None))),
    case("a-rest-days-morning-plus-3-regresses", Action.REGRESS, "Tue 18 Mar: next morning 3/10, 3 points above",
         logs=GOOD + (rest(2, pain_next_morning=3),)),
    case("a-rest-days-morning-plus-1-holds", Action.HOLD, "Tue 18 Mar: next morning 1/10, not settled",
         logs=GOOD + (rest(2, pain_next_morning=1),)),
    case("pain-free-rest-day-pain-holds", Action.HOLD, "Tue 18 Mar: pain 1/10 — this plan must stay pain-free",
         logs=GOOD + (rest(2, pain_during=1),), pain_free=True, phase_kw={"run_activity": "walk"}),
    case("pain-free-older-session-pain-this-week-holds", Action.HOLD, "Fri 14 Mar: pain 1/10 — this plan must stay pain-free",
         logs=(run(6, during=1), *GOOD), pain_free=True, phase_kw={"run_activity": "cross_train"}),
]  # fmt: skip


@pytest.mark.parametrize("phase_kw, logs, kwargs, action, fragments, absent", REVIEW)
def test_review_findings(phase_kw, logs, kwargs, action, fragments, absent):
    check(recommend(phase(**phase_kw), logs, TODAY, **kwargs), action, fragments, absent)


# Found in an end-to-end review through the services.
def ladder_week(extra=()):
    top = {"jog_minutes": 5, "walk_minutes": 1}
    return (
        run(6, **top),
        exercises(5, 9),
        run(4, **top),
        exercises(3, 9),
        run(2, **top),
        exercises(1, 9),
        *extra,
    )


END_TO_END = [
    case("ladder-with-strength-days-between-runs-advances", Action.ADVANCE, "Day 14 of at least 7",
         logs=ladder_week(), phase_kw={"run_steps": LADDER}),
    case("a-bad-run-behind-strength-days-still-holds", Action.HOLD, "Sat 15 Mar: 4/10 during, above the allowance of 2/10.",
         logs=(run(9), run(7), run(5, during=4), exercises(3, 9), exercises(2, 9), exercises(1, 9))),
    case("an-unanswered-red-flag-alert-keeps-stop-and-refer", Action.STOP_AND_REFER, "is still waiting for a clinician",
         red_flag_waiting_since=ago(9)),
]  # fmt: skip


@pytest.mark.parametrize("phase_kw, logs, kwargs, action, fragments, absent", END_TO_END)
def test_end_to_end_review_findings(phase_kw, logs, kwargs, action, fragments, absent):
    check(recommend(phase(**phase_kw), logs, TODAY, **kwargs), action, fragments, absent)


@pytest.mark.parametrize("offset", range(4))
def test_steady_every_other_day_running_is_no_weekly_jump(offset):
    """4 km every other day puts 3 or 4 runs in a rolling week: that is steady load, not +33 %."""
    today = TODAY - timedelta(days=offset)
    logs = [run(n, distance_km=4) for n in range(offset, 28, 2)]
    reasons = recommend(phase(started_on=ago(27)), logs, today).reasons
    assert not [r for r in reasons if r.code == codes.WEEKLY_DISTANCE_JUMP], reasons
