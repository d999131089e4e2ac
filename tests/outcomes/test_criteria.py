"""Structured exit criteria: met, not met or missing, judged on results recorded in the phase."""

from datetime import date

import pytest

from outcomes import codes, wording
from outcomes.codes import OutcomeError
from outcomes.criteria import (
    MET,
    MISSING,
    NOT_MET,
    PromResult,
    RecordedTest,
    Results,
    all_met,
    evaluate,
    parse,
)

START = date(2026, 5, 1)
BEFORE = date(2026, 4, 20)
DAY = date(2026, 5, 10)
LATER = date(2026, 5, 15)

SQUAT = {"kind": "test", "test": "single_leg_squat", "max_pain": 2, "min_count": 10}
IHOT = {"kind": "prom", "instrument": "ihot12", "op": ">=", "value": 70}
NPRS = {"kind": "prom", "instrument": "nprs", "op": "<=", "value": 2}
HOOS_SPORT = {"kind": "prom", "instrument": "hoos", "scale": "sport", "value": 75}
STRENGTH = {"kind": "symmetry", "test": "hhd_hip_abduction", "min_pct": 90}
FADIR = {"kind": "test", "test": "fadir", "side": "right"}
JOG = {"kind": "test", "test": "jog_on_spot", "max_pain": 2, "min_count": 60}
CLEARANCE = {"kind": "clearance"}


def squat(side, on, reps, pain):
    return RecordedTest("single_leg_squat", side, on, {"reps": reps, "pain": pain})


def strength(on, pct):
    return RecordedTest("hhd_hip_abduction", "left", on, {}, passed=pct >= 90, symmetry_pct=pct)


@pytest.mark.parametrize(
    ("criterion", "results", "status", "last"),
    [
        pytest.param(IHOT, Results(proms=(PromResult("ihot12", DAY, 72),)), MET, DAY, id="prom-above"),
        pytest.param(IHOT, Results(proms=(PromResult("ihot12", DAY, 70),)), MET, DAY, id="prom-exactly"),
        pytest.param(IHOT, Results(proms=(PromResult("ihot12", DAY, 69.9),)), NOT_MET, DAY, id="prom-below"),
        pytest.param(
            IHOT,
            Results(proms=(PromResult("ihot12", LATER, 60), PromResult("ihot12", DAY, 80))),
            NOT_MET,
            LATER,
            id="prom-latest-counts",
        ),
        pytest.param(
            IHOT, Results(proms=(PromResult("ihot12", BEFORE, 90),)), MISSING, BEFORE, id="prom-before"
        ),
        pytest.param(IHOT, Results(), MISSING, None, id="prom-never"),
        pytest.param(
            IHOT, Results(proms=(PromResult("ihot12", DAY, None),)), MISSING, DAY, id="prom-not-scored"
        ),
        pytest.param(NPRS, Results(proms=(PromResult("nprs", DAY, 2),)), MET, DAY, id="nprs-at-most-2"),
        pytest.param(NPRS, Results(proms=(PromResult("nprs", DAY, 3),)), NOT_MET, DAY, id="nprs-3"),
        pytest.param(
            HOOS_SPORT,
            Results(proms=(PromResult("hoos", DAY, None, {"sport": 81.3}),)),
            MET,
            DAY,
            id="hoos-subscale",
        ),
        pytest.param(
            SQUAT,
            Results(tests=(squat("left", DAY, 10, 2), squat("right", DAY, 12, 0))),
            MET,
            DAY,
            id="squat-both",
        ),
        pytest.param(
            SQUAT,
            Results(tests=(squat("left", DAY, 10, 3), squat("right", LATER, 12, 0))),
            NOT_MET,
            LATER,
            id="squat-left-painful",
        ),
        pytest.param(
            SQUAT,
            Results(tests=(squat("left", DAY, 9, 0), squat("right", DAY, 12, 0))),
            NOT_MET,
            DAY,
            id="squat-9",
        ),
        pytest.param(
            SQUAT, Results(tests=(squat("left", DAY, 10, 0),)), MISSING, DAY, id="squat-right-missing"
        ),
        pytest.param(
            SQUAT,
            Results(tests=(squat("left", DAY, 10, 5), squat("right", BEFORE, 12, 0))),
            NOT_MET,
            DAY,
            id="not-met-beats-missing",
        ),
        pytest.param(
            JOG,
            Results(tests=(RecordedTest("jog_on_spot", "none", DAY, {"seconds": 60, "pain": 1}),)),
            MET,
            DAY,
            id="jog-sideless",
        ),
        pytest.param(
            FADIR,
            Results(tests=(RecordedTest("fadir", "right", DAY, {"finding": "negative"}, passed=True),)),
            MET,
            DAY,
            id="test-own-pass-mark",
        ),
        pytest.param(
            FADIR,
            Results(tests=(RecordedTest("fadir", "right", DAY, {"finding": "positive"}, passed=False),)),
            NOT_MET,
            DAY,
            id="test-own-pass-mark-failed",
        ),
        pytest.param(STRENGTH, Results(tests=(strength(DAY, 92.5),)), MET, DAY, id="strength-92"),
        pytest.param(STRENGTH, Results(tests=(strength(DAY, 89.9),)), NOT_MET, DAY, id="strength-89.9"),
        pytest.param(STRENGTH, Results(tests=(strength(BEFORE, 95),)), MISSING, BEFORE, id="strength-before"),
        pytest.param(CLEARANCE, Results(clearances=(BEFORE,)), MET, BEFORE, id="clearance-any-time"),
        pytest.param(CLEARANCE, Results(), MISSING, None, id="clearance-missing"),
    ],
)
def test_evaluate(criterion, results, status, last):
    (result,) = evaluate([criterion], results, since=START)
    assert (result.status, result.last_measured) == (status, last)
    assert result.reasons
    assert all(wording.render(r) for r in result.reasons)


