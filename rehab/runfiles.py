"""Runs recorded by a watch or phone, read from the files they export: GPX, TCX and FIT (issue #23).

`read_run(data, filename)` returns a `Run`: when it started, how far, for how long on the move, the climb, the
average heart rate and cadence where the file has them. Pure: no ORM, no HTTP; the files are read, never kept.

Each format is read by its maintained reader (gpxpy, tcxreader, fitdecode: see pyproject.toml). Files are
hostile until read: a size cap before anything parses; XML is first parsed by defusedxml, which refuses any DTD
or entity (the "billion laughs" and external-entity tricks), before the format's reader sees it; every reader
error, a truncated or corrupt FIT file included, becomes a RunFileError with a sentence for the runner.

Cadence is reported in steps per minute, the unit runners and physios use (about 150–190 when running): the three
formats store strides per minute (one foot), so their values are doubled.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from xml.etree.ElementTree import ParseError

import fitdecode
import gpxpy
import gpxpy.gpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from tcxreader.tcxreader import TCXReader

MAX_BYTES = 15 * 1024 * 1024  # a 3-hour run with every second recorded is about 5 MB of GPX
MAX_FILES = 10  # per upload
MOVING_SPEED = 0.5  # m/s: slower than this between two points counts as standing still (moving time)
MAX_GAP = timedelta(
    minutes=5
)  # a longer gap between points is a pause (the watch stopped), never moving time
# Beyond these it is not one run (a file of a whole week, a ride, a broken clock): refused with a reason.
MAX_KM = Decimal("250")
MAX_DURATION = timedelta(hours=30)


class RunFileError(ValueError):
    """A file that cannot become a run; str(error) is the sentence to show."""


@dataclass(frozen=True)
class Run:
    start: datetime  # aware, UTC
    distance_km: Decimal  # two decimals
    moving_minutes: int
    elevation_gain_m: int | None = None
    avg_heart_rate: int | None = None
    avg_cadence: int | None = None  # steps per minute
    source: str = ""  # "gpx" | "tcx" | "fit"; "strava" for a run from Strava (rehab.services.strava)

    @property
    def local_date(self):
        return self.start.date()


def read_run(data: bytes, filename: str = "") -> Run:
    """The run in one GPX, TCX or FIT file (recognised by its content, not its name)."""
    name = filename or "The file"
    if len(data) > MAX_BYTES:
        raise RunFileError(
            f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB: export the run on its own."
        )
    if not data.strip():
        raise RunFileError(f"{name} is empty.")
    if len(data) >= 12 and data[8:12] == b".FIT":
        run = _read_fit(data, name)
    else:
        root = _safe_xml_root(data, name)
        if root == "gpx":
            run = _read_gpx(data, name)
        elif root == "TrainingCenterDatabase":
            run = _read_tcx(data, name)
        else:
            raise RunFileError(f"{name} is not a GPX, TCX or FIT file.")
    return _checked(run, name)


def _safe_xml_root(data: bytes, name: str) -> str:
    """The XML root element's local name, once defusedxml has found no DTD, entity or broken markup."""
    try:
        root = defused_fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise RunFileError(
            f"{name} holds XML tricks (a DTD or entities) that no watch writes: not read."
        ) from None
    except (ParseError, ValueError):
        raise RunFileError(f"{name} is not a GPX, TCX or FIT file, or it is cut short.") from None
    return root.tag.rsplit("}", 1)[-1]


def _checked(run: Run, name: str) -> Run:
    if run.distance_km <= 0 and run.moving_minutes <= 0:
        raise RunFileError(f"{name} has no distance and no time in it.")
    if run.distance_km > MAX_KM:
        raise RunFileError(f"{name} covers {run.distance_km} km: that is not one run.")
    if run.moving_minutes > MAX_DURATION.total_seconds() / 60:
        raise RunFileError(
            f"{name} lasts more than {MAX_DURATION.total_seconds() // 3600:.0f} hours: not one run."
        )
    return run


def _km(metres) -> Decimal:
    return (Decimal(str(metres or 0)) / 1000).quantize(Decimal("0.01"))


def _minutes(seconds) -> int:
    return round((seconds or 0) / 60)


def _steps(strides) -> int | None:
    """Strides per minute (one foot, as the files store it) → steps per minute."""
    return round(strides * 2) if strides else None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _mean(values) -> float | None:
    values = [value for value in values if value]
    return sum(values) / len(values) if values else None


def _moving_seconds(points) -> float:
    """Time on the move from (time, metres so far) pairs: the intervals faster than MOVING_SPEED and shorter
    than MAX_GAP."""
    total = 0.0
    for (t0, d0), (t1, d1) in zip(points, points[1:], strict=False):
        seconds = (t1 - t0).total_seconds()
        if 0 < seconds <= MAX_GAP.total_seconds() and (d1 - d0) / seconds >= MOVING_SPEED:
            total += seconds
    return total


# --------------------------------------------------------------------------------------------------------- GPX


