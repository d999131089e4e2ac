"""Results stored as English sentences (before the engine spoke in codes) turned into codes.

Until engine results were stored as codes (``Assessment.to_record()``), an intake kept ``Assessment.to_dict()``:
the engine's English. The engine's English is known, so each stored sentence is mapped back to its code exactly
(a red flag's message to the flag, a reason to the rule that gives it for that condition, the advice to the
urgency and the condition it was made of). Whatever does not match word for word (a sentence reworded since,
an older engine's) is kept as stored, and triage/wording.py shows it as it was. Pure Python, for the data
migration.
"""

from triage import engine

_FLAGS = {rule.code: rule for rule in engine.RED_FLAG_RULES}
# (condition, reason) -> code: a rule's id, or for REFER_MEDICAL the referring red flag's.
_REASON_CODES = {(rule.condition, rule.reason): rule.id for rule in engine.RULES} | {
    (engine.REFER_MEDICAL.code, rule.refer): rule.referral_code
    for rule in engine.RED_FLAG_RULES
    if rule.refer
}


def _name(code) -> str | None:
    if code == engine.REFER_MEDICAL.code:
        return engine.REFER_MEDICAL.name
    definition = engine.CONDITIONS.get(code)
    return definition.name if definition else None


def is_english(result) -> bool:
    """True for a result stored as the engine's English (its advice is a sentence, not codes)."""
    return isinstance(result, dict) and isinstance(result.get("advice"), str)


def from_english(result: dict) -> dict:
    """The codes of a result stored as ``Assessment.to_dict()``; a text that does not match stays as stored."""
    if not is_english(result):
        return result
    record = dict(result)
    flags, all_flags_known = [], True
    for flag in result.get("red_flags") or []:
        rule = _FLAGS.get(flag.get("code")) if isinstance(flag, dict) else None
        if rule is not None and "message" not in flag:  # already a code (the migration ran before)
            flags.append(flag)
        elif rule is not None and flag.get("message") == rule.message:
            flags.append({"code": rule.code, "params": {}})
        else:
            flags.append(flag)
            all_flags_known = False
    record["red_flags"] = flags

    conditions = []
    for condition in result.get("conditions") or []:
        if not isinstance(condition, dict):
            conditions.append(condition)
            continue
        code = condition.get("code")
        item = {key: value for key, value in condition.items() if key not in ("name", "reasons")}
        if "name" in condition and condition["name"] != _name(code):
            item["name"] = condition.get("name")
        reasons = []
        for reason in condition.get("reasons") or []:
            reason_code = _REASON_CODES.get((code, reason)) if isinstance(reason, str) else None
            reasons.append({"code": reason_code, "params": {}} if reason_code else reason)  # else as stored
        item["reasons"] = reasons
        conditions.append({"code": code, **item})
    record["conditions"] = conditions

    urgency = result.get("urgency")
    if all_flags_known and urgency in engine.URGENCY_ADVICE:
        messages = [
            flag.get("message") or _FLAGS[flag["code"]].message for flag in result.get("red_flags") or []
        ]
        codes = [c.get("code") for c in result.get("conditions") or [] if isinstance(c, dict)]
        for advice_for in ("", *codes[:2]):  # the leading entry, or REFER_MEDICAL's musculoskeletal follower
            if _name(advice_for) is None and advice_for:
                continue
            if engine.advice_text(urgency, advice_for, messages) == result.get("advice"):
                record["advice"] = {"urgency": urgency, "condition": advice_for or None}
                break
    if result.get("disclaimer") == engine.DISCLAIMER:
        del record["disclaimer"]
    return record


def to_english(record: dict) -> dict:
    """The engine's English for a result stored as codes (undoing the migration): the texts kept as stored stay."""

    def text(item, sources, key="text"):
        if isinstance(item, str) or not isinstance(item, dict):
            return item
        return item.get(key) or sources.get(item.get("code"), item.get("code"))

    result = dict(record)
    result["red_flags"] = [
        {"code": flag.get("code"), "message": text(flag, _MESSAGES, "message")}
        for flag in record.get("red_flags") or []
    ]
    result["conditions"] = [
        {
            "code": c.get("code"),
            "name": c.get("name") or _name(c.get("code")),
            "score": c.get("score"),
            "reasons": [text(r, _REASONS) for r in c.get("reasons") or []],
        }
        for c in record.get("conditions") or []
    ]
    advice = record.get("advice")
    if isinstance(advice, dict):
        messages = [flag["message"] for flag in result["red_flags"]]
        result["advice"] = engine.advice_text(advice.get("urgency"), advice.get("condition") or "", messages)
    result.setdefault("disclaimer", engine.DISCLAIMER)
    return result


_MESSAGES = {rule.code: rule.message for rule in engine.RED_FLAG_RULES}
_REASONS = {code: reason for (_, reason), code in _REASON_CODES.items()}
