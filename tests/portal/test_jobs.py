"""Background jobs: enqueued after commit, never lost when the broker is away, reads that never write, the
nightly refresh at each clinic's midnight, and one log line per run."""

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from portal import jobs as jobs_module
from portal.celery import StrideTask, app
from portal.models import Alert
from rehab import services
from rehab.models import DailyLog, Plan, RehabStatus
from rehab.tasks import status as status_tasks
from tests.factories import AthleteFactory, ClinicFactory, PlanTemplateFactory

TODAY = timezone.localdate


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2, phases__min_days=0)
    return services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=TODAY() - timedelta(days=3),
    )


LOG = {"pain_during": "1", "pain_after": "1", "this_morning": "1", "run_minutes": "20", "did_run": "on"}


def test_a_job_is_sent_only_when_the_transaction_commits(settings, db, django_capture_on_commit_callbacks,
                                                         monkeypatch):  # fmt: skip
    settings.JOBS_RUN_IMMEDIATELY = False
    sent = []
    monkeypatch.setattr(jobs_module, "_send", lambda name, args, kwargs, key=None: sent.append(name))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs_module.enqueue("rehab.refresh_athletes", [1], "2026-12-06")
    assert sent == [] and len(callbacks) == 1  # nothing for a change that might still roll back
    callbacks[0]()
    assert sent == ["rehab.refresh_athletes"]


def test_the_log_page_answers_when_the_broker_is_down_and_says_so_in_the_log(
    client_for, people, plan, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(app.tasks["rehab.after_log"], "apply_async", refuse)
    with caplog.at_level(logging.ERROR, logger="portal.jobs"):
        response = client_for("athlete_a").post(reverse("rehab:log_today"), LOG)
    assert response.status_code == 302
    assert DailyLog.objects.filter(athlete=people.athlete_a, date=TODAY()).exists()  # nothing lost
    # (Today's log and yesterday's morning pain, each with its job.)
    records = [r for r in caplog.records if r.getMessage() == "could not enqueue rehab.after_log"]
    assert records and {(r.outcome, r.task_args[0]) for r in records} == {
        ("not_enqueued", people.athlete_a.pk)
    }
    # The nightly refresh catches the status up.
    assert not RehabStatus.objects.filter(athlete=people.athlete_a, last_log_date=TODAY()).exists()
    monkeypatch.undo()
    status_tasks.refresh_athletes([people.athlete_a.pk], TODAY().isoformat(), True)
    assert RehabStatus.objects.get(athlete=people.athlete_a).last_log_date == TODAY()


def test_a_red_flag_is_raised_in_the_request_even_with_the_broker_down(client_for, people, plan, jobs):
    body = LOG | {"cannot_bear_weight": "on"}
    assert client_for("athlete_a").post(reverse("rehab:log_today"), body).status_code == 302
    alert = Alert.objects.open().get(athlete=people.athlete_a, kind="log_red_flag")
    assert alert.severity == "emergency"
    # The status, the pain spike and readiness wait for the log's job; the emails for the alert's.
    assert "rehab.after_log" in jobs.names()


def test_the_caseload_writes_nothing_even_when_every_status_is_from_yesterday(client_for, people, plan):
    for athlete in (people.athlete_a, people.athlete_b):
        services.log_save(athlete=athlete, day=TODAY() - timedelta(days=1), data={"pain_during": 2})
    RehabStatus.objects.update(as_of=TODAY() - timedelta(days=1))
    client = client_for("clinician")
    caseload = reverse("athlete_list")
    filters = ["", "?show=attention", "?show=ready", "?show=mine", "?show=no_plan", "?q=Aalto"]
    for url in [caseload + query for query in filters] + [
        "/api/v1/athletes/",
        "/api/v1/athletes/?show=attention",
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
        assert writes == [], url
    assert set(RehabStatus.objects.values_list("as_of", flat=True)) == {TODAY() - timedelta(days=1)}


def test_a_plan_move_enqueues_the_status_refresh_and_never_runs_it(people, plan, jobs):
    services.status_refresh([people.athlete_a])
    before = RehabStatus.objects.get(athlete=people.athlete_a).phase_id
    services.plan_advance(plan=plan, by=people.clinician.user)
    assert RehabStatus.objects.get(athlete=people.athlete_a).phase_id == before  # not recomputed inline
    assert "rehab.refresh_athletes" in jobs.names()
    jobs.run()
    assert (
        RehabStatus.objects.get(athlete=people.athlete_a).phase_id
        == Plan.objects.get(pk=plan.pk).current_phase_id
    )


def test_the_log_job_is_safe_to_run_twice(people, plan, jobs):
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 1, "run_minutes": 20})
    held = list(jobs.sent)
    jobs.run()
    jobs.sent.extend(held)
    jobs.run()
    assert RehabStatus.objects.get(athlete=people.athlete_a).last_log_date == TODAY()
    kinds = list(Alert.objects.open().filter(athlete=people.athlete_a).values_list("kind", flat=True))
    assert len(kinds) == len(set(kinds))


