"""Compliance and training-load maths (DOMAIN.md section 7) and the status built on them, as tables.

Pure tests: prescriptions, logs, shoes and phases are plain objects, so nothing touches the database.
"""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from rehab import codes
from rehab.codes import Action, reason
from rehab.compliance import (
    BAND_LABELS,
    Compliance,
    Prescription,
    band,
    compliance,
    last_7_days,
    prescription_on,
    weekly,
)
from rehab.load import Load, load_warnings, training_load
from rehab.progression import LogDay, Recommendation
from rehab.status import Snapshot, log_alerts, risk_score, snapshot, stop_alerts, time_alerts
from rehab.wording import say

MON = date(2025, 3, 10)  # a Monday
TODAY = date(2025, 3, 20)  # a Thursday


def day(n: int) -> date:
    """The n-th day from MON (0 is Monday 10 March, 6 is Sunday 16 March)."""
    return MON + timedelta(days=n)


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def sets(n: int, count: int) -> LogDay:
    return LogDay(date=day(n), sets_done=count)


def logday(n: int, sets: int = 0, minutes: int | None = None) -> LogDay:
    return LogDay(date=day(n), sets_done=sets, run_minutes=minutes)


def runs(*days: int, minutes: int = 20) -> list[LogDay]:
    return [LogDay(date=day(n), run_minutes=minutes) for n in days]


def km(days_ago: int, distance) -> LogDay:
    return LogDay(date=ago(days_ago), distance_km=distance)


# --- compliance -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "percent, expected",
    [
        pytest.param(None, "none", id="nothing-planned"),
        pytest.param(0, "off_track", id="0"),
        pytest.param(49, "off_track", id="49"),
        pytest.param(50, "partial", id="50"),
        pytest.param(79, "partial", id="79"),
        pytest.param(80, "on_track", id="80"),
        pytest.param(100, "on_track", id="100"),
    ],
)
def test_band(percent, expected):
    assert band(percent) == expected


@pytest.mark.parametrize(
    "phase, rows, expected",
    [
        pytest.param(
            {"run_activity": "none", "sessions_per_week": 3},
            [{"sets": 3, "times_per_day": 1, "days_per_week": None}],
            Prescription(sets_per_week=21, runs_per_week=0, sets_per_day=3),
            id="daily-by-default-and-no-runs-without-running",
        ),
        pytest.param(
            {"run_activity": "walk", "sessions_per_week": 3},
            [{"sets": None, "times_per_day": None, "days_per_week": 3}],
            Prescription(sets_per_week=3, runs_per_week=3, sets_per_day=1),
            id="blank-sets-count-as-one",
        ),
        pytest.param(
            {"run_activity": "jog", "sessions_per_week": None},
            [
                {"sets": 2, "times_per_day": 2, "days_per_week": 3},
                {"sets": 3, "times_per_day": 1, "days_per_week": 7},
            ],
            Prescription(sets_per_week=33, runs_per_week=0, sets_per_day=7),
            id="times-a-day-multiply-and-rows-add-up",
        ),
        pytest.param(
            {"run_activity": "walk_jog", "sessions_per_week": 3},
            [],
            Prescription(sets_per_week=0, runs_per_week=3, sets_per_day=0),
            id="runs-only",
        ),
    ],
)
def test_prescription_from_phase(phase, rows, expected):
    got = Prescription.from_phase(SimpleNamespace(**phase), [SimpleNamespace(**row) for row in rows])
    assert got == expected


A = Prescription(runs_per_week=7)
B = Prescription(sets_per_week=14, sets_per_day=2)


@pytest.mark.parametrize(
    "on, expected",
    [
        pytest.param(day(-1), None, id="before-the-plan"),
        pytest.param(day(0), A, id="first-day"),
        pytest.param(day(2), A, id="before-the-change"),
        pytest.param(day(3), B, id="day-of-the-change"),
        pytest.param(day(30), B, id="long-after"),
    ],
)
def test_prescription_on(on, expected):
    assert prescription_on([(day(0), A), (day(3), B)], on) is expected


