"""The outcomes engines' codes in plain words (scoring, the test catalog, exit criteria), rendered at display time.

Engines store `Reason(code, params)`; pages, PDFs and the API call `render(reason)`. `describe(criterion)` says
a structured exit criterion the way a physio would write it.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from outcomes import catalog, codes, instruments
from outcomes.codes import Reason
from outcomes.criteria import MET, MISSING, NOT_MET, Criterion, parse

STATUS = {
    MET: gettext_noop("Met"),
    NOT_MET: gettext_noop("Not met yet"),
    MISSING: gettext_noop("Not measured in this phase"),
}
SCALE_NAMES = {
    "total": gettext_noop("score"),
    "symptoms": gettext_noop("symptoms"),
    "pain": gettext_noop("pain"),
    "adl": gettext_noop("daily living"),
    "sport": gettext_noop("sport and recreation"),
    "qol": gettext_noop("quality of life"),
    "pa": gettext_noop("physical activity"),
    "function": gettext_noop("function"),
}
SIDES = {
    "left": gettext_noop("left"),
    "right": gettext_noop("right"),
    "each": gettext_noop("each side"),
    "none": "",
}
COUNT_WORDS = {"reps": gettext_noop("reps"), "hops": gettext_noop("hops"), "seconds": gettext_noop("s")}


def _word(words: dict, key, default: str = "") -> str:
    """A word of SIDES, COUNT_WORDS or SCALE_NAMES in the active language ("" stays "": gettext("") would give
    the catalog's header)."""
    word = words.get(key, default)
    return _(word) if word else ""


def status_label(status: str) -> str:
    return _(STATUS[status])


def instrument_name(code: str) -> str:
    try:
        return instruments.load(code).short_name
    except KeyError:
        return code


def test_name(code: str) -> str:
    """A catalog test's name in the active language (an unknown code is shown as it is)."""
    test = catalog.BY_CODE.get(code)
    return _(test.name) if test else code


def how_to(test: catalog.ObjectiveTest) -> str:
    return _(test.how_to)


def measure_label(measure: catalog.Measure) -> str:
    return _(measure.label) if measure.label else ""


def unit_text(unit: str) -> str:
    """A measure's unit: words ("reps", "N or kg") in the active language, symbols ("°", "mmHg") as they are."""
    return _(unit) if unit else ""


def choice_label(value: str) -> str:
    """A recorded choice ("positive" / "negative") in the active language."""
    word = catalog.CHOICE_LABELS.get(value)
    return _(word) if word else str(value)


def _scale(code: str) -> str:
    return _word(SCALE_NAMES, code, code.replace("_", " "))


def _on(value) -> str:
    if not value:
        return ""
    return date_format(date.fromisoformat(value) if isinstance(value, str) else value, "j M Y")


def _test_side(params) -> str:
    side = _word(SIDES, params.get("side", "none"))
    return test_name(params.get("test", "")) + (f", {_(side)}" if side else "")


def _number(value) -> str:
    """A score as short as it goes (6.5, 12), with the active language's decimal separator (6,5 in Spanish)."""
    if not isinstance(value, int | float):
        return str(value)
    return f"{value:g}".replace(".", get_format("DECIMAL_SEPARATOR"))


def describe(criterion: Criterion | dict) -> str:
    """A structured criterion in a physio's words, e.g. "iHOT-12 score ≥ 70"."""
    c = criterion if isinstance(criterion, Criterion) else parse([criterion])[0]
    if c.kind == "prom":
        scale = "" if c.scale == "total" else " " + _scale(c.scale)
        sign = "≥" if c.op == ">=" else "≤"
        return f"{instrument_name(c.instrument)}{scale} {sign} {_number(c.value)}"
    if c.kind == "test":
        side = _word(SIDES, c.side)
        name = test_name(c.test) + (f", {_(side)}" if side else "")
        rule = catalog.get(c.test).pass_rule
        max_pain, min_count = c.max_pain, c.min_count
        if max_pain is None and min_count is None:
            if rule.kind == "negative":
                return _("%(test)s: negative") % {"test": name}
            max_pain, min_count = rule.max_pain, rule.min_count
        parts = []
        if max_pain is not None:
            parts.append(_("pain at most %(pain)s/10") % {"pain": max_pain})
        if min_count is not None:
            unit = _word(COUNT_WORDS, rule.count_measure, rule.count_measure)
            parts.append(_("at least %(count)s %(unit)s") % {"count": _number(min_count), "unit": unit})
        return f"{name}: {', '.join(parts)}"
    if c.kind == "symmetry":
        return _("%(test)s: side-to-side at least %(pct)s %%") % {
            "test": test_name(c.test),
            "pct": _number(c.min_pct),
        }
    return _("Clinician's clearance recorded")


def _criterion_result(r: Reason) -> str:
    p = r.params
    kind, on = p.get("kind"), _on(p.get("on"))
    if r.code == codes.CRITERION_MISSING:
        if kind == "clearance":
            return _("No clinician's clearance recorded yet.")
        what = test_name(p["test"]) if "test" in p else instrument_name(p["instrument"])
        if p.get("side") not in (None, "none"):
            what += f", {_word(SIDES, p['side'])}"
        return _("%(what)s: not measured in this phase yet.") % {"what": what}
    verdict = _("met") if r.code == codes.CRITERION_MET else _("not met yet")
    if kind == "clearance":
        return _("Clearance recorded on %(on)s.") % {"on": on}
    if kind == "prom":
        scale = "" if p["scale"] == "total" else " " + _scale(p["scale"])
        sign = "≥" if p["op"] == ">=" else "≤"
        return _("%(name)s%(scale)s %(value)s on %(on)s (target %(sign)s %(target)s): %(verdict)s.") % {
            "name": instrument_name(p["instrument"]),
            "scale": scale,
            "value": _number(p["value"]),
            "on": on,
            "sign": sign,
            "target": _number(p["target"]),
            "verdict": verdict,
        }
    if kind == "symmetry":
        return _("%(test)s: side-to-side %(pct)s %% on %(on)s (target at least %(min)s %%): %(verdict)s.") % {
            "test": test_name(p["test"]),
            "pct": _number(p["pct"]),
            "on": on,
            "min": _number(p["min_pct"]),
            "verdict": verdict,
        }
    found = []
    if p.get("count") is not None and p.get("min_count") is not None:
        found.append(f"{_number(p['count'])} {_word(COUNT_WORDS, p['measure'], p['measure'])}")
    if p.get("pain") is not None and p.get("max_pain") is not None:
        found.append(_("pain %(pain)s/10") % {"pain": _number(p["pain"])})
    detail = f" ({', '.join(found)})" if found else ""
    return _("%(test)s%(detail)s on %(on)s: %(verdict)s.") % {
        "test": _test_side(p),
        "detail": detail,
        "on": on,
        "verdict": verdict,
    }


TEXTS = {
    codes.NO_ANSWERS: gettext_noop("No questions answered yet."),
    codes.TOO_FEW_ANSWERED: gettext_noop(
        "Not scored (%(scale)s): %(answered)s answers, at least %(needed)s needed."
    ),
    codes.ITEMS_IMPUTED: gettext_noop(
        "%(count)s unanswered question(s) counted at the average of the answered ones."
    ),
    codes.NEEDS_ALL_SUBSCALES: gettext_noop("No summary score: every part must be scored first."),
    codes.UNKNOWN_ITEM: gettext_noop("This questionnaire has no question %(item)s."),
    codes.NOT_A_NUMBER: gettext_noop("The answer to %(item)s is not a number."),
    codes.NOT_WHOLE_NUMBER: gettext_noop("%(item)s takes a whole number."),
    codes.OUT_OF_RANGE: gettext_noop("%(item)s: %(value)s is outside %(min)s–%(max)s."),
    codes.NOT_A_MAPPING: gettext_noop("The answers could not be read."),
    codes.DIFFERENT_INSTRUMENTS: gettext_noop("These scores come from different questionnaires."),
    codes.UNKNOWN_TEST: gettext_noop("There is no test called %(test)s."),
    codes.UNKNOWN_MEASURE: gettext_noop("%(test_name)s has no measure called %(measure)s."),
    codes.BAD_SIDE: gettext_noop("%(test_name)s is not recorded that way round (side: %(side)s)."),
    codes.NOTHING_RECORDED: gettext_noop("%(test_name)s: nothing recorded yet."),
    codes.BAD_CHOICE: gettext_noop("%(value)s is not one of the choices."),
    codes.BAD_UNIT: gettext_noop("Strength is recorded in N or kg."),
    codes.PAIN_TOO_HIGH: gettext_noop("%(test_side)s: pain %(pain)s/10, above %(max_pain)s/10."),
    codes.TOO_FEW: gettext_noop("%(test_side)s: %(count)s %(unit)s, fewer than %(min_count)s."),
    codes.POSITIVE_FINDING: gettext_noop("%(test_side)s: positive, it brought on the familiar pain."),
    codes.SYMMETRY_BELOW: gettext_noop("%(test_name)s: side-to-side %(pct)s %%, below %(min_pct)s %%."),
    codes.NEEDS_BOTH_SIDES: gettext_noop("%(test_name)s: record both sides to compare them."),
    codes.NO_PASS_MARK: gettext_noop("%(test_name)s is recorded for the trend; it has no pass mark."),
    codes.BAD_CRITERION: gettext_noop("Exit criterion %(number)s: %(problem)s."),
    codes.MEASURED_BEFORE_PHASE: gettext_noop("Last measured on %(on)s, before this phase started."),
    codes.PROM_NOT_SCORED: gettext_noop(
        "%(instrument_name)s on %(on)s had too many unanswered questions to score."
    ),
}


# A positive finding of a test that provokes no pain (Trendelenburg), said in place of POSITIVE_FINDING's text.
POSITIVE_WITHOUT_PAIN = gettext_noop("%(test_side)s: positive, the pelvis dropped or the trunk leaned.")


def render(r: Reason | dict) -> str:
    """One reason in plain words."""
    r = r if isinstance(r, Reason) else Reason(r["code"], dict(r.get("params", {})))
    if r.code in (codes.CRITERION_MET, codes.CRITERION_NOT_MET, codes.CRITERION_MISSING):
        return _criterion_result(r)
    text = TEXTS[r.code]
    if r.code == codes.POSITIVE_FINDING and r.params.get("test") in catalog.BY_CODE:
        if not catalog.BY_CODE[r.params["test"]].provokes_pain:
            text = POSITIVE_WITHOUT_PAIN
    p = {key: _number(value) for key, value in r.params.items()}
    if "test" in r.params:
        p["test_name"] = test_name(r.params["test"])
        p["test_side"] = _test_side(r.params)
    if "scale" in r.params:
        p["scale"] = _scale(r.params["scale"])
    if "on" in r.params:
        p["on"] = _on(r.params["on"])
    if "instrument" in r.params:
        p["instrument_name"] = instrument_name(r.params["instrument"])
    if "measure" in r.params:
        p["unit"] = _word(COUNT_WORDS, r.params["measure"], r.params["measure"])
    if "index" in r.params:
        p["number"] = r.params["index"] + 1
    return _(text) % p


def change_words(instrument: instruments.Instrument, change) -> str:
    """A change since the first round (outcomes.scoring.Change), for the athlete and the care team: which way
    it went given the questionnaire's direction, by how much, and whether it is a change that matters."""
    if change is None or change.difference is None:
        return ""
    if not change.difference:
        return _("No change since your first round.")
    words = {"points": _number(abs(change.difference))}
    words["unit"] = _("point") if abs(change.difference) == 1 else _("points")
    if change.improved:
        moved = _("%(points)s %(unit)s better than your first round.") % words
    else:
        moved = _("%(points)s %(unit)s worse than your first round.") % words
    if change.meaningful is None:
        verdict = _("%(name)s has no established size of change that matters.")
    elif change.meaningful:
        verdict = _("That is a change that matters.")
    else:
        verdict = _("That is less than the change that matters (%(threshold)s points).")
    return f"{moved} " + verdict % {"name": instrument.short_name, "threshold": _number(change.threshold)}
