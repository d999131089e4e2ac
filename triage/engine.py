"""Hip-pain triage rules for runners: answers in, an ``Assessment`` out.

Pure Python (standard library only) so the same rules serve the intake form, the API, the management command
and the tests. The clinical content follows DOMAIN.md sections 1-3.

How a result is built:

1. ``validate`` checks the answers strictly and returns a cleaned copy (``None`` means "not answered").
2. Every red-flag rule in ``RED_FLAG_RULES`` is evaluated; each one that fires sets an urgency floor.
3. Every condition rule in ``RULES`` is evaluated. A rule that fires adds its ``weight`` (points, negative for
   evidence against) to its condition. A condition is listed only when its points reach ``MIN_POINTS`` and at
   least one fired rule is a ``"sign"`` (where or how it hurts, a self-test) rather than a ``"risk"`` factor
   (age, training, shoes): risk factors alone never suggest a condition. A pain-free single-leg hop counts as
   evidence only when none of ``HOP_BLOCKERS`` is ticked (the form hides the test then); a painful hop always
   counts, and always raises its red flag. Overload (``NO_RED_FLAG_CONDITIONS``) is a diagnosis of exclusion:
   it is not listed when any red flag fires.
4. Score = ``1 - exp(-points / SCORE_SCALE)``: deterministic, monotonic in the evidence, in [0, 1), and not
   biased towards conditions that happen to have few rules. Conditions are ranked by points (highest first),
   then by code.
5. When a red flag that is not a running injury fires (a rule with ``refer`` text: infection, a slipped
   growth plate, cancer, cauda equina), a ``REFER_MEDICAL`` entry ("needs a doctor") leads the list with
   score 1.0 and one reason per such flag; the musculoskeletal ranking follows it. ``MAX_CONDITIONS`` entries
   are kept in all.
6. Urgency = the highest of every red flag's urgency and the default urgency of the top musculoskeletal
   condition (``self_care`` when there is neither). The ``REFER_MEDICAL`` entry's urgency is the highest of
   its flags, so it is already counted, and it never hides the musculoskeletal condition after it.
   ``stop_running`` is true for ``urgent`` and ``emergency``.
7. Advice = what to do at this urgency, then the leading entry's advice when it cannot contradict the
   urgency (``REFER_MEDICAL``'s always; never a running-injury tip after it), then the red-flag messages.

This is decision support, never a diagnosis; every result carries ``DISCLAIMER``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from triage.text import N_

ENGINE_VERSION = "2026.12.2"


class Urgency(StrEnum):
    """How soon to act on a result, least urgent first: the order is the scale (URGENCY_RANK)."""

    SELF_CARE = "self_care"
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


URGENCY_ORDER = tuple(Urgency)
URGENCY_RANK = {name: rank for rank, name in enumerate(URGENCY_ORDER)}
# Urgent and above: stop running, and the clinic is alerted and reviews the intake.
URGENT_OR_WORSE = tuple(u for u in URGENCY_ORDER if URGENCY_RANK[u] >= URGENCY_RANK[Urgency.URGENT])
MIN_POINTS = 2.0
SCORE_SCALE = 5.0
MAX_CONDITIONS = 5
DISCLAIMER = N_(
    "This is decision support to help you and your clinician, not a diagnosis. If you are worried, or your "
    "symptoms change, contact a health professional. In an emergency call your local emergency number."
)

Answers = Mapping[str, object]
Predicate = Callable[[Answers], bool]


# --------------------------------------------------------------------------- input schema


@dataclass(frozen=True)
class Field:
    """One intake question. ``kind`` is int | number | bool | choice | multichoice | tests.

    A ``retired`` question is no longer asked on the form but is still accepted and scored, so older answers
    (stored intakes, API clients, files for ``triage_assess``) keep working.
    """

    name: str
    kind: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    subfields: tuple[Field, ...] = ()
    retired: bool = False


LOCATION_CHOICES = (
    ("front", N_("Front of the hip")),
    ("groin_deep", N_("Deep in the groin")),
    ("inner", N_("Inner thigh / inner hip")),
    ("side", N_("Side of the hip")),
    ("outer_thigh", N_("Outside of the thigh")),
    ("buttock", N_("Buttock")),
    ("sit_bone", N_("Sit bone, just below the buttock")),
)
ONSET_CHOICES = (("sudden", N_("Suddenly")), ("gradual", N_("Gradually")))
FOCUS_CHOICES = (
    ("sprint", N_("Sprinting")),
    ("middle_distance", N_("Middle distance")),
    ("long_distance", N_("Long distance")),
    ("road", N_("Road running")),
    ("trail", N_("Trail running")),
)
TEST_RESULT_CHOICES = (("pain", N_("It hurt")), ("no_pain", N_("No pain")), ("not_done", N_("Not done")))
_TESTS = (
    ("leg_swing", N_("Standing leg swing")),
    ("resisted_clamshell", N_("Resisted clamshell")),
    ("seated_rotation", N_("Seated rotation (ankle on the opposite knee)")),
    ("single_leg_hop", N_("Single-leg hop (only if walking does not hurt)")),
)
_BOOLEANS = (
    ("night_pain", N_("Does the pain wake you at night?")),
    ("pain_at_rest", N_("Does it hurt when you are resting?")),
    ("cannot_bear_weight", N_("Is it too painful to put weight on the leg?")),
    ("limping", N_("Are you limping, or unable to walk or run with your usual posture?")),
    ("instability", N_("Does the hip feel unstable or give way?")),
    ("swelling_bruising", N_("Can you see swelling or bruising?")),
    ("hot_red_joint", N_("Is the hip hot, red or swollen?")),
    ("fever_unwell", N_("Do you have a fever or feel generally unwell?")),
    ("locking_daily", N_("Does the hip click, catch or lock in daily life?")),
    ("clicking_running", N_("Does it click or snap only while running?")),
    ("radiating", N_("Does the pain spread to your back, thigh or knee?")),
    ("numbness_tingling", N_("Any numbness or tingling in the leg?")),
    ("back_pain", N_("Do you also have low back pain?")),
    ("knee_pain", N_("Does your knee hurt?")),
    (
        "saddle_numbness",
        N_("Any numbness around the groin, bottom or inner thighs (where you sit on a saddle)?"),
    ),
    (
        "bladder_bowel_change",
        N_("Any new change in your bladder or bowels (trouble peeing, leaking, less control)?"),
    ),
    ("both_legs", N_("Pain spreading down both legs, or numbness, tingling or weakness in both?")),
    ("leg_weakness", N_("Is one leg, or are both, getting weaker?")),
    ("worse_lying_on_side", N_("Is it worse lying on the painful side?")),
    ("worse_sitting", N_("Is it worse when sitting for a while?")),
    ("stiff_after_rest", N_("Is the hip stiff in the morning or after sitting?")),
    ("pain_lifting_knee", N_("Does lifting the knee hurt (stairs, knee drive)?")),
    ("pain_uphill_speed", N_("Does it hurt more uphill or during speed work?")),
    ("persists_despite_rest", N_("Has the pain lasted more than two weeks despite rest?")),
    ("previous_hip_injury", N_("Have you injured this hip before?")),
    ("hard_surfaces", N_("Do you mostly run on hard surfaces?")),
    (
        "missed_periods",
        N_("Have your periods stopped for 3 months or more (not from pregnancy or contraception)?"),
    ),
    ("restricted_eating", N_("Might you be eating less than your training needs, or often low on energy?")),
    ("previous_bone_stress", N_("Have you had a stress fracture or bone stress injury before?")),
    ("weight_loss_or_cancer", N_("Unexplained weight loss, or a history of cancer?")),
)
# Asked until 2026.11; the three RED-S questions above replace it on the form.
_RETIRED_BOOLEANS = (
    ("low_energy_risk", N_("Missed periods, restrictive eating or low energy availability?")),
)

FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("age", "int", N_("Age"), min_value=5, max_value=100),
        Field(
            "sex",
            "choice",
            N_("Sex"),
            choices=(("female", N_("Female")), ("male", N_("Male")), ("other", N_("Other"))),
        ),
        Field("locations", "multichoice", N_("Where does it hurt?"), choices=LOCATION_CHOICES),
        Field("onset", "choice", N_("How did it start?"), choices=ONSET_CHOICES),
        Field("duration_days", "int", N_("How many days has it hurt?"), min_value=0, max_value=36500),
        Field("pain_running", "int", N_("Pain while running (0-10)"), min_value=0, max_value=10),
        Field("pain_after", "int", N_("Pain after running (0-10)"), min_value=0, max_value=10),
        *(Field(name, "bool", label) for name, label in _BOOLEANS),
        *(Field(name, "bool", label, retired=True) for name, label in _RETIRED_BOOLEANS),
        Field(
            "mileage_change_pct", "number", N_("Weekly distance change (%)"), min_value=-100, max_value=1000
        ),
        Field("weekly_km", "number", N_("Weekly distance (km)"), min_value=0, max_value=1000),
        Field("shoe_km", "int", N_("Distance on your current shoes (km)"), min_value=0, max_value=10000),
        Field("running_focus", "multichoice", N_("What kind of running do you do?"), choices=FOCUS_CHOICES),
        Field(
            "tests",
            "tests",
            N_("Self-tests"),
            subfields=tuple(Field(n, "choice", lbl, choices=TEST_RESULT_CHOICES) for n, lbl in _TESTS),
        ),
    )
}


_TEST_FIELDS = {f.name: f for f in FIELDS["tests"].subfields}
# Ticking any of these means the single-leg hop is not safe to try, so the form hides it (DOMAIN §2, §3).
HOP_BLOCKERS = ("cannot_bear_weight", "limping", "night_pain", "pain_at_rest")


class Problem(str):
    """A validation message in English that keeps its template and parameters, so that triage/wording.py can
    say it in the reader's language."""

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        message = super().__new__(cls, template % params if params else template)
        message.template, message.params = template, params
        return message