WEEK_OF_SETS = [(day(-7), Prescription(sets_per_week=14, sets_per_day=2))]
WEEK_OF_RUNS = [(day(-7), Prescription(runs_per_week=3))]
HUNDRED = [(day(-7), Prescription(sets_per_week=100, sets_per_day=100))]


@pytest.mark.parametrize(
    "schedule, logs, planned, done, percent, expected_band",
    [
        pytest.param(WEEK_OF_SETS, [sets(n, 2) for n in range(7)], (14, 0), (14, 0), 100, "on_track",
                     id="every-set-every-day"),
        pytest.param(WEEK_OF_SETS, [sets(6, 14)], (14, 0), (2, 0), 14, "off_track",
                     id="daily-cap-doubling-up-on-sunday-hides-nothing"),
        pytest.param(WEEK_OF_SETS, [*(sets(n, 2) for n in range(5)), sets(6, 4)], (14, 0), (12, 0), 86,
                     "on_track", id="daily-cap-making-up-a-missed-day"),
        pytest.param(HUNDRED, [sets(0, 49)], (100, 0), (49, 0), 49, "off_track", id="band-49"),
        pytest.param(HUNDRED, [sets(0, 50)], (100, 0), (50, 0), 50, "partial", id="band-50"),
        pytest.param(HUNDRED, [sets(0, 79)], (100, 0), (79, 0), 79, "partial", id="band-79"),
        pytest.param(HUNDRED, [sets(0, 80)], (100, 0), (80, 0), 80, "on_track", id="band-80"),
        pytest.param(WEEK_OF_RUNS, runs(0, 2), (0, 3), (0, 2), 67, "partial", id="two-of-three-runs"),
        pytest.param(WEEK_OF_RUNS, runs(*range(7)), (0, 3), (0, 7), 100, "on_track",
                     id="extra-runs-capped-at-100"),
        pytest.param(WEEK_OF_RUNS, [*runs(0, 2, 4, minutes=0), *runs(5)], (0, 3), (0, 1), 33, "off_track",
                     id="zero-minutes-is-no-run"),
        pytest.param(WEEK_OF_SETS, [logday(n, sets=1, minutes=20 if n < 3 else None) for n in range(7)],
                     (14, 0), (7, 0), 50, "partial", id="runs-ignored-when-none-planned"),
        pytest.param([(day(-7), Prescription(sets_per_week=14, sets_per_day=2, runs_per_week=2))],
                     [logday(n, sets=2, minutes=20 if n == 3 else None) for n in range(7)],
                     (14, 2), (14, 1), 75, "partial", id="exercises-and-runs-weigh-the-same"),
        pytest.param([], [sets(0, 5), *runs(1)], (0, 0), (0, 0), None, "none", id="nothing-planned"),
        pytest.param([(day(3), Prescription(sets_per_week=7, sets_per_day=1))], [sets(n, 1) for n in range(7)],
                     (4, 0), (4, 0), 100, "on_track", id="prorated-from-a-mid-week-start"),
        pytest.param([(day(-7), A), (day(3), B)],
                     [logday(n, sets=2, minutes=20 if n <= 3 else None) for n in range(7)],
                     (8, 3), (8, 3), 100, "on_track", id="phase-change-mid-week"),
        pytest.param([(day(-7), A), (day(3), B)], [*runs(3, 4), *(sets(n, 2) for n in range(3))], (8, 3),
                     (0, 0), 0, "off_track", id="phase-change-done-on-the-wrong-days"),
    ],
)  # fmt: skip
def test_compliance(schedule, logs, planned, done, percent, expected_band):
    result = compliance(schedule, logs, day(0), day(6))
    assert (result.sets_planned, result.runs_planned) == pytest.approx(planned)
    assert (result.sets_done, result.runs_done) == done
    assert result.percent == percent
    assert result.band == expected_band
    assert result.band_label == BAND_LABELS[expected_band]


