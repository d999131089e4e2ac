"""A dosage in words, for library exercises (ranges) and plan rows (single values) alike, in the active language.

Reads the dosage attributes of any object: sets, reps, hold_seconds, duration_minutes, per_side,
times_per_day, days_per_week, and the optional upper bounds sets_max, reps_max, hold_seconds_max.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

TIMES_A_DAY = {
    1: gettext_lazy("once a day"),
    2: gettext_lazy("twice a day"),
    3: gettext_lazy("three times a day"),
    4: gettext_lazy("four times a day"),
}


def dosage_in_words(dose, *, note: str = "", fallback: str) -> str:
    """E.g. "2–3 sets × 8–10 reps, each side · 2 days a week"; `note` follows, `fallback` when empty."""
    sets_max = getattr(dose, "sets_max", None)
    reps_max = getattr(dose, "reps_max", None)
    sets = _span(dose.sets, sets_max)
    reps = _span(dose.reps, reps_max)
    hold = _hold(dose.hold_seconds, getattr(dose, "hold_seconds_max", None))
    if sets == "1" and (reps or hold):
        sets = ""  # "1 set × 10 reps" says no more than "10 reps"
    if reps:
        # A range is counted by its upper end: "8–10 reps".
        amount = ngettext("%(reps)s rep", "%(reps)s reps", _count(dose.reps, reps_max)) % {"reps": reps}
        if sets:
            amount = _("%(sets)s sets × %(amount)s") % {"sets": sets, "amount": amount}
        if hold:
            amount = _("%(amount)s, %(hold)s hold") % {"amount": amount, "hold": hold}
    elif hold:
        amount = _("Hold %(hold)s") % {"hold": hold} + (f" × {sets}" if sets else "")
    elif sets:
        amount = ngettext("%(sets)s set", "%(sets)s sets", _count(dose.sets, sets_max)) % {"sets": sets}
    else:
        amount = ""
    if dose.duration_minutes:
        amount = f"{amount} · {dose.duration_minutes} min" if amount else f"{dose.duration_minutes} min"
    parts = []
    if amount:
        parts.append(_("%(amount)s, each side") % {"amount": amount} if dose.per_side else amount)
    if dose.times_per_day:
        times = dose.times_per_day
        parts.append(
            str(TIMES_A_DAY[times])
            if times in TIMES_A_DAY
            else ngettext("%(count)s time a day", "%(count)s times a day", times) % {"count": times}
        )
    if dose.days_per_week:
        days = dose.days_per_week
        parts.append(
            _("every day")
            if days >= 7
            else ngettext("%(count)s day a week", "%(count)s days a week", days) % {"count": days}
        )
    text = " · ".join(parts)
    if note:
        text = f"{text}. {note}" if text else note
    return text or fallback


def _count(low: int, high: int | None) -> int:
    return high if high and high > low else low


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