def test_a_result_before_the_phase_is_named():
    (result,) = evaluate([IHOT], Results(proms=(PromResult("ihot12", BEFORE, 90),)), since=START)
    assert [r.code for r in result.reasons] == [codes.CRITERION_MISSING, codes.MEASURED_BEFORE_PHASE]
    assert wording.render(result.reasons[1]) == "Last measured on 20 Apr 2026, before this phase started."


def test_reasons_carry_the_measured_values():
    (result,) = evaluate(
        [SQUAT], Results(tests=(squat("left", DAY, 10, 3), squat("right", DAY, 12, 0))), since=START
    )
    left = result.reasons[0]
    assert left.code == codes.CRITERION_NOT_MET
    assert left.params == {
        "kind": "test",
        "test": "single_leg_squat",
        "side": "left",
        "pain": 3,
        "max_pain": 2,
        "count": 10,
        "min_count": 10,
        "measure": "reps",
        "on": "2026-05-10",
    }
    assert wording.render(left) == "Single-leg squat, left (10 reps, pain 3/10) on 10 May 2026: not met yet."


def test_all_met_needs_every_criterion_and_at_least_one():
    results = Results(proms=(PromResult("ihot12", DAY, 75),), clearances=(DAY,))
    assert all_met(evaluate([IHOT, CLEARANCE], results, since=START))
    assert not all_met(evaluate([IHOT, CLEARANCE, STRENGTH], results, since=START))
    assert not all_met(())


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"kind": "feeling"}, id="unknown-kind"),
        pytest.param({"kind": "prom", "instrument": "sf36", "value": 50}, id="unknown-instrument"),
        pytest.param({"kind": "prom", "instrument": "hoos", "value": 50}, id="hoos-has-no-total"),
        pytest.param({"kind": "prom", "instrument": "ihot12", "value": 150}, id="value-outside-range"),
        pytest.param({"kind": "prom", "instrument": "ihot12", "op": ">", "value": 50}, id="unknown-op"),
        pytest.param({"kind": "prom", "instrument": "ihot12", "value": True}, id="boolean-value"),
        pytest.param({"kind": "test", "test": "nope"}, id="unknown-test"),
        pytest.param({"kind": "test", "test": "fadir", "side": "none"}, id="sided-test-without-side"),
        pytest.param({"kind": "test", "test": "jog_on_spot", "side": "left"}, id="sideless-test-with-side"),
        pytest.param({"kind": "test", "test": "fadir", "min_count": 3}, id="no-count-on-fadir"),
        pytest.param({"kind": "test", "test": "hip_rom"}, id="no-pass-mark"),
        pytest.param({"kind": "test", "test": "single_leg_squat", "max_pain": 11}, id="pain-11"),
        pytest.param(
            {"kind": "symmetry", "test": "single_leg_squat", "min_pct": 90}, id="symmetry-one-sided"
        ),
        pytest.param({"kind": "clearance", "who": "x"}, id="unknown-key"),
    ],
)
def test_parse_refuses_bad_criteria(raw):
    with pytest.raises(OutcomeError) as caught:
        parse([raw])
    assert caught.value.code == codes.BAD_CRITERION
    assert wording.render(caught.value.reason).startswith("Exit criterion 1:")


def test_parse_round_trips():
    criteria = parse([SQUAT, IHOT, NPRS, HOOS_SPORT, STRENGTH, FADIR, JOG, CLEARANCE])
    assert parse([c.as_dict() for c in criteria]) == criteria


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (IHOT, "iHOT-12 ≥ 70"),
        (NPRS, "NPRS ≤ 2"),
        (HOOS_SPORT, "HOOS sport and recreation ≥ 75"),
        (SQUAT, "Single-leg squat, each side: pain at most 2/10, at least 10 reps"),
        (
            {"kind": "test", "test": "hop_on_spot", "side": "left"},
            "Hopping on the spot, left: pain at most 2/10, at least 10 hops",
        ),
        (JOG, "Jogging on the spot: pain at most 2/10, at least 60 s"),
        (FADIR, "FADIR (flexion, adduction, internal rotation), right: negative"),
        (STRENGTH, "Hip abduction strength (hand-held dynamometer): side-to-side at least 90 %"),
        (CLEARANCE, "Clinician's clearance recorded"),
    ],
)
def test_describe(raw, text):
    assert wording.describe(raw) == text