def test_compliance_labels():
    assert BAND_LABELS == {
        "on_track": "On track",
        "partial": "Partial",
        "off_track": "Off track",
        "none": "Nothing planned",
    }


def test_compliance_ignores_logs_outside_the_window():
    result = compliance(WEEK_OF_SETS, [sets(-1, 2), sets(7, 2), sets(3, 2)], day(0), day(6))
    assert result.sets_done == 2


@pytest.mark.parametrize(
    "logged, window",
    [
        pytest.param([ago(0), ago(1)], (ago(6), ago(0)), id="today-logged-ends-today"),
        pytest.param([ago(1)], (ago(7), ago(1)), id="today-not-logged-ends-yesterday"),
        pytest.param([], (ago(7), ago(1)), id="nothing-logged-ends-yesterday"),
    ],
)
def test_last_7_days_window(logged, window):
    result = last_7_days(WEEK_OF_SETS, [LogDay(date=d, sets_done=2) for d in logged], TODAY)
    assert (result.start, result.end) == window


def test_last_7_days_does_not_count_an_unlogged_today_against_the_athlete():
    logs = [LogDay(date=ago(n), sets_done=2) for n in range(1, 8)]
    assert last_7_days(WEEK_OF_SETS, logs, TODAY).percent == 100


@pytest.mark.parametrize(
    "start, end, buckets",
    [
        pytest.param(day(0), day(6), [(0, 6)], id="monday-to-sunday-is-one-week"),
        pytest.param(day(2), day(15), [(2, 6), (7, 13), (14, 15)], id="clipped-at-both-ends"),
        pytest.param(day(6), day(7), [(6, 6), (7, 7)], id="sunday-then-monday"),
        pytest.param(day(4), day(4), [(4, 4)], id="one-day"),
        pytest.param(day(5), day(4), [], id="empty-range"),
    ],
)
def test_weekly_buckets(start, end, buckets):
    weeks = weekly(WEEK_OF_SETS, [], start, end)
    assert [(w.start, w.end) for w in weeks] == [(day(a), day(b)) for a, b in buckets]


def test_weekly_percentages_per_bucket():
    logs = [sets(n, 2) for n in range(7, 14)]
    weeks = weekly(WEEK_OF_SETS, logs, day(2), day(15))
    assert [w.sets_planned for w in weeks] == pytest.approx([10, 14, 4])
    assert [w.percent for w in weeks] == [0, 100, 0]
    assert [w.band for w in weeks] == ["off_track", "on_track", "off_track"]


# --- training load --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "previous, week, change, levels, fragments",
    [
        pytest.param(20, 22, 10, [], [], id="up-10pct-nothing"),
        pytest.param(20, 22.2, 11, ["notice"], ["Your distance is up 11 % on the week before (20 → 22.2 km).",
                                                "Aim for about 10 % a week"], id="up-11pct-notice"),
        pytest.param(20, 26, 30, ["notice"], ["up 30 %", "Aim for about 10 % a week"], id="up-30pct-notice"),
        pytest.param(20, 26.2, 31, ["warning"], ["Your distance is up 31 % on the week before (20 → 26.2 km).",
                                                 "Jumps above 30 % are linked to running injuries"],
                     id="up-31pct-warning-only"),
        pytest.param(8, 16, 100, ["warning"], ["up 100 %"], id="doubling-is-100pct"),
        pytest.param(20, 20, 0, [], [], id="flat"),
        pytest.param(20, 10, -50, [], [], id="down"),
        pytest.param(0, 40, None, [], [], id="no-previous-week"),
    ],
)  # fmt: skip
def test_week_over_week_change(previous, week, change, levels, fragments):
    result = training_load([km(8, previous), km(1, week)], TODAY)
    assert (result.km_prev_7d, result.km_7d) == (previous, week)
    assert result.change_pct == change
    assert [w.level for w in result.warnings] == levels
    text = " ".join(w.message for w in result.warnings)
    for fragment in fragments:
        assert fragment in text