class InvalidAnswers(Exception):
    """The answers failed validation; ``errors`` maps a field name to its messages (``Problem``s)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(f"Invalid answers: {', '.join(sorted(errors))}")
        self.errors = errors


@functools.cache
def _allowed(spec: Field) -> frozenset[str]:
    return frozenset(value for value, _ in spec.choices)


def _choice_text(spec: Field) -> str:
    return ", ".join(value for value, _ in spec.choices)


def _shown(item: object) -> str:
    text = str(item)
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def _clean_value(spec: Field, value: object) -> tuple[object, list[str]]:
    kind = spec.kind
    if kind == "bool":
        return value, ([] if value is True or value is False else [Problem(N_("Must be true or false."))])
    if kind in ("int", "number"):
        allowed_types = (int, float) if kind == "number" else int
        if isinstance(value, bool) or not isinstance(value, allowed_types):
            return value, [
                Problem(N_("Must be a whole number.")) if kind == "int" else Problem(N_("Must be a number."))
            ]
        if not math.isfinite(value) or not spec.min_value <= value <= spec.max_value:
            low, high = f"{spec.min_value:g}", f"{spec.max_value:g}"
            return value, [Problem(N_("Must be between %(low)s and %(high)s."), low=low, high=high)]
        return value, []
    if kind == "choice":
        if isinstance(value, str) and value in _allowed(spec):
            return value, []
        return value, [Problem(N_("Must be one of: %(choices)s."), choices=_choice_text(spec))]
    if kind == "multichoice":
        if not isinstance(value, list | tuple):
            return value, [Problem(N_("Must be a list."))]
        errors, seen = [], set()
        for item in value:
            if not isinstance(item, str) or item not in _allowed(spec):
                errors.append(
                    Problem(
                        N_("%(item)s is not one of: %(choices)s."),
                        item=_shown(item),
                        choices=_choice_text(spec),
                    )
                )
            elif item in seen:
                errors.append(Problem(N_("%(item)s is listed more than once."), item=_shown(item)))
            else:
                seen.add(item)
        return list(value), errors
    raise AssertionError(f"unknown field kind {kind!r}")


def validate(answers: object) -> dict:
    """Return a cleaned copy of ``answers`` or raise ``InvalidAnswers``.

    Every key is optional and ``None`` counts as not answered (it is dropped). Unknown keys, wrong types
    (``True`` is not 1, 1 is not ``True``) and out-of-range values are errors.
    """
    if not isinstance(answers, Mapping):
        raise InvalidAnswers({"__all__": [Problem(N_("Answers must be a JSON object."))]})
    cleaned: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for key, value in answers.items():
        spec = FIELDS.get(key) if isinstance(key, str) else None
        if spec is None:
            errors[str(key)] = [Problem(N_("Unknown question."))]
        elif value is None:
            continue
        elif spec.kind == "tests":
            if not isinstance(value, Mapping):
                errors[key] = [Problem(N_("Must be an object of self-test results."))]
                continue
            tests = {}
            for test, result in value.items():
                sub = _TEST_FIELDS.get(test) if isinstance(test, str) else None
                if sub is None:
                    errors[f"tests.{test}"] = [Problem(N_("Unknown self-test."))]
                elif result is not None:
                    tests[test], problems = _clean_value(sub, result)
                    if problems:
                        errors[f"tests.{test}"] = problems
            cleaned[key] = tests
        else:
            cleaned[key], problems = _clean_value(spec, value)
            if problems:
                errors[key] = problems
    if errors:
        raise InvalidAnswers(errors)
    return cleaned


# --------------------------------------------------------------------------- condition catalogue


@dataclass(frozen=True)
class ConditionDef:
    code: str
    name: str
    region: str
    presentation: str
    default_urgency: str
    advice: str
    source: str


CONDITIONS: dict[str, ConditionDef] = {
    c.code: c
    for c in (
        ConditionDef(
            "greater_trochanteric_pain",
            N_("Greater trochanteric pain (gluteal tendinopathy / trochanteric bursitis)"),
            N_("side of the hip"),
            N_(
                "Aching or burning over the outer hip, worse lying on that side, sometimes with popping; pain on "
                "a resisted clamshell. Often follows a jump in mileage; more common in women over 40."
            ),
            "routine",
            N_(
                "Ease back your weekly distance and skip hills for now. Avoid lying on the sore side and sitting "
                "with crossed legs. Gentle strength work for the side of the hip (bridges, clamshells) usually "
                "helps; foam-roll the muscles around it, never the bony point itself."
            ),
            "Fearon AM et al. Greater trochanteric pain syndrome: defining the clinical syndrome. Br J Sports Med 2013; runners’ guides to hip pain",
        ),
        ConditionDef(
            "hip_flexor_strain",
            N_("Hip flexor strain (iliopsoas)"),
            N_("front of the hip / groin"),
            N_(
                "Front-of-hip pain when lifting the knee (knee drive, stairs, uphill) and on the standing leg "
                "swing. Common in sprinters and trail runners."
            ),
            "self_care",
            N_(
                "Give the front of the hip a few easy days: short walks are fine; hard knee drive, hills and "
                "sprints are not. Start gentle hip-flexor stretches once the sharp pain has settled (usually "
                "after 3-5 days), then add strength work and a phased return to running."
            ),
            "Runners’ guides to hip pain",
        ),
        ConditionDef(
            "labral_tear",
            N_("Hip labral tear"),
            N_("deep groin"),
            N_(
                "Deep groin pain with clicking, catching or locking, pain on the seated rotation test and when "
                "sitting for long. Seen in long-distance runners and people with hip impingement."
            ),
            "routine",
            N_(
                "Avoid deep bending, twisting on the hip and long spells of sitting. A physio can confirm the "
                "picture and guide strength and movement work; some people need imaging."
            ),
            "Griffin DR et al. The Warwick Agreement on femoroacetabular impingement syndrome. Br J Sports Med 2016; runners’ guides to hip pain",
        ),
        ConditionDef(
            "hip_impingement",
            N_("Hip impingement (FAI)"),
            N_("front of the hip / deep groin"),
            N_(
                "Stiffness and pain when the hip is bent deeply and turned; may come with labral signs. Young "
                "active adults."
            ),
            "routine",
            N_(
                "Avoid deep squats and positions that pinch the front of the hip. Strength and movement work "
                "guided by a physio usually helps; an assessment will check the hip's range of movement."
            ),
            "Griffin DR et al. The Warwick Agreement on femoroacetabular impingement syndrome. Br J Sports Med 2016",
        ),
        ConditionDef(
            "piriformis_syndrome",
            N_("Piriformis syndrome (deep gluteal pain)"),
            N_("buttock"),
            N_(
                "Buttock pain that can spread down the back of the leg, worse sitting, sometimes with an uneven "
                "stride. Road runners."
            ),
            "routine",
            N_(
                "Break up long periods of sitting, ease off hills and speed work, and try gentle piriformis "
                "stretches with glute strengthening. Have it checked if it does not settle."
            ),
            "Runners’ guides to hip pain",
        ),
        ConditionDef(
            "proximal_hamstring_tendinopathy",
            N_("Proximal hamstring tendinopathy"),
            N_("sit bone, just below the buttock"),
            N_(
                "Deep pain under the buttock, worse sitting, uphill and during speed work. Distance runners in "
                "hill or speed blocks."
            ),
            "routine",
            N_(
                "Cut back hills and speed work, avoid long sitting on hard chairs and deep hamstring stretches "
                "for now. Slow, heavy hamstring strengthening guided by a physio is the usual way back."
            ),
            "Runners’ guides to hip pain",
        ),
        ConditionDef(
            "it_band_syndrome",
            N_("Iliotibial band syndrome"),
            N_("outside of the hip and thigh, down to the knee"),
            N_(
                "Pain along the outside of the thigh during or after runs, sometimes snapping over the outer "
                "hip. Linked to mileage jumps and running form."
            ),
            "self_care",
            N_(
                "Reduce distance for a while, avoid long downhills and cambered roads, and build hip strength "
                "(side-lying leg raises, clamshells). Foam-rolling the muscles at the side of the hip may ease "
                "it."
            ),
            "Runners’ guides to hip pain",
        ),
        ConditionDef(
            "osteoarthritis",
            N_("Hip osteoarthritis"),
            N_("deep groin / front of the hip"),
            N_(
                "Stiffness and a deep ache, worse in the morning or after sitting, with less range of movement. "
                "Runners over 50, or after an earlier hip injury."
            ),
            "routine",
            N_(
                "Keep moving: low-impact exercise such as cycling and swimming supports the joint. An "
                "assessment, often with imaging, can confirm it and help you plan how much running suits you."
            ),
            "Runners’ guides to hip pain",
        ),
        ConditionDef(
            "stress_fracture",
            N_("Stress fracture (femoral neck or pelvic bone stress injury)"),
            N_("groin / inner hip, deep"),
            N_(
                "Sharp, local pain that builds with each run, pain on hopping or bearing weight, night pain. "
                "Hard surfaces, worn shoes, fast mileage build-up and low energy availability raise the risk."
            ),
            "emergency",
            N_(
                "Stop running and get checked today: bone stress in the hip needs imaging. Until you are "
                "cleared, keep fitness with cycling or swimming only if your clinician agrees. Healing usually "
                "takes 6-8 weeks."
            ),
            "Robertson & Wood, Sports Med Int Open 2017 (femoral neck stress fractures); De Souza et al., Br J Sports "
            "Med 2014 (Female Athlete Triad); Warden et al. 2021 (running after bone stress injury)",
        ),
        ConditionDef(
            "adductor_strain",
            N_("Adductor (inner thigh) strain"),
            N_("inner thigh / groin"),
            N_(
                "Sudden sharp inner-groin pain, pain squeezing the knees together, sometimes bruising. Speed "
                "work, slips, trail running."
            ),
            "routine",
            N_(
                "Rest from speed work and sharp changes of direction. Short easy walks are fine; add gentle "
                "inner-thigh strengthening (ball squeezes, then Copenhagen plank steps) as pain allows."
            ),
            "Weir A et al. Doha agreement meeting on terminology and definitions in groin pain in athletes. Br J "
            "Sports Med 2015",
        ),
        ConditionDef(
            "muscle_strain",
            N_("Muscle strain or tear"),
            N_("front or inner hip"),
            N_("Sudden sharp pain mid-run, swelling or bruising, difficulty walking."),
            "routine",
            N_(
                "For the first days: ice, compression and short, frequent walks rather than bed rest; no "
                "stretching of the sore area for 3-5 days. Build back to running step by step once walking is "
                "pain-free."
            ),
            "Runners’ guides to hip pain",
        ),
        ConditionDef(
            "overuse_tightness",
            N_("Overuse, tightness or strength imbalance"),
            N_("diffuse, front or side of the hip"),
            N_(
                "Gradual onset after a jump in mileage or intensity, tight hip flexors, one side favoured, no "
                "warning signs. New runners and marathon build-ups."
            ),
            "self_care",
            N_(
                "Drop back to a comfortable volume, then raise it by no more than about 10% a week, changing "
                "distance or intensity but not both. Add strength work twice a week and regular hip-flexor "
                "stretches."
            ),
            "Nielsen RO et al. 2013 (weekly running distance and injury); runners’ guides to hip pain",
        ),
        ConditionDef(
            "referred_lumbar",
            N_("Pain referred from the lower back or SI joint"),
            N_("buttock, thigh, below the knee"),
            N_("Pain spreading from the low back, numbness or tingling, pain with back movement."),
            "routine",
            N_(
                "Pain from the lower back can be felt in the hip and leg. A clinician can check your back; "
                "gentle movement usually helps more than rest."
            ),
            "Runners’ guides to hip pain",
        ),
    )
}


# --------------------------------------------------------------------------- predicates


def _loc(*codes: str) -> Predicate:
    wanted = frozenset(codes)
    return lambda a: not wanted.isdisjoint(a.get("locations", ()))


def _yes(name: str) -> Predicate:
    return lambda a: a.get(name) is True


def _is(name: str, value: object) -> Predicate:
    return lambda a: a.get(name) == value


def _test(name: str, result: str = "pain") -> Predicate:
    return lambda a: a.get("tests", {}).get(name) == result


def _focus(name: str) -> Predicate:
    return lambda a: name in a.get("running_focus", ())


def _between(name: str, low: float = -math.inf, high: float = math.inf) -> Predicate:
    """True when the answer is present and low < value <= high."""
    return lambda a: name in a and low < a[name] <= high


def _all(*preds: Predicate) -> Predicate:
    return lambda a: all(p(a) for p in preds)


def _any(*preds: Predicate) -> Predicate:
    return lambda a: any(p(a) for p in preds)


def _none(*preds: Predicate) -> Predicate:
    return lambda a: not any(p(a) for p in preds)


# DOMAIN §2 groups of signs, each used by a red flag and by the condition rules.
CAUDA_EQUINA_SIGNS = ("saddle_numbness", "bladder_bowel_change", "both_legs", "leg_weakness")
RED_S_SIGNS = ("missed_periods", "restricted_eating", "previous_bone_stress", "low_energy_risk")
_RED_S = _any(*(_yes(name) for name in RED_S_SIGNS))
_GROIN_FRONT_OR_DEEP = _loc("groin_deep", "inner", "front")
_HOP_BLOCKED = _any(*(_yes(name) for name in HOP_BLOCKERS))
# Any answer that says something hurts: for a child that is hip, groin, thigh or knee pain (every location
# on the form is one of those).
_SOME_PAIN = _any(
    _loc(*(code for code, _ in LOCATION_CHOICES)),
    *(
        _yes(name)
        for name in (
            "knee_pain",
            "radiating",
            "night_pain",
            "pain_at_rest",
            "worse_lying_on_side",
            "worse_sitting",
            "pain_lifting_knee",
            "pain_uphill_speed",
            "persists_despite_rest",
        )
    ),
    _between("pain_running", 0),
    _between("pain_after", 0),
    *(_test(sub.name) for sub in FIELDS["tests"].subfields),
)


# --------------------------------------------------------------------------- condition rules


@dataclass(frozen=True)
class Rule:
    """Evidence for (positive weight) or against (negative weight) one condition."""

    id: str
    condition: str
    weight: float
    reason: str
    source: str
    predicate: Predicate = field(repr=False, compare=False)
    # "sign": where or how it hurts, a self-test; "risk": who the runner is and how they train.
    kind: str = "sign"


def _rules(*clues: tuple) -> tuple[Rule, ...]:
    """Expand (clue, predicate, kind, source, effects) rows into one ``Rule`` per affected condition."""
    return tuple(
        Rule(f"{clue}.{code}", code, weight, reason, source, predicate, kind)
        for clue, predicate, kind, source, effects in clues
        for code, weight, reason in effects
    )


_JUMP = _between("mileage_change_pct", 30)
_MILD = _all(_between("pain_running", high=3), _between("pain_after", high=3))
_S1, _S2, _S3 = "DOMAIN §1", "DOMAIN §2", "DOMAIN §3"

# One row per clue, kept on one line per rule so the table reads like DOMAIN.md.
# fmt: off
RULES: tuple[Rule, ...] = _rules(
    # (clue, predicate, kind, source, [(condition, weight, reason), ...])
    # Where it hurts: the strongest single clue.
    ("loc_front", _loc("front"), "sign", _S1, [
        ("hip_flexor_strain", 3.0, N_("Pain at the front of the hip is where hip flexor strains are felt.")),
        ("hip_impingement", 2.0, N_("Front-of-hip pain fits hip impingement.")),
        ("osteoarthritis", 1.0, N_("Hip joint wear is often felt at the front of the hip.")),
        ("stress_fracture", 1.5, N_("A stress fracture in the neck of the thigh bone often hurts at the front of "
                                 "the hip.")),
        ("muscle_strain", 1.5, N_("Muscle strains around the hip often hurt at the front.")),
        ("overuse_tightness", 1.5, N_("Overload and tight hip flexors often show up at the front of the hip.")),
    ]),
    ("loc_groin_deep", _loc("groin_deep"), "sign", _S1, [
        ("labral_tear", 3.0, N_("Deep groin pain is the typical place for a labral tear.")),
        ("hip_impingement", 2.5, N_("Deep groin pain fits hip impingement.")),
        ("osteoarthritis", 2.5, N_("A deep ache in the groin is typical of hip joint wear.")),
        ("stress_fracture", 2.5, N_("Deep groin pain is where a femoral neck stress fracture is usually felt.")),
        ("hip_flexor_strain", 1.0, N_("The hip flexor tendon runs through the groin.")),
        ("adductor_strain", 1.0, N_("Groin pain can come from the inner-thigh muscles.")),
    ]),
    ("loc_inner", _loc("inner"), "sign", _S1, [
        ("adductor_strain", 3.0, N_("Inner-thigh and inner-groin pain is typical of an adductor strain.")),
        ("stress_fracture", 2.5, N_("Bone stress in the hip or pelvis is often felt on the inside of the hip.")),
        ("muscle_strain", 1.5, N_("Inner-hip pain can come from a strained muscle.")),
    ]),
    ("loc_side", _loc("side"), "sign", _S1, [
        ("greater_trochanteric_pain", 3.0, N_("Pain on the outside of the hip is the typical place for "
                                           "trochanteric (outer-hip tendon) pain.")),
        ("it_band_syndrome", 1.5, N_("The iliotibial band starts at the side of the hip.")),
        ("overuse_tightness", 1.0, N_("Overload often shows up at the side of the hip.")),
    ]),
    ("loc_outer_thigh", _loc("outer_thigh"), "sign", _S1, [
        ("it_band_syndrome", 3.0, N_("Pain along the outside of the thigh follows the iliotibial band.")),
        ("greater_trochanteric_pain", 1.5, N_("Outer-hip tendon pain can spread down the outer thigh.")),
    ]),
    ("loc_buttock", _loc("buttock"), "sign", _S1, [
        ("piriformis_syndrome", 3.0, N_("Buttock pain is where piriformis (deep gluteal) pain sits.")),
        ("referred_lumbar", 2.0, N_("Buttock pain is often referred from the lower back or SI joint.")),
        ("proximal_hamstring_tendinopathy", 1.0, N_("The hamstring tendon attaches just below the buttock.")),
    ]),
    ("loc_sit_bone", _loc("sit_bone"), "sign", _S1, [
        ("proximal_hamstring_tendinopathy", 3.5, N_("The sit bone is where the hamstring tendon attaches, so "
                                                 "pain there points to it.")),
        ("piriformis_syndrome", 1.0, N_("Deep gluteal pain can be felt near the sit bone.")),
    ]),
    # How it started.
    ("onset_sudden", _is("onset", "sudden"), "sign", _S1, [
        ("muscle_strain", 2.5, N_("A sudden start points to a strain or tear.")),
        ("adductor_strain", 2.0, N_("Adductor strains usually start suddenly, often in speed work or a slip.")),
        ("hip_flexor_strain", 1.0, N_("A sudden start fits a strained hip flexor.")),
        ("overuse_tightness", -1.5, N_("A sudden start makes simple overload less likely.")),
        ("osteoarthritis", -1.0, N_("Joint wear rarely starts suddenly.")),
    ]),
    ("onset_gradual", _is("onset", "gradual"), "sign", _S1, [
        ("overuse_tightness", 1.0, N_("A gradual start is typical of overload.")),
        ("greater_trochanteric_pain", 1.0, N_("Outer-hip tendon pain usually builds up gradually.")),
        ("it_band_syndrome", 1.0, N_("Iliotibial band pain usually builds up gradually.")),
        ("stress_fracture", 1.0, N_("Bone stress builds up gradually, run after run.")),
        ("osteoarthritis", 1.0, N_("Joint wear comes on gradually.")),
        ("proximal_hamstring_tendinopathy", 1.0, N_("Tendon pain usually builds up gradually.")),
        ("hip_impingement", 0.5, N_("Impingement symptoms tend to creep in gradually.")),
    ]),
    # Training load, surfaces, shoes.
    ("mileage_jump", _JUMP, "risk", "Nielsen 2013", [
        ("overuse_tightness", 2.5, N_("Your weekly distance rose by more than 30%, a common cause of overload.")),
        ("stress_fracture", 0.5, N_("A fast rise in weekly distance (over 30%) raises the risk of bone stress.")),
        ("greater_trochanteric_pain", 1.0, N_("Outer-hip tendon pain often follows a sudden rise in distance.")),
        ("it_band_syndrome", 1.0, N_("Iliotibial band pain often follows a jump in distance.")),
    ]),
    ("mileage_rise", _between("mileage_change_pct", 10, 30), "risk", "DOMAIN §7", [
        ("overuse_tightness", 1.0, N_("Your weekly distance rose by more than 10%, faster than the hip may "
                                   "adapt.")),
    ]),
    ("gradual_jump", _all(_is("onset", "gradual"), _JUMP), "risk", _S1, [
        ("overuse_tightness", 1.0, N_("Pain that crept in after a big rise in distance is the classic overload "
                                   "pattern.")),
        ("stress_fracture", 1.0, N_("Gradual pain after a big rise in distance is a pattern seen in bone "
                                 "stress.")),
        ("greater_trochanteric_pain", 0.5, N_("A gradual build-up after a rise in distance is a common trigger "
                                           "for outer-hip tendon pain.")),
    ]),
    ("hard_surfaces", _yes("hard_surfaces"), "risk", _S1, [
        ("stress_fracture", 0.5, N_("Running mostly on hard surfaces adds load to the bone.")),
        ("greater_trochanteric_pain", 0.5, N_("Hard surfaces add load to the outer-hip tendons.")),
    ]),
    ("worn_shoes", _between("shoe_km", 800), "risk", "DOMAIN §7", [
        ("stress_fracture", 0.5, N_("Your shoes have more than 800 km on them; worn shoes absorb less impact.")),
        ("greater_trochanteric_pain", 0.5, N_("Shoes past 800 km absorb less impact at the hip.")),
    ]),
    ("ageing_shoes", _between("shoe_km", 500, 800), "risk", "DOMAIN §7", [
        ("stress_fracture", 0.25, N_("Your shoes are past 500 km, where cushioning starts to fade.")),
    ]),
    ("low_energy", _yes("low_energy_risk"), "risk", "De Souza 2014", [
        ("stress_fracture", 2.5, N_("Low energy availability (under-eating, missed periods) weakens bone.")),
    ]),
    ("missed_periods", _yes("missed_periods"), "risk", "De Souza 2014", [
        ("stress_fracture", 2.5, N_("Periods that stop for three months or more are a sign the body is short of "
                                 "energy, which weakens bone.")),
    ]),
    ("restricted_eating", _yes("restricted_eating"), "risk", "Mountjoy 2023", [
        ("stress_fracture", 2.5, N_("Eating less than your training needs leaves too little energy to keep bones "
                                 "strong.")),
    ]),
    ("previous_bone_stress", _yes("previous_bone_stress"), "risk", "Warden 2021", [
        ("stress_fracture", 2.0, N_("An earlier bone stress injury makes another one more likely.")),
    ]),
    ("red_s_groin", _all(_RED_S, _GROIN_FRONT_OR_DEEP), "sign", _S2, [
        ("stress_fracture", 1.5, N_("Groin or front-of-hip pain together with signs of low energy or an earlier "
                                 "bone stress injury is treated as a thigh-bone stress injury until a scan "
                                 "rules it out.")),
    ]),
    ("focus_sprint", _focus("sprint"), "risk", _S1, [
        ("hip_flexor_strain", 1.0, N_("Sprinting loads the hip flexors hard.")),
        ("adductor_strain", 1.0, N_("Speed work is a common setting for adductor strains.")),
        ("muscle_strain", 0.5, N_("Sprinting is a common setting for muscle strains.")),
    ]),
    ("focus_middle", _focus("middle_distance"), "risk", _S1, [
        ("greater_trochanteric_pain", 0.5, N_("Outer-hip tendon pain is common in middle-distance runners.")),
    ]),
    ("focus_long", _focus("long_distance"), "risk", _S1, [
        ("labral_tear", 1.0, N_("Labral tears are more common in long-distance runners.")),
        ("proximal_hamstring_tendinopathy", 0.5, N_("Hamstring tendon pain is common in distance runners.")),
        ("overuse_tightness", 0.5, N_("Long-distance build-ups often overload the hip.")),
    ]),
    ("focus_road", _focus("road"), "risk", _S1, [
        ("piriformis_syndrome", 0.5, N_("Deep gluteal pain is common in road runners.")),
        ("stress_fracture", 0.5, N_("Road running means repeated impact on a hard surface.")),
    ]),
    ("focus_trail", _focus("trail"), "risk", _S1, [
        ("hip_flexor_strain", 0.5, N_("Trail climbs load the hip flexors.")),
        ("adductor_strain", 0.5, N_("Slips on trails can strain the inner thigh.")),
    ]),
    # Who the runner is.
    ("age_over_50", _between("age", 50), "risk", _S1, [
        ("osteoarthritis", 2.5, N_("Hip joint wear becomes more common after 50.")),
    ]),
    ("age_under_35", _between("age", high=34), "risk", _S1, [
        ("osteoarthritis", -1.0, N_("Hip joint wear is uncommon at your age.")),
    ]),
    ("young_active", _between("age", 15, 40), "risk", "Griffin 2016", [
        ("hip_impingement", 0.5, N_("Hip impingement is most often found in young active adults.")),
    ]),
    ("female_over_40", _all(_is("sex", "female"), _between("age", 39)), "risk", "Fearon 2013", [
        ("greater_trochanteric_pain", 1.0, N_("Outer-hip tendon pain is more common in women over 40.")),
    ]),
    ("previous_injury", _yes("previous_hip_injury"), "risk", _S1, [
        ("osteoarthritis", 1.5, N_("An earlier hip injury raises the chance of joint wear.")),
        ("labral_tear", 0.5, N_("An earlier hip injury can leave the labrum vulnerable.")),
    ]),
    ("long_duration", _between("duration_days", 42), "risk", _S1, [
        ("osteoarthritis", 0.5, N_("Pain lasting more than six weeks fits a longer-term joint problem.")),
        ("greater_trochanteric_pain", 0.5, N_("Outer-hip tendon pain tends to linger for weeks.")),
        ("proximal_hamstring_tendinopathy", 0.5, N_("Hamstring tendon pain tends to linger for weeks.")),
    ]),
    # Pain pattern.
    ("night_pain", _yes("night_pain"), "sign", _S1, [
        ("stress_fracture", 1.5, N_("Pain at night is a warning sign of bone stress.")),
        ("osteoarthritis", 1.5, N_("Night pain can come with hip joint wear.")),
    ]),
    ("rest_pain", _yes("pain_at_rest"), "sign", _S1, [
        ("stress_fracture", 1.0, N_("Pain at rest can be a sign of bone stress.")),
        ("osteoarthritis", 1.0, N_("Pain at rest can come with hip joint wear.")),
    ]),
    ("no_weight_bearing", _yes("cannot_bear_weight"), "sign", "Robertson & Wood 2017", [
        ("stress_fracture", 4.0, N_("Pain that stops you putting weight on the leg is a key sign of a hip "
                                 "stress fracture.")),
        ("muscle_strain", 2.0, N_("Difficulty walking can follow a significant muscle tear.")),
    ]),
    ("limping", _yes("limping"), "sign", _S1, [
        ("stress_fracture", 1.0, N_("Limping can be a sign that the bone is not coping with load.")),
        ("muscle_strain", 1.0, N_("A limp can follow a muscle strain.")),
        ("osteoarthritis", 0.5, N_("A stiff, worn hip can change the way you walk.")),
    ]),
    ("instability", _yes("instability"), "sign", _S1, [
        ("labral_tear", 1.5, N_("A hip that feels unstable or gives way fits a labral tear.")),
    ]),
    ("swelling", _yes("swelling_bruising"), "sign", _S1, [
        ("muscle_strain", 2.5, N_("Swelling or bruising points to a torn muscle.")),
        ("adductor_strain", 1.5, N_("Bruising can come with an adductor strain.")),
        ("hip_flexor_strain", 0.5, N_("Swelling can come with a hip flexor strain.")),
    ]),
    ("locking", _yes("locking_daily"), "sign", _S1, [
        ("labral_tear", 3.0, N_("Clicking, catching or locking in daily life is typical of a labral tear.")),
        ("hip_impingement", 1.0, N_("Catching in the hip can come with impingement.")),
    ]),
    ("clicking_running", _yes("clicking_running"), "sign", _S1, [
        ("it_band_syndrome", 1.5, N_("Snapping over the outer hip while running fits the iliotibial band.")),
        ("labral_tear", 1.0, N_("Clicking in the hip can come from the labrum.")),
        ("greater_trochanteric_pain", 1.0, N_("Popping over the outer hip can come with outer-hip tendon pain.")),
    ]),
    ("radiating", _yes("radiating"), "sign", _S1, [
        ("piriformis_syndrome", 2.0, N_("Pain spreading down the leg fits irritation of the sciatic nerve in "
                                     "the buttock.")),
        ("referred_lumbar", 2.0, N_("Pain spreading to the back, thigh or knee often comes from the lower "
                                 "back.")),
        ("it_band_syndrome", 0.5, N_("Iliotibial band pain can run down towards the knee.")),
    ]),
    ("numbness", _yes("numbness_tingling"), "sign", _S1, [
        ("referred_lumbar", 3.0, N_("Numbness or tingling suggests a nerve is involved, often from the back.")),
        ("piriformis_syndrome", 1.5, N_("Tingling down the leg can come from the piriformis pressing on a "
                                     "nerve.")),
    ]),
    ("back_pain", _yes("back_pain"), "sign", _S1, [
        ("referred_lumbar", 3.0, N_("Low back pain alongside hip pain suggests the back may be the source.")),
    ]),
    ("knee_pain", _yes("knee_pain"), "sign", _S1, [
        ("it_band_syndrome", 1.0, N_("Iliotibial band pain often reaches the outside of the knee.")),
    ]),
    # Nerve signs from the base of the spine (DOMAIN §2): the back is the likely origin.
    ("saddle_numbness", _yes("saddle_numbness"), "sign", _S2, [
        ("referred_lumbar", 4.0, N_("Numbness around the groin, bottom or inner thighs comes from nerves at the "
                                 "base of the spine.")),
    ]),
    ("bladder_bowel", _yes("bladder_bowel_change"), "sign", _S2, [
        ("referred_lumbar", 3.0, N_("A new bladder or bowel change alongside hip or leg pain points to the nerves "
                                 "at the base of the spine.")),
    ]),
    ("both_legs", _yes("both_legs"), "sign", _S2, [
        ("referred_lumbar", 3.0, N_("Symptoms in both legs usually start in the back, not in one hip.")),
    ]),
    ("leg_weakness", _yes("leg_weakness"), "sign", _S2, [
        ("referred_lumbar", 3.0, N_("A leg that is getting weaker suggests a nerve is being pressed, often in the "
                                 "back.")),
    ]),
    ("lying_on_side", _yes("worse_lying_on_side"), "sign", "Fearon 2013", [
        ("greater_trochanteric_pain", 3.0, N_("Pain lying on the sore side is typical of outer-hip tendon "
                                           "pain.")),
    ]),
    ("sitting", _yes("worse_sitting"), "sign", _S1, [
        ("piriformis_syndrome", 1.5, N_("Pain when sitting fits, because sitting presses on the piriformis.")),
        ("proximal_hamstring_tendinopathy", 1.5, N_("Sitting presses on the hamstring tendon at the sit bone.")),
        ("labral_tear", 1.0, N_("Long sitting keeps the hip bent, which can irritate the labrum.")),
        ("hip_impingement", 1.0, N_("Long sitting keeps the hip bent, which can pinch an impinging hip.")),
    ]),
    ("stiffness", _yes("stiff_after_rest"), "sign", _S1, [
        ("osteoarthritis", 2.5, N_("Stiffness in the morning or after sitting is typical of joint wear.")),
        ("hip_impingement", 1.0, N_("Stiffness after rest fits hip impingement.")),
        ("overuse_tightness", 1.0, N_("Stiffness after rest fits tight, overloaded hip muscles.")),
    ]),
    ("lifting_knee", _yes("pain_lifting_knee"), "sign", _S1, [
        ("hip_flexor_strain", 3.0, N_("Lifting the knee (stairs, knee drive) is the hip flexors' job, so pain "
                                   "there points to them.")),
    ]),
    ("uphill_speed", _yes("pain_uphill_speed"), "sign", _S1, [
        ("proximal_hamstring_tendinopathy", 2.5, N_("Uphill running and speed work load the hamstring tendon "
                                                 "most, so pain there fits.")),
        ("hip_flexor_strain", 1.0, N_("Uphill running and speed work load the hip flexors.")),
        ("adductor_strain", 0.5, N_("Speed work loads the inner-thigh muscles.")),
    ]),
    ("persists", _yes("persists_despite_rest"), "sign", _S1, [
        ("stress_fracture", 1.0, N_("Pain that does not settle with rest can be bone stress.")),
        ("osteoarthritis", 1.0, N_("Pain that lingers despite rest fits a joint problem.")),
        ("labral_tear", 1.0, N_("Labral pain often lingers despite rest.")),
    ]),
    ("severe_running_pain", _between("pain_running", 6), "sign", _S1, [
        ("stress_fracture", 1.0, N_("Severe pain while running (7/10 or more) needs bone stress ruled out.")),
        ("muscle_strain", 1.0, N_("Severe pain while running fits a muscle tear.")),
    ]),
    ("mild_pain", _MILD, "sign", _S1, [
        ("overuse_tightness", 1.0, N_("Your pain is mild during and after running, which fits overload.")),
    ]),
    # Self-tests (DOMAIN §3).
    ("test_leg_swing", _test("leg_swing"), "sign", _S3, [
        ("hip_flexor_strain", 3.0, N_("The standing leg swing hurt, which points to the hip flexors.")),
    ]),
    ("test_leg_swing_ok", _test("leg_swing", "no_pain"), "sign", _S3, [
        ("hip_flexor_strain", -1.0, N_("The standing leg swing did not hurt, so a hip flexor strain is less "
                                    "likely.")),
    ]),
    ("test_clamshell", _test("resisted_clamshell"), "sign", "Fearon 2013", [
        ("greater_trochanteric_pain", 3.0, N_("The resisted clamshell hurt, which points to the outer-hip "
                                           "tendons.")),
    ]),
    ("test_clamshell_ok", _test("resisted_clamshell", "no_pain"), "sign", "Fearon 2013", [
        ("greater_trochanteric_pain", -1.0, N_("The resisted clamshell did not hurt, so outer-hip tendon pain "
                                            "is less likely.")),
    ]),
    ("test_rotation", _test("seated_rotation"), "sign", _S3, [
        ("labral_tear", 3.0, N_("The seated rotation test hurt, which points to the labrum or the joint.")),
        ("hip_impingement", 2.5, N_("The seated rotation test hurt, which fits hip impingement.")),
        ("osteoarthritis", 1.0, N_("The seated rotation test can hurt with joint wear.")),
    ]),
    ("test_rotation_ok", _test("seated_rotation", "no_pain"), "sign", _S3, [
        ("labral_tear", -1.0, N_("The seated rotation test did not hurt, so a labral problem is less likely.")),
        ("hip_impingement", -1.0, N_("The seated rotation test did not hurt, so impingement is less likely.")),
    ]),
    ("test_hop", _test("single_leg_hop"), "sign", "Robertson & Wood 2017", [
        ("stress_fracture", 5.0, N_("Pain on the single-leg hop is a key sign of bone stress.")),
    ]),
    # Only when the hop was safe to try: otherwise a pain-free answer is not evidence.
    ("test_hop_ok", _all(_test("single_leg_hop", "no_pain"), _none(_HOP_BLOCKED)), "sign", _S3, [
        ("stress_fracture", -1.5, N_("Hopping on the leg did not hurt, so bone stress is less likely.")),
    ]),
)
# fmt: on


# --------------------------------------------------------------------------- red flags

REFER_MEDICAL_CODE = "refer_medical"  # the entry a referring red flag puts first (``REFER_MEDICAL``)


@dataclass(frozen=True)
class RedFlagRule:
    """A warning sign and its urgency floor. ``refer`` marks a flag that is not a running injury: it puts
    ``REFER_MEDICAL`` first, and its text (which sign, and why a doctor) is one of that entry's reasons."""

    code: str
    urgency: str
    message: str
    source: str
    predicate: Predicate = field(repr=False, compare=False)
    refer: str = ""

    @property
    def referral_code(self) -> str:
        """The code of the ``refer`` text, one of ``REFER_MEDICAL``'s reasons."""
        return f"{self.code}.{REFER_MEDICAL_CODE}"


