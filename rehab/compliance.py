"""Compliance: what the athlete did against what their plan asked, as a percentage.

Exercise compliance counts sets; run compliance counts sessions. A day's done sets are capped at what one day
asks, so doubling up on Sunday does not hide a missed week. Warm-up and cool-down rows belong to the run
session: they are due once per run done (none on a day without one); rows with days a week are due that many
times a week, other rows daily (DOMAIN.md section 6). Bands follow Physitrack and Output Sports:
on track ≥ 80 %, partial 50–79 %, off track < 50 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy

# An exercise prescribed without "days a week" belongs to the daily home programme.
DEFAULT_DAYS_PER_WEEK = 7
# Library kinds (library.models.Exercise.kind) done with each run session rather than on their own days.
RUN_TIED_KINDS = ("warm_up", "cool_down")
ON_TRACK = 80
PARTIAL = 50


@dataclass(frozen=True)
class Prescription:
    """What one phase asks for in a week."""

    sets_per_week: float = 0.0
    runs_per_week: float = 0.0
    sets_per_day: int = 0  # every exercise once, with all its sets: the most one day can count
    sets_per_run: int = 0  # the warm-up and cool-down rows: due on each day with a run session

    @classmethod
    def from_phase(cls, phase, exercises: Iterable) -> Prescription:
        """From a phase (sessions_per_week, run_activity) and its exercise rows (sets, times_per_day,
        days_per_week, and the library kind as `exercise_kind` or `exercise.kind`)."""
        per_week = 0.0
        per_day = per_run = 0
        for row in exercises:
            daily = (row.sets or 1) * (row.times_per_day or 1)
            if _kind(row) in RUN_TIED_KINDS:
                per_run += daily
                continue
            per_day += daily
            per_week += daily * (row.days_per_week or DEFAULT_DAYS_PER_WEEK)
        runs = (phase.sessions_per_week or 0) if phase.run_activity != "none" else 0
        return cls(
            sets_per_week=per_week, runs_per_week=float(runs), sets_per_day=per_day, sets_per_run=per_run
        )


def _kind(row) -> str | None:
    kind = getattr(row, "exercise_kind", None)
    if kind is None and getattr(row, "exercise", None) is not None:
        kind = getattr(row.exercise, "kind", None)
    return kind


# (first day, prescription) pairs in date order: which phase applied on which day.
Schedule = Sequence[tuple[date, Prescription]]


def prescription_on(schedule: Schedule, day: date) -> Prescription | None:
    current = None
    for start, prescription in schedule:
        if start > day:
            break
        current = prescription
    return current


def band(percent: int | None) -> str:
    if percent is None:
        return "none"
    if percent >= ON_TRACK:
        return "on_track"
    if percent >= PARTIAL:
        return "partial"
    return "off_track"


BAND_LABELS = {
    "on_track": gettext_lazy("On track"),
    "partial": gettext_lazy("Partial"),
    "off_track": gettext_lazy("Off track"),
    "none": gettext_lazy("Nothing planned"),
}


def _percent(done: float, planned: float) -> int | None:
    if planned <= 0:
        return None
    return min(100, round(100 * done / planned))


@dataclass(frozen=True)
class Compliance:
    start: date
    end: date
    sets_planned: float = 0.0
    sets_done: int = 0
    runs_planned: float = 0.0
    runs_done: int = 0

    @property
    def exercise_percent(self) -> int | None:
        return _percent(self.sets_done, self.sets_planned)

    @property
    def run_percent(self) -> int | None:
        return _percent(self.runs_done, self.runs_planned)

    @property
    def percent(self) -> int | None:
        """Exercises and runs weigh the same; either alone when only one was planned."""
        parts = [p for p in (self.exercise_percent, self.run_percent) if p is not None]
        return round(sum(parts) / len(parts)) if parts else None

    @property
    def band(self) -> str:
        return band(self.percent)

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS[self.band])


def compliance(schedule: Schedule, logs: Iterable, start: date, end: date) -> Compliance:
    """Compliance from `start` to `end` inclusive. `logs` have date, run_minutes and sets_done."""
    by_date = {log.date: log for log in logs if start <= log.date <= end}
    sets_planned = runs_planned = 0.0
    sets_done = runs_done = 0
    day = start
    while day <= end:
        prescription = prescription_on(schedule, day)
        if prescription is not None:
            sets_planned += prescription.sets_per_week / 7
            runs_planned += prescription.runs_per_week / 7
            log = by_date.get(day)
            if log is not None:
                ran = (log.run_minutes or 0) > 0
                with_run = prescription.sets_per_run if ran else 0
                sets_planned += with_run
                sets_done += min(log.sets_done or 0, prescription.sets_per_day + with_run)
                runs_done += 1 if ran and prescription.runs_per_week else 0
        day += timedelta(days=1)
    return Compliance(start, end, sets_planned, sets_done, runs_planned, runs_done)


def last_7_days(schedule: Schedule, logs: Sequence, today: date) -> Compliance:
    """The 7 days up to today, or up to yesterday while today is not logged yet (so mornings don't look bad)."""
    end = today if any(log.date == today for log in logs) else today - timedelta(days=1)
    return compliance(schedule, logs, end - timedelta(days=6), end)


def weekly(schedule: Schedule, logs: Sequence, start: date, end: date) -> list[Compliance]:
    """One Compliance per calendar week (Monday to Sunday), clipped to `start`..`end`, oldest first."""
    weeks = []
    week_start = start
    while week_start <= end:
        week_end = min(end, week_start + timedelta(days=6 - week_start.weekday()))
        weeks.append(compliance(schedule, logs, week_start, week_end))
        week_start = week_end + timedelta(days=1)
    return weeks
