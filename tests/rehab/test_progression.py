"""The pain-monitoring model (DOMAIN.md section 6) as tables: every rule of recommend() and its boundaries.

Pure tests: phases are SimpleNamespaces and logs are LogDays, so nothing touches the database.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from rehab import codes
from rehab.codes import Action, Reason, reason
from rehab.compliance import Prescription
from rehab.progression import (
    LogDay,
    morning_baseline,
    peak_baseline,
    recommend,
)
from rehab.wording import says

TODAY = date(2025, 3, 20)  # a Thursday: ago(1) is "Wed 19 Mar", ago(3) "Mon 17 Mar", ago(5) "Sat 15 Mar"


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def phase(**kw) -> SimpleNamespace:
    base = {
        "max_pain_during": 2, "max_pain_after": 2, "must_settle_by_morning": True, "next_day_pain_allowed": False,
        "min_days": 7, "started_on": ago(13), "run_activity": "walk_jog", "sessions_per_week": 3,
    }  # fmt: skip
    return SimpleNamespace(**(base | kw))


def run(days_ago: int, during=0, after=0, morning=0, **kw) -> LogDay:
    """A walk/jog session `days_ago` days before TODAY, with its three pain ratings."""
    return LogDay(
        date=ago(days_ago),
        run_minutes=20,
        pain_during=during,
        pain_after=after,
        pain_next_morning=morning,
        **kw,
    )


def rest(days_ago: int, **kw) -> LogDay:
    """A day without a session (nothing run, no exercises done)."""
    return LogDay(date=ago(days_ago), **kw)


def exercises(days_ago: int, sets: int, **kw) -> LogDay:
    """A session of home exercises only, pain-free and settled by the next morning."""
    return LogDay(date=ago(days_ago), sets_done=sets, pain_during=0, pain_after=0, pain_next_morning=0, **kw)


# Three pain-free sessions this week, in a phase started two weeks ago: every advance criterion met.
GOOD = (run(5), run(3), run(1))
# Next-morning pain of 2/10 every day for two weeks: the athlete's usual (baseline) is 2/10.
MORNINGS_AT_2 = tuple(rest(n, pain_next_morning=2) for n in range(14) if n not in (5, 3, 1))


def case(case_id, action, *fragments, logs=GOOD, phase_kw=None, absent=(), **kwargs):
    assert fragments, "every case names the reason text it expects"
    return pytest.param(phase_kw or {}, list(logs), kwargs, action, fragments, absent, id=case_id)


STOP_CASES = [
    case("red-flag-night-pain", Action.STOP_AND_REFER, "Tue 18 Mar: red flag — pain at night or at rest.",
         logs=GOOD + (rest(2, red_flags=("night_pain",)),)),
    case("red-flag-cannot-bear-weight", Action.STOP_AND_REFER, "Tue 18 Mar: red flag — cannot bear weight.",
         logs=GOOD + (rest(2, red_flags=("cannot_bear_weight",)),)),
    case("red-flag-swelling", Action.STOP_AND_REFER, "red flag — swelling or bruising.",
         logs=GOOD + (rest(2, red_flags=("swelling",)),)),
    case("red-flag-locking", Action.STOP_AND_REFER, "red flag — locking or giving way.",
         logs=GOOD + (rest(2, red_flags=("locking",)),)),
    case("two-red-flags-one-log-two-reasons", Action.STOP_AND_REFER, "red flag — pain at night or at rest.",
         "red flag — swelling or bruising.", logs=GOOD + (rest(2, red_flags=("night_pain", "swelling")),)),
    case("red-flag-6-days-ago-still-counts", Action.STOP_AND_REFER, "Fri 14 Mar: red flag — swelling or bruising.",
         logs=GOOD + (rest(6, red_flags=("swelling",)),)),
    case("red-flag-7-days-ago-has-expired", Action.ADVANCE, "Day 14 of at least 7 in this phase.",
         logs=GOOD + (rest(7, red_flags=("swelling",)),), absent=("red flag",)),
    case("red-flag-dated-tomorrow-is-ignored", Action.ADVANCE, "Day 14 of at least 7 in this phase.",
         logs=GOOD + (rest(-1, red_flags=("swelling",)),), absent=("red flag",)),
    case("pain-7-during-refers", Action.STOP_AND_REFER,
         "Wed 19 Mar: pain 7/10 (7 or more means stop and get checked).",
         logs=(run(5), run(3), run(1, during=7))),
    case("pain-7-after-refers", Action.STOP_AND_REFER, "Wed 19 Mar: pain 7/10", logs=(run(5), run(3), run(1, after=7))),
    case("pain-7-next-morning-on-a-rest-day-refers", Action.STOP_AND_REFER, "Tue 18 Mar: pain 7/10",
         logs=GOOD + (rest(2, pain_next_morning=7),)),
    case("pain-6-is-not-a-referral", Action.HOLD, "Wed 19 Mar: 6/10 during, above the allowance of 2/10.",
         logs=(run(5), run(3), run(1, during=6)), absent=("7 or more",)),
    case("pain-7-before-the-phase-started-still-refers", Action.STOP_AND_REFER, "Sun 16 Mar: pain 8/10",
         logs=(run(4, during=8), *GOOD[1:]), phase_kw={"started_on": ago(3), "min_days": 1}),
    case("refer-beats-regress", Action.STOP_AND_REFER, "red flag — locking or giving way.",
         logs=(run(5, during=4), run(3, during=4), run(1, red_flags=("locking",))), absent=("allowance",)),
]  # fmt: skip

REGRESS_CASES = [
    case("allowance-exceeded-in-2-of-last-3", Action.REGRESS,
         "Sat 15 Mar: 3/10 during, above the allowance of 2/10.",
         "Wed 19 Mar: 4/10 after, above the allowance of 2/10.",
         logs=(run(5, during=3), run(3), run(1, after=4))),
    case("allowance-exceeded-in-3-of-3", Action.REGRESS, "Sat 15 Mar: 3/10 during", "Mon 17 Mar: 3/10 during",
         "Wed 19 Mar: 3/10 during", logs=(run(5, during=3), run(3, during=3), run(1, during=3))),
    case("logs-in-any-order", Action.REGRESS, "Sat 15 Mar: 3/10 during", "Wed 19 Mar: 3/10 during",
         logs=(run(1, during=3), run(3), run(5, during=3))),
    case("next-morning-2-above-a-zero-baseline", Action.REGRESS,
         "Wed 19 Mar: next morning 2/10, 2 points above the usual 0/10.",
         logs=(run(5), run(3), run(1, morning=2))),
    case("next-morning-2-above-a-baseline-of-2", Action.REGRESS,
         "Wed 19 Mar: next morning 4/10, 2 points above the usual 2/10.",
         logs=MORNINGS_AT_2 + (run(5, morning=2), run(3, morning=2), run(1, morning=4))),
    case("next-morning-plus-2-regresses-even-when-next-day-pain-is-allowed", Action.REGRESS,
         "next morning 2/10, 2 points above the usual 0/10.",
         logs=(run(5), run(3), run(1, morning=2)), phase_kw={"next_day_pain_allowed": True}),
    case("regress-beats-the-pain-free-hold", Action.REGRESS, "Mon 17 Mar: 1/10 during, above the allowance of 0/10.",
         logs=(run(5), run(3, during=1), run(1, during=1)), pain_free=True,
         phase_kw={"max_pain_during": 0, "max_pain_after": 0, "run_activity": "cross_train"},
         absent=("pain-free",)),
]  # fmt: skip

HOLD_CASES = [
    case("pain-exactly-at-the-allowance-advances", Action.ADVANCE, "The last 3 sessions were within the allowance",
         logs=(run(5, during=2, after=2), run(3, during=2, after=2), run(1, during=2, after=2))),
    case("pain-during-1-above-the-allowance-once", Action.HOLD, "Wed 19 Mar: 3/10 during, above the allowance of 2/10.",
         logs=(run(5), run(3), run(1, during=3))),
    case("pain-after-1-above-the-allowance-once", Action.HOLD, "Wed 19 Mar: 3/10 after, above the allowance of 2/10.",
         logs=(run(5), run(3), run(1, after=3))),
    case("during-and-after-over-in-one-session-is-once", Action.HOLD,
         "Wed 19 Mar: 3/10 during, above the allowance of 2/10; 4/10 after, above the allowance of 2/10.",
         logs=(run(5), run(3), run(1, during=3, after=4))),
    case("after-allowance-is-its-own", Action.HOLD, "Wed 19 Mar: 2/10 after, above the allowance of 1/10.",
         logs=(run(5), run(3), run(1, during=2, after=2)), phase_kw={"max_pain_after": 1}),
    case("after-allowance-exactly-met", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(5), run(3), run(1, during=2, after=1)), phase_kw={"max_pain_after": 1}),
    case("allowance-never-above-5-pain-5-ok", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(5), run(3), run(1, during=5, after=5)), phase_kw={"max_pain_during": 8, "max_pain_after": 8}),
    case("allowance-never-above-5-pain-6-holds", Action.HOLD, "Wed 19 Mar: 6/10 during, above the allowance of 5/10.",
         logs=(run(5), run(3), run(1, during=6)), phase_kw={"max_pain_during": 8, "max_pain_after": 8}),
    case("exceeded-twice-but-once-in-the-last-3", Action.HOLD, "Wed 19 Mar: 3/10 during",
         logs=(run(7, during=3), *GOOD[:2], run(1, during=3)), absent=("Thu 13 Mar",)),
    case("exceeded-before-the-phase-started-does-not-count", Action.HOLD, "Wed 19 Mar: 3/10 during",
         logs=(run(7, during=4), *GOOD[:2], run(1, during=3)), phase_kw={"started_on": ago(6)},
         absent=("Thu 13 Mar",)),
    case("next-morning-1-above-a-zero-baseline", Action.HOLD, "Wed 19 Mar: next morning 1/10, not settled back to 0/10.",
         logs=(run(5), run(3), run(1, morning=1))),
    case("next-morning-1-above-a-baseline-of-2", Action.HOLD, "Wed 19 Mar: next morning 3/10, not settled back to 2/10.",
         logs=MORNINGS_AT_2 + (run(5, morning=2), run(3, morning=2), run(1, morning=3))),
    case("next-morning-at-a-baseline-of-2-advances", Action.ADVANCE, "Day 14 of at least 7",
         logs=MORNINGS_AT_2 + (run(5, morning=2), run(3, morning=2), run(1, morning=2))),
    case("next-morning-plus-1-allowed-by-the-phase", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(5), run(3), run(1, morning=1)), phase_kw={"next_day_pain_allowed": True}),
    case("pain-free-plan-pain-during", Action.HOLD, "Mon 17 Mar: pain 1/10 — this plan must stay pain-free.",
         logs=(run(5), run(3, during=1), run(1)), pain_free=True, phase_kw={"run_activity": "cross_train"}),
    case("pain-free-plan-pain-after", Action.HOLD, "Wed 19 Mar: pain 1/10 — this plan must stay pain-free.",
         logs=(run(5), run(3), run(1, after=1)), pain_free=True, phase_kw={"run_activity": "walk"}),
    case("pain-free-plan-without-pain-advances", Action.ADVANCE, "Day 14 of at least 7", pain_free=True),
    case("same-pain-in-an-ordinary-plan-advances", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(5), run(3, during=1), run(1)), absent=("pain-free",)),
    case("pain-rising-week-on-week", Action.HOLD, "Pain is rising week on week (average 1.0 → 2.0/10).",
         logs=(run(12, during=1), run(10, during=1), run(5, during=2), run(3, during=2), run(1, during=2))),
    case("pain-rising-less-than-a-point", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(12, during=1), run(10, during=1), run(5, during=1), run(3, during=2), run(1, during=2)),
         absent=("rising",)),
    case("one-log-the-week-before-is-no-trend", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(10, during=0), run(5, during=2), run(3, during=2), run(1, during=2)), absent=("rising",)),
]  # fmt: skip

CRITERIA_CASES = [
    case("all-criteria-met-advances", Action.ADVANCE, "Day 14 of at least 7 in this phase.",
         "The last 3 sessions were within the allowance and settled by the next morning.",
         "Compliance of 80 % or more over the last 7 days.", prescription=Prescription(runs_per_week=3)),
    case("min-days-not-met", Action.HOLD, "Day 6 of at least 7 in this phase.", phase_kw={"started_on": ago(5)}),
    case("min-days-exactly-met", Action.ADVANCE, "Day 7 of at least 7 in this phase.", phase_kw={"started_on": ago(6)}),
    case("no-start-date-means-day-1", Action.HOLD, "Day 1 of at least 7 in this phase.",
         "0 of 3 sessions logged in this phase.", phase_kw={"started_on": None}),
    case("two-sessions-only", Action.HOLD, "2 of 3 sessions logged in this phase.", logs=GOOD[1:]),
    case("sessions-before-the-phase-do-not-count", Action.HOLD, "2 of 3 sessions logged in this phase.",
         logs=(run(8), *GOOD[1:]), phase_kw={"started_on": ago(6)}),
    case("rest-days-are-not-sessions", Action.HOLD, "2 of 3 sessions logged in this phase.",
         logs=(rest(4, pain_during=0, pain_next_morning=0), *GOOD[1:])),
    case("exercise-days-are-sessions", Action.ADVANCE, "Day 14 of at least 7",
         logs=(exercises(5, 3), exercises(3, 3), exercises(1, 3))),
    case("next-morning-pain-pending", Action.HOLD, "Tue 18 Mar: next-morning pain not recorded yet.",
         logs=(run(6), run(4), run(2, morning=None), run(0))),
    case("todays-session-waits-for-its-morning", Action.HOLD,
         "Today's session counts once tomorrow morning's pain is recorded.",
         logs=(run(4), run(2), run(0, morning=None)), absent=("not recorded yet",)),
    case("todays-session-does-not-block-three-judged-ones", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(6), run(4), run(2), run(0, morning=None))),
    case("todays-session-over-the-allowance-still-holds", Action.HOLD, "above the allowance",
         logs=(run(6), run(4), run(2), run(0, during=3, morning=None))),
    case("pending-morning-with-next-day-pain-allowed-but-must-settle", Action.HOLD, "next-morning pain not recorded yet.",
         logs=(run(4), run(2, morning=None), run(0)), phase_kw={"next_day_pain_allowed": True}),
    case("pending-morning-when-the-phase-needs-no-settling", Action.ADVANCE, "Day 14 of at least 7",
         logs=(run(4), run(2, morning=None), run(0)),
         phase_kw={"next_day_pain_allowed": True, "must_settle_by_morning": False}),
    case("compliance-79-percent", Action.HOLD, "Compliance 79 % over the last 7 days (80 % needed).",
         logs=(exercises(5, 27), exercises(3, 26), exercises(1, 26)),
         prescription=Prescription(sets_per_week=100, sets_per_day=40)),
    case("compliance-80-percent", Action.ADVANCE, "Compliance of 80 % or more over the last 7 days.",
         logs=(exercises(5, 27), exercises(3, 27), exercises(1, 26)),
         prescription=Prescription(sets_per_week=100, sets_per_day=40)),
    case("compliance-2-of-3-runs", Action.HOLD, "Compliance 67 % over the last 7 days (80 % needed).",
         logs=(run(5), run(3), exercises(1, 2)), prescription=Prescription(runs_per_week=3)),
    case("compliance-prorated-from-the-phase-start", Action.ADVANCE, "Day 4 of at least 1 in this phase.",
         logs=(run(3), run(2), run(1)), prescription=Prescription(runs_per_week=7),
         phase_kw={"started_on": ago(3), "min_days": 1}),
    case("nothing-planned-is-no-compliance-bar", Action.ADVANCE, "Day 14 of at least 7", prescription=Prescription()),
    case("last-phase-with-every-criterion-met", Action.HOLD,
         "Final phase, and every criterion is met: consider completing the plan.", is_last=True),
    case("last-phase-criteria-not-met", Action.HOLD, "Day 6 of at least 7 in this phase.", is_last=True,
         phase_kw={"started_on": ago(5)}, absent=("Final phase",)),
    case("waiting-reasons-add-up", Action.HOLD, "Day 3 of at least 7 in this phase.", "2 of 3 sessions logged",
         "Wed 19 Mar: next-morning pain not recorded yet.", logs=(run(2), run(1, morning=None)),
         phase_kw={"started_on": ago(2)}),
]  # fmt: skip


@pytest.mark.parametrize(
    "phase_kw, logs, kwargs, action, fragments, absent",
    STOP_CASES + REGRESS_CASES + HOLD_CASES + CRITERIA_CASES,
)
def test_recommend(phase_kw, logs, kwargs, action, fragments, absent):
    recommendation = recommend(phase(**phase_kw), logs, TODAY, **kwargs)
    # Every reason is a code with parameters (rehab.codes), said here in English (en-gb, the tests' language).
    assert all(isinstance(r, Reason) for r in recommendation.reasons), recommendation.reasons
    text = "\n".join(says(recommendation.reasons))
    assert recommendation.action == action, text
    for fragment in fragments:
        assert fragment in text
    for fragment in absent:
        assert fragment not in text


def test_advance_gives_exactly_the_three_criteria():
    recommendation = recommend(phase(), GOOD, TODAY, prescription=Prescription(runs_per_week=3))
    assert recommendation.action == Action.ADVANCE
    assert recommendation.reasons == (
        reason(codes.DAYS_IN_PHASE, days=14, min_days=7),
        reason(codes.SESSIONS_WITHIN, sessions=3),
        reason(codes.COMPLIANCE_MET, needed=80),
    )
    assert says(recommendation.reasons) == [
        "Day 14 of at least 7 in this phase.",
        "The last 3 sessions were within the allowance and settled by the next morning.",
        "Compliance of 80 % or more over the last 7 days.",
    ]


@pytest.mark.parametrize(
    "logs, expected",
    [
        pytest.param([], 0.0, id="no-history-is-0"),
        pytest.param([rest(1, pain_next_morning=3)], 3.0, id="one-morning"),
        pytest.param([rest(n, pain_next_morning=v) for n, v in ((1, 1), (2, 5), (3, 2))], 2.0, id="median"),
        pytest.param([rest(1, pain_next_morning=1), rest(2, pain_next_morning=2)], 1.5, id="median-of-two"),
        pytest.param([rest(7, pain_next_morning=4)], 4.0, id="7-days-before-counts"),
        pytest.param([rest(8, pain_next_morning=4)], 0.0, id="8-days-before-does-not"),
        pytest.param([rest(0, pain_next_morning=4)], 0.0, id="the-day-itself-does-not"),
        pytest.param([rest(1, pain_during=5)], 0.0, id="only-next-morning-pain-counts"),
    ],
)
def test_morning_baseline(logs, expected):
    assert morning_baseline(logs, TODAY) == expected


@pytest.mark.parametrize(
    "logs, expected",
    [
        pytest.param([], None, id="no-history-is-none"),
        pytest.param([rest(1)], None, id="no-pain-recorded-is-none"),
        pytest.param([run(1, during=1, after=4, morning=2)], 4.0, id="peak-of-the-three"),
        pytest.param([run(1, during=1), run(2, during=3), run(3, during=6)], 3.0, id="median-of-peaks"),
        pytest.param([run(7, during=5)], 5.0, id="7-days-before-counts"),
        pytest.param([run(8, during=5)], None, id="8-days-before-does-not"),
        pytest.param([run(0, during=5)], None, id="the-day-itself-does-not"),
    ],
)
def test_peak_baseline(logs, expected):
    assert peak_baseline(logs, TODAY) == expected


@pytest.mark.parametrize(
    "log, is_session, peak",
    [
        pytest.param(LogDay(TODAY), False, None, id="empty-day"),
        pytest.param(LogDay(TODAY, run_minutes=0, pain_during=2), False, 2, id="zero-minutes-not-a-session"),
        pytest.param(LogDay(TODAY, run_minutes=15), True, None, id="a-walk"),
        pytest.param(LogDay(TODAY, sets_done=1), True, None, id="exercises"),
        pytest.param(
            LogDay(TODAY, pain_during=1, pain_after=3, pain_next_morning=2), False, 3, id="peak-after"
        ),
        pytest.param(LogDay(TODAY, pain_next_morning=4), False, 4, id="peak-next-morning"),
        pytest.param(LogDay(TODAY, pain_during=0), False, 0, id="zero-pain-is-recorded"),
    ],
)
def test_log_day(log, is_session, peak):
    assert log.is_session is is_session
    assert log.peak_pain == peak
