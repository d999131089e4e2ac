"""The production topology on one machine: gunicorn with two workers, PostgreSQL, and a Redis of the test's own
for the cache, the sessions and the job broker. Then a worker is killed while it writes, the database drops
every connection, and Redis freezes under the job broker.

PostgreSQL only (the suite's PostgreSQL run, DATABASE_URL=postgres://…, as CI's second run): each test module
run creates a database of its own next to the test database, migrates it, loads the demo clinic and drops it
afterwards. On SQLite the tests are skipped, saying so.
"""

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.utils import timezone

from tests.faults.conftest import REDIS_SERVER, ROOT, RedisServer, skip_or_fail, spare_port

# The database mark makes pytest-django create the test database, which the site's own database copies.
pytestmark = [pytest.mark.faults, pytest.mark.django_db]

DEMO_PASSWORD = "stride-demo"
ATHLETES = ["anna@demo.example", "luis@demo.example", "sara@demo.example"]
BACKFILL_DAYS = 14  # a log can be written for today and the 14 days before (rehab.services.check_log_date)
MARK = 100  # run_minutes = MARK + n tells which POST wrote a row
POSTS, KILLS, KILL_EVERY = 16, 3, 0.5  # at least POSTS logs and KILLS workers killed meanwhile


def _postgres():
    db = django_settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        # Not a failure on CI: its SQLite run skips them, its PostgreSQL run (DATABASE_URL) runs them.
        pytest.skip("Fault tests with gunicorn need PostgreSQL: run with DATABASE_URL=postgres://…")
    return db


def _connect(db, name):
    import psycopg

    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=name,
        autocommit=True,
        connect_timeout=5,
    )


class Site:
    """gunicorn serving a database of its own; `sql()` reads that database directly."""

    def __init__(self, db, name, redis, port):
        self.db, self.name, self.redis, self.port = db, name, redis, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = Path(f"/tmp/stride-faults-gunicorn-{os.getpid()}.log")
        self.master: subprocess.Popen | None = None
        self.conn = _connect(db, name)

    def url(self):
        user = self.db["USER"] or ""
        password = f":{self.db['PASSWORD']}" if self.db["PASSWORD"] else ""
        return f"postgres://{user}{password}@{self.db['HOST'] or '127.0.0.1'}:{self.db['PORT'] or 5432}/{self.name}"

    def env(self):
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL", "CELERY_"))
        }
        return keep | {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": self.url(),
            "REDIS_URL": self.redis.url,
            "DJANGO_LOG_LEVEL": "WARNING",
        }

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]

    def start(self):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [
            str(gunicorn),
            "portal.wsgi",
            "--no-control-socket",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{self.port}",
        ]
        self.master = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )
        wait_for(lambda: _get(self.base + "/healthz") == 200, "gunicorn to answer")

    def workers(self) -> list[int]:
        """The master's children (read from /proc: no tool needed)."""
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.master.pid:
                    found.append(int(entry))
        return found

    def worker_on_port(self, port: int) -> int:
        """The worker whose socket has local port `port` (a PostgreSQL backend's client_port)."""
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
        for pid in self.workers():
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return pid
                except OSError:
                    continue
        pytest.fail(f"no gunicorn worker holds local port {port}", pytrace=False)

    def sql(self, query, *params):
        return self.conn.execute(query, params).fetchall()

    def stop(self):
        if self.master is not None and self.master.poll() is None:
            self.master.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                self.master.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.master.kill()
                self.master.wait()
        self.conn.close()


def _get(url):
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return None


def _status(url):
    try:
        return requests.get(url, timeout=5).json().get("status")
    except (requests.RequestException, ValueError):
        return None