RED_FLAG_RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule(
        "groin_pain_cannot_bear_weight",
        "emergency",
        N_(
            "Groin, inner-hip or front-of-hip pain that stops you putting weight on the leg can mean a stress "
            "fracture. Stop running now and get imaging today."
        ),
        "Robertson & Wood 2017",
        # A femoral neck stress fracture often hurts at the front of the hip too (DOMAIN.md section 2).
        _all(_loc("groin_deep", "inner", "front"), _yes("cannot_bear_weight")),
    ),
    RedFlagRule(
        "hop_test_pain",
        "emergency",
        N_(
            "Pain when hopping on one leg can be a sign of a bone stress injury. Stop running now and get "
            "imaging today."
        ),
        "Robertson & Wood 2017",
        _test("single_leg_hop"),
    ),
    RedFlagRule(
        "possible_infection",
        "emergency",
        N_(
            "Hip pain with a fever or feeling unwell, or a hot, red, swollen joint, can mean an infection. "
            "Please get medical care today."
        ),
        _S2,
        _any(_yes("fever_unwell"), _yes("hot_red_joint")),
        refer=N_(
            "A fever, feeling unwell, or a hot, red, swollen hip can mean an infection, which needs a "
            "doctor's tests and treatment."
        ),
    ),
    RedFlagRule(
        "possible_slipped_growth_plate",
        "emergency",
        N_(
            "In a young person aged 8 to 16, a limp or being unable to walk normally can mean a problem with the "
            "growth plate at the hip. Please get medical care today."
        ),
        _S2,
        _all(_between("age", 7, 16), _any(_yes("limping"), _yes("cannot_bear_weight"))),
        refer=N_(
            "A limp or trouble walking at age 8 to 16 can mean the growth plate at the top of the thigh "
            "bone has slipped, which needs a doctor and an X-ray."
        ),
    ),
    RedFlagRule(
        "possible_cauda_equina",
        "emergency",
        N_(
            "Numbness around the groin or bottom, a new change in your bladder or bowels, symptoms in both legs, "
            "or a leg that is getting weaker can mean the nerves at the base of the spine are being squeezed. "
            "Go to an emergency department now; do not wait for an appointment."
        ),
        _S2,
        _any(*(_yes(name) for name in CAUDA_EQUINA_SIGNS)),
        refer=N_(
            "Saddle numbness, a bladder or bowel change, symptoms in both legs or a weakening leg can "
            "mean pressure on the nerves at the base of the spine (cauda equina), which needs a scan and "
            "treatment in hospital."
        ),
    ),
    RedFlagRule(
        "weight_loss_or_cancer_with_rest_pain",
        "urgent",
        N_(
            "Pain at night or at rest, together with unexplained weight loss or a history of cancer, should be "
            "checked. Please see a doctor promptly."
        ),
        _S2,
        _all(_yes("weight_loss_or_cancer"), _any(_yes("night_pain"), _yes("pain_at_rest"))),
        refer=N_(
            "Night or rest pain with unexplained weight loss or a history of cancer needs a doctor to rule "
            "out a problem in the bone itself."
        ),
    ),
    RedFlagRule(
        "red_s_bone_stress",
        "urgent",
        N_(
            "Missed periods, not eating enough for your training, or an earlier bone stress injury, together "
            "with pain in the groin or at the front of the hip, can mean a stress injury in the neck of the "
            "thigh bone. Stop running and treat it as one until a scan shows otherwise; see a clinician within "
            "48 hours."
        ),
        "De Souza 2014; Mountjoy 2023",
        _all(_RED_S, _GROIN_FRONT_OR_DEEP),
    ),
    RedFlagRule(
        "night_or_rest_pain",
        "urgent",
        N_(
            "Pain that wakes you at night or is there at rest needs a closer look. Stop running and see a "
            "clinician within 48 hours."
        ),
        _S2,
        _any(_yes("night_pain"), _yes("pain_at_rest")),
    ),
    RedFlagRule(
        "swelling_bruising",
        "urgent",
        N_("Visible swelling or bruising suggests tissue damage. Stop running and see a clinician."),
        _S2,
        _yes("swelling_bruising"),
    ),
    RedFlagRule(
        "locking_daily",
        "urgent",
        N_(
            "Clicking or locking during everyday movement should be assessed. Please do not run until a "
            "clinician has checked it."
        ),
        _S2,
        _yes("locking_daily"),
    ),
    RedFlagRule(
        "persists_despite_rest",
        "urgent",
        N_(
            "Pain that has lasted more than two weeks despite rest should be looked at. Please see a clinician."
        ),
        _S2,
        _yes("persists_despite_rest"),
    ),
    RedFlagRule(
        # Not being able to bear weight is the extreme of not walking with your usual posture.
        "limping_or_instability",
        "urgent",
        N_(
            "A limp, pain that stops normal walking, or a hip that feels unstable means the hip is not coping "
            "with load. Stop running and see a clinician."
        ),
        _S2,
        _any(_yes("limping"), _yes("instability"), _yes("cannot_bear_weight")),
    ),
    RedFlagRule(
        "radiating_or_numbness",
        "routine",
        N_(
            "Pain spreading to the back, thigh or knee, or numbness or tingling, can come from a nerve or the "
            "back. Book an assessment before treating it yourself."
        ),
        _S2,
        _any(_yes("radiating"), _yes("numbness_tingling")),
    ),
    RedFlagRule(
        "clicking_while_running",
        "routine",
        N_("Clicking or snapping while you run is worth having checked. Book an assessment."),
        _S2,
        _yes("clicking_running"),
    ),
    RedFlagRule(
        "severe_running_pain",
        "routine",
        N_(
            "Pain of 7 out of 10 or more with running is too much to manage on your own. Book an assessment "
            "rather than treating it yourself."
        ),
        _S2,
        # While running, and after it: severe pain is never a self-care picture.
        _any(_between("pain_running", 6), _between("pain_after", 6)),
    ),
    RedFlagRule(
        "young_athlete_hip_or_knee_pain",
        "routine",
        N_(
            "At age 8 to 16, hip, thigh or even knee pain should be checked by a clinician: problems at the hip's "
            "growth plate are often felt in the knee."
        ),
        _S2,
        _all(_between("age", 7, 16), _SOME_PAIN),
    ),
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RedFlag:
    code: str
    message: str
    urgency: str