def test_load_windows():
    logs = [km(n, d) for n, d in ((0, 1), (6, 2), (7, 4), (13, 8), (14, 16), (27, 32), (28, 64), (-1, 128))]
    logs.append(LogDay(date=ago(2), distance_km=None))
    result = training_load(logs, TODAY)
    assert (result.km_7d, result.km_prev_7d, result.km_28d) == (3, 12, 63)


@pytest.mark.parametrize(
    "history, acwr, zone",
    [
        pytest.param({0: 10, 7: 10, 14: 10, 21: 10}, 1.0, "1.00 — in your usual range.", id="steady-4-weeks"),
        pytest.param({0: 10, 7: 10, 14: 10, 20: 10}, None, "Not enough history yet", id="3-weeks-not-enough"),
        pytest.param({0: 10, 7: 10, 14: 10, 21: None}, None, "Not enough history yet",
                     id="4th-week-without-distance"),
        pytest.param({0: 30, 14: 10, 21: 10}, 2.4, "2.40 — well above your usual load.", id="spike"),
        pytest.param({0: 5, 7: 10, 14: 10, 21: 15}, 0.5, "0.50 — below your usual load.", id="easing-off"),
        pytest.param({0: 0, 21: 10}, 0.0, "0.00 — below your usual load.", id="nothing-this-week"),
    ],
)  # fmt: skip
def test_acwr(history, acwr, zone):
    result = training_load([km(n, d) for n, d in history.items()], TODAY)
    assert result.acwr == acwr
    assert zone in result.acwr_text
    assert not result.warnings  # information only: the ratio never raises a warning


@pytest.mark.parametrize(
    "acwr, zone",
    [
        pytest.param(0.79, "below your usual load", id="0.79"),
        pytest.param(0.8, "in your usual range", id="0.80"),
        pytest.param(1.3, "in your usual range", id="1.30"),
        pytest.param(1.31, "above your usual load", id="1.31"),
        pytest.param(1.49, "above your usual load", id="1.49"),
        pytest.param(1.5, "well above your usual load", id="1.50"),
    ],
)
def test_acwr_zones(acwr, zone):
    text = Load(10, 10, 40, 0, acwr).acwr_text
    assert text == f"{acwr:.2f} — {zone}. For information only: this ratio is debated and decides nothing."


def shoe(km_, retired=False, name="Ghost 16"):
    return SimpleNamespace(name=name, km=km_, retired=retired)


@pytest.mark.parametrize(
    "shoes, messages",
    [
        pytest.param([shoe(799.9)], [], id="799.9-km-fine"),
        pytest.param([shoe(800)], ["Your Ghost 16 have 800 km: time to think about new shoes."], id="800-km"),
        pytest.param([shoe(Decimal("812.5"))], ["Your Ghost 16 have 812.5 km: time to think about new shoes."],
                     id="decimal-km"),
        pytest.param([shoe(950, retired=True)], [], id="retired-ignored"),
        pytest.param([shoe(950, retired=True, name="Old"), shoe(900, name="Pegasus")],
                     ["Your Pegasus have 900 km: time to think about new shoes."], id="only-the-active-pair"),
    ],
)  # fmt: skip
def test_shoe_mileage(shoes, messages):
    result = training_load([], TODAY, shoes=shoes)
    assert [(w.level, w.message) for w in result.warnings] == [("notice", m) for m in messages]


