"""Reading runs from watch files (rehab.runfiles): the values each format gives, and hostile files refused."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

from rehab.runfiles import MAX_BYTES, RunFileError, read_run

START = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
METRES_PER_DEGREE = 111_195  # of latitude


def gpx(points: int = 61, *, step_m: float = 30, every_s: int = 10, hr: int | None = 150, cad: int | None = 85,
        times: bool = True, climb: float = 1.0, start: datetime = START) -> bytes:  # fmt: skip
    """A run due north from 51.5 N: `points` points `step_m` metres and `every_s` seconds apart."""
    rows = []
    for i in range(points):
        lat = 51.5 + i * step_m / METRES_PER_DEGREE
        when = (
            f"<time>{(start + timedelta(seconds=i * every_s)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time>"
            if times
            else ""
        )
        extension = ""
        if hr or cad:
            inner = (f"<gpxtpx:hr>{hr}</gpxtpx:hr>" if hr else "") + (
                f"<gpxtpx:cad>{cad}</gpxtpx:cad>" if cad else ""
            )
            extension = (
                f"<extensions><gpxtpx:TrackPointExtension>{inner}</gpxtpx:TrackPointExtension></extensions>"
            )
        rows.append(
            f'<trkpt lat="{lat:.7f}" lon="-0.1"><ele>{10 + i * climb:.1f}</ele>{when}{extension}</trkpt>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Morning run</name><trkseg>{''.join(rows)}</trkseg></trk></gpx>"
    ).encode()


def tcx(points: int = 61, *, step_m: float = 30, every_s: int = 10, start: datetime = START) -> bytes:
    """A treadmill run: no positions, the foot pod's distance, heart rate and run cadence."""
    rows = []
    for i in range(points):
        when = (start + timedelta(seconds=i * every_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(
            f"<Trackpoint><Time>{when}</Time><DistanceMeters>{i * step_m:.1f}</DistanceMeters>"
            "<HeartRateBpm><Value>140</Value></HeartRateBpm>"
            "<Extensions><ns3:TPX><ns3:RunCadence>80</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>"
        )
    total = (points - 1) * step_m
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
        f'<Activities><Activity Sport="Running"><Id>{start.strftime("%Y-%m-%dT%H:%M:%SZ")}</Id>'
        f'<Lap StartTime="{start.strftime("%Y-%m-%dT%H:%M:%SZ")}"><TotalTimeSeconds>{(points - 1) * every_s}'
        f"</TotalTimeSeconds><DistanceMeters>{total:.1f}</DistanceMeters><Calories>100</Calories>"
        f"<Track>{''.join(rows)}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def fit(
    *, session: bool = True, distance: float = 6200.0, timer_s: float = 2400.0, start: datetime = START
) -> bytes:
    ms = round(start.timestamp() * 1000)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.time_created = ms
    file_id.serial_number = 0x12345678
    builder.add(file_id)
    for i in range(61):
        record = RecordMessage()
        record.timestamp = ms + i * 10_000
        record.distance = i * 30.0
        record.heart_rate = 150
        record.cadence = 85
        builder.add(record)
    if session:
        summary = SessionMessage()
        summary.timestamp = ms + round(timer_s * 1000)
        summary.start_time = ms
        summary.sport = Sport.RUNNING
        summary.total_timer_time = timer_s
        summary.total_elapsed_time = timer_s + 60
        summary.total_distance = distance
        summary.total_ascent = 45
        summary.avg_heart_rate = 148
        summary.avg_running_cadence = 84
        builder.add(summary)
    return builder.build().to_bytes()


def test_a_gpx_run_gives_distance_moving_time_climb_heart_rate_and_cadence():
    run = read_run(gpx(), "run.gpx")
    assert run.source == "gpx"
    assert run.start == START
    assert abs(run.distance_km - Decimal("1.80")) <= Decimal("0.02")  # 60 steps of 30 m
    assert run.moving_minutes == 10  # 600 s at 3 m/s
    assert run.elevation_gain_m is not None and 50 <= run.elevation_gain_m <= 60  # 60 m up, smoothed
    assert run.avg_heart_rate == 150
    assert run.avg_cadence == 170  # 85 strides a minute = 170 steps


def test_a_gpx_without_heart_rate_or_cadence_leaves_them_empty():
    run = read_run(gpx(hr=None, cad=None, climb=0), "run.gpx")
    assert (run.avg_heart_rate, run.avg_cadence) == (None, None)
    assert run.elevation_gain_m == 0


def test_standing_still_is_not_moving_time():
    run = read_run(gpx(step_m=0.5), "run.gpx")  # 0.05 m/s: waiting at a crossing for ten minutes
    assert run.moving_minutes == 0


def test_a_treadmill_tcx_run_reads_the_foot_pod():
    run = read_run(tcx(), "treadmill.tcx")
    assert run.source == "tcx"
    assert run.start == START
    assert run.distance_km == Decimal("1.80")
    assert run.moving_minutes == 10
    assert run.elevation_gain_m is None  # no altitude in the file: not a flat run, unknown
    assert run.avg_heart_rate == 140
    assert run.avg_cadence == 160


def test_a_fit_run_reads_the_session_summary():
    run = read_run(fit(), "run.fit")
    assert run.source == "fit"
    assert run.start == START
    assert (run.distance_km, run.moving_minutes, run.elevation_gain_m) == (Decimal("6.20"), 40, 45)
    assert (run.avg_heart_rate, run.avg_cadence) == (148, 168)


def test_a_fit_file_without_a_session_reads_its_records():
    run = read_run(fit(session=False), "run.fit")
    assert run.distance_km == Decimal("1.80")
    assert run.moving_minutes == 10
    assert (run.avg_heart_rate, run.avg_cadence) == (150, 170)


def test_the_format_is_known_by_the_content_not_the_name():
    assert read_run(fit(), "run.gpx").source == "fit"
    assert read_run(tcx(), "run.fit").source == "tcx"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&d;</name></trk></gpx>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&secret;</name></trk></gpx>"""


@pytest.mark.parametrize(
    "data,words",
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (BILLION_LAUGHS, "XML tricks"),
        (EXTERNAL_ENTITY, "XML tricks"),
        (b"<?xml version='1.0'?><!DOCTYPE gpx><gpx/>", "XML tricks"),
        (gpx()[:-40], "cut short"),
        (b"<kml xmlns='http://www.opengis.net/kml/2.2'><Document/></kml>", "not a GPX, TCX or FIT"),
        (b"<html><body>Strava</body></html>", "not a GPX, TCX or FIT"),
        (bytes(range(256)) * 4, "not a GPX, TCX or FIT"),
        (fit()[:-25], "damaged or cut short"),
        (fit()[:14], "damaged or cut short"),
        (gpx(times=False), "has no times"),
        (gpx(points=0), "no track points"),
        (gpx(step_m=5000, every_s=60), "not one run"),  # 300 km
        (gpx(points=470, every_s=240, step_m=144), "not one run"),  # 31 hours on the move
        (tcx(points=1, step_m=0), "no distance and no time"),
        (tcx().replace(b"<Time>2026-12-01T07:30:10Z<", b"<Time>tomorrow<"), "could not be read as TCX"),
        (
            b"<gpx>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</gpx>",
            "could not be read as GPX|no track points",
        ),
    ],
)
def test_a_broken_or_hostile_file_is_refused_with_a_reason(data, words):
    with pytest.raises(RunFileError, match=words):
        read_run(data, "upload")


def test_a_damaged_fit_file_is_refused():
    data = bytearray(fit())
    data[60] ^= 0xFF
    with pytest.raises(RunFileError, match="damaged or cut short"):
        read_run(bytes(data), "run.fit")


def test_a_file_over_the_size_cap_is_refused_before_it_is_read():
    with pytest.raises(RunFileError, match="larger than"):
        read_run(b"<gpx>" + b" " * MAX_BYTES, "huge.gpx")
