"""Importing runs from a watch's files (rehab.services.runs, the athlete's page and the API): each file becomes
the run part of that day's log, once."""

import csv
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.export import export_zip
from rehab import services
from rehab.load import training_load
from rehab.log_rules import WITHOUT_RUN, log_problems
from rehab.models import DailyLog
from rehab.progression import LogDay
from rehab.runfiles import MAX_BYTES, MAX_FILES, read_run
from rehab.services.runs import IMPORTED, REFUSED, UNCHANGED, import_runs
from tests.factories import PlanTemplateFactory
from tests.rehab.test_runfiles import START, fit, gpx, tcx

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b"<gpx>&lol2;</gpx>"
)


@pytest.fixture
def athlete(people):
    athlete = people.athlete_a
    athlete.time_zone = "Europe/London"
    athlete.save(update_fields=["time_zone"])
    return athlete


@pytest.fixture
def plan(people):
    """Athlete A's plan, its current phase with running in it (the log page then asks about the run)."""
    plan = services.plan_assign(
        athlete=people.athlete_a, template=PlanTemplateFactory(phases=2, phases__exercises_per_phase=1),
        by=people.clinician.user, start=timezone.localdate() - timedelta(days=10),
    )  # fmt: skip
    phase = plan.current_phase
    phase.run_activity, phase.run_minutes, phase.sessions_per_week = "run", 30, 3
    phase.save()
    return plan


def log_of(athlete, day) -> DailyLog | None:
    return DailyLog.objects.filter(athlete=athlete, date=day).first()


# ---------------------------------------------------------------------------------------------------- service


def test_a_gpx_run_becomes_that_days_run(athlete):
    [result] = import_runs(athlete=athlete, files=[("run.gpx", gpx())], now=NOW)
    assert result.outcome == IMPORTED and result.day == START.date()
    log = log_of(athlete, START.date())
    assert log.run_minutes == 10
    assert abs(log.distance_km - Decimal("1.80")) <= Decimal("0.02")
    assert (log.avg_heart_rate, log.avg_cadence, log.run_source) == (150, 170, "gpx")
    assert log.elevation_gain_m is not None
    assert log.run_started_at == START


def test_the_same_file_twice_changes_nothing(athlete):
    import_runs(athlete=athlete, files=[("run.gpx", gpx())], now=NOW)
    before = log_of(athlete, START.date())
    [again] = import_runs(athlete=athlete, files=[("run.gpx", gpx())], now=NOW)
    after = log_of(athlete, START.date())
    assert again.outcome == UNCHANGED
    assert (after.run_minutes, after.distance_km, after.updated) == (
        before.run_minutes,
        before.distance_km,
        before.updated,
    )


def test_the_same_start_twice_in_one_upload_counts_once(athlete):
    results = import_runs(athlete=athlete, files=[("a.gpx", gpx()), ("b.tcx", tcx())], now=NOW)
    assert [r.outcome for r in results] == [IMPORTED, UNCHANGED]
    assert log_of(athlete, START.date()).run_minutes == 10


def test_two_runs_on_one_day_add_up_with_weighted_averages(athlete):
    later = START + timedelta(hours=9)
    results = import_runs(
        athlete=athlete,
        files=[("morning.gpx", gpx()), ("evening.fit", fit(start=later, timer_s=1800, distance=5000))],
        now=NOW,
    )
    assert [r.outcome for r in results] == [IMPORTED, IMPORTED]
    assert results[1].added
    log = log_of(athlete, START.date())
    assert log.run_minutes == 10 + 30
    assert abs(log.distance_km - Decimal("6.80")) <= Decimal("0.02")
    assert log.avg_heart_rate == round((150 * 10 + 148 * 30) / 40)
    assert log.avg_cadence == round((170 * 10 + 168 * 30) / 40)
    assert log.run_started_at == START
    assert len(log.run_starts) == 2


def test_the_day_is_the_athletes_local_day_near_midnight(athlete):
    athlete.time_zone = "America/New_York"
    athlete.save(update_fields=["time_zone"])
    late = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)  # 22:30 on 1 December in New York
    [result] = import_runs(athlete=athlete, files=[("late.gpx", gpx(start=late))], now=NOW)
    assert result.day == datetime(2026, 12, 1).date()
    assert log_of(athlete, result.day) is not None


def test_a_run_on_a_day_that_has_not_happened_is_refused(athlete):
    [result] = import_runs(
        athlete=athlete, files=[("future.gpx", gpx(start=NOW + timedelta(days=2)))], now=NOW
    )
    assert result.outcome == REFUSED and "hasn't happened yet" in result.reason
    assert not DailyLog.objects.filter(athlete=athlete).exists()