@pytest.mark.parametrize(
    "previous, week, athlete, clinician",
    [
        pytest.param(20, 23.4, "Your distance is up 17 % on the week before (20 → 23.4 km). Aim for about 10 % a "
                     "week, and change distance or speed, not both.",
                     "Distance up 17 % on the week before (20 → 23.4 km); about 10 % a week is the usual ceiling.",
                     id="notice"),
        pytest.param(20, 30, "Your distance is up 50 % on the week before (20 → 30 km). Jumps above 30 % are "
                     "linked to running injuries: ease back this week.",
                     "Distance up 50 % on the week before (20 → 30 km). Jumps above 30 % are linked to running "
                     "injuries: worth easing back this week.", id="warning"),
    ],
)  # fmt: skip
def test_the_care_team_reads_the_load_warnings_about_the_athlete(previous, week, athlete, clinician):
    result = training_load([km(8, previous), km(1, week)], TODAY, shoes=iter([shoe(820)]))
    assert [w.message for w in result.warnings] == [
        athlete,
        "Your Ghost 16 have 820 km: time to think about new shoes.",
    ]
    assert [w.message for w in result.clinician_warnings] == [
        clinician,
        "Shoes (Ghost 16) at 820 km: worth suggesting a new pair.",
    ]
    assert [w.level for w in result.clinician_warnings] == [w.level for w in result.warnings]
    assert load_warnings(previous, week, result.change_pct, audience="clinician")[0].message == clinician


def test_distance_warning_and_shoe_notice_together():
    result = training_load([km(8, 10), km(1, 20)], TODAY, shoes=[shoe(800)])
    assert [w.level for w in result.warnings] == ["warning", "notice"]


# --- status: risk, snapshot and alerts ------------------------------------------------------------------------


def risk(action=None, last_pain=None, trend=None, compliance=None, days_without_log=None):
    return risk_score(
        action=action,
        last_pain=last_pain,
        trend=trend,
        compliance=compliance,
        days_without_log=days_without_log,
    )


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        pytest.param({}, 0, id="nothing-known"),
        pytest.param({"action": Action.STOP_AND_REFER}, 4000, id="stop-and-refer"),
        pytest.param({"action": Action.REGRESS}, 3000, id="regress"),
        pytest.param({"action": Action.ADVANCE}, 2000, id="advance"),
        pytest.param({"action": Action.HOLD}, 1000, id="hold"),
        pytest.param({"last_pain": 5}, 150, id="last-pain"),
        pytest.param({"trend": 0.5}, 30, id="rising-trend"),
        pytest.param({"trend": -2.0}, 0, id="falling-trend-adds-nothing"),
        pytest.param({"trend": 10.0}, 300, id="trend-capped"),
        pytest.param({"days_without_log": 3}, 0, id="3-days-silent"),
        pytest.param({"days_without_log": 4}, 200, id="4-days-silent"),
        pytest.param({"compliance": 40}, 60, id="low-compliance"),
        pytest.param({"compliance": 100}, 0, id="full-compliance"),
        pytest.param(
            {
                "action": Action.REGRESS,
                "last_pain": 4,
                "trend": 1.0,
                "compliance": 70,
                "days_without_log": 5,
            },
            3410,
            id="everything-adds-up",
        ),
    ],
)
def test_risk_score(kwargs, expected):
    assert risk(**kwargs) == expected


def test_the_recommendation_outranks_everything_else():
    worst_regress = risk(Action.REGRESS, last_pain=10, trend=10, compliance=0, days_without_log=30)
    assert risk(Action.STOP_AND_REFER) > worst_regress
    assert risk(Action.HOLD) > risk(None, last_pain=10, trend=10, compliance=0, days_without_log=30)


def phase(**kw):
    base = {
        "max_pain_during": 2, "max_pain_after": 2, "must_settle_by_morning": True, "next_day_pain_allowed": False,
        "min_days": 7, "started_on": ago(13), "run_activity": "walk_jog", "sessions_per_week": 3,
    }  # fmt: skip
    return SimpleNamespace(**(base | kw))


