"""The objective-test catalog: every test is complete, and recorded results pass or fail by its rule."""

import re

import pytest

from outcomes import catalog, codes, instruments
from outcomes.codes import OutcomeError

REQUIRED_TESTS = {
    "fadir",
    "faber",
    "trochanter_palpation",
    "single_leg_stance_30s",
    "adductor_squeeze",
    "single_leg_squat",
    "hop_on_spot",
    "jog_on_spot",
    "side_bridge_hold",
    "hip_rom",
    "hhd_hip_abduction",
    "hhd_hip_adduction",
    "trendelenburg",
    "bent_knee_stretch",
    "puranen_orava",
}


def test_catalog_holds_the_tests_domain_names():
    assert set(catalog.BY_CODE) == REQUIRED_TESTS
    assert len(catalog.TESTS) == len(catalog.BY_CODE)


@pytest.mark.parametrize("test", catalog.TESTS, ids=lambda t: t.code)
def test_every_test_says_how_where_and_what(test):
    assert test.name and test.how_to and test.source
    assert test.sides in (catalog.EACH, catalog.NONE, catalog.PAIRED)
    assert set(test.required) <= {m.code for m in test.measures}
    if test.pass_rule and test.pass_rule.count_measure:
        test.measure(test.pass_rule.count_measure)


@pytest.mark.parametrize(
    ("code", "side", "values", "passed", "pct", "reason_codes"),
    [
        pytest.param("fadir", "left", {"finding": "negative"}, True, None, [], id="fadir-negative"),
        pytest.param(
            "fadir",
            "right",
            {"finding": "positive", "pain": 6},
            False,
            None,
            [codes.POSITIVE_FINDING],
            id="fadir-positive",
        ),
        pytest.param(
            "trendelenburg",
            "left",
            {"finding": "positive"},
            False,
            None,
            [codes.POSITIVE_FINDING],
            id="trendelenburg-positive",
        ),
        pytest.param("single_leg_squat", "left", {"reps": 10, "pain": 2}, True, None, [], id="squat-10-at-2"),
        pytest.param(
            "single_leg_squat",
            "left",
            {"reps": 10, "pain": 3},
            False,
            None,
            [codes.PAIN_TOO_HIGH],
            id="squat-pain-3",
        ),
        pytest.param(
            "single_leg_squat",
            "right",
            {"reps": 8, "pain": 4},
            False,
            None,
            [codes.PAIN_TOO_HIGH, codes.TOO_FEW],
            id="squat-both-reasons",
        ),
        pytest.param("hop_on_spot", "left", {"hops": 15, "pain": 0}, True, None, [], id="hop-15"),
        pytest.param(
            "jog_on_spot",
            "none",
            {"seconds": 45, "pain": 1},
            False,
            None,
            [codes.TOO_FEW],
            id="jog-45s-too-short",
        ),
        pytest.param(
            "single_leg_stance_30s", "right", {"seconds": 30, "pain": 1}, True, None, [], id="stance-30s"
        ),
        pytest.param(
            "adductor_squeeze",
            "none",
            {"pressure_mmhg": 210, "pain": 1},
            True,
            None,
            [],
            id="squeeze-with-pain",
        ),
        pytest.param(
            "adductor_squeeze",
            "none",
            {"pressure_mmhg": 210},
            None,
            None,
            [codes.NO_PASS_MARK],
            id="squeeze-pressure-only",
        ),
        pytest.param(
            "hhd_hip_abduction",
            "left",
            {"left": 180, "right": 200, "unit": "N"},
            True,
            90.0,
            [],
            id="strength-90-percent",
        ),
        pytest.param(
            "hhd_hip_abduction",
            "left",
            {"left": 170, "right": 200, "unit": "N"},
            False,
            85.0,
            [codes.SYMMETRY_BELOW],
            id="strength-85-percent",
        ),
        pytest.param(
            "hhd_hip_adduction",
            "right",
            {"left": 20, "right": 25, "unit": "kg"},
            True,
            125.0,
            [],
            id="affected-side-stronger",
        ),
        pytest.param(
            "hhd_hip_adduction",
            "none",
            {"left": 25, "right": 20, "unit": "kg"},
            False,
            80.0,
            [codes.SYMMETRY_BELOW],
            id="no-side-weaker-over-stronger",
        ),
        pytest.param(
            "hhd_hip_adduction",
            "left",
            {"left": 25, "unit": "kg"},
            None,
            None,
            [codes.NEEDS_BOTH_SIDES],
            id="one-side-only",
        ),
        pytest.param(
            "hip_rom",
            "left",
            {"flexion": 110, "internal_rotation": 20},
            None,
            None,
            [codes.NO_PASS_MARK],
            id="rom-no-pass-mark",
        ),
        pytest.param(
            "side_bridge_hold", "left", {"seconds": 62}, None, None, [codes.NO_PASS_MARK], id="side-bridge"
        ),
    ],
)
def test_evaluate(code, side, values, passed, pct, reason_codes):
    result = catalog.evaluate(code, side, values)
    assert result.passed is passed
    assert result.symmetry_pct == pct
    assert [r.code for r in result.reasons] == reason_codes


