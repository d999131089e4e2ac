"""Objective tests clinicians record at a visit (DOMAIN.md section 9), and what a recorded result means.

No Django imports. Each test says its measures (unit, valid range), which sides it is done on and what "pass"
means; `evaluate(test, side, values)` checks a recorded result and returns whether it passed and, for strength
measured on both sides, the side-to-side percentage.

Sides: "each" — one result per side (side "left" or "right"); "none" — one result (side "none"); "paired" — one
result holding both sides, whose side names the affected leg ("left" / "right", or "none" when neither is), so
the percentage is affected ÷ other × 100 (weaker ÷ stronger when no side is named).

Pass rules, checked in this order: "negative" — the provocation test did not reproduce the familiar pain (a test
without a pain measure, Trendelenburg: the pelvis stayed level; `ObjectiveTest.provokes_pain`);
"pain" — pain at most `max_pain`/10 with at least `min_count` of `count_measure` (reps, hops, seconds);
"symmetry" — side-to-side at least `min_pct` %; no rule — recorded for trends, no pass mark.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from outcomes import codes
from outcomes.codes import OutcomeError, Reason, reason

EACH, NONE, PAIRED = "each", "none", "paired"
LEFT, RIGHT = "left", "right"
POSITIVE, NEGATIVE = "positive", "negative"
STRENGTH_UNITS = {"N": 1500, "kg": 150}
ROUND = 1


def gettext_noop(message: str) -> str:
    """Marks the catalog's words for the translation catalog (xgettext reads these calls); pages translate them
    when they show them (outcomes.wording)."""
    return message


CHOICE_LABELS = {POSITIVE: gettext_noop("positive"), NEGATIVE: gettext_noop("negative")}


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str = ""
    min: float = 0
    max: float = 10
    integer: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class PassRule:
    kind: str  # negative | pain | symmetry
    max_pain: int | None = None
    count_measure: str | None = None
    min_count: float | None = None
    min_pct: float | None = None


@dataclass(frozen=True)
class ObjectiveTest:
    code: str
    name: str
    sides: str
    measures: tuple[Measure, ...]
    required: tuple[str, ...]
    how_to: str
    source: str
    pass_rule: PassRule | None = None
    any_of: bool = False  # at least one measure, rather than every required one

    @property
    def provokes_pain(self) -> bool:
        """A pain-provocation test (FADIR, FABER, …): positive when it brings on the familiar pain. A finding
        without pain (Trendelenburg: the pelvis drops) is positive for what its instructions say."""
        return any(measure.code == "pain" for measure in self.measures)

    def measure(self, code: str) -> Measure:
        for measure in self.measures:
            if measure.code == code:
                return measure
        raise KeyError(code)


@dataclass(frozen=True)
class Evaluation:
    passed: bool | None
    symmetry_pct: float | None = None
    reasons: tuple[Reason, ...] = ()


PAIN = Measure("pain", gettext_noop("Pain"), "/10", 0, 10)
FINDING = Measure("finding", gettext_noop("Finding"), "", choices=(POSITIVE, NEGATIVE))
FORCE_LEFT = Measure(
    "left", gettext_noop("Left"), gettext_noop("N or kg"), 0, STRENGTH_UNITS["N"], integer=False
)
FORCE_RIGHT = Measure(
    "right", gettext_noop("Right"), gettext_noop("N or kg"), 0, STRENGTH_UNITS["N"], integer=False
)
NEGATIVE_RULE = PassRule("negative")


def _provocation(code, name, how_to, source) -> ObjectiveTest:
    return ObjectiveTest(code, name, EACH, (FINDING, PAIN), ("finding",), how_to, source, NEGATIVE_RULE)


def _strength(code, name, how_to) -> ObjectiveTest:
    return ObjectiveTest(
        code,
        name,
        PAIRED,
        (FORCE_LEFT, FORCE_RIGHT),
        ("left", "right"),
        how_to,
        "Thorborg K et al. Clinical assessment of hip strength using a hand-held dynamometer is reliable. "
        "Scand J Med Sci Sports 2010.",
        PassRule("symmetry", min_pct=90),
    )


TESTS: tuple[ObjectiveTest, ...] = (
    _provocation(
        "fadir",
        gettext_noop("FADIR (flexion, adduction, internal rotation)"),
        gettext_noop(
            "Lying on the back: bend the hip to 90°, bring the knee across the body and turn the leg inwards. "
            "Positive when it brings on the patient's familiar groin pain."
        ),
        "Griffin DR et al. The Warwick Agreement on femoroacetabular impingement syndrome. Br J Sports Med "
        "2016;50:1169-1176.",
    ),
    _provocation(
        "faber",
        gettext_noop("FABER (flexion, abduction, external rotation)"),
        gettext_noop(
            "Lying on the back: ankle resting on the other knee, let the bent knee fall out and press gently. "
            "Positive when it brings on the familiar groin, hip or buttock pain."
        ),
        "Griffin DR et al. Br J Sports Med 2016;50:1169-1176.",
    ),
    _provocation(
        "trochanter_palpation",
        gettext_noop("Greater trochanter palpation"),
        gettext_noop(
            "Lying on the other side: press firmly over the bony point on the outside of the hip. Positive when "
            "it reproduces the outer-hip pain the patient knows."
        ),
        "Fearon AM et al. Greater trochanteric pain syndrome: defining the clinical syndrome. Br J Sports Med "
        "2013;47:649-653.",
    ),
    ObjectiveTest(
        "single_leg_stance_30s",
        gettext_noop("Single-leg stance, 30 s"),
        EACH,
        (Measure("seconds", gettext_noop("Held for"), "s", 0, 30), PAIN),
        ("seconds", "pain"),
        gettext_noop(
            "Stand on the tested leg, other foot off the floor, lightly touching a wall for balance, for up to "
            "30 s. Record how long it was held and the outer-hip pain it brought on."
        ),
        "Lequesne M et al. Arthritis Rheum 2008;59:241-246. Fearon AM et al. Br J Sports Med 2013;47:649-653.",
        PassRule("pain", max_pain=2, count_measure="seconds", min_count=30),
    ),
    ObjectiveTest(
        "adductor_squeeze",
        gettext_noop("Adductor squeeze"),
        NONE,
        (Measure("pressure_mmhg", gettext_noop("Squeeze pressure"), "mmHg", 0, 400), PAIN),
        ("pressure_mmhg", "pain"),
        gettext_noop(
            "Lying on the back, knees bent, a pressure cuff (or the examiner's fist) between the knees: squeeze "
            "as hard as possible. Record the pressure, the groin pain, or both."
        ),
        "Weir A et al. Doha agreement meeting on terminology and definitions in groin pain in athletes. "
        "Br J Sports Med 2015;49:768-774.",
        PassRule("pain", max_pain=2),
        any_of=True,
    ),
    ObjectiveTest(
        "single_leg_squat",
        gettext_noop("Single-leg squat"),
        EACH,
        (Measure("reps", gettext_noop("Repetitions"), gettext_noop("reps"), 0, 100), PAIN),
        ("reps", "pain"),
        gettext_noop(
            "Standing on the tested leg, squat to about 60° of knee bend and back up, at a steady pace, as many "
            "times as possible up to the target. Record the count and the worst pain."
        ),
        "A common ready-to-run check: 10 single-leg squats, each at most 2/10.",
        PassRule("pain", max_pain=2, count_measure="reps", min_count=10),
    ),
    ObjectiveTest(
        "hop_on_spot",
        gettext_noop("Hopping on the spot"),
        EACH,
        (Measure("hops", gettext_noop("Hops"), gettext_noop("hops"), 0, 200), PAIN),
        ("hops", "pain"),
        gettext_noop(
            "Only when walking is pain-free. Hop on the tested leg on the spot, a steady rhythm. Record the hops "
            "and the worst pain; stop at once for sharp or bony pain."
        ),
        "A common ready-to-run check: 10-15 hops in place, at most 2/10 (Warden SJ et al. 2021, return to "
        "running after bone stress injury).",
        PassRule("pain", max_pain=2, count_measure="hops", min_count=10),
    ),
    ObjectiveTest(
        "jog_on_spot",
        gettext_noop("Jogging on the spot"),
        NONE,
        (Measure("seconds", gettext_noop("Duration"), "s", 0, 600), PAIN),
        ("seconds", "pain"),
        gettext_noop("Jog on the spot at an easy pace. Record how long and the worst pain."),
        "A common ready-to-run check: 1 min of jogging on the spot, at most 2/10.",
        PassRule("pain", max_pain=2, count_measure="seconds", min_count=60),
    ),
    ObjectiveTest(
        "side_bridge_hold",
        gettext_noop("Side-bridge hold"),
        EACH,
        (Measure("seconds", gettext_noop("Held for"), "s", 0, 600), PAIN),
        ("seconds",),
        gettext_noop(
            "Side-lying on the forearm, lift the hips so the body is in a straight line and hold until the line "
            "is lost. The side recorded is the one underneath."
        ),
        "McGill SM et al. Arch Phys Med Rehabil 1999;80:941-944 (side-bridge endurance).",
    ),
    ObjectiveTest(
        "hip_rom",
        gettext_noop("Hip range of motion"),
        EACH,
        (
            Measure("flexion", gettext_noop("Flexion"), "°", 0, 160),
            Measure("extension", gettext_noop("Extension"), "°", 0, 60),
            Measure("abduction", gettext_noop("Abduction"), "°", 0, 90),
            Measure("adduction", gettext_noop("Adduction"), "°", 0, 60),
            Measure("internal_rotation", gettext_noop("Internal rotation"), "°", 0, 90),
            Measure("external_rotation", gettext_noop("External rotation"), "°", 0, 90),
        ),
        ("flexion", "extension", "abduction", "adduction", "internal_rotation", "external_rotation"),
        gettext_noop("Measure each movement with a goniometer or inclinometer; record the ones measured."),
        "Griffin DR et al. Br J Sports Med 2016;50:1169-1176 (range of motion in hip-related pain).",
        any_of=True,
    ),
    _strength(
        "hhd_hip_abduction",
        gettext_noop("Hip abduction strength (hand-held dynamometer)"),
        gettext_noop(
            "Lying on the back, legs straight: push the leg out sideways against the dynamometer held just above "
            "the ankle; best of three on each side, same unit for both."
        ),
    ),
    _strength(
        "hhd_hip_adduction",
        gettext_noop("Hip adduction strength (hand-held dynamometer)"),
        gettext_noop(
            "Lying on the back, legs straight: push the leg inwards against the dynamometer held just above the "
            "ankle; best of three on each side, same unit for both."
        ),
    ),
    ObjectiveTest(
        "trendelenburg",
        gettext_noop("Trendelenburg"),
        EACH,
        (FINDING,),
        ("finding",),
        gettext_noop(
            "Stand on the tested leg for 30 s. Positive when the pelvis drops on the other side or the trunk leans "
            "over the standing leg to stay level."
        ),
        "Fearon AM et al. Br J Sports Med 2013;47:649-653.",
        NEGATIVE_RULE,
    ),
    _provocation(
        "bent_knee_stretch",
        gettext_noop("Bent-knee stretch"),
        gettext_noop(
            "Lying on the back: bend hip and knee fully, then slowly straighten the knee. Positive when it brings "
            "on the familiar pain under the buttock."
        ),
        "Cacchio A et al. Reliability and validity of three pain provocation tests used for the diagnosis of "
        "chronic proximal hamstring tendinopathy. Br J Sports Med 2012;46:883-887.",
    ),
    _provocation(
        "puranen_orava",
        gettext_noop("Puranen-Orava"),
        gettext_noop(
            "Standing, heel of the straight leg on a raised support: lean forward from the hips keeping the back "
            "straight. Positive when it brings on the familiar pain under the buttock."
        ),
        "Cacchio A et al. Br J Sports Med 2012;46:883-887.",
    ),
)
BY_CODE = {test.code: test for test in TESTS}


def get(code: str) -> ObjectiveTest:
    try:
        return BY_CODE[code]
    except KeyError:
        raise OutcomeError(codes.UNKNOWN_TEST, f"There is no test {code!r}.", test=str(code)) from None


def sides_for(test: ObjectiveTest) -> tuple[str, ...]:
    """The side values a result of this test may carry."""
    if test.sides == EACH:
        return (LEFT, RIGHT)
    if test.sides == PAIRED:
        return (LEFT, RIGHT, NONE)
    return (NONE,)


def clean_values(test: ObjectiveTest, side: str, values) -> dict:
    """The recorded values checked against the test; raises OutcomeError on the first problem."""
    if side not in sides_for(test):
        raise OutcomeError(
            codes.BAD_SIDE, f"{test.name} is not recorded with side {side!r}.", test=test.code, side=str(side)
        )
    if not isinstance(values, Mapping):
        raise OutcomeError(codes.NOT_A_MAPPING, "Values must map measures to numbers.")
    values = dict(values)
    unit = values.pop("unit", None) if test.sides == PAIRED else None
    if test.sides == PAIRED and unit not in STRENGTH_UNITS:
        raise OutcomeError(codes.BAD_UNIT, "Strength is recorded in N or kg.", test=test.code, unit=str(unit))
    cleaned: dict = {}
    for key, value in values.items():
        try:
            measure = test.measure(key)
        except KeyError:
            raise OutcomeError(
                codes.UNKNOWN_MEASURE,
                f"{test.name} has no measure {key!r}.",
                test=test.code,
                measure=str(key),
            ) from None
        if value is None or value == "":
            continue
        if measure.choices:
            if value not in measure.choices:
                raise OutcomeError(
                    codes.BAD_CHOICE,
                    f"{measure.label}: choose {' or '.join(measure.choices)}.",
                    measure=key,
                    value=str(value),
                )
            cleaned[key] = value
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise OutcomeError(
                codes.NOT_A_NUMBER,
                f"{measure.label}: {value!r} is not a number.",
                item=key,
                value=repr(value),
            )
        high = STRENGTH_UNITS[unit] if unit else measure.max
        if measure.integer and value != int(value):
            raise OutcomeError(
                codes.NOT_WHOLE_NUMBER, f"{measure.label} takes whole numbers.", item=key, value=value
            )
        if not measure.min <= value <= high:
            raise OutcomeError(
                codes.OUT_OF_RANGE,
                f"{measure.label}: {value:g} is outside {measure.min:g}–{high:g}.",
                item=key,
                value=value,
                min=measure.min,
                max=high,
            )
        cleaned[key] = int(value) if measure.integer else float(value)
    recorded = [key for key in test.required if key in cleaned]
    if not recorded or (not test.any_of and len(recorded) < len(test.required) and test.sides != PAIRED):
        raise OutcomeError(
            codes.NOTHING_RECORDED,
            f"{test.name}: record {', '.join(m for m in test.required if m not in cleaned)}.",
            test=test.code,
            needed=[m for m in test.required if m not in cleaned],
        )
    if unit:
        cleaned["unit"] = unit
    return cleaned


def symmetry(side: str, left: float | None, right: float | None) -> float | None:
    """Side-to-side %: affected ÷ other × 100, or weaker ÷ stronger when no side is named."""
    if left is None or right is None:
        return None
    if side == LEFT:
        affected, other = left, right
    elif side == RIGHT:
        affected, other = right, left
    else:
        affected, other = min(left, right), max(left, right)
    if not other:
        return None
    return round(affected * 100 / other, ROUND)


def evaluate(test: ObjectiveTest | str, side: str, values) -> Evaluation:
    """Whether a recorded result passes its test's rule (see the module docstring), with reasons as codes."""
    test = get(test) if isinstance(test, str) else test
    cleaned = clean_values(test, side, values)
    rule = test.pass_rule
    pct = symmetry(side, cleaned.get("left"), cleaned.get("right")) if test.sides == PAIRED else None
    if rule is None:
        return Evaluation(None, pct, (reason(codes.NO_PASS_MARK, test=test.code),))
    if rule.kind == "negative":
        if cleaned["finding"] == POSITIVE:
            return Evaluation(False, pct, (reason(codes.POSITIVE_FINDING, test=test.code, side=side),))
        return Evaluation(True, pct)
    if rule.kind == "symmetry":
        if pct is None:
            return Evaluation(None, None, (reason(codes.NEEDS_BOTH_SIDES, test=test.code),))
        if pct < rule.min_pct:
            why = reason(codes.SYMMETRY_BELOW, test=test.code, pct=pct, min_pct=rule.min_pct)
            return Evaluation(False, pct, (why,))
        return Evaluation(True, pct)
    # pain (and count)
    if "pain" not in cleaned:
        return Evaluation(None, pct, (reason(codes.NO_PASS_MARK, test=test.code),))
    reasons = []
    if cleaned["pain"] > rule.max_pain:
        reasons.append(
            reason(
                codes.PAIN_TOO_HIGH, test=test.code, side=side, pain=cleaned["pain"], max_pain=rule.max_pain
            )
        )
    if rule.count_measure and cleaned.get(rule.count_measure, 0) < rule.min_count:
        reasons.append(
            reason(
                codes.TOO_FEW,
                test=test.code,
                side=side,
                measure=rule.count_measure,
                count=cleaned.get(rule.count_measure, 0),
                min_count=rule.min_count,
            )
        )
    return Evaluation(not reasons, pct, tuple(reasons))