def session(days_ago, during=0, morning=0, **kw):
    return LogDay(
        date=ago(days_ago), run_minutes=20, pain_during=during, pain_after=0, pain_next_morning=morning, **kw
    )


def test_snapshot_without_a_plan():
    logs = [
        session(9, during=1, morning=1, distance_km=4),
        session(2, during=3, morning=2, distance_km=5),
        LogDay(date=ago(0)),
        session(-1, during=9),  # tomorrow: ignored
    ]
    snap = snapshot(logs=logs, today=TODAY)
    assert snap.recommendation is None and snap.compliance is None and snap.days_without_log is None
    assert snap.last_log_date == TODAY
    assert snap.last_pain == 3  # today's log has no pain: the latest rating is Tuesday's
    assert snap.trend == 2.0
    assert snap.baseline == 2.0
    assert snap.spark == [None] * 4 + [1] + [None] * 6 + [3, None, None]
    assert (snap.load.km_7d, snap.load.km_prev_7d) == (5, 4)
    assert snap.risk == 3 * 30 + 2 * 60


@pytest.mark.parametrize(
    "logs, action, percent, days_without_log, risk_expected",
    [
        pytest.param([session(5), session(3), session(1)], Action.ADVANCE, 100, 1, 2000, id="on-track"),
        pytest.param([], Action.HOLD, 0, 5, 1000 + 200 + 100, id="nothing-logged-since-the-plan-start"),
        pytest.param([session(12), session(10)], Action.HOLD, 0, 10, 1000 + 200 + 100, id="gone-quiet"),
        pytest.param([session(10), session(5), session(3), session(1, during=4), session(0, during=4)],
                     Action.REGRESS, 100, 0, 3000 + 4 * 30 + 2 * 60, id="flaring-up"),
    ],
)  # fmt: skip
def test_snapshot_with_a_phase(logs, action, percent, days_without_log, risk_expected):
    snap = snapshot(
        logs=logs,
        today=TODAY,
        phase=phase(),
        schedule=[(ago(13), Prescription(runs_per_week=3))],
        plan_start=ago(5),
    )
    assert snap.recommendation.action == action
    assert snap.compliance.percent == percent
    assert snap.days_without_log == days_without_log
    assert snap.risk == risk_expected


def test_snapshot_passes_pain_free_and_is_last_to_the_rules():
    logs = [session(5), session(3, during=1), session(1)]
    common = {"logs": logs, "today": TODAY, "phase": phase(), "schedule": [(ago(13), Prescription())]}
    assert snapshot(**common).recommendation.action == Action.ADVANCE
    pain_free = snapshot(**common, pain_free=True).recommendation
    assert pain_free.action == Action.STOP_AND_REFER
    assert pain_free.reasons[0].code == codes.BONE_STRESS_RUNNING_PAIN and "bone stress plan" in say(
        pain_free.reasons[0]
    )
    common["phase"] = phase(run_activity="cross_train")
    pain_free = snapshot(**common, pain_free=True).recommendation
    assert pain_free.action == Action.HOLD
    assert pain_free.reasons[0].code == codes.PAIN_FREE_PAIN and "must stay pain-free" in say(
        pain_free.reasons[0]
    )
    last = snapshot(logs=[session(5), session(3), session(1)], today=TODAY, phase=phase(), is_last=True)
    assert last.recommendation.action == Action.HOLD
    assert last.recommendation.reasons == (reason(codes.FINAL_PHASE_MET),)
    assert (
        say(last.recommendation.reasons[0])
        == "Final phase, and every criterion is met: consider completing the plan."
    )


def snap(recommendation=None, percent=None, days_without_log=None, last_log_date=None):
    week = Compliance(ago(7), ago(1), sets_planned=100, sets_done=percent) if percent is not None else None
    return Snapshot(
        today=TODAY,
        recommendation=recommendation,
        compliance=week,
        load=Load(0, 0, 0, None, None),
        last_log_date=last_log_date,
        last_pain=None,
        baseline=0.0,
        trend=None,
        days_without_log=days_without_log,
    )