def _read_gpx(data: bytes, name: str) -> Run:
    try:
        gpx = gpxpy.parse(data.decode("utf-8", errors="replace"))
    except (gpxpy.gpx.GPXException, ValueError) as error:
        raise RunFileError(f"{name} could not be read as GPX ({_short(error)}).") from None
    points = [point for track in gpx.tracks for segment in track.segments for point in segment.points]
    if not points:
        raise RunFileError(f"{name} has no track points.")
    times = [point.time for point in points if point.time is not None]
    if not times:
        raise RunFileError(f"{name} has no times: the run's date and duration cannot be known.")
    moving = gpx.get_moving_data()
    uphill, _downhill = gpx.get_uphill_downhill()
    heart, cadence = [], []
    for point in points:
        for extension in point.extensions:
            for field in extension.iter():
                tag = field.tag.rsplit("}", 1)[-1]
                if tag == "hr":
                    heart.append(_number(field.text))
                elif tag == "cad":
                    cadence.append(_number(field.text))
    distance = moving.moving_distance + moving.stopped_distance if moving else gpx.length_2d()
    seconds = moving.moving_time if moving else 0
    has_elevation = any(point.elevation is not None for point in points)
    average_heart, average_cadence = _mean(heart), _mean(cadence)
    return Run(
        start=_utc(min(times)),
        distance_km=_km(distance),
        moving_minutes=_minutes(seconds),
        elevation_gain_m=round(uphill) if has_elevation else None,
        avg_heart_rate=round(average_heart) if average_heart else None,
        avg_cadence=_steps(average_cadence),
        source="gpx",
    )


def _number(text) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------------------- TCX


def _read_tcx(data: bytes, name: str) -> Run:
    try:
        # only_gps=False: a treadmill run has no positions, only the foot pod's distance.
        exercise = TCXReader().read(io.BytesIO(data), only_gps=False)
    except (
        ParseError,
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        IndexError,
        ZeroDivisionError,
    ) as error:
        raise RunFileError(f"{name} could not be read as TCX ({_short(error)}).") from None
    timed = [point for point in exercise.trackpoints if point.time is not None]
    if not timed:
        raise RunFileError(f"{name} has no times: the run's date and duration cannot be known.")
    with_distance = [(point.time, point.distance) for point in timed if point.distance is not None]
    seconds = _moving_seconds(with_distance) if len(with_distance) > 1 else (exercise.duration or 0)
    heart = _mean(point.hr_value for point in timed)
    cadence = _mean(
        point.tpx_ext.get("RunCadence") or point.cadence for point in timed if point.tpx_ext or point.cadence
    )
    has_elevation = any(point.elevation is not None for point in timed)
    return Run(
        start=_utc(timed[0].time),
        distance_km=_km(exercise.distance or (with_distance[-1][1] if with_distance else 0)),
        moving_minutes=_minutes(seconds),
        elevation_gain_m=round(exercise.ascent) if has_elevation and exercise.ascent is not None else None,
        avg_heart_rate=round(heart) if heart else None,
        avg_cadence=_steps(cadence),
        source="tcx",
    )


# --------------------------------------------------------------------------------------------------------- FIT


def _read_fit(data: bytes, name: str) -> Run:
    sessions, records = [], []
    try:
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as fit:
            for frame in fit:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "session":
                    sessions.append(_fields(frame))
                elif frame.name == "record":
                    records.append(_fields(frame))
    except (
        fitdecode.FitError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        EOFError,
    ) as error:
        raise RunFileError(
            f"{name} could not be read as FIT: it may be damaged or cut short ({_short(error)})."
        ) from None
    if sessions:
        session = sessions[0]
        start = session.get("start_time") or session.get("timestamp")
        if not isinstance(start, datetime):
            raise RunFileError(f"{name} has no start time.")
        distance = sum(s.get("total_distance") or 0 for s in sessions)
        seconds = sum(s.get("total_timer_time") or 0 for s in sessions)
        ascent = [s.get("total_ascent") for s in sessions if s.get("total_ascent") is not None]
        heart = session.get("avg_heart_rate")
        cadence = session.get("avg_running_cadence") or session.get("avg_cadence")
        return Run(
            start=_utc(start),
            distance_km=_km(distance),
            moving_minutes=_minutes(seconds),
            elevation_gain_m=round(sum(ascent)) if ascent else None,
            avg_heart_rate=round(heart) if heart else None,
            avg_cadence=_steps(cadence),
            source="fit",
        )
    # A file without a session summary (some apps): the records alone.
    timed = [r for r in records if isinstance(r.get("timestamp"), datetime)]
    if not timed:
        raise RunFileError(f"{name} has no recorded run in it.")
    points = [(r["timestamp"], r["distance"]) for r in timed if r.get("distance") is not None]
    heart = _mean(r.get("heart_rate") for r in timed)
    return Run(
        start=_utc(timed[0]["timestamp"]),
        distance_km=_km(points[-1][1] if points else 0),
        moving_minutes=_minutes(_moving_seconds(points)),
        avg_heart_rate=round(heart) if heart else None,
        avg_cadence=_steps(_mean(r.get("cadence") for r in timed)),
        source="fit",
    )


def _fields(frame) -> dict:
    return {field.name: field.value for field in frame.fields}


def _short(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 80 else f"{text[:77]}…"