@dataclass(frozen=True)
class ConditionResult:
    """A suggested condition. ``reasons`` are the English sentences; ``reason_codes`` say the same as codes,
    one each in the same order: a rule's ``id`` (``clue.condition``), or for ``REFER_MEDICAL`` the red flag's
    ``referral_code`` (``flag.refer_medical``)."""

    code: str
    name: str
    score: float
    reasons: list[str]
    reason_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    urgency: str
    stop_running: bool
    red_flags: list[RedFlag]
    conditions: list[ConditionResult]
    advice: str
    engine_version: str = ENGINE_VERSION
    disclaimer: str = DISCLAIMER
    # Whose advice follows the urgency's in ``advice`` (a condition code, ``REFER_MEDICAL.code`` or "").
    advice_for: str = ""

    def to_dict(self) -> dict:
        """The assessment in the engine's English (the ``triage_assess`` command's output)."""
        return {
            "urgency": self.urgency,
            "stop_running": self.stop_running,
            "red_flags": [{"code": f.code, "message": f.message} for f in self.red_flags],
            "conditions": [
                {"code": c.code, "name": c.name, "score": c.score, "reasons": list(c.reasons)}
                for c in self.conditions
            ],
            "advice": self.advice,
            "engine_version": self.engine_version,
            "disclaimer": self.disclaimer,
        }

    def to_record(self) -> dict:
        """The assessment as codes, the way an intake stores it: no sentence, so a page can say it in the
        reader's language and rewording a sentence does not rewrite history (triage/wording.py renders it).
        Every text is a ``{"code", "params"}`` item; the advice is the urgency's plus ``advice_for``'s, then the
        red flags' messages."""
        return {
            "urgency": self.urgency,
            "stop_running": self.stop_running,
            "red_flags": [{"code": f.code, "params": {}} for f in self.red_flags],
            "conditions": [
                {
                    "code": c.code,
                    "score": c.score,
                    "reasons": [{"code": r, "params": {}} for r in c.reason_codes],
                }
                for c in self.conditions
            ],
            "advice": {"urgency": self.urgency, "condition": self.advice_for or None},
            "engine_version": self.engine_version,
        }


