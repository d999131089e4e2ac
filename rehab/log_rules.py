"""What a day's log may hold, beyond each field's own range: one set of rules for the Log today form
(rehab.forms.DailyLogForm) and the API's `PUT /daily-logs/<date>/` (rehab.api.DailyLogInputSerializer), so that
neither stores a day the other refuses.

Each field's range (pain 0–10, walk and jog up to 60 minutes, distance up to 250 km, notes up to 2,000
characters) is the model's and is checked by both; these are the rules between fields and dates.
"""

from collections.abc import Mapping
from datetime import date

from django.utils.translation import gettext, gettext_noop

RUN_MINUTES_MIN, RUN_MINUTES_MAX = 1, 600
# What describes the run: meaningless without its minutes.
RUN_DETAILS = ("distance_km", "walk_minutes", "jog_minutes", "shoe", "surface", "avg_cadence")

# The messages stay English here (the API's words) and are marked for the catalog: the log page gives them in the
# athlete's language (in_language).
RUN_MINUTES_TEXT = gettext_noop(
    "Enter the minutes from %(min)d to %(max)d, or leave them out if you did not run."
)
RUN_MINUTES = RUN_MINUTES_TEXT % {"min": RUN_MINUTES_MIN, "max": RUN_MINUTES_MAX}
WITHOUT_RUN = gettext_noop("This goes with the run: enter its minutes too, or leave this out.")
NEXT_MORNING = gettext_noop(
    "The next morning's pain is entered the morning after (as that morning's answer)."
)
RETIRED_SHOE = gettext_noop("That shoe is retired: choose one you still run in.")


def in_language(message: str) -> str:
    """One of log_problems' messages in the active language."""
    if message == RUN_MINUTES:
        return gettext(RUN_MINUTES_TEXT) % {"min": RUN_MINUTES_MIN, "max": RUN_MINUTES_MAX}
    return gettext(message)


def shoes_for_log(athlete):
    """The shoes a log may name: the athlete's, not retired (the form lists these)."""
    return athlete.shoes.filter(retired=False)


def log_problems(saved: Mapping, sent: Mapping, *, day: date, today: date) -> dict[str, str]:
    """Field → message for a day's log that breaks a rule; empty when it is fine.

    `saved`: the day's log as stored (empty for a new day; a shoe by id); `sent`: the fields sent now, which
    replace those saved. A rule about a value applies when it was sent, or when what was sent breaks it: a day
    saved with a shoe since retired can still be changed, but taking the minutes away from a run that keeps its
    distance cannot.
    """
    values = {**saved, **sent}
    problems = {}
    minutes = values.get("run_minutes")
    if minutes is not None and not RUN_MINUTES_MIN <= minutes <= RUN_MINUTES_MAX:
        problems["run_minutes"] = RUN_MINUTES
    if minutes is None:
        for name in RUN_DETAILS:
            if values.get(name) not in (None, "") and (name in sent or "run_minutes" in sent):
                problems[name] = WITHOUT_RUN
    if day >= today and sent.get("pain_next_morning") is not None:
        problems["pain_next_morning"] = NEXT_MORNING
    shoe = sent.get("shoe")
    if shoe is not None and shoe.retired and shoe.pk != saved.get("shoe"):
        problems["shoe"] = RETIRED_SHOE
    return problems