@pytest.mark.parametrize(
    ("code", "side", "values", "error"),
    [
        pytest.param("nope", "left", {}, codes.UNKNOWN_TEST, id="unknown-test"),
        pytest.param("fadir", "none", {"finding": "negative"}, codes.BAD_SIDE, id="sided-test-without-side"),
        pytest.param(
            "jog_on_spot", "left", {"seconds": 60, "pain": 0}, codes.BAD_SIDE, id="sideless-test-with-side"
        ),
        pytest.param("fadir", "left", {"finding": "maybe"}, codes.BAD_CHOICE, id="bad-finding"),
        pytest.param("fadir", "left", {"pain": 3}, codes.NOTHING_RECORDED, id="finding-missing"),
        pytest.param("single_leg_squat", "left", {"reps": 10}, codes.NOTHING_RECORDED, id="pain-missing"),
        pytest.param("single_leg_squat", "left", {"reps": 10, "pain": 11}, codes.OUT_OF_RANGE, id="pain-11"),
        pytest.param(
            "single_leg_squat", "left", {"reps": -1, "pain": 0}, codes.OUT_OF_RANGE, id="negative-reps"
        ),
        pytest.param(
            "single_leg_squat", "left", {"reps": 2.5, "pain": 0}, codes.NOT_WHOLE_NUMBER, id="half-rep"
        ),
        pytest.param("single_leg_squat", "left", {"reps": "10", "pain": 0}, codes.NOT_A_NUMBER, id="string"),
        pytest.param("single_leg_squat", "left", {"sets": 3, "pain": 0}, codes.UNKNOWN_MEASURE, id="unknown"),
        pytest.param("hip_rom", "left", {"flexion": 200}, codes.OUT_OF_RANGE, id="rom-200-degrees"),
        pytest.param("hip_rom", "left", {}, codes.NOTHING_RECORDED, id="rom-nothing"),
        pytest.param("hhd_hip_abduction", "left", {"left": 20, "right": 20}, codes.BAD_UNIT, id="no-unit"),
        pytest.param(
            "hhd_hip_abduction",
            "left",
            {"left": 200, "right": 20, "unit": "kg"},
            codes.OUT_OF_RANGE,
            id="200-kg",
        ),
        pytest.param("fadir", "left", ["negative"], codes.NOT_A_MAPPING, id="not-a-mapping"),
    ],
)
def test_bad_results_are_refused(code, side, values, error):
    with pytest.raises(OutcomeError) as caught:
        catalog.evaluate(code, side, values)
    assert caught.value.code == error
    assert str(caught.value)


INTERNAL = re.compile(r"DOMAIN|§|\bseeds?\b|issue #\d|\bTODO\b|FIXME", re.IGNORECASE)


def test_shipped_texts_hold_no_internal_notes():
    texts = [t for test in catalog.TESTS for t in (test.name, test.how_to, test.source)]
    for instrument in instruments.all_instruments():
        texts += [instrument.name, instrument.instructions, instrument.missing_rule, instrument.source]
        texts += [instrument.change.basis, instrument.licence_terms] + [
            item.text for item in instrument.items
        ]
    assert [t for t in texts if INTERNAL.search(t)] == []