def wait_for(check, what, seconds=30):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}", pytrace=False)
        time.sleep(0.1)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    db = _postgres()
    import psycopg

    if REDIS_SERVER is None:
        skip_or_fail("there is no redis-server on the PATH (apt-get install redis-server)")
    name = f"stride_faults_{os.getpid()}"
    admin = _connect(db, "postgres")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    # A copy of the test database as pytest-django migrated it (much quicker than migrating again); copying
    # needs it to have no other connection for a moment. When it has one, the database is migrated instead.
    with django_db_blocker.unblock():
        from django.db import connections

        connections.close_all()
        template = connections["default"].settings_dict["NAME"]
    try:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        migrated = True
    except psycopg.Error:
        admin.execute(f'CREATE DATABASE "{name}"')
        migrated = False
    redis = RedisServer(spare_port())
    redis.start()
    site = Site(db, name, redis, spare_port())
    try:
        if not migrated:
            site.manage("migrate", "--no-input", "-v", "0")
        site.manage("load_demo", "-v", "0")
        site.start()
        yield site
    finally:
        site.stop()
        redis.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Browser:
    """A logged-in person, through requests (the CSRF token taken from each form)."""

    def __init__(self, site, email):
        self.site, self.email, self.session = site, email, requests.Session()
        self.post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD}, expect=302)

    def token(self, path):
        html = self.session.get(self.site.base + path, timeout=10).text
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post(self, path, data, expect=None, timeout=30):
        form = path.split("?")[0]
        data = data | {"csrfmiddlewaretoken": self.token(path if form != "/log/" else path)}
        response = self.session.post(
            self.site.base + path,
            data,
            headers={"Referer": self.site.base + form},
            allow_redirects=False,
            timeout=timeout,
        )
        if expect is not None:
            assert response.status_code == expect, response.text[:500]
        return response

    def get(self, path):
        return self.session.get(self.site.base + path, allow_redirects=False, timeout=10)


def free_days(site, email) -> list:
    """The days an athlete could log that have no log yet: a new log writes its row, then its exercise rows
    (blocked_write stops it between the two). Oldest last."""
    logged = {
        day
        for (day,) in site.sql(
            "SELECT l.date FROM rehab_dailylog l JOIN portal_athlete a ON a.id = l.athlete_id"
            " JOIN portal_user u ON u.id = a.user_id WHERE u.email = %s",
            email,
        )
    }
    today = timezone.localdate()
    days = [today - timedelta(days=d) for d in range(1, BACKFILL_DAYS + 1)]
    return [day for day in days if day not in logged]


def log_body(n):
    return {"pain_during": "1", "pain_after": "2", "same_as_planned": "1", "run_minutes": str(MARK + n)}


def log_path(day):
    return f"/log/?date={day.isoformat()}"


def saved(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].endswith("/today/")


def assert_logs_whole(site, acknowledged: dict):
    """Every acknowledged log is in the database exactly once, and every log the test wrote (acknowledged or not)
    has all its exercise rows: nothing lost, nothing written twice, nothing half-written."""
    rows = site.sql(
        "SELECT l.run_minutes, count(*) OVER (PARTITION BY l.run_minutes),"
        " (SELECT count(*) FROM rehab_exerciselog e WHERE e.log_id = l.id),"
        " (SELECT count(*) FROM rehab_planexercise p WHERE p.phase_id = l.phase_id)"
        " FROM rehab_dailylog l WHERE l.run_minutes >= %s",
        MARK,
    )
    by_mark = {minutes: (copies, exercises, planned) for minutes, copies, exercises, planned in rows}
    for n in acknowledged:
        assert MARK + n in by_mark, f"log {n} was acknowledged but is not in the database"
    for minutes, (copies, exercises, planned) in by_mark.items():
        assert copies == 1, f"log {minutes - MARK} is in the database {copies} times"
        assert exercises == planned > 0, (
            f"log {minutes - MARK} has {exercises} of its {planned} exercise rows"
        )


def blocked_write(site, browser, path, body):
    """POSTs `body` in a thread while the test holds a lock on the exercise rows: the request stops inside its
    transaction, the daily log written, its exercises not. Returns (thread, outcome list, backend pid, port)."""
    holder = _connect(site.db, site.name)
    holder.autocommit = False
    holder.execute("LOCK TABLE rehab_exerciselog IN SHARE MODE")  # reads go on; inserts and deletes wait
    outcome = []

    def send():
        try:
            outcome.append(browser.post(path, body))
        except Exception as error:  # noqa: BLE001 — a killed worker drops the connection: that is the outcome
            outcome.append(error)

    thread = threading.Thread(target=send)
    thread.start()
    waiting = []

    def blocked():
        waiting.extend(
            site.sql(
                "SELECT pid, client_port FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                site.name,
            )
        )
        return waiting or outcome

    wait_for(blocked, "the write to wait on the lock")
    if not waiting:
        response = outcome[0]
        pytest.fail(f"the write did not wait on the lock: {getattr(response, 'status_code', response)}")
    return thread, outcome, holder, waiting[0]


