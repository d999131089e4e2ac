"""A dosage in words, for library exercises (ranges) and plan rows (single values) alike. No Django imports.

Reads the dosage attributes of any object: sets, reps, hold_seconds, duration_minutes, per_side,
times_per_day, days_per_week, and the optional upper bounds sets_max, reps_max, hold_seconds_max.
"""

TIMES_A_DAY = {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}


def dosage_in_words(dose, *, note: str = "", fallback: str) -> str:
    """E.g. "2–3 sets × 8–10 reps, each side · 2 days a week"; `note` follows, `fallback` when empty."""
    sets = _span(dose.sets, getattr(dose, "sets_max", None))
    reps = _span(dose.reps, getattr(dose, "reps_max", None))
    hold = _hold(dose.hold_seconds, getattr(dose, "hold_seconds_max", None))
    if sets == "1" and (reps or hold):
        sets = ""  # "1 set × 10 reps" says no more than "10 reps"
    if reps:
        amount = f"{reps} {'rep' if reps == '1' else 'reps'}"
        if sets:
            amount = f"{sets} sets × {amount}"
        if hold:
            amount += f", {hold} hold"
    elif hold:
        amount = f"Hold {hold}" + (f" × {sets}" if sets else "")
    elif sets:
        amount = f"{sets} {'set' if sets == '1' else 'sets'}"
    else:
        amount = ""
    if dose.duration_minutes:
        amount = f"{amount} · {dose.duration_minutes} min" if amount else f"{dose.duration_minutes} min"
    parts = []
    if amount:
        parts.append(f"{amount}, each side" if dose.per_side else amount)
    if dose.times_per_day:
        times = dose.times_per_day
        parts.append(TIMES_A_DAY.get(times, f"{times} times a day"))
    if dose.days_per_week:
        days = dose.days_per_week
        parts.append("every day" if days >= 7 else f"{days} {'day' if days == 1 else 'days'} a week")
    text = " · ".join(parts)
    if note:
        text = f"{text}. {note}" if text else note
    return text or fallback


def _span(low: int | None, high: int | None) -> str:
    if not low:
        return ""
    return f"{low}–{high}" if high and high != low else str(low)


def _hold(low: int | None, high: int | None) -> str:
    """Seconds, or whole minutes from two minutes up: "30–60 s", "2 min"."""
    if not low:
        return ""
    values = [value for value in (low, high) if value]
    if low >= 120 and all(value % 60 == 0 for value in values):
        return f"{_span(low // 60, high // 60 if high else None)} min"
    return f"{_span(low, high)} s"