URGENCY_ADVICE = {
    Urgency.EMERGENCY: (
        N_(
            "Stop running now and get medical care today; you may need imaging or other tests. Do not try to run, "
            "hop or test the hip again until a clinician has seen you."
        )
    ),
    Urgency.URGENT: (
        N_(
            "Please do not run for now, and see a clinician (physio or sports doctor) within the next 48 hours. "
            "Walking short distances is fine if it does not make the pain worse."
        )
    ),
    Urgency.ROUTINE: (
        N_(
            "Book an assessment with a physio or sports doctor in the coming days. Until then, cut back distance "
            "and intensity, skip hills and speed work, and stop any run where the pain goes above 3/10."
        )
    ),
    Urgency.SELF_CARE: (
        N_(
            "This looks suitable for self-care with relative rest and a monitored rehab plan: keep active with "
            "pain-free movement, then return to running in phases. Pain during activity should stay at 2/10 or "
            "less, settle by the next morning and not build week on week. If it does, or a warning sign appears, "
            "book an assessment."
        )
    ),
}


@dataclass(frozen=True)
class Referral:
    """The entry that leads the conditions when a red flag is not a running injury (see ``RedFlagRule.refer``).

    It is not in ``CONDITIONS``: it is not something a clinician confirms or a rehab plan treats.
    """

    code: str
    name: str
    advice: str