def test_a_worker_killed_mid_write_loses_nothing_acknowledged_and_leaves_nothing_half_written(site):
    browsers = [Browser(site, email) for email in ATHLETES]
    today = timezone.localdate()
    # 1. A worker killed for certain in the middle of a new log's transaction.
    browser, day = next((b, days[0]) for b in browsers if (days := free_days(site, b.email)))
    slots = [(b, today - timedelta(days=d)) for d in range(1, BACKFILL_DAYS + 1) for b in browsers]
    slots = [slot for slot in slots if slot != (browser, day)]
    random.Random(20).shuffle(slots)
    thread, outcome, holder, (_, port) = blocked_write(site, browser, log_path(day), log_body(0))
    os.kill(site.worker_on_port(port), signal.SIGKILL)
    holder.rollback()
    holder.close()
    thread.join(30)
    assert not saved(outcome[0]) if not isinstance(outcome[0], Exception) else True
    wait_for(lambda: len(site.workers()) == 2, "gunicorn to replace the worker")

    # 2. Logs posted in a loop (new days and days already logged) while a worker is killed every KILL_EVERY s.
    acknowledged, kills, stop = {}, [], threading.Event()

    def killer():
        while not stop.wait(KILL_EVERY):
            workers = site.workers()
            if workers:
                os.kill(random.choice(workers), signal.SIGKILL)
                kills.append(time.monotonic())

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        for n, (browser, day) in enumerate(slots, start=1):
            if n > POSTS and len(kills) >= KILLS:
                break
            try:
                if saved(browser.post(log_path(day), log_body(n), timeout=10)):
                    acknowledged[n] = day
            except Exception:  # noqa: BLE001, S112 — the connection dropped with its worker: not acknowledged
                continue
    finally:
        stop.set()
        thread.join()
    wait_for(lambda: len(site.workers()) == 2, "gunicorn to replace the workers")
    assert len(kills) >= KILLS, f"the {len(slots)} logs were posted before {KILLS} workers were killed"
    assert len(acknowledged) >= POSTS // 3, f"only {len(acknowledged)} logs got through"
    assert_logs_whole(site, acknowledged)


def test_database_connections_terminated_the_next_requests_reconnect(site):
    clinician = Browser(site, "physio@demo.example")
    athlete = next(b for email in ATHLETES if free_days(site, (b := Browser(site, email)).email))
    for _ in range(4):  # both workers hold a database connection (kept: CONN_MAX_AGE)
        assert clinician.get("/athletes/").status_code == 200

    ended = site.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        site.name,
    )
    assert ended, "no connection of the site's to terminate"
    # The health check before each request's first query (CONN_HEALTH_CHECKS) finds them gone and reconnects.
    for _ in range(6):
        assert clinician.get("/athletes/").status_code == 200
        assert athlete.get("/today/").status_code == 200
    assert _get(site.base + "/readyz") == 200

    # A request whose connection is terminated in the middle of its transaction fails (500), and only it: its
    # log is rolled back, and the same log posted again is saved.
    day = free_days(site, athlete.email)[0]
    thread, outcome, holder, (backend, _) = blocked_write(site, athlete, log_path(day), log_body(60))
    site.sql("SELECT pg_terminate_backend(%s)", backend)
    holder.rollback()
    holder.close()
    thread.join(30)
    assert outcome[0].status_code == 500
    assert not site.sql("SELECT 1 FROM rehab_dailylog WHERE run_minutes = %s", MARK + 60)
    assert saved(athlete.post(log_path(day), log_body(61)))
    assert clinician.get("/athletes/").status_code == 200
    assert_logs_whole(site, {61: day})


def test_redis_frozen_under_the_job_broker_pages_answer_and_the_log_is_kept(site):
    athlete = Browser(site, "luis@demo.example")
    day = timezone.localdate() - timedelta(days=2)
    site.redis.freeze()
    try:
        started = time.monotonic()
        assert saved(athlete.post(log_path(day), log_body(70)))
        assert time.monotonic() - started < 2.0
        assert athlete.get("/today/").status_code == 200
        started = time.monotonic()
        ready = requests.get(site.base + "/readyz", timeout=15)
        assert time.monotonic() - started < 2.0  # the broker on the Redis just found down is not waited on
        assert ready.status_code == 200 and ready.json() == {
            "status": "degraded",
            "database": "ok",
            "cache": "error",
            "broker": "error",
        }
    finally:
        site.redis.resume()
    assert_logs_whole(site, {70: day})
    # The job that could not be queued is logged, for the sweeps (nightly refresh) to catch up.
    assert '"outcome": "not_enqueued"' in site.log.read_text()
    wait_for(lambda: _status(site.base + "/readyz") == "ok", "/readyz to see Redis again", seconds=15)
