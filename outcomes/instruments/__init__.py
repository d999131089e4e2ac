"""Questionnaires (PROMs) as data: one JSON file per instrument in this folder. No Django imports.

`load(code)` and `all_instruments()` read the shipped files; `parse(data)` validates any instrument document (a
shipped file, or a clinic's import carrying its licensed wording) and returns an `Instrument`, or raises
`InstrumentError` naming the first problem. An instrument whose licence is "licensed" ships with empty item
texts: it can be scored but not shown to an athlete until a clinic loads its wording (`has_wording`).

Document keys: code, name, short_name, version, instructions, answer (the items' default min, max, integer,
anchors), items (code, text, optional overrides), subscales (code, name, items), scoring (subscales and total:
method sum | mean | reversed_percent | mean_of_subscales, and one missing-item rule: min_answered,
min_answered_fraction or max_missing; impute "mean" for a sum), missing_rule (the rule in words), score (min,
max, higher_is better | worse), change (kind MCID | SDC | null, points, percent, basis, optional per-subscale
points), source, licence (status free | licensed, terms), and optionally translations: the athlete-facing words
in another language, {"es": {"name", "instructions", "items": {item code: text}, "anchors": {value: words}}},
each key optional (`in_language` shows the English where one is missing). Only instruments whose wording we may
ship carry translations, in our own words (no validated translation is copied).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
METHODS = ("sum", "mean", "reversed_percent")
TOTAL_METHODS = (*METHODS, "mean_of_subscales")
MISSING_KEYS = ("min_answered", "min_answered_fraction", "max_missing")
LICENCES = ("free", "licensed")
DIRECTIONS = ("better", "worse")
TOTAL = "total"


class InstrumentError(ValueError):
    pass


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    min: float
    max: float
    integer: bool
    optional: bool = False


@dataclass(frozen=True)
class Rule:
    """How one scale is scored and how many of its items must be answered."""

    method: str
    min_answered: int | None = None
    min_answered_fraction: float | None = None
    max_missing: int | None = None
    impute: str | None = None

    def needed(self, n_items: int) -> int:
        """How many of `n_items` must be answered for the scale to be scored."""
        if self.min_answered is not None:
            return self.min_answered
        if self.min_answered_fraction is not None:
            return math.ceil(self.min_answered_fraction * n_items - 1e-9)
        if self.max_missing is not None:
            return n_items - self.max_missing
        return n_items


@dataclass(frozen=True)
class Subscale:
    code: str
    name: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class ChangeRule:
    kind: str | None
    points: float | None
    percent: float | None
    basis: str
    subscale_points: dict[str, float] = field(default_factory=dict)

    def threshold(self, scale: str = TOTAL) -> float | None:
        return self.subscale_points.get(scale, self.points)


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    short_name: str
    version: str
    instructions: str
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...]
    subscale_rule: Rule | None
    total_rule: Rule | None
    missing_rule: str
    score_min: float
    score_max: float
    higher_is: str
    change: ChangeRule
    source: str
    licence: str
    licence_terms: str
    anchors: dict[str, str] = field(default_factory=dict)
    translations: dict[str, dict] = field(default_factory=dict)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    @property
    def has_wording(self) -> bool:
        """Whether every item has its text, so the questionnaire can be shown to an athlete."""
        return all(item.text for item in self.items)

    @property
    def higher_is_better(self) -> bool:
        return self.higher_is == "better"

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


def _require(data: dict, key: str, kind, where: str):
    if key not in data:
        raise InstrumentError(f"{where}: missing {key!r}")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise InstrumentError(f"{where}: {key!r} has the wrong type")
    return value


def _rule(data, where: str, methods) -> Rule | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise InstrumentError(f"{where}: must be an object or null")
    unknown = set(data) - {"method", "impute", *MISSING_KEYS}
    if unknown:
        raise InstrumentError(f"{where}: unknown keys {sorted(unknown)}")
    method = data.get("method")
    if method not in methods:
        raise InstrumentError(f"{where}: method must be one of {', '.join(methods)}")
    given = [key for key in MISSING_KEYS if data.get(key) is not None]
    if len(given) > 1:
        raise InstrumentError(f"{where}: give one missing-item rule, not {given}")
    fraction = data.get("min_answered_fraction")
    if fraction is not None and not 0 < fraction <= 1:
        raise InstrumentError(f"{where}: min_answered_fraction must be in (0, 1]")
    impute = data.get("impute")
    if impute not in (None, "mean") or impute and method != "sum":
        raise InstrumentError(f"{where}: impute 'mean' applies to a sum only")
    return Rule(
        method=method,
        min_answered=data.get("min_answered"),
        min_answered_fraction=fraction,
        max_missing=data.get("max_missing"),
        impute=impute,
    )


def parse(data: dict) -> Instrument:
    """Validate an instrument document and return it as an Instrument."""
    if not isinstance(data, dict):
        raise InstrumentError("an instrument is a JSON object")
    code = _require(data, "code", str, "instrument")
    where = f"instrument {code!r}"
    answer = _require(data, "answer", dict, where)
    items = []
    for raw in _require(data, "items", list, where):
        if not isinstance(raw, dict):
            raise InstrumentError(f"{where}: every item is an object")
        item_code = _require(raw, "code", str, where)
        low, high = raw.get("min", answer.get("min")), raw.get("max", answer.get("max"))
        if (
            not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
            or low >= high
        ):
            raise InstrumentError(f"{where}: item {item_code!r} needs a numeric min below its max")
        text = raw.get("text", "")
        if not isinstance(text, str):
            raise InstrumentError(f"{where}: item {item_code!r} text must be a string")
        items.append(
            Item(
                code=item_code,
                text=text,
                min=low,
                max=high,
                integer=bool(raw.get("integer", answer.get("integer", True))),
                optional=bool(raw.get("optional", False)),
            )
        )
    codes = [item.code for item in items]
    if not codes or len(set(codes)) != len(codes):
        raise InstrumentError(f"{where}: item codes must be present and unique")
    subscales = []
    for raw in _require(data, "subscales", list, where):
        sub = Subscale(
            code=_require(raw, "code", str, where),
            name=_require(raw, "name", str, where),
            items=tuple(_require(raw, "items", list, where)),
        )
        if not sub.items or set(sub.items) - set(codes):
            raise InstrumentError(f"{where}: subscale {sub.code!r} lists unknown or no items")
        subscales.append(sub)
    scoring = _require(data, "scoring", dict, where)
    subscale_rule = _rule(scoring.get("subscales"), f"{where} subscale scoring", METHODS)
    total_rule = _rule(scoring.get("total"), f"{where} total scoring", TOTAL_METHODS)
    if bool(subscales) != bool(subscale_rule):
        raise InstrumentError(f"{where}: subscales and their scoring rule go together")
    if total_rule is None and not subscales:
        raise InstrumentError(f"{where}: nothing to score")
    if total_rule and total_rule.method == "mean_of_subscales" and not subscales:
        raise InstrumentError(f"{where}: mean_of_subscales needs subscales")
    score = _require(data, "score", dict, where)
    if score.get("higher_is") not in DIRECTIONS:
        raise InstrumentError(f"{where}: score.higher_is must be 'better' or 'worse'")
    change = _require(data, "change", dict, where)
    licence = _require(data, "licence", dict, where)
    if licence.get("status") not in LICENCES:
        raise InstrumentError(f"{where}: licence.status must be 'free' or 'licensed'")
    for text_key in ("name", "short_name", "version", "missing_rule", "source"):
        _require(data, text_key, str, where)
    _require(change, "basis", str, f"{where} change")
    translations = _translations(data.get("translations", {}), where, codes, answer.get("anchors", {}))
    return Instrument(
        code=code,
        name=data["name"],
        short_name=data["short_name"],
        version=data["version"],
        instructions=data.get("instructions", ""),
        items=tuple(items),
        subscales=tuple(subscales),
        subscale_rule=subscale_rule,
        total_rule=total_rule,
        missing_rule=data["missing_rule"],
        score_min=score["min"],
        score_max=score["max"],
        higher_is=score["higher_is"],
        change=ChangeRule(
            kind=change.get("kind"),
            points=change.get("points"),
            percent=change.get("percent"),
            basis=change["basis"],
            subscale_points=dict(change.get("subscales", {})),
        ),
        source=data["source"],
        licence=licence["status"],
        licence_terms=licence.get("terms", ""),
        anchors=dict(answer.get("anchors", {})),
        translations=translations,
    )


TRANSLATION_KEYS = {"name", "instructions", "items", "anchors"}


def _translations(data, where: str, codes: list[str], anchors: dict) -> dict[str, dict]:
    if not isinstance(data, dict):
        raise InstrumentError(f"{where}: translations must be an object of languages")
    for language, texts in data.items():
        at = f"{where} translation {language!r}"
        if not isinstance(texts, dict) or set(texts) - TRANSLATION_KEYS:
            raise InstrumentError(f"{at}: an object with {', '.join(sorted(TRANSLATION_KEYS))} only")
        for key in ("name", "instructions"):
            if not isinstance(texts.get(key, ""), str):
                raise InstrumentError(f"{at}: {key!r} must be a text")
        items, words = texts.get("items", {}), texts.get("anchors", {})
        if not isinstance(items, dict) or set(items) - set(codes):
            raise InstrumentError(f"{at}: items must map known item codes to texts")
        if not isinstance(words, dict) or set(words) - set(anchors):
            raise InstrumentError(f"{at}: anchors must name the instrument's own anchor values")
        if not all(isinstance(text, str) and text.strip() for text in [*items.values(), *words.values()]):
            raise InstrumentError(f"{at}: every text must be filled in")
    return {language: dict(texts) for language, texts in data.items()}


def in_language(instrument: Instrument, language: str | None) -> Instrument:
    """The instrument with its athlete-facing words (name, instructions, items, anchors) in `language` where it
    ships them ("es", or "es-..." read as "es"), the English where it does not."""
    texts = instrument.translations.get(language or "") or instrument.translations.get(
        (language or "").split("-")[0]
    )
    if not texts:
        return instrument
    words = texts.get("items", {})
    items = tuple(
        Item(i.code, words.get(i.code, i.text) if i.text else i.text, i.min, i.max, i.integer, i.optional)
        for i in instrument.items
    )
    return Instrument(
        **{
            **instrument.__dict__,
            "name": texts.get("name") or instrument.name,
            "instructions": texts.get("instructions") or instrument.instructions,
            "items": items,
            "anchors": {**instrument.anchors, **texts.get("anchors", {})},
        }
    )


def with_wording(
    instrument: Instrument,
    texts: dict[str, str],
    *,
    instructions: str = "",
    anchors: dict[str, str] | None = None,
) -> Instrument:
    """The instrument with a clinic's licensed item wording; every item needs a text, and no other codes."""
    unknown = set(texts) - set(instrument.item_codes)
    if unknown:
        raise InstrumentError(f"instrument {instrument.code!r}: unknown item codes {sorted(unknown)}")
    missing = [code for code in instrument.item_codes if not str(texts.get(code, "")).strip()]
    if missing:
        raise InstrumentError(f"instrument {instrument.code!r}: no wording for {missing}")
    items = tuple(
        Item(i.code, str(texts[i.code]).strip(), i.min, i.max, i.integer, i.optional)
        for i in instrument.items
    )
    return Instrument(
        **{
            **instrument.__dict__,
            "items": items,
            "instructions": instructions or instrument.instructions,
            "anchors": dict(anchors) if anchors else instrument.anchors,
            # A clinic's licensed wording is in the language it loaded; shipped translations do not replace it.
            "translations": {},
        }
    )


