"""Jobs enqueued after commit run in a real worker, through Redis; with the broker away, pages still work and
the nightly refresh catches up (issue #18, "Quality")."""

import logging
import threading
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.jobs import enqueue
from portal.models import Alert, AlertEmail
from rehab import services
from rehab.models import DailyLog, RehabStatus
from tests.factories import PlanTemplateFactory
from tests.integration.conftest import BROKER_URL, closed_port, use_broker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUEUE = "celery"  # Celery's default queue: a Redis list of that name in the broker's database


@pytest.fixture
def plan(people):
    """Anna's active plan, assigned before the broker is in place (its status job runs at once)."""
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=1)
    return services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=10),
    )


def job_lines(caplog, task: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "task", None) == task]


def test_a_job_is_queued_only_when_its_transaction_commits(broker):
    queue = redis.Redis.from_url(BROKER_URL)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue("rehab.refresh_athletes", [1], timezone.localdate().isoformat())
            raise RuntimeError("rolled back")
        assert queue.llen(QUEUE) == 0
        with transaction.atomic():
            enqueue("rehab.refresh_athletes", [1], timezone.localdate().isoformat())
            assert queue.llen(QUEUE) == 0
        assert queue.llen(QUEUE) == 1
    finally:
        queue.close()


def test_a_saved_log_has_its_status_recomputed_by_the_worker(people, plan, worker, caplog):
    caplog.set_level(logging.INFO, logger="portal.jobs")
    athlete, today = people.athlete_a, timezone.localdate()
    assert RehabStatus.objects.get(athlete=athlete).last_log_date is None

    services.log_save(athlete=athlete, day=today, data={"pain_during": 2, "pain_after": 3})

    status = wait_until(
        lambda: RehabStatus.objects.filter(athlete=athlete, last_log_date=today).first(),
        what="rehab.after_log to update the athlete's status",
    )
    assert (status.as_of, status.last_pain) == (today, 3)
    # (SQLite's shared in-memory test database can make the job retry once on a table lock: the runs that
    # succeeded are counted.)
    runs = wait_until(
        lambda: [run for run in job_lines(caplog, "rehab.after_log") if run.outcome == "ok"],
        what="the job's log line",
    )
    assert [run.task_args for run in runs] == [(athlete.pk, today.isoformat(), today.isoformat())]
    assert runs[0].thread != threading.get_ident()  # run by the worker's thread, not in the test's


def test_an_emergency_alert_is_emailed_to_the_care_team_by_the_worker(people, plan, worker):
    if "portal.notify_alert" not in worker.app.tasks:
        pytest.skip("the alert emails (task portal.notify_alert, portal/tasks/) are not written yet")
    athlete, clinician = people.athlete_a, people.clinician

    services.log_save(
        athlete=athlete, day=timezone.localdate(), data={"pain_during": 2, "saddle_bladder_bowel": True}
    )

    alert = Alert.objects.open().get(athlete=athlete, severity=Alert.Severity.EMERGENCY)
    sent = wait_until(
        lambda: AlertEmail.objects.filter(alert=alert, clinician=clinician).first(),
        what="portal.notify_alert to email the care team",
    )
    assert sent.channel == AlertEmail.Channel.IMMEDIATE
    emails = wait_until(lambda: [m for m in mail.outbox if clinician.user.email in m.recipients()])
    assert len(emails) == 1
    assert athlete.first_name in emails[0].body
    other = people.other_clinician.user.email
    assert not [m for m in mail.outbox if other in m.recipients()]  # another clinic's clinician hears nothing


def test_with_the_broker_down_the_log_page_works_and_the_nightly_refresh_catches_up(
    people, plan, broker, client_for, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger="portal.jobs")
    athlete, today = people.athlete_a, timezone.localdate()
    # Last night's refresh was the last one; then Redis goes away.
    RehabStatus.objects.filter(athlete=athlete).update(as_of=today - timedelta(days=1))
    use_broker(broker, f"redis://127.0.0.1:{closed_port()}/0")

    response = client_for("athlete_a").post(
        reverse("rehab:log_today"), {"date": today.isoformat(), "pain_during": "2", "pain_after": "3"}
    )

    assert response.status_code == 302
    assert DailyLog.objects.filter(athlete=athlete, date=today, pain_after=3).exists()
    failed = [r for r in caplog.records if r.name == "portal.jobs" and r.levelno == logging.ERROR]
    assert [r.getMessage() for r in failed] == ["could not enqueue rehab.after_log"]
    assert failed[0].outcome == "not_enqueued"
    assert RehabStatus.objects.get(athlete=athlete).last_log_date is None  # nothing ran the job

    # Redis is back; beat's next refresh tick (due at any hour here) finds the stale status and refreshes it.
    use_broker(broker, BROKER_URL)
    monkeypatch.setattr("rehab.tasks.status.REFRESH_AFTER_MIDNIGHT", timedelta(0))
    from celery.contrib.testing.worker import start_worker

    with start_worker(broker, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        broker.send_task("rehab.refresh_tick")
        status = wait_until(
            lambda: RehabStatus.objects.filter(athlete=athlete, as_of=today, last_log_date=today).first(),
            what="the refresh tick and its refresh_athletes job",
        )
    assert status.last_pain == 3
    assert {r.task for r in caplog.records if getattr(r, "outcome", None) == "ok"} >= {
        "rehab.refresh_tick",
        "rehab.refresh_athletes",
    }