USUAL_1 = [LogDay(date=ago(n), pain_during=1) for n in range(2, 9)]  # peak pain 1/10 over the week before


@pytest.mark.parametrize(
    "log, history, recommendation, expected",
    [
        pytest.param(session(1), USUAL_1, None, [], id="an-ordinary-day"),
        pytest.param(session(1, red_flags=("swelling",)), [], None,
                     [("log_red_flag", "urgent", "Stop and refer: swelling or bruising (Wed 19 Mar).")],
                     id="red-flag-urgent"),
        pytest.param(session(1, red_flags=("cannot_bear_weight",)), [], None,
                     [("log_red_flag", "emergency", "Stop and refer: cannot bear weight (Wed 19 Mar).")],
                     id="cannot-bear-weight-is-an-emergency"),
        pytest.param(session(1, during=7), [], None,
                     [("log_red_flag", "urgent", "Stop and refer: pain 7/10 (Wed 19 Mar).")], id="pain-7"),
        pytest.param(session(1, during=6), [], None, [], id="pain-6-without-history"),
        pytest.param(session(1, during=8, red_flags=("locking",)), [], None,
                     [("log_red_flag", "urgent", "Stop and refer: locking or giving way, pain 8/10 (Wed 19 Mar).")],
                     id="flag-and-pain-in-one-alert"),
        pytest.param(session(1, during=4), USUAL_1, None,
                     [("pain_spike", "urgent", "Pain 4/10 on Wed 19 Mar, 3 points above the 7-day usual 1/10.")],
                     id="spike-3-points"),
        pytest.param(session(1, during=3), USUAL_1, None, [], id="2-points-is-no-spike"),
        pytest.param(session(1, during=4), [LogDay(date=ago(9), pain_during=1)], None, [],
                     id="history-older-than-7-days-is-no-baseline"),
        pytest.param(session(1), [], Recommendation(Action.ADVANCE, ("ok",)),
                     [("ready_to_advance", "notice", "Ready to advance: every criterion of this phase is met.")],
                     id="ready-to-advance"),
        pytest.param(session(1), [], Recommendation(Action.HOLD, ("wait",)), [], id="hold-raises-nothing"),
    ],
)  # fmt: skip
def test_log_alerts(log, history, recommendation, expected):
    due = [*stop_alerts(log), *log_alerts(log, [*history, log], snap(recommendation=recommendation))]
    assert [(a.kind, a.severity, say(a.reason)) for a in due] == expected
    assert all(a.reason.code in codes.ALERT_CODES for a in due)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        pytest.param({}, [], id="no-plan-no-alerts"),
        pytest.param({"days_without_log": 3, "last_log_date": ago(3)}, [], id="3-days-silent"),
        pytest.param({"days_without_log": 4, "last_log_date": ago(4)},
                     [("no_log", "No log since Sun 16 Mar (4 days).")], id="4-days-silent"),
        pytest.param({"days_without_log": 5}, [("no_log", "Nothing logged since the plan started 5 days ago.")],
                     id="never-logged"),
        pytest.param({"percent": 49}, [("low_compliance", "Compliance 49 % over the last 7 days.")],
                     id="compliance-49"),
        pytest.param({"percent": 50}, [], id="compliance-50"),
        pytest.param({"days_without_log": 6, "last_log_date": ago(6), "percent": 0},
                     [("no_log", "No log since Fri 14 Mar (6 days)."),
                      ("low_compliance", "Compliance 0 % over the last 7 days.")], id="both"),
    ],
)  # fmt: skip
def test_time_alerts(kwargs, expected):
    due = time_alerts(snap(**kwargs))
    assert [(a.kind, say(a.reason)) for a in due] == expected
    assert all(a.reason.code in codes.ALERT_CODES for a in due)
    assert all(a.severity == "notice" for a in due)