WORDING_KEYS = {"instrument", "version", "instructions", "items", "answer_labels"}
MAX_TEXT = 1000


def parse_wording(data) -> Instrument:
    """Validate a clinic's wording file and return the instrument with it.

    The file: {"instrument": "hoos", "version": "2.0", "items": {"P1": "…", …}, "instructions": "…",
    "answer_labels": {"0": "…", "4": "…"}}. The version must be the shipped one (the scoring belongs to it);
    every item needs its text; answer labels name answer values within the items' range.
    """
    if not isinstance(data, dict):
        raise InstrumentError("a wording file is a JSON object")
    if unknown := set(data) - WORDING_KEYS:
        raise InstrumentError(f"unknown keys {sorted(unknown)}")
    code = data.get("instrument")
    if code not in shipped():
        raise InstrumentError(f"no questionnaire with code {code!r}")
    instrument = shipped()[code]
    if data.get("version") != instrument.version:
        raise InstrumentError(
            f"instrument {code!r}: version {data.get('version')!r} does not match the scoring ({instrument.version!r})"
        )
    texts, instructions = data.get("items"), data.get("instructions", "")
    labels = data.get("answer_labels", {})
    if not isinstance(texts, dict) or not all(isinstance(t, str) for t in texts.values()):
        raise InstrumentError(f"instrument {code!r}: items must map item codes to texts")
    if not isinstance(instructions, str) or not isinstance(labels, dict):
        raise InstrumentError(f"instrument {code!r}: instructions is a text and answer_labels an object")
    low = min(item.min for item in instrument.items)
    high = max(item.max for item in instrument.items)
    for value, label in labels.items():
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not low <= number <= high or not isinstance(label, str) or not label.strip():
            raise InstrumentError(
                f"instrument {code!r}: answer label {value!r} is not a value from {low:g} to {high:g}"
            )
    if (
        any(len(t) > MAX_TEXT for t in [*texts.values(), *labels.values()])
        or len(instructions) > 5 * MAX_TEXT
    ):
        raise InstrumentError(f"instrument {code!r}: a text is too long")
    return with_wording(instrument, texts, instructions=instructions.strip(), anchors=labels)


@cache
def shipped() -> dict[str, Instrument]:
    found = {}
    for path in sorted(HERE.glob("*.json")):
        instrument = parse(json.loads(path.read_text(encoding="utf-8")))
        if instrument.code != path.stem:
            raise InstrumentError(f"{path.name}: its code is {instrument.code!r}")
        found[instrument.code] = instrument
    return found


def all_instruments() -> tuple[Instrument, ...]:
    return tuple(shipped().values())


def load(code: str) -> Instrument:
    """The shipped instrument with this code; KeyError when there is none."""
    return shipped()[code]
