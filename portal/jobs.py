"""Enqueue background work after the transaction commits, without losing it when the broker is away.

Services call `enqueue("rehab.after_log", athlete_id, "2026-12-06")` by task name: the services sit below the
tasks that call them (rehab/tasks/ imports rehab/services), so they never import a task module. The work is
sent when the surrounding transaction commits (nothing runs for a change that rolled back). When the broker
cannot be reached the page still answers: the failure is logged, and every job has a sweep that catches it up
(the nightly status refresh, the alert-notification sweep, the reminder tick).

Without REDIS_URL (CELERY_TASK_ALWAYS_EAGER) the task runs in this process right after the commit. The test
suite sets JOBS_RUN_IMMEDIATELY as well: its transactions never commit, so jobs run at once instead.
"""

import logging

from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger("portal.jobs")


def enqueue(task_name: str, *args, **kwargs) -> None:
    """Run the task named `task_name` with these (JSON-friendly) arguments once the transaction commits."""
    if getattr(settings, "JOBS_RUN_IMMEDIATELY", False):
        _send(task_name, args, kwargs)
    else:
        transaction.on_commit(lambda: _send(task_name, args, kwargs))


def _send(task_name: str, args: tuple, kwargs: dict) -> None:
    from portal.celery import app

    if task_name not in app.tasks:  # a web process: the apps' tasks.py are imported on first use
        app.autodiscover_tasks(force=True)
    try:
        app.tasks[task_name].apply_async(args, kwargs)
    except (BrokerError, ConnectionError, TimeoutError):  # the broker is away: logged, caught up by a sweep
        logger.exception(
            "could not enqueue %s",
            task_name,
            extra={"task": task_name, "task_args": args, "task_kwargs": kwargs, "outcome": "not_enqueued"},
        )


def broker_state() -> str:
    """ "ok" when the broker answers within a second, "error" when it does not, "in-process" without one."""
    from portal.celery import app

    if app.conf.task_always_eager:
        return "in-process"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
    except Exception:  # any failure to reach it is "not ready", whatever the transport raised
        logger.warning("the job broker is not answering", extra={"outcome": "broker_down"})
        return "error"
    return "ok"
