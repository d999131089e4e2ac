"""Structured exit criteria for a rehab phase, evaluated against the results recorded in it. No Django imports.

A phase's criteria are stored as a JSON list; `parse()` turns it into criteria or raises `OutcomeError`
(`bad_criterion`) naming the first problem. Kinds:

- ``{"kind": "prom", "instrument": "ihot12", "scale": "total", "op": ">=", "value": 70}`` — the latest
  scored round of the questionnaire in the phase reaches the value (op ">=" or "<=", e.g. NPRS "<=" 2);
- ``{"kind": "test", "test": "single_leg_squat", "side": "each", "max_pain": 2, "min_count": 10}`` — the latest
  result of the test in the phase, on each side asked ("each" = left and right, or "left", "right", "none"),
  has pain at most max_pain with at least min_count of the test's count measure (reps, hops, seconds); without
  max_pain and min_count the test's own pass mark decides (a negative FADIR, for instance);
- ``{"kind": "symmetry", "test": "hhd_hip_abduction", "min_pct": 90}`` — the latest side-to-side strength in
  the phase is at least min_pct %;
- ``{"kind": "clearance"}`` — a clinician's clearance is recorded (at any time: it is not redone per phase).

`evaluate(criteria, results, since=phase_start)` gives each criterion a status — met, not_met or missing (no
result in the phase) — with the date it was last measured and reasons as codes; results before `since` do not
count, but are named (``measured_before_phase``). Where a criterion checks several sides, a side not met wins
over a side missing, which wins over met. `all_met()` is true only when every criterion is met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from outcomes import catalog, codes, instruments
from outcomes.codes import OutcomeError, Reason, reason
from outcomes.instruments import TOTAL

MET, NOT_MET, MISSING = "met", "not_met", "missing"
KINDS = ("prom", "test", "symmetry", "clearance")
OPS = (">=", "<=")
SIDE_CHOICES = ("each", catalog.LEFT, catalog.RIGHT, catalog.NONE)
_WORST_FIRST = (NOT_MET, MISSING, MET)
FIELDS = {
    "prom": ("instrument", "scale", "op", "value"),
    "test": ("test", "side", "max_pain", "min_count"),
    "symmetry": ("test", "min_pct"),
    "clearance": (),
}


@dataclass(frozen=True)
class Criterion:
    kind: str
    instrument: str = ""
    scale: str = TOTAL
    op: str = ">="
    value: float | None = None
    test: str = ""
    side: str = "each"
    max_pain: int | None = None
    min_count: float | None = None
    min_pct: float | None = None

    def as_dict(self) -> dict[str, Any]:
        keep = FIELDS[self.kind]
        data = {"kind": self.kind}
        data.update({key: getattr(self, key) for key in keep if getattr(self, key) is not None})
        return data


@dataclass(frozen=True)
class PromResult:
    instrument: str
    on: date
    total: float | None
    subscales: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedTest:
    test: str
    side: str
    on: date
    values: dict[str, Any]
    passed: bool | None = None
    symmetry_pct: float | None = None


@dataclass(frozen=True)
class Results:
    """What was recorded for one athlete (outcomes.models rows have these attributes)."""

    proms: tuple[PromResult, ...] = ()
    tests: tuple[RecordedTest, ...] = ()
    clearances: tuple[date, ...] = ()


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    status: str
    last_measured: date | None
    reasons: tuple[Reason, ...]


def _bad(index: int, problem: str, **params) -> OutcomeError:
    return OutcomeError(
        codes.BAD_CRITERION, f"Criterion {index + 1}: {problem}", index=index, problem=problem, **params
    )


def _number(data: dict, key: str, index: int, *, low: float, high: float, required: bool = True):
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _bad(index, f"{key} must be a number from {low:g} to {high:g}", key=key)
    return value


def parse(raw) -> tuple[Criterion, ...]:
    """Validate stored criteria (a list of objects, see the module docstring)."""
    if not isinstance(raw, list | tuple):
        raise _bad(-1, "criteria must be a list")
    parsed = []
    for index, data in enumerate(raw):
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            raise _bad(index, f"kind must be one of {', '.join(KINDS)}")
        kind = data["kind"]
        allowed = {"kind", *FIELDS[kind]}
        if unknown := set(data) - allowed:
            raise _bad(index, f"unknown keys {sorted(unknown)}")
        if kind == "prom":
            try:
                instrument = instruments.load(data.get("instrument"))
            except (KeyError, TypeError):
                raise _bad(index, "unknown questionnaire", instrument=str(data.get("instrument"))) from None
            scale = data.get("scale", TOTAL)
            scales = [s.code for s in instrument.subscales] + ([TOTAL] if instrument.total_rule else [])
            if scale not in scales:
                raise _bad(index, f"scale must be one of {', '.join(scales)}", scale=str(scale))
            if data.get("op", ">=") not in OPS:
                raise _bad(index, "op must be >= or <=")
            value = _number(data, "value", index, low=instrument.score_min, high=instrument.score_max)
            parsed.append(
                Criterion(kind, instrument=instrument.code, scale=scale, op=data.get("op", ">="), value=value)
            )
        elif kind in ("test", "symmetry"):
            try:
                test = catalog.get(data.get("test"))
            except (OutcomeError, TypeError):
                raise _bad(index, "unknown test", test=str(data.get("test"))) from None
            if kind == "symmetry":
                if test.sides != catalog.PAIRED:
                    raise _bad(index, "symmetry needs a test recorded on both sides", test=test.code)
                parsed.append(
                    Criterion(kind, test=test.code, min_pct=_number(data, "min_pct", index, low=1, high=200))
                )
                continue
            side = data.get("side", "each" if test.sides == catalog.EACH else catalog.NONE)
            if side not in SIDE_CHOICES or (side == catalog.NONE) != (test.sides != catalog.EACH):
                raise _bad(index, "side does not fit this test", side=str(side))
            max_pain = _number(data, "max_pain", index, low=0, high=10, required=False)
            min_count = _number(data, "min_count", index, low=0, high=10_000, required=False)
            if min_count is not None and not (test.pass_rule and test.pass_rule.count_measure):
                raise _bad(index, "this test has no count", test=test.code)
            if max_pain is None and min_count is None and test.pass_rule is None:
                raise _bad(index, "this test has no pass mark: give max_pain", test=test.code)
            parsed.append(Criterion(kind, test=test.code, side=side, max_pain=max_pain, min_count=min_count))
        else:
            parsed.append(Criterion(kind))
    return tuple(parsed)


def _latest(rows, since: date | None):
    """The latest row in the phase, and the latest before it."""
    rows = sorted(rows, key=lambda r: r.on)
    inside = [r for r in rows if since is None or r.on >= since]
    before = [r for r in rows if since is not None and r.on < since]
    return (inside[-1] if inside else None), (before[-1] if before else None)


def _missing(params: dict, before) -> tuple[str, date | None, tuple[Reason, ...]]:
    reasons = [reason(codes.CRITERION_MISSING, **params)]
    if before is not None:
        reasons.append(reason(codes.MEASURED_BEFORE_PHASE, on=before.on.isoformat()))
    return MISSING, before.on if before is not None else None, tuple(reasons)


def _prom(c: Criterion, results: Results, since):
    params = {"kind": c.kind, "instrument": c.instrument, "scale": c.scale, "op": c.op, "target": c.value}
    rows = [p for p in results.proms if p.instrument == c.instrument]
    scored = [p for p in rows if (p.total if c.scale == TOTAL else p.subscales.get(c.scale)) is not None]
    latest, before = _latest(scored, since)
    if latest is None:
        unscored, _ = _latest(rows, since)
        if unscored is not None:
            why = reason(codes.PROM_NOT_SCORED, instrument=c.instrument, on=unscored.on.isoformat())
            return MISSING, unscored.on, (why,)
        return _missing(params, before)
    value = latest.total if c.scale == TOTAL else latest.subscales[c.scale]
    met = value >= c.value if c.op == ">=" else value <= c.value
    code = codes.CRITERION_MET if met else codes.CRITERION_NOT_MET
    return (
        (MET if met else NOT_MET),
        latest.on,
        (reason(code, **params, value=value, on=latest.on.isoformat()),),
    )


def _test_side(c: Criterion, side: str, results: Results, since):
    test = catalog.get(c.test)
    params = {"kind": c.kind, "test": c.test, "side": side}
    rows = [t for t in results.tests if t.test == c.test and t.side == side]
    latest, before = _latest(rows, since)
    if latest is None:
        return _missing({**params, "max_pain": c.max_pain, "min_count": c.min_count}, before)
    on = latest.on.isoformat()
    if c.max_pain is None and c.min_count is None:
        met = bool(latest.passed)
        params.update(on=on)
    else:
        pain = latest.values.get("pain")
        measure = test.pass_rule.count_measure if test.pass_rule else None
        count = latest.values.get(measure) if measure else None
        met = (c.max_pain is None or (pain is not None and pain <= c.max_pain)) and (
            c.min_count is None or (count is not None and count >= c.min_count)
        )
        params.update(
            pain=pain, max_pain=c.max_pain, count=count, min_count=c.min_count, measure=measure, on=on
        )
    code = codes.CRITERION_MET if met else codes.CRITERION_NOT_MET
    return (MET if met else NOT_MET), latest.on, (reason(code, **params),)


def _test(c: Criterion, results: Results, since):
    sides = (catalog.LEFT, catalog.RIGHT) if c.side == "each" else (c.side,)
    outcomes = [_test_side(c, side, results, since) for side in sides]
    status = min((o[0] for o in outcomes), key=_WORST_FIRST.index)
    dates = [o[1] for o in outcomes if o[1] is not None]
    return status, max(dates) if dates else None, tuple(r for o in outcomes for r in o[2])


def _symmetry(c: Criterion, results: Results, since):
    params = {"kind": c.kind, "test": c.test, "min_pct": c.min_pct}
    rows = [t for t in results.tests if t.test == c.test and t.symmetry_pct is not None]
    latest, before = _latest(rows, since)
    if latest is None:
        return _missing(params, before)
    met = latest.symmetry_pct >= c.min_pct
    code = codes.CRITERION_MET if met else codes.CRITERION_NOT_MET
    why = reason(code, **params, pct=latest.symmetry_pct, on=latest.on.isoformat())
    return (MET if met else NOT_MET), latest.on, (why,)


def _clearance(c: Criterion, results: Results, since):
    if not results.clearances:
        return MISSING, None, (reason(codes.CRITERION_MISSING, kind=c.kind),)
    on = max(results.clearances)
    return MET, on, (reason(codes.CRITERION_MET, kind=c.kind, on=on.isoformat()),)


RULES = {"prom": _prom, "test": _test, "symmetry": _symmetry, "clearance": _clearance}


def evaluate(criteria, results: Results, *, since: date | None = None) -> tuple[CriterionResult, ...]:
    """Each criterion's status against the results recorded since the phase started (see the docstring)."""
    parsed = criteria if all(isinstance(c, Criterion) for c in criteria) else parse(criteria)
    evaluated = []
    for criterion in parsed:
        status, on, reasons = RULES[criterion.kind](criterion, results, since)
        evaluated.append(CriterionResult(criterion, status, on, reasons))
    return tuple(evaluated)


def all_met(evaluated) -> bool:
    """True when every criterion is met (and there is at least one)."""
    return bool(evaluated) and all(result.status == MET for result in evaluated)