@pytest.mark.parametrize(
    "utc_now, due",
    [
        # Each clinic's statuses are due for its own local date, from 00:10 local: London is UTC+0 in December,
        # New York UTC-5 (still the day before at 00:20 UTC).
        (
            datetime(2026, 12, 7, 0, 20, tzinfo=UTC),
            {date(2026, 12, 7): ["london"], date(2026, 12, 6): ["new_york"]},
        ),
        # The first ten minutes after London's midnight: not yet (late logs of yesterday are still coming in).
        (datetime(2026, 12, 7, 0, 5, tzinfo=UTC), {date(2026, 12, 6): ["new_york"]}),
        (datetime(2026, 12, 7, 5, 15, tzinfo=UTC), {date(2026, 12, 7): ["london", "new_york"]}),
        (datetime(2026, 12, 7, 5, 5, tzinfo=UTC), {date(2026, 12, 7): ["london"]}),
        # The night the clocks go forward in London (01:00 → 02:00): due at 00:10 local, as every night.
        (
            datetime(2026, 3, 29, 0, 10, tzinfo=UTC),
            {date(2026, 3, 29): ["london"], date(2026, 3, 28): ["new_york"]},
        ),
    ],
)
def test_each_clinic_is_refreshed_after_its_own_midnight(db, utc_now, due):
    london = ClinicFactory(slug="london", time_zone="Europe/London")
    new_york = ClinicFactory(slug="new_york", time_zone="America/New_York")
    names = {london.pk: "london", new_york.pk: "new_york"}
    got = {
        day: sorted(names[pk] for pk in ids if pk in names)
        for day, ids in status_tasks.clinic_days(utc_now).items()
    }
    got = {day: clinics for day, clinics in got.items() if clinics}
    assert got == {day: clinics for day, clinics in due.items() if clinics}


def test_the_nightly_tick_refreshes_only_stale_statuses_in_chunks(people, plan, monkeypatch, jobs):
    other = AthleteFactory(clinic=people.clinic)
    services.plan_assign(athlete=other, template=plan.template, by=people.clinician.user, start=TODAY())
    jobs.run()
    RehabStatus.objects.filter(athlete=people.athlete_a).update(as_of=TODAY() - timedelta(days=1))
    monkeypatch.setattr(status_tasks, "REFRESH_AFTER_MIDNIGHT", timedelta(0))
    monkeypatch.setattr(status_tasks, "clinic_days", lambda: {TODAY(): [people.clinic.pk]})
    assert status_tasks.refresh_tick() == 1
    assert jobs.sent == [("rehab.refresh_athletes", ([people.athlete_a.pk], TODAY().isoformat(), True), {})]
    jobs.run()
    assert RehabStatus.objects.get(athlete=people.athlete_a).as_of == TODAY()
    assert status_tasks.refresh_tick() == 0  # run again: nothing left to do


def test_every_run_is_one_log_line_with_its_duration_and_outcome(people, plan, caplog):
    with caplog.at_level(logging.INFO, logger="portal.jobs"):
        app.tasks["rehab.refresh_athletes"].apply(([people.athlete_a.pk], TODAY().isoformat()))
    (record,) = [r for r in caplog.records if getattr(r, "task", "") == "rehab.refresh_athletes"]
    assert record.outcome == "ok" and record.duration_ms >= 0
    assert record.task_args == ([people.athlete_a.pk], TODAY().isoformat())