def test_a_run_older_than_the_backfill_is_refused(athlete):
    [result] = import_runs(athlete=athlete, files=[("old.gpx", gpx(start=NOW - timedelta(days=30)))], now=NOW)
    assert result.outcome == REFUSED and "14 days" in result.reason


def test_a_hand_typed_run_is_replaced_and_said_and_pain_kept(athlete):
    DailyLog.objects.create(
        athlete=athlete, date=START.date(), run_minutes=35, distance_km=Decimal("5"), pain_during=3,
        pain_after=2, notes="Felt tight", session_rpe=6, surface="road",
    )  # fmt: skip
    [result] = import_runs(athlete=athlete, files=[("run.gpx", gpx())], now=NOW)
    assert result.outcome == IMPORTED
    assert result.replaced == (Decimal("5.00"), 35)
    log = log_of(athlete, START.date())
    assert log.run_minutes == 10
    assert (log.pain_during, log.pain_after, log.notes, log.session_rpe, log.surface) == (
        3, 2, "Felt tight", 6, "road",
    )  # fmt: skip


def test_a_hand_typed_run_with_the_same_numbers_is_not_called_replaced(athlete):
    run = read_run(gpx(), "run.gpx")
    DailyLog.objects.create(
        athlete=athlete, date=START.date(), run_minutes=run.moving_minutes, distance_km=run.distance_km
    )
    [result] = import_runs(athlete=athlete, files=[("run.gpx", gpx())], now=NOW)
    assert result.outcome == IMPORTED and result.replaced is None


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "is empty"),
        (b"not a run at all", "not a GPX, TCX or FIT"),
        (BOMB, "XML tricks"),
        (fit()[:200], "could not be read as FIT"),
        (gpx(times=False), "no times"),
    ],
    ids=["empty", "text", "xml-bomb", "truncated-fit", "no-times"],
)
def test_a_broken_or_hostile_file_is_refused_in_words(athlete, content, words):
    [result] = import_runs(athlete=athlete, files=[("bad.gpx", content)], now=NOW)
    assert result.outcome == REFUSED and words in result.reason
    assert not DailyLog.objects.filter(athlete=athlete).exists()


def test_a_file_too_large_is_refused_before_it_is_read(athlete):
    class Huge:
        size = MAX_BYTES + 1

        def read(self, size=-1):
            raise AssertionError("read a file that was too large")

    [result] = import_runs(athlete=athlete, files=[("huge.gpx", Huge())], now=NOW)
    assert result.outcome == REFUSED and "larger than" in result.reason


def test_files_past_the_limit_are_refused(athlete):
    files = [(f"run{i}.gpx", gpx(start=START - timedelta(hours=i))) for i in range(MAX_FILES + 1)]
    results = import_runs(athlete=athlete, files=files, now=NOW)
    assert [r.outcome for r in results].count(REFUSED) == 1
    assert results[-1].outcome == REFUSED and f"Only {MAX_FILES}" in results[-1].reason


# ------------------------------------------------------------------------------------------------ page and API

RECENT = timezone.now().replace(microsecond=0) - timedelta(days=1)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    "persona, status",
    [("athlete_a", 200), ("clinician", 403), ("coach", 403), ("other_clinician", 403), ("superuser", 403)],
)
def test_the_import_page_is_the_athletes_own(client_for, persona, status):
    assert client_for(persona).get(reverse("rehab:run_import")).status_code == status


