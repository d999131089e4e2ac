"""Integration tests: a real Celery worker (celery.contrib.testing) against the Redis on 127.0.0.1.

The worker runs in a thread of the test process and takes its jobs from Redis database 15 (emptied first), as a
deployed worker takes them from the broker: a job reaches it only once the transaction that enqueued it has
committed. So these tests use real commits (transactional_db) and the worker thread's own database connection
sees what the test wrote. Without a Redis the tests are skipped on a developer's machine, but they fail when
CI=true, so CI cannot pass without running them (the convention of tests/e2e).
"""

import os
import socket
import time

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
WAIT_SECONDS = 20


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module", autouse=True)
def _redis_required():
    if not _redis_answers():
        reason = f"Redis not answering on {REDIS_HOST}:{REDIS_PORT}"
        if _on_ci():
            pytest.fail(f"The integration tests must run on CI, but {reason}.", pytrace=False)
        pytest.skip(f"Integration tests skipped: {reason}.")


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_broker(app, url: str) -> None:
    """Point the Celery app at `url`, queued for real (not eager); drop the connections to the old broker."""
    app.conf.update(broker_url=url, task_always_eager=False, task_eager_propagates=False)
    # kombu keeps one connection pool per broker URL for the process: only the app's references are dropped.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    """Jobs go through Redis database 15 after commit, as in production (the suite otherwise runs them at once,
    in-process); the app is put back as it was afterwards. Returns the Celery app."""
    import redis

    from portal.celery import app

    settings.JOBS_RUN_IMMEDIATELY = False
    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_eager_propagates")}
    use_broker(app, BROKER_URL)
    yield app
    use_broker(app, saved["broker_url"])
    app.conf.update(saved)
    client.flushdb()
    client.close()


@pytest.fixture
def worker(broker):
    """A worker thread consuming the broker's queue (solo pool: one job at a time, in that thread)."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(broker, pool="solo", perform_ping_check=False, shutdown_timeout=30) as running:
        yield running


def wait_until(check, *, seconds: float = WAIT_SECONDS, what: str = "the job to run"):
    """Poll `check()` until it returns something truthy (returned), or fail after `seconds`."""
    from django.db import OperationalError

    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
        except OperationalError:  # SQLite's shared in-memory test database: the worker holds a table lock
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {seconds} s for {what}.", pytrace=False)
        time.sleep(0.1)