REFER_MEDICAL = Referral(
    REFER_MEDICAL_CODE,
    N_("Needs a doctor, not a running-injury plan"),
    N_(
        "One or more of your answers is a warning sign of a medical problem rather than a running injury. A "
        "doctor needs to see you first; please leave exercises, stretches and any return-to-running plan until "
        "they have."
    ),
)


# Diagnoses of exclusion: listed only when no red flag fires (DOMAIN.md section 1: overload "with no red flags").
NO_RED_FLAG_CONDITIONS = ("overuse_tightness",)


def _rank_conditions(answers: Answers, *, red_flags: bool = False) -> list[tuple[float, str, list[Rule]]]:
    points: dict[str, float] = {}
    fired: dict[str, list[Rule]] = {}
    signs: set[str] = set()
    for rule in RULES:
        if rule.predicate(answers):
            points[rule.condition] = points.get(rule.condition, 0.0) + rule.weight
            fired.setdefault(rule.condition, []).append(rule)
            if rule.kind == "sign" and rule.weight > 0:
                signs.add(rule.condition)
    if red_flags:
        signs -= set(NO_RED_FLAG_CONDITIONS)
    ranked = [(points[code], code, fired[code]) for code in signs if points[code] >= MIN_POINTS]
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return ranked


WARNING_SIGNS = N_("Warning signs in your answers:")


