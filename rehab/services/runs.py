"""Runs imported from a watch's files (issue #23): each file becomes the run part of that day's log.

`import_runs` reads every file with rehab.runfiles (files are read, never kept) and saves the run through
`log_save`, so an imported run is a log like any other: the same idempotency, audit trail, shoe km, stop alerts
and, after commit, the status refresh and its alerts. The day is the run's start in the athlete's time zone.

Per file, one outcome:
- imported: the run is now that day's run, or added to the run already imported that day (two runs: distance,
  minutes and climb add up; heart rate and cadence are averaged, weighted by minutes). A run typed in by hand
  with other numbers is replaced (the result says so). Pain answers, notes, effort and surface are never touched;
- unchanged: a run with the same start time is already on that day's log (the same file imported again);
- refused: the file could not be read (rehab.runfiles.RunFileError's sentence), is too large (refused before it
  is read), is one too many, or is on a day that cannot be logged (in the future, or too long ago).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction

from rehab.log_rules import RUN_MINUTES_MAX
from rehab.models import DailyLog
from rehab.runfiles import MAX_BYTES, MAX_FILES, MAX_KM, Run, RunFileError, read_run
from rehab.services.logs import BACKFILL_DAYS, log_save

IMPORTED, UNCHANGED, REFUSED = "imported", "unchanged", "refused"
HEART_RATE, CADENCE, MAX_CLIMB = DailyLog.HEART_RATE, DailyLog.CADENCE, DailyLog.MAX_CLIMB


class Upload(Protocol):
    """A file as Django hands it over (UploadedFile): its size is known before it is read."""

    size: int

    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class RunImport:
    """What became of one file. `replaced`: the distance and minutes typed in by hand before (km, minutes)."""

    name: str
    outcome: str  # IMPORTED | UNCHANGED | REFUSED
    reason: str = ""  # why it was refused, in a sentence for the runner
    day: date | None = None
    run: Run | None = None
    replaced: tuple[Decimal | None, int | None] | None = None
    added: bool = False  # added to a run imported earlier that day

    @property
    def ok(self) -> bool:
        return self.outcome != REFUSED


def import_runs(*, athlete, files: Sequence[tuple[str, bytes | Upload]], now: datetime) -> list[RunImport]:
    """Import each of `files` ((name, content) pairs; the content as bytes or an uploaded file, whose size is
    checked before it is read) into the athlete's logs, as of `now` (aware). One result per file, in order."""
    tz = athlete.tz
    today = now.astimezone(tz).date()
    results: list[RunImport] = []
    for index, (name, content) in enumerate(files):
        name = name or f"File {index + 1}"
        if index >= MAX_FILES:
            results.append(RunImport(name, REFUSED, f"Only {MAX_FILES} files are read at a time: import {name} "
                                                    "again on its own."))  # fmt: skip
            continue
        try:
            run = read_run(_bytes(content, name), name)
        except RunFileError as error:
            results.append(RunImport(name, REFUSED, str(error)))
            continue
        day = run.start.astimezone(tz).date()
        refused = _day_problem(day, today, name)
        if refused:
            results.append(RunImport(name, REFUSED, refused, day=day, run=run))
            continue
        results.append(_import_one(athlete, name, run, day, today))
    return results


def import_run(*, athlete, run: Run, name: str, now: datetime, day: date | None = None) -> RunImport:
    """Import one run that did not come from a file (a Strava activity, rehab.services.strava) into the athlete's
    logs, as of `now` (aware): the same rules and outcomes as each file of `import_runs`. `day` is the day it
    belongs to when the source knows the runner's own clock there (Strava's local start); else the start in the
    athlete's time zone."""
    today = now.astimezone(athlete.tz).date()
    day = day or run.start.astimezone(athlete.tz).date()
    refused = _day_problem(day, today, name)
    if refused:
        return RunImport(name, REFUSED, refused, day=day, run=run)
    return _import_one(athlete, name, run, day, today)


