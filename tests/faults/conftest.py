"""Fault injection: the outages a clinic will meet, caused on purpose, and what the site must do through them.

Each test starts what it breaks: its own redis-server on a spare port (killed with SIGKILL, frozen with SIGSTOP,
started again), a mail server address nothing listens on, a PostgreSQL connection terminated under the test, a
gunicorn worker killed while it writes. Pages that must survive answer without a 5xx, /readyz reports the outage,
and no record is lost or written twice. Without redis-server (or PostgreSQL, for the tests that need it) they are
skipped on a developer's machine, but they fail when CI=true, so CI cannot pass without running them (the
convention of tests/e2e and tests/integration).
"""

import os
import runpy
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    if on_ci():
        pytest.fail(f"The fault tests must run on CI, but {reason}.", pytrace=False)
    pytest.skip(f"Fault test skipped: {reason}.")


def spare_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, with nothing saved to disk, that the test can kill, freeze and restart."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {self.port}", pytrace=False)
            time.sleep(0.05)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def keys(self) -> list[str]:
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2)
        try:
            return [key.decode() for key in client.keys("*")]
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server():
    if REDIS_SERVER is None:
        skip_or_fail("there is no redis-server on the PATH (apt-get install redis-server)")
    server = RedisServer(spare_port())
    server.start()
    yield server
    server.stop()


def production_settings(**environ) -> dict:
    """portal/settings.py as a deployment with these environment variables reads it (a fresh run of the module,
    nothing imported twice), so the tests check the settings that production gets, not a copy of them."""
    saved = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    try:
        return runpy.run_path(str(ROOT / "portal" / "settings.py"))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class TooSlow(BaseException):  # noqa: N818 — a BaseException: no handler in the site may swallow it
    """A request took longer than the test allows (raised from a timer signal into the blocked call)."""


@contextmanager
def at_most(seconds: float):
    """Fails the block when it takes longer than `seconds`, even when it is stuck in a socket read."""

    def expire(signum, frame):
        raise TooSlow(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def plan(people):
    """Athlete A on a three-phase plan started three weeks ago (as tests/rehab/test_logs.py's)."""
    from rehab import services
    from tests.factories import PlanTemplateFactory

    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=3)
    return services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=20),
    )