def advice_text(urgency: str, advice_for: str, flag_messages: list[str]) -> str:
    """The advice in English: the urgency's, then ``advice_for``'s (a condition or ``REFER_MEDICAL``) as
    "name: advice", then the red flags' messages."""
    advice = [URGENCY_ADVICE[urgency]]
    if advice_for:
        definition = REFER_MEDICAL if advice_for == REFER_MEDICAL.code else CONDITIONS[advice_for]
        advice.append(f"{definition.name}: {definition.advice}")
    if flag_messages:
        advice.append(WARNING_SIGNS + " " + " ".join(flag_messages))
    return " ".join(advice)


def assess(answers: dict) -> Assessment:
    """Validate ``answers`` and return the triage ``Assessment`` (see the module docstring for the method)."""
    cleaned = validate(answers)
    red_flags = [
        RedFlag(rule.code, rule.message, rule.urgency) for rule in RED_FLAG_RULES if rule.predicate(cleaned)
    ]
    red_flags.sort(key=lambda flag: -URGENCY_RANK[flag.urgency])  # stable: table order within a level
    referring = [rule for rule in RED_FLAG_RULES if rule.refer and rule.predicate(cleaned)]
    referrals = [rule.refer for rule in referring]

    conditions = []
    if referrals:
        conditions.append(
            ConditionResult(
                REFER_MEDICAL.code,
                REFER_MEDICAL.name,
                1.0,
                referrals,
                tuple(r.referral_code for r in referring),
            )
        )
    ranked = _rank_conditions(cleaned, red_flags=bool(red_flags))
    for points, code, rules in ranked[: MAX_CONDITIONS - len(conditions)]:
        ordered = sorted(rules, key=lambda r: -r.weight)
        score = round(1.0 - math.exp(-points / SCORE_SCALE), 2)
        conditions.append(
            ConditionResult(
                code, CONDITIONS[code].name, score, [r.reason for r in ordered], tuple(r.id for r in ordered)
            )
        )

    # REFER_MEDICAL's urgency is the highest of its flags, which are counted here already.
    levels = [URGENCY_RANK[flag.urgency] for flag in red_flags]
    top = next((CONDITIONS[c.code] for c in conditions if c.code in CONDITIONS), None)
    if top is not None:
        levels.append(URGENCY_RANK[top.default_urgency])
    urgency = URGENCY_ORDER[max(levels, default=0)]

    # Condition advice only where it cannot contradict the urgency (e.g. no stretching tips in an emergency),
    # and never a running-injury tip when the answers need a doctor first.
    calm = URGENCY_RANK[urgency] <= URGENCY_RANK[Urgency.ROUTINE]
    advice_for = ""
    if referrals:
        advice_for = REFER_MEDICAL.code
    elif top is not None and (calm or top.default_urgency == urgency):
        advice_for = top.code

    return Assessment(
        urgency=urgency,
        stop_running=urgency in URGENT_OR_WORSE,
        red_flags=red_flags,
        conditions=conditions,
        advice=advice_text(urgency, advice_for, [flag.message for flag in red_flags]),
        advice_for=advice_for,
    )
