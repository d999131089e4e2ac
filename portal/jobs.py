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
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from portal.cache import redis_known_down

logger = logging.getLogger("portal.jobs")


def enqueue(task_name: str, *args, **kwargs) -> None:
    """Run the task named `task_name` with these (JSON-friendly) arguments once the transaction commits."""
    if getattr(settings, "JOBS_RUN_IMMEDIATELY", False):
        _send(task_name, args, kwargs)
    else:
        transaction.on_commit(lambda: _send(task_name, args, kwargs))


# A job that recomputes something from the database (an athlete's status after a log) need not be queued
# twice: while one is waiting, later changes are read when it runs. Its key is dropped when it starts.
PENDING_KEY = "job-pending:{}"
PENDING_SECONDS = 15 * 60  # a job lost without starting frees its key after this long (the sweeps catch it)


def enqueue_once(key: str, task_name: str, *args) -> None:
    """As `enqueue`, unless a job with this `key` is already waiting to start; the task calls `started(key)`
    first thing. Without a working cache every call enqueues (never fewer jobs than needed)."""

    def send():
        try:
            waiting = not cache.add(PENDING_KEY.format(key), 1, timeout=PENDING_SECONDS)
        except Exception:  # noqa: BLE001 — the cache is away: enqueue, as without coalescing
            waiting = False
        if not waiting:
            _send(task_name, args, {}, key=key)

    if getattr(settings, "JOBS_RUN_IMMEDIATELY", False):
        send()
    else:
        transaction.on_commit(send)


def started(key: str) -> None:
    """A coalesced job has started: the next change enqueues a new one."""
    try:
        cache.delete(PENDING_KEY.format(key))
    except Exception:  # noqa: BLE001 — the cache is away: nothing waits on the key
        logger.warning("could not clear the pending key of %s", key, extra={"outcome": "cache_down"})


# A broker that failed is not tried again for this long (per process): a frozen Redis costs a publish its socket
# timeouts and retries, about 12 s, and would cost them to every page that enqueues. A broker on the cache's
# Redis is not tried either while the cache finds that Redis down (portal.cache): the page does not wait at all.
BROKER_SKIP_SECONDS = 5
_broker_failed_at: dict[str, float] = {}


def _send(task_name: str, args: tuple, kwargs: dict, *, key: str | None = None) -> None:
    # Imported when a job is first sent: the Celery app (portal.celery) sets up the worker's start-up and
    # logging hooks, which a management command or a test that never queues a job should not load.
    from portal.celery import app

    if task_name not in app.tasks:  # a web process: the apps' tasks.py are imported on first use
        app.autodiscover_tasks(force=True)
    extra = {"task": task_name, "task_args": args, "task_kwargs": kwargs, "outcome": "not_enqueued"}
    queued = not app.conf.task_always_eager
    url = app.conf.broker_url
    if queued and _broker_known_down(url):
        if key is not None:
            started(key)  # not waiting after all
        logger.error(
            "could not enqueue %s", task_name, extra=extra | {"error": "the broker is down (not tried)"}
        )
        return
    try:
        app.tasks[task_name].apply_async(args, kwargs)
    except (BrokerError, ConnectionError, TimeoutError):  # the broker is away: logged, caught up by a sweep
        if queued:
            _broker_failed_at[url] = time.monotonic()
        if key is not None:
            started(key)  # not waiting after all
        logger.exception("could not enqueue %s", task_name, extra=extra)


def _broker_known_down(url: str) -> bool:
    failed_at = _broker_failed_at.get(url)
    if failed_at is not None and time.monotonic() - failed_at < BROKER_SKIP_SECONDS:
        return True
    return redis_known_down(url)


def broker_state() -> str:
    """ "ok" when the broker answers within a second, "error" when it does not, "in-process" without one."""
    from portal.celery import app  # as in _send: the Celery app only where a job queue is used

    if app.conf.task_always_eager:
        return "in-process"
    if _broker_known_down(app.conf.broker_url):  # failed within the last seconds: not waited on again
        return "error"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
    except Exception:  # any failure to reach it is "not ready", whatever the transport raised
        logger.warning("the job broker is not answering", extra={"outcome": "broker_down"})
        return "error"
    return "ok"
