"""rehab.coach: what a running coach may change without asking, as tables."""

import pytest

from rehab.coach import AdvanceSituation, Limits, Running, check_advance, check_running

LIMITS = Limits(session_minutes=40, week_minutes=120, weekly_increase_pct=10, advance_to=3)
NOW = Running(activity="walk_jog", run_minutes=30, sessions_per_week=3)  # 90 minutes a week


def _codes(refusals) -> list[str]:
    return [r.code for r in refusals]


@pytest.mark.parametrize(
    ("limits", "current", "proposed", "codes"),
    [
        pytest.param(LIMITS, NOW, NOW.replace(run_minutes=33), [], id="within-every-limit"),
        pytest.param(LIMITS, NOW, NOW.replace(run_note="Flat route"), [], id="note-only"),
        pytest.param(Limits(), NOW, NOW.replace(run_minutes=31), ["closed"], id="no-limits-set"),
        pytest.param(Limits(session_minutes=40, week_minutes=120), NOW, NOW.replace(run_minutes=31), ["closed"],
                     id="increase-limit-missing"),
        pytest.param(LIMITS, NOW, NOW.replace(run_minutes=45, sessions_per_week=2), ["session_over"],
                     id="session-too-long"),
        pytest.param(LIMITS, NOW, NOW.replace(sessions_per_week=4), ["increase_over"],
                     id="fourth-session-is-33-percent-more"),
        pytest.param(LIMITS, Running("run", 30, 4), Running("run", 30, 5), ["week_over", "increase_over"],
                     id="week-over-and-increase-over"),
        pytest.param(Limits(40, 200, 50), Running("run", 30, 4), Running("run", 30, 5), [],
                     id="looser-limits-allow-the-same"),
        pytest.param(LIMITS, NOW, NOW.replace(run_minutes=20, sessions_per_week=None), ["week_unknown"],
                     id="minutes-without-sessions"),
        pytest.param(LIMITS, Running("walk_jog"), Running("walk_jog", 20, 3), ["no_base"],
                     id="nothing-to-build-on"),
        pytest.param(LIMITS, Running("none"), Running("none", 20, 3), ["no_running"], id="phase-without-running"),
        pytest.param(LIMITS, Running("run", 50, 3), Running("run", 45, 3), [],
                     id="easing-off-above-the-limits-is-allowed"),
        pytest.param(LIMITS, Running("run", 50, 3), Running("run", 50, 2), [], id="fewer-sessions-allowed"),
        pytest.param(LIMITS, NOW, NOW.replace(run_minutes=0, sessions_per_week=0), [], id="stopping-running"),
        pytest.param(Limits(40, 120, 0), NOW, NOW.replace(run_minutes=45, sessions_per_week=2), ["session_over"],
                     id="zero-percent-rearranging-only"),
        pytest.param(Limits(40, 120, 0), NOW, NOW.replace(run_minutes=18, sessions_per_week=5), [],
                     id="zero-percent-same-week-split-differently"),
        pytest.param(LIMITS, NOW, NOW.replace(run_minutes=33, sessions_per_week=3), [], id="exactly-ten-percent"),
    ],
)  # fmt: skip
def test_check_running(limits, current, proposed, codes):
    assert _codes(check_running(limits, current, proposed)) == codes


@pytest.mark.parametrize(
    ("week_ago", "proposed", "codes"),
    [
        pytest.param(None, NOW.replace(run_minutes=33), [], id="no-change-this-week"),
        pytest.param(90, NOW.replace(run_minutes=33), [], id="first-change-this-week"),
        pytest.param(81, NOW.replace(run_minutes=33), ["increase_over_week"], id="second-change-adds-up"),
        pytest.param(81, NOW.replace(run_minutes=29), [], id="second-change-within-the-weeks-allowance"),
        pytest.param(0, NOW.replace(run_minutes=31), ["no_base"], id="no-running-a-week-ago"),
        pytest.param(120, NOW.replace(run_minutes=36), ["increase_over"], id="counts-from-the-lower-of-the-two"),
    ],
)  # fmt: skip
def test_the_weekly_increase_counts_from_a_week_ago(week_ago, proposed, codes):
    assert _codes(check_running(LIMITS, NOW, proposed, week_ago=week_ago)) == codes


def test_refusals_say_what_the_limit_is():
    (refusal,) = check_running(LIMITS, NOW, NOW.replace(sessions_per_week=4))
    assert refusal.message == (
        "120 minutes a week is 33% more than the current 90; you may add up to 10% a week (at most 99 minutes)."
    )


OPEN = AdvanceSituation(plan_active=True, next_order=2)


@pytest.mark.parametrize(
    ("limits", "situation", "codes"),
    [
        pytest.param(LIMITS, OPEN, [], id="next-phase-opened"),
        pytest.param(LIMITS, AdvanceSituation(True, 3), [], id="last-opened-phase"),
        pytest.param(LIMITS, AdvanceSituation(True, 4), ["beyond"], id="past-the-opened-phases"),
        pytest.param(Limits(40, 120, 10), OPEN, ["advance_closed"], id="no-phase-opened"),
        pytest.param(LIMITS, AdvanceSituation(False, 2), ["not_active"], id="paused-plan"),
        pytest.param(LIMITS, AdvanceSituation(True, None), ["last_phase"], id="last-phase"),
        pytest.param(LIMITS, AdvanceSituation(True, 2, next_waits_for_clearance=True), ["needs_clearance"],
                     id="clearance-not-recorded"),
        pytest.param(LIMITS, AdvanceSituation(True, 2, engine_action="stop_and_refer"), ["engine"],
                     id="engine-says-stop-and-refer"),
        pytest.param(LIMITS, AdvanceSituation(True, 2, engine_action="regress"), ["engine"],
                     id="engine-says-step-back"),
        pytest.param(LIMITS, AdvanceSituation(True, 2, engine_action="hold"), [], id="engine-says-hold"),
        pytest.param(LIMITS, AdvanceSituation(True, 2, serious_alert=True), ["serious_alert"],
                     id="urgent-alert-open"),
        pytest.param(Limits(advance_to=2), OPEN, [], id="advance-without-running-limits"),
    ],
)  # fmt: skip
def test_check_advance(limits, situation, codes):
    assert _codes(check_advance(limits, situation)) == codes


@pytest.mark.parametrize(
    ("limits", "faulty"),
    [
        pytest.param(Limits(), [], id="none"),
        pytest.param(LIMITS, [], id="all"),
        pytest.param(Limits(session_minutes=30), ["coach_max_week_minutes", "coach_max_weekly_increase_pct"],
                     id="one-of-three"),
    ],
)  # fmt: skip
def test_running_limits_are_all_or_none(limits, faulty):
    assert limits.validate() == faulty