def test_only_operational_errors_are_retried():
    from django.db import OperationalError

    retried = StrideTask().autoretry_for
    assert OperationalError in retried and ConnectionError in retried
    assert ValueError not in retried and KeyError not in retried
    assert app.tasks["rehab.after_log"].acks_late and app.tasks["rehab.after_log"].max_retries


def test_readyz_reports_the_broker(client, db, monkeypatch):
    from kombu import Connection

    ready = {"status": "ok", "database": "ok", "broker": "in-process", "cache": "local"}
    assert client.get("/readyz").json() == ready
    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    app.conf.task_always_eager = False
    try:
        response = client.get("/readyz")
    finally:
        app.conf.task_always_eager = True
    # Degraded, not unavailable: pages work without the broker (jobs are caught up by the sweeps).
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "error", "cache": "local"}


def test_run_ticks_runs_every_periodic_job_once_for_a_deployment_without_redis(
    people, plan, capsys, settings
):
    from django.core.management import call_command

    RehabStatus.objects.update(as_of=TODAY() - timedelta(days=2))
    call_command("run_ticks")
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{entry['task']}: done" for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    call_command("run_ticks", only=["rehab.refresh_tick"])
    with pytest.raises(Exception, match="Not a periodic task: rehab.after_log"):
        call_command("run_ticks", only=["rehab.after_log"])


def test_a_clinician_answering_a_red_flag_brings_the_status_out_of_stop_and_refer(people, plan):
    from portal.services import alert_resolve

    # A warning sign 9 days ago (the engine looks back 7 days at the logs): only its open alert keeps the stop.
    services.log_save(athlete=people.athlete_a, day=TODAY() - timedelta(days=9), data={"swelling": True})
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 1, "pain_after": 1})
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == "stop_and_refer"  # nobody has answered
    alert = Alert.objects.open().get(athlete=people.athlete_a, kind="log_red_flag")
    alert_resolve(
        alert=alert, by=people.clinician.user, note="Seen in clinic: no fracture, swelling settling."
    )
    assert RehabStatus.objects.get(athlete=people.athlete_a).action != "stop_and_refer"


def test_an_alert_closed_by_a_refresh_enqueues_no_refresh(people, plan, jobs):
    from portal.services import alert_resolve

    alert = Alert.objects.create(
        athlete=people.athlete_a, kind="ready_to_advance", severity="notice", message="m"
    )
    jobs.sent.clear()
    alert_resolve(alert=alert, by=None, note="Closed automatically.")
    assert jobs.names() == []


def test_an_intake_and_its_review_enqueue_the_athletes_refresh(people, jobs):
    from triage import services as triage_services

    refresh = ("rehab.refresh_athletes", ([people.athlete_a.pk], TODAY().isoformat()), {})
    intake = triage_services.intake_submit(
        athlete=people.athlete_a,
        by=people.athlete_a.user,
        answers={"locations": ["front"], "pain_lifting_knee": True},
    )
    assert refresh in jobs.sent
    jobs.sent.clear()
    triage_services.intake_review(intake=intake, by=people.clinician.user, condition=None, notes="Reviewed.")
    assert refresh in jobs.sent


def test_logs_saved_while_their_job_waits_share_it_and_a_log_after_it_started_gets_its_own(
    people, plan, jobs
):
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 1})
    services.log_save(
        athlete=people.athlete_a, day=TODAY(), data={"pain_during": 2}
    )  # an edit, job still waiting
    services.log_save(athlete=people.athlete_a, day=TODAY() - timedelta(days=1), data={"pain_during": 1})
    assert [args[:2] for name, args, _ in jobs.sent if name == "rehab.after_log"] == [
        (people.athlete_a.pk, TODAY().isoformat()),
        (people.athlete_a.pk, (TODAY() - timedelta(days=1)).isoformat()),
    ]
    jobs.run()
    assert RehabStatus.objects.get(athlete=people.athlete_a).last_pain == 2  # the waiting job read the edit
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 3})
    assert jobs.names() == ["rehab.after_log"]


def test_a_job_that_could_not_be_sent_does_not_hold_back_the_next_one(people, plan, monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerError("Connection refused.")

    monkeypatch.setattr(app.tasks["rehab.after_log"], "apply_async", refuse)
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 1})
    monkeypatch.undo()
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 2})
    assert RehabStatus.objects.get(athlete=people.athlete_a).last_pain == 2