def test_anonymous_is_sent_to_login(client_for):
    response = client_for("anonymous").get(reverse("rehab:run_import"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_clinician_cannot_post_runs(client_for):
    response = client_for("clinician").post(reverse("rehab:run_import"), {"files": [upload("a.gpx", gpx())]})
    assert response.status_code == 403
    assert not DailyLog.objects.exists()


def test_the_page_says_what_became_of_each_file(client_for, people, django_assert_max_num_queries):
    client = client_for("athlete_a")
    files = [upload("morning.gpx", gpx(start=RECENT)), upload("broken.fit", fit()[:100])]
    with django_assert_max_num_queries(40):
        response = client.post(reverse("rehab:run_import"), {"files": files})
    assert response.status_code == 200
    page = response.content.decode()
    day = timezone.localtime(RECENT, people.athlete_a.tz).date()
    assert f"{day:%A %-d %B}" in page
    assert "added to that day&#x27;s log" in page or "added to that day's log" in page
    assert "could not be read as FIT" in page
    assert reverse("rehab:log_today") + f"?date={day.isoformat()}" in page
    assert log_of(people.athlete_a, day).run_minutes == 10


@pytest.mark.parametrize(
    "content",
    [BOMB, b"\x00" * 5000, fit()[:300], b"<gpx>" * 1000, b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00"],
    ids=["bomb", "zeros", "cut-fit", "unclosed", "fit-header-only"],
)
def test_hostile_files_never_give_a_server_error(client_for, content):
    client = client_for("athlete_a")
    response = client.post(reverse("rehab:run_import"), {"files": [upload("x.gpx", content)]})
    assert response.status_code == 200
    api = client.post(reverse("api-run-import"), {"files": [upload("x.gpx", content)]})
    assert api.status_code == 400
    assert api.json()["results"][0]["outcome"] == "refused" and api.json()["errors"]["files"]


def test_posting_no_file_asks_for_one(client_for):
    response = client_for("athlete_a").post(reverse("rehab:run_import"), {})
    assert response.status_code == 200
    assert "Choose one or more files" in response.content.decode()


def test_too_many_files_are_refused_by_the_form(client_for):
    files = [upload(f"r{i}.gpx", gpx(start=RECENT - timedelta(hours=i))) for i in range(MAX_FILES + 1)]
    response = client_for("athlete_a").post(reverse("rehab:run_import"), {"files": files})
    assert f"at most {MAX_FILES} files" in response.content.decode()
    assert not DailyLog.objects.exists()


def test_the_api_imports_the_athletes_own_runs(client_for, people):
    client = client_for("athlete_a")
    response = client.post(reverse("api-run-import"), {"files": [upload("run.tcx", tcx(start=RECENT))]})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["outcome"] == "imported" and row["run_minutes"] == 10
    again = client.post(reverse("api-run-import"), {"files": [upload("run.tcx", tcx(start=RECENT))]})
    assert again.status_code == 200 and again.json()["results"][0]["outcome"] == "unchanged"


@pytest.mark.parametrize("persona", ["clinician", "coach", "superuser"])
def test_only_athletes_import_through_the_api(client_for, persona):
    response = client_for(persona).post(reverse("api-run-import"), {"files": [upload("run.gpx", gpx())]})
    assert response.status_code == 403


def test_the_api_needs_a_login(client_for):
    response = client_for("anonymous").post(reverse("api-run-import"), {"files": [upload("run.gpx", gpx())]})
    assert response.status_code in (401, 403)


# ------------------------------------------------------------------------------------- the log form and load


def test_the_log_form_saves_effort_surface_and_cadence(client_for, people, plan):
    client = client_for("athlete_a")
    page = client.get(reverse("rehab:log_today")).content.decode()
    assert 'name="session_rpe" value="7" class="btn-check"' in page and "Not rated" in page
    assert 'name="surface"' in page and 'name="avg_cadence"' in page
    assert reverse("rehab:run_import") in page
    body = {"pain_during": "1", "pain_after": "1", "did_run": "on", "run_minutes": "30", "session_rpe": "7",
            "surface": "trail", "avg_cadence": "172"}  # fmt: skip
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    log = log_of(people.athlete_a, timezone.localdate())
    assert (log.session_rpe, log.surface, log.avg_cadence) == (7, "trail", 172)


def test_the_log_form_refuses_a_cadence_no_runner_has(client_for, plan):
    body = {"pain_during": "1", "pain_after": "1", "did_run": "on", "run_minutes": "30", "avg_cadence": "20"}
    response = client_for("athlete_a").post(reverse("rehab:log_today"), body)
    assert response.status_code == 200 and not DailyLog.objects.exists()


def test_taking_an_imported_run_off_the_log_lets_it_be_imported_again(client_for, people, plan):
    client = client_for("athlete_a")
    day = timezone.localtime(RECENT, people.athlete_a.tz).date()
    client.post(reverse("rehab:run_import"), {"files": [upload("run.gpx", gpx(start=RECENT))]})
    assert log_of(people.athlete_a, day).run_source == "gpx"
    body = {"date": day.isoformat(), "pain_during": "2", "pain_after": "1"}  # "I did my run" unticked
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    log = log_of(people.athlete_a, day)
    assert (log.run_minutes, log.run_source, log.run_starts, log.avg_heart_rate) == (None, "", [], None)
    assert log.pain_during == 2
    client.post(reverse("rehab:run_import"), {"files": [upload("run.gpx", gpx(start=RECENT))]})
    assert log_of(people.athlete_a, day).run_minutes == 10


def test_the_weeks_show_distance_with_the_session_rpe_load():
    today = datetime(2026, 12, 6).date()
    logs = [
        LogDay(date=today, run_minutes=40, distance_km=6.0, session_rpe=5),
        LogDay(date=today - timedelta(days=2), run_minutes=30, distance_km=5.0, session_rpe=7),
        LogDay(date=today - timedelta(days=4), run_minutes=20, distance_km=3.0),
        LogDay(date=today - timedelta(days=8), run_minutes=30, distance_km=5.0),
    ]
    this, last, *_ = training_load(logs, today).weeks
    assert (this.km, this.runs, this.rated, this.rpe_load) == (14.0, 3, 2, 5 * 40 + 7 * 30)
    assert this.load_text == "410 AU (2 of 3 runs rated)"
    assert (last.km, last.rpe_load, last.load_text) == (5.0, None, "not rated")


def test_today_shows_the_weeks_load_and_the_import_link(client_for, people, plan):
    services.log_save(athlete=people.athlete_a, day=timezone.localdate(),
                      data={"run_minutes": 30, "distance_km": Decimal("5"), "session_rpe": 6})  # fmt: skip
    page = client_for("athlete_a").get(reverse("rehab:athlete_today")).content.decode()
    assert "180 AU" in page and "not rated" in page and "arbitrary" in page
    assert reverse("rehab:run_import") in page


def test_the_athletes_export_has_the_runs_details(athlete):
    import_runs(athlete=athlete, files=[("run.gpx", gpx())], now=NOW)
    DailyLog.objects.filter(athlete=athlete).update(session_rpe=6, surface="trail")
    files = {}
    with zipfile.ZipFile(io.BytesIO(export_zip(athlete, now=NOW))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    [row] = csv.DictReader(io.StringIO(files["daily_logs.csv"].decode("utf-8-sig")))
    assert (row["session_rpe"], row["surface"], row["avg_cadence"], row["run_source"]) == (
        "6",
        "trail",
        "170",
        "gpx",
    )
    assert row["run_started_at"].startswith("2026-12-01T07:30:00")


def test_the_care_teams_run_details_say_effort_surface_cadence_and_the_watch():
    day = LogDay(date=NOW.date(), run_minutes=40, session_rpe=7, surface="trail", avg_cadence=172,
                 avg_heart_rate=151, run_source="fit")  # fmt: skip
    html = render_to_string("rehab/log_run_details.html", {"log": day})
    words = re.sub(r"<[^>]+>", " ", html).split()
    assert " ".join(words) == "RPE 7 trail 172 steps/min HR 151 from watch"
    assert render_to_string("rehab/log_run_details.html", {"log": LogDay(date=NOW.date())}).strip() == ""


def test_the_api_says_to_send_files_when_sent_json(client_for):
    client = client_for("athlete_a")
    response = client.post(reverse("api-run-import"), {}, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"]["files"]
    assert client.get(reverse("api-run-import")).status_code == 405


def test_each_file_costs_a_fixed_number_of_queries(client_for, django_assert_max_num_queries):
    """About 11 queries a run (read the day, save it, its audit entry, in savepoints) plus the status refresh
    that follows each log, which the tests run at once: the same for every file, whatever the history."""
    client = client_for("athlete_a")
    one = [upload("a.gpx", gpx(start=RECENT))]
    with django_assert_max_num_queries(20):
        client.post(reverse("rehab:run_import"), {"files": one})
    two = [upload(f"{n}.gpx", gpx(start=RECENT - timedelta(days=n))) for n in (2, 3)]
    with django_assert_max_num_queries(36):
        client.post(reverse("rehab:run_import"), {"files": two})


def test_surface_and_cadence_go_with_the_run():
    day = NOW.date()
    assert log_problems({}, {"surface": "trail", "avg_cadence": 170}, day=day, today=day) == {
        "surface": WITHOUT_RUN,
        "avg_cadence": WITHOUT_RUN,
    }
    assert log_problems({}, {"run_minutes": 30, "surface": "trail"}, day=day, today=day) == {}


def test_a_log_page_that_asks_no_run_keeps_the_imported_run(client_for, people):
    """Without a plan the page asks nothing about a run: saving the day's pain leaves its imported run alone."""
    client = client_for("athlete_a")
    day = timezone.localtime(RECENT, people.athlete_a.tz).date()
    client.post(reverse("rehab:run_import"), {"files": [upload("run.gpx", gpx(start=RECENT))]})
    body = {"date": day.isoformat(), "pain_during": "2", "pain_after": "1"}
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    log = log_of(people.athlete_a, day)
    assert (log.run_minutes, log.run_source, log.pain_during) == (10, "gpx", 2)