def _bytes(content: bytes | Upload, name: str) -> bytes:
    size = len(content) if isinstance(content, bytes | bytearray) else content.size
    if size > MAX_BYTES:
        raise RunFileError(
            f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB: export the run on its own."
        )
    return bytes(content) if isinstance(content, bytes | bytearray) else content.read(MAX_BYTES + 1)


def _day_problem(day: date, today: date, name: str) -> str:
    if day > today:
        return f"{name} is dated {day:%A %-d %B}, a day that hasn't happened yet: check the watch's clock."
    if day < today - timedelta(days=BACKFILL_DAYS):
        return f"{name} is from {day:%-d %B %Y}: logs go back {BACKFILL_DAYS} days at most."
    return ""


@transaction.atomic
def _import_one(athlete, name: str, run: Run, day: date, today: date) -> RunImport:
    log = DailyLog.objects.select_for_update().filter(athlete=athlete, date=day).first()
    start = run.start.isoformat()
    starts = list(log.run_starts) if log is not None else []
    if start in starts:
        return RunImport(name, UNCHANGED, day=day, run=run)
    replaced, added = None, bool(log is not None and starts)
    data = _added(log, run) if added else _run_part(run)
    if log is not None and not added and log.run_minutes:
        typed = (log.distance_km, log.run_minutes)
        if typed != (data["distance_km"], data["run_minutes"]):
            replaced = typed
    if data["run_minutes"] > RUN_MINUTES_MAX or data["distance_km"] > MAX_KM:
        return RunImport(name, REFUSED, f"{name} would make {day:%A %-d %B}'s running more than "
                         f"{RUN_MINUTES_MAX} minutes or {MAX_KM} km: not added.", day=day, run=run)  # fmt: skip
    started = run.start if not added or log.run_started_at is None else min(run.start, log.run_started_at)
    data |= {"run_starts": [*starts, start], "run_started_at": started, "run_source": run.source}
    try:
        log_save(athlete=athlete, day=day, data=data, today=today)
    except ValidationError as error:
        return RunImport(name, REFUSED, _sentence(name, error), day=day, run=run)
    return RunImport(name, IMPORTED, day=day, run=run, replaced=replaced, added=added)


def _in(value: int | None, low: int, high: int) -> int | None:
    """A watch's reading kept only when it is plausible (a cycling cadence or a strap's glitch is left out)."""
    return value if value is not None and low <= value <= high else None


def _run_part(run: Run) -> dict:
    return {
        "run_minutes": max(run.moving_minutes, 1),
        "distance_km": run.distance_km,
        "elevation_gain_m": _in(run.elevation_gain_m, 0, MAX_CLIMB),
        "avg_heart_rate": _in(run.avg_heart_rate, *HEART_RATE),
        "avg_cadence": _in(run.avg_cadence, *CADENCE),
    }


def _added(log: DailyLog, run: Run) -> dict:
    """The day's imported run with this one added: sums, and averages weighted by each run's minutes."""
    before, now = log.run_minutes or 0, max(run.moving_minutes, 1)

    def weighted(old: int | None, new: int | None) -> int | None:
        pairs = [(value, minutes) for value, minutes in ((old, before), (new, now)) if value and minutes]
        total = sum(minutes for _, minutes in pairs)
        return round(sum(value * minutes for value, minutes in pairs) / total) if total else None

    this = _run_part(run)
    climbs = [value for value in (log.elevation_gain_m, this["elevation_gain_m"]) if value is not None]
    return {
        "run_minutes": before + now,
        "distance_km": (log.distance_km or Decimal(0)) + run.distance_km,
        "elevation_gain_m": min(sum(climbs), MAX_CLIMB) if climbs else None,
        "avg_heart_rate": weighted(log.avg_heart_rate, this["avg_heart_rate"]),
        "avg_cadence": weighted(log.avg_cadence, this["avg_cadence"]),
    }


def _sentence(name: str, error: ValidationError) -> str:
    messages = (
        [message for messages in error.message_dict.values() for message in messages]
        if hasattr(error, "error_dict")
        else error.messages
    )
    return f"{name} could not be added to that day's log: {' '.join(messages)}"
