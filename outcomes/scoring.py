"""Scoring questionnaires (PROMs) by their published rules, and the change between two rounds. No Django imports.

`score(instrument, answers)` reads a mapping of item code → number (or None for unanswered) and:

1. refuses what cannot be an answer, raising `OutcomeError` with a code: not a mapping, an item the instrument
   does not have, a value that is not a number, a fraction where the item takes whole numbers, a value outside
   the item's range;
2. scores each subscale (when the instrument has them) and the total by the instrument's method — sum (missing
   items replaced by the mean of the answered ones when the rule says so), mean, reversed percent
   (100 − (mean − min) × 100 / (max − min), the HOOS/HAGOS form) or the mean of the subscales;
3. leaves a scale unscored (None) when fewer items are answered than its missing-item rule needs, with a reason.

A score is `valid` when every scale the instrument reports could be computed. Scores are rounded to one
decimal. `change(instrument, baseline, current)` gives, per scale, the difference (current − baseline), whether
it is an improvement given the instrument's direction, and whether it reaches the instrument's threshold
(points, or a percent of the baseline where the instrument has one): None when no threshold is established.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import mean

from outcomes import codes
from outcomes.codes import OutcomeError, Reason, reason
from outcomes.instruments import TOTAL, Instrument, Rule

ROUND = 1


@dataclass(frozen=True)
class Score:
    instrument: str
    version: str
    total: float | None
    subscales: dict[str, float | None] = field(default_factory=dict)
    answered: int = 0
    missing: tuple[str, ...] = ()
    valid: bool = False
    reasons: tuple[Reason, ...] = ()

    def value(self, scale: str = TOTAL) -> float | None:
        return self.total if scale == TOTAL else self.subscales.get(scale)


@dataclass(frozen=True)
class Change:
    scale: str
    baseline: float | None
    current: float | None
    difference: float | None
    improved: bool | None
    meaningful: bool | None
    threshold: float | None


def clean_answers(instrument: Instrument, answers) -> dict[str, float | None]:
    """The answers checked against the instrument's items; raises OutcomeError on the first bad one."""
    if not isinstance(answers, Mapping):
        raise OutcomeError(codes.NOT_A_MAPPING, "Answers must map item codes to numbers.")
    known = set(instrument.item_codes)
    cleaned: dict[str, float | None] = {}
    for key, value in answers.items():
        if key not in known:
            raise OutcomeError(
                codes.UNKNOWN_ITEM, f"{instrument.short_name} has no item {key!r}.", item=str(key)
            )
        if value is None:
            cleaned[key] = None
            continue
        item = instrument.item(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise OutcomeError(
                codes.NOT_A_NUMBER, f"Item {key}: {value!r} is not a number.", item=key, value=repr(value)
            )
        if item.integer and value != int(value):
            raise OutcomeError(
                codes.NOT_WHOLE_NUMBER, f"Item {key} takes whole numbers, not {value}.", item=key, value=value
            )
        if not item.min <= value <= item.max:
            raise OutcomeError(
                codes.OUT_OF_RANGE,
                f"Item {key}: {value:g} is outside {item.min:g}–{item.max:g}.",
                item=key,
                value=value,
                min=item.min,
                max=item.max,
            )
        cleaned[key] = int(value) if item.integer else float(value)
    return cleaned


def _scale(
    instrument: Instrument, scale: str, rule: Rule, item_codes, answers: dict
) -> tuple[float | None, list[Reason]]:
    # An optional item (PSFS activities 4 and 5) counts only when it was asked.
    asked = [c for c in item_codes if not instrument.item(c).optional or c in answers]
    values = [answers[c] for c in asked if answers.get(c) is not None]
    needed = max(rule.needed(len(asked)), 1)
    if len(values) < needed:
        return None, [reason(codes.TOO_FEW_ANSWERED, scale=scale, answered=len(values), needed=needed)]
    reasons = []
    if rule.method == "sum":
        value = sum(values)
        if rule.impute == "mean" and len(values) < len(asked):
            value = mean(values) * len(asked)
            reasons.append(reason(codes.ITEMS_IMPUTED, scale=scale, count=len(asked) - len(values)))
    elif rule.method == "mean":
        value = mean(values)
    else:  # reversed_percent
        first = instrument.item(item_codes[0])
        value = 100 - (mean(values) - first.min) * 100 / (first.max - first.min)
    return round(value, ROUND), reasons


def score(instrument: Instrument, answers) -> Score:
    """Score one questionnaire round by the instrument's rules (see the module docstring)."""
    cleaned = clean_answers(instrument, answers)
    answered = [c for c in instrument.item_codes if cleaned.get(c) is not None]
    missing = tuple(
        c
        for c in instrument.item_codes
        if cleaned.get(c) is None and (not instrument.item(c).optional or c in cleaned)
    )
    reasons: list[Reason] = []
    if not answered:
        reasons.append(reason(codes.NO_ANSWERS))
    subscales: dict[str, float | None] = {}
    for sub in instrument.subscales:
        subscales[sub.code], why = _scale(instrument, sub.code, instrument.subscale_rule, sub.items, cleaned)
        reasons += why if answered else []
    total = None
    rule = instrument.total_rule
    if rule is not None and rule.method == "mean_of_subscales":
        unscored = [code for code, value in subscales.items() if value is None]
        if unscored:
            if answered:
                reasons.append(reason(codes.NEEDS_ALL_SUBSCALES, missing=unscored))
        else:
            total = round(mean(subscales.values()), ROUND)
    elif rule is not None:
        total, why = _scale(instrument, TOTAL, rule, instrument.item_codes, cleaned)
        reasons += why if answered else []
    reported = list(subscales.values()) + ([total] if rule is not None else [])
    return Score(
        instrument=instrument.code,
        version=instrument.version,
        total=total,
        subscales=subscales,
        answered=len(answered),
        missing=missing,
        valid=all(value is not None for value in reported),
        reasons=tuple(reasons),
    )


def change_in(
    instrument: Instrument, baseline: float | None, current: float | None, scale: str = TOTAL
) -> Change:
    """The change on one scale between two stored scores."""
    threshold = instrument.change.threshold(scale)
    if baseline is None or current is None:
        return Change(scale, baseline, current, None, None, None, threshold)
    difference = round(current - baseline, ROUND)
    improved = None
    if difference:
        improved = difference > 0 if instrument.higher_is_better else difference < 0
    percent = instrument.change.percent if scale == TOTAL else None
    if threshold is None and percent is None:
        meaningful = None
    else:
        meaningful = bool(threshold is not None and abs(difference) >= threshold - 1e-9) or bool(
            percent and baseline and abs(difference) * 100 / abs(baseline) >= percent - 1e-9
        )
    return Change(scale, baseline, current, difference, improved, meaningful, threshold)


def change(instrument: Instrument, baseline: Score, current: Score) -> dict[str, Change]:
    """Per scale ("total" when the instrument has one, then each subscale): the change from baseline."""
    if {baseline.instrument, current.instrument} != {instrument.code}:
        raise OutcomeError(
            codes.DIFFERENT_INSTRUMENTS,
            "Both scores must come from the same questionnaire.",
            baseline=baseline.instrument,
            current=current.instrument,
        )
    changes = {}
    if instrument.total_rule is not None:
        changes[TOTAL] = change_in(instrument, baseline.total, current.total)
    for sub in instrument.subscales:
        changes[sub.code] = change_in(
            instrument, baseline.subscales.get(sub.code), current.subscales.get(sub.code), sub.code
        )
    return changes
