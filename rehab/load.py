"""Training-load guard from the athlete's own logs; its words in the active language (gettext).

DOMAIN.md section 7: the 10 % rule is guidance (it did not prevent injuries in a trial of novices), while weekly
jumps above about 30 % are linked to injuries, so > 10 % is a notice and > 30 % a warning. The acute:chronic ratio
is contested and is shown as information only; nothing is blocked on it.

Beside each week's distance, the session-RPE load (Foster's method): each run's effort (RPE 0–10, "how hard was
the session?") times its minutes, added up over the week, in arbitrary units. It counts how hard the running felt,
not only how far it went; a week whose runs have no effort given is "not rated", never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

NOTICE_PCT = 10
WARNING_PCT = 30
SHOE_KM = 800


@dataclass(frozen=True)
class Warning:
    level: str  # "notice" or "warning"
    message: str


WEEKS_SHOWN = 4


@dataclass(frozen=True)
class Week:
    """Seven days up to `end`: the distance run and the session-RPE load of the runs rated."""

    start: date
    end: date
    km: float
    runs: int  # days with run minutes
    rated: int  # of those, with a session effort given
    rpe_load: int | None  # sum of RPE × minutes over the rated runs; None when none was rated

    @property
    def load_text(self) -> str:
        if self.rpe_load is None:
            return _("not rated")
        text = _("%(load)s AU") % {"load": self.rpe_load}
        if self.rated == self.runs:
            return text
        rated = ngettext("%(rated)s of %(runs)s run rated", "%(rated)s of %(runs)s runs rated", self.runs)
        return f"{text} ({rated % {'rated': self.rated, 'runs': self.runs}})"


def weeks(logs: Iterable, today: date, count: int = WEEKS_SHOWN) -> list[Week]:
    """The last `count` weeks (7-day blocks ending today), the latest first."""
    logs = list(logs)
    shown = []
    for n in range(count):
        end = today - timedelta(days=7 * n)
        start = end - timedelta(days=6)
        days = [log for log in logs if start <= log.date <= end]
        runs = [log for log in days if log.run_minutes]
        rated = [log for log in runs if log.session_rpe is not None]
        load = sum(log.session_rpe * log.run_minutes for log in rated) if rated else None
        shown.append(Week(start, end, _km(days, start, end), len(runs), len(rated), load))
    return shown


@dataclass(frozen=True)
class Load:
    km_7d: float
    km_prev_7d: float
    km_28d: float
    change_pct: int | None  # week over week; None when the week before had no distance
    acwr: float | None  # 7-day km ÷ the 28-day weekly average; None without a 28-day history
    warnings: list[Warning] = field(default_factory=list)  # to the athlete ("Your distance is up…")
    clinician_warnings: list[Warning] = field(default_factory=list)  # the same, about the athlete
    weeks: list[Week] = field(default_factory=list)  # the last four, latest first, with the session-RPE load

    @property
    def has_running(self) -> bool:
        """Any run or distance in the weeks shown (otherwise the weeks' table is left out)."""
        return any(week.runs or week.km for week in self.weeks)

    @property
    def acwr_text(self) -> str:
        if self.acwr is None:
            return _("Not enough history yet (needs distance logged over four weeks).")
        if self.acwr < 0.8:
            zone = _("below your usual load")
        elif self.acwr <= 1.3:
            zone = _("in your usual range")
        elif self.acwr < 1.5:
            zone = _("above your usual load")
        else:
            zone = _("well above your usual load")
        return _("%(ratio)s — %(zone)s. For information only: this ratio is debated and decides nothing.") % {
            "ratio": number_format(self.acwr, 2),
            "zone": zone,
        }


def _km(logs: Iterable, start: date, end: date) -> float:
    return float(sum(float(log.distance_km or 0) for log in logs if start <= log.date <= end))


ATHLETE, CLINICIAN = "athlete", "clinician"


def load_warnings(
    previous: float, week: float, change: int | None, *, shoes: Iterable = (), audience: str = ATHLETE
) -> list[Warning]:
    """The week-over-week notice or warning and the worn-shoe notices, worded for `audience`: the athlete
    reads "Your distance is up…", the care team reads about the athlete ("Distance up…")."""
    to_athlete = audience == ATHLETE
    warnings = []
    if change is not None and change > NOTICE_PCT:
        numbers = {"change": change, "previous": _km_text(previous), "week": _km_text(week)}
        if change > WARNING_PCT:
            told = (
                _(
                    "Your distance is up %(change)s %% on the week before (%(previous)s → %(week)s km). Jumps "
                    "above 30 %% are linked to running injuries: ease back this week."
                )
                if to_athlete
                else _(
                    "Distance up %(change)s %% on the week before (%(previous)s → %(week)s km). Jumps above 30 %% "
                    "are linked to running injuries: worth easing back this week."
                )
            )
            warnings.append(Warning("warning", told % numbers))
        else:
            told = (
                _(
                    "Your distance is up %(change)s %% on the week before (%(previous)s → %(week)s km). Aim for "
                    "about 10 %% a week, and change distance or speed, not both."
                )
                if to_athlete
                else _(
                    "Distance up %(change)s %% on the week before (%(previous)s → %(week)s km); about 10 %% a week "
                    "is the usual ceiling."
                )
            )
            warnings.append(Warning("notice", told % numbers))
    for shoe in shoes:
        if not shoe.retired and float(shoe.km) >= SHOE_KM:
            named = {"shoe": shoe.name, "km": _km_text(float(shoe.km))}
            told = (
                _("Your %(shoe)s have %(km)s km: time to think about new shoes.")
                if to_athlete
                else _("Shoes (%(shoe)s) at %(km)s km: worth suggesting a new pair.")
            )
            warnings.append(Warning("notice", told % named))
    return warnings


def _km_text(km: float) -> str:
    """12.5 → "12.5" ("12,5" in Spanish), 12.0 → "12"."""
    return number_format(f"{km:g}")


def training_load(logs: Iterable, today: date, *, shoes: Iterable = ()) -> Load:
    """Weekly distance, its week-over-week change, the acute:chronic ratio and shoe mileage warnings.

    `logs` have date and distance_km; `shoes` have name, km and retired.
    """
    logs, shoes = list(logs), list(shoes)
    week = _km(logs, today - timedelta(days=6), today)
    previous = _km(logs, today - timedelta(days=13), today - timedelta(days=7))
    month = _km(logs, today - timedelta(days=27), today)
    has_month = any(log.date <= today - timedelta(days=21) and log.distance_km for log in logs)
    change = round(100 * (week - previous) / previous) if previous > 0 else None
    acwr = round(week / (month / 4), 2) if has_month and month > 0 else None
    warnings = load_warnings(previous, week, change, shoes=shoes)
    about = load_warnings(previous, week, change, shoes=shoes, audience=CLINICIAN)
    return Load(week, previous, month, change, acwr, warnings, about, weeks(logs, today))
