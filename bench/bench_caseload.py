"""The caseload GET and the daily log POST under load, against a seeded clinic network (issue #6, Performance).

Run from the project root:

    python bench/bench_caseload.py                       # 2,000 athletes × 100 days on SQLite (what `make bench` runs)
    BENCH_SCALE_ATHLETES=10000 python bench/bench_caseload.py          # the full run: 1 M daily logs
    BENCH_SCALE_ATHLETES=10000 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale \\
        python bench/bench_caseload.py                   # the same on PostgreSQL

What it does: creates a throwaway database (a SQLite file under /tmp, or the PostgreSQL database named in
BENCH_DATABASE_URL, which is dropped and created again — its name must contain "bench"), migrates, times
`manage.py seed_scale`, runs collectstatic, starts gunicorn in production mode (2 sync workers,
--no-control-socket), logs in as a physio (~300 athletes) and as eight athletes (one per wrk connection, each
posting their own day), checks that the caseload page 2 answers 200 and the log POST 302, then runs wrk
(2 threads, 8 connections, 10 s, after a 2 s warm-up; 3 rounds in turn, each endpoint's median round reported)
against /healthz, a reference page (bench/reference_urls.py: a bare Django page rendering 50 rows from 3 queries, the
issue's yardstick for the 6 %), /athletes/?page=2 and POST /log/ twice: "log POST" sends each athlete's same day
again (a double submit: nothing changes but the status refresh), "log POST, changed" changes the pain on every
post (the day's row, an audit entry), as a runner correcting their log does. Prints requests/s, p50 / p95 / p99,
the median time spent in Django (from the request log, which also proves every response had the expected status)
and each endpoint's requests/s as a share of /healthz's. Targets: p95 < 50 ms and ≥ 6 % of /healthz, printed PASS / FAIL;
for the caseload also ≥ 63 % of the reference page's requests/s (issue #24), round by round, the median printed.
Exit status 1 when a check fails (seeding, login, a status other than 200 / 302, socket errors), and with
--strict also when a target is missed.

Options (environment variable / flag): BENCH_SCALE_ATHLETES / --athletes (2000), BENCH_SCALE_DAYS / --days (100),
BENCH_DATABASE_URL / --database-url, BENCH_DURATION / --duration (seconds, 10), BENCH_ROUNDS / --rounds (3),
--only TEXT (only the endpoints whose label contains TEXT, plus /healthz), BENCH_REDIS_URL / --redis-url (auto:
redis://127.0.0.1:6379/15 when a Redis answers, emptied first, given to the server as production's REDIS_URL;
none: no Redis), BENCH_KEEP=1 / --keep (keep the database and print its URL), --reuse (an existing seeded
database: migrate only, no seeding), BENCH_STRICT=1 / --strict, BENCH_STATIC_MANIFEST=1 / --static-manifest
(hashed, compressed static files: collectstatic takes about a minute). Needs `wrk` (apt-get install wrk); everything runs on 127.0.0.1. Other work on the machine skews the
numbers: the load average is printed before and after.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
PASSWORD = "stride-scale"
PHYSIO = "physio1@scale.example"
# Eight athletes with a login (seed_scale gives every 10th one): one per wrk connection, each posting their own
# day, as eight runners logging at once would (eight posts of one athlete's day would queue on that row's lock).
ATHLETES = [f"athlete{n}@scale.example" for n in range(1, 80, 10)]
P95_TARGET_MS = 50.0
SEED_TARGET_SECONDS = 300
# A bare Django page rendering 50 rows from 3 queries (bench/reference_urls.py): the yardstick, no target.
REFERENCE = "/bench/reference/"
SHARE_TARGET_PCT = 6.0
# Issue #24: the caseload page at the share of the reference page it had after the jobs issue (63–75 % then),
# taken round by round (the rounds run in turn, so each pair saw the same machine) and the median reported.
CASELOAD_REFERENCE_TARGET_PCT = 63.0
CONNECTIONS, THREADS, WARMUP_SECONDS = 8, 2, 2
AUTO_REDIS = "redis://127.0.0.1:6379/15"  # a database number of its own: emptied before each run
FORBIDDEN_DATABASES = {"test", "test_test", "postgres", "template0", "template1"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--athletes", type=int, default=env_int("BENCH_SCALE_ATHLETES", 2000))
    parser.add_argument("--days", type=int, default=env_int("BENCH_SCALE_DAYS", 100))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--duration", type=int, default=env_int("BENCH_DURATION", 10))
    parser.add_argument(
        "--keep", action="store_true", default=os.environ.get("BENCH_KEEP", "") in ("1", "true")
    )
    parser.add_argument(
        "--reuse", action="store_true", help="Use an already seeded database (implies --keep)."
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=os.environ.get("BENCH_STRICT", "") in ("1", "true"),
        help="Exit with status 1 when a target is missed (always 1 when a check fails).",
    )
    parser.add_argument(
        "--static-manifest",
        action="store_true",
        default=os.environ.get("BENCH_STATIC_MANIFEST", "") in ("1", "true"),
        help="Hashed and compressed static files as in production (collectstatic then takes about a minute).",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=env_int("BENCH_ROUNDS", 3),
        help="Measure every endpoint this many times, in turn, and report each one's median round (3).",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "auto"),
        help="REDIS_URL for the server, as production runs it: a cache shared by the workers and sessions read "
        f"from it. 'auto' (the default): {AUTO_REDIS} when a Redis answers there; 'none': in-process cache and "
        "database sessions. The bench empties that Redis database first.",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="Measure only the endpoints whose label contains this text (repeatable; /healthz is always measured).",
    )
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------------------------------
# The scratch database


class ScratchDatabase:
    """A SQLite file in a temporary directory, or a PostgreSQL database created and dropped here."""

    def __init__(self, url: str, *, keep: bool, reuse: bool):
        self.keep, self.reuse = keep or reuse, reuse
        self.tmpdir = None
        if not url:
            self.tmpdir = tempfile.mkdtemp(prefix="stride-bench-", dir="/tmp")
            url = f"sqlite:///{self.tmpdir}/bench.sqlite3"
        self.url = url
        parts = urlsplit(url)
        self.postgres = parts.scheme.startswith("postgres")
        if self.postgres:
            self.name = parts.path.lstrip("/")
            if self.name in FORBIDDEN_DATABASES or "bench" not in self.name:
                raise SystemExit(
                    f"Refusing database {self.name!r}: BENCH_DATABASE_URL must name a scratch database whose "
                    "name contains 'bench' (it is dropped and created again)."
                )
            self.admin_url = parts._replace(path="/postgres").geturl()
        elif parts.scheme == "sqlite":
            self.path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        else:
            raise SystemExit(f"Unsupported database URL {url!r}: use sqlite:///… or postgres://…")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        if self.reuse:
            return
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self._remove_sqlite()

    def drop(self) -> None:
        if self.keep:
            print(f"kept the database: {self.url}")
            return
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            self._remove_sqlite()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def _remove_sqlite(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------------------
# HTTP helpers (cookies by hand: production cookies are Secure, which http.cookiejar will not send over http)


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), text
        finally:
            conn.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def login(self, email: str, password: str) -> None:
        status, _, body = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not token:
            raise RuntimeError(f"GET /accounts/login/ answered {status} without a CSRF token")
        status, headers, _ = self.request(
            "POST",
            "/accounts/login/",
            {"username": email, "password": password, "csrfmiddlewaretoken": token.group(1)},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"Login as {email} failed (status {status}, cookies {sorted(self.cookies)})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------------------------
# wrk

LUA = """
-- generated by bench/bench_caseload.py
wrk.method = "{method}"
wrk.body = {body}
{headers}
{rotate}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT {{\\"p50\\": %d, \\"p95\\": %d, \\"p99\\": %d, \\"max\\": %d, \\"requests\\": %d, " ..
    "\\"duration_us\\": %d, \\"non_2xx_3xx\\": %d, \\"socket_errors\\": %d}}\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for ASCII text


ROTATE = """
local senders = {{ {senders} }}
local sent = 0
function request()
  sent = sent + 1
  local sender = senders[(sent % #senders) + 1]
  wrk.headers["Cookie"] = sender[1]
  return wrk.format(nil, nil, nil, sender[2])
end
"""


# Every post changes the day: each wrk thread posts for its own athletes (every THREADS-th sender from its own
# index, so two threads never post for the same athlete), and each round over them puts the next pain value
# (1, 2, 3, 1, …) in place of PAIN in the body.
CHANGING = """
local senders = {{ {senders} }}
local threads = 0
function setup(thread)
  thread:set("part", threads)
  threads = threads + 1
end
local mine = nil
local sent = 0
function request()
  if mine == nil then
    mine = {{}}
    for i = (part or 0) + 1, #senders, {threads} do mine[#mine + 1] = senders[i] end
  end
  local sender = mine[(sent % #mine) + 1]
  local pain = 1 + math.floor(sent / #mine) % 3
  sent = sent + 1
  wrk.headers["Cookie"] = sender[1]
  return wrk.format(nil, nil, nil, (string.gsub(sender[2], "PAIN", tostring(pain))))
end
"""


def run_wrk(port: int, path: str, *, scratch: Path, seconds: int, expected: int, method="GET", body="",
            headers=None, senders=None, changing=False, server_log: Path | None = None) -> dict:  # fmt: skip
    """One wrk run. The statuses are checked in the server's request log (one JSON line per request), which
    costs the client nothing, unlike a Lua response() hook; the log also gives the server-side durations.
    `senders`: (Cookie header, body) pairs taken in turn, request by request (several users' sessions);
    `changing`: as CHANGING, every request a real change of that user's data."""
    header_lines = "\n".join(
        f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in (headers or {}).items()
    )
    rotate = ""
    if senders:
        pairs = ", ".join(f"{{{lua_string(cookie)}, {lua_string(text)}}}" for cookie, text in senders)
        rotate = (CHANGING if changing else ROTATE).format(senders=pairs, threads=THREADS)
    script = scratch / f"wrk-{abs(hash((path, method, changing)))}.lua"
    script.write_text(
        LUA.format(
            method=method, body=lua_string(body) if body else "nil", headers=header_lines, rotate=rotate
        )
    )
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency", "-s",
               str(script), f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    offset = server_log.stat().st_size if server_log else 0
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH-RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    result = json.loads(line.removeprefix("BENCH-RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["statuses"], result["server_ms"] = {}, []
    if server_log:
        time.sleep(0.3)  # the workers finish writing their last lines
        with open(server_log, "rb") as log:
            log.seek(offset)
            for raw in log:
                if not raw.startswith(b"{"):
                    continue
                entry = json.loads(raw)
                if entry.get("path") == urlsplit(path).path and entry.get("method") == method:
                    result["statuses"][entry["status"]] = result["statuses"].get(entry["status"], 0) + 1
                    result["server_ms"].append(entry["duration_ms"])
    result["unexpected"] = sum(n for status, n in result["statuses"].items() if status != expected)
    return result


# ---------------------------------------------------------------------------------------------------------------


def manage(env: dict, *args: str, capture=False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, text=True, capture_output=capture, check=False
    )
    if result.returncode != 0:
        if capture:
            sys.stdout.write(result.stdout)
            sys.stderr.write(result.stderr)
        raise RuntimeError(f"manage.py {' '.join(args)} failed with status {result.returncode}")
    return result.stdout if capture else ""


def wait_for(port: int, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            if Client(port).request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def stop(server: subprocess.Popen | None) -> None:
    """Stop the gunicorn started here (its master, which stops its workers; the whole group if it hangs)."""
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the session gunicorn was started in: only its own processes
        server.wait(timeout=5)


def bench_redis(choice: str) -> str:
    """The Redis URL the server gets (emptied here), or "" for none."""
    if choice == "none":
        return ""
    import redis

    url = AUTO_REDIS if choice == "auto" else choice
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        if choice != "auto":
            raise RuntimeError(f"no Redis answers at {url}") from None
        return ""
    finally:
        client.close()
    return url


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk); skipping the caseload benchmark.")
        return 1
    db = ScratchDatabase(args.database_url, keep=args.keep, reuse=args.reuse)
    scratch = Path(tempfile.mkdtemp(prefix="stride-bench-wrk-", dir="/tmp"))
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SSL_REDIRECT": "false",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Pages only link to static files; hashing and compressing them all takes a minute and changes nothing
        # that is measured here (--static-manifest does it anyway).
        "DJANGO_STATIC_MANIFEST": "true" if args.static_manifest else "false",
    }
    env.pop("DJANGO_LOG_LEVEL", None)  # production default: one JSON line per request, as in production
    env.pop("REDIS_URL", None)
    redis_url = bench_redis(args.redis_url)
    if redis_url:
        env["REDIS_URL"] = redis_url
    server = None
    seed_seconds = 0.0
    log_path = scratch / "gunicorn.log"
    try:
        backend = "PostgreSQL" if db.postgres else "SQLite"
        print(f"database: {backend} ({db.url}); {args.athletes:,} athletes × {args.days} days")
        if redis_url:
            print(f"cache and sessions: Redis ({redis_url}), sessions written through to the database")
        else:
            print("cache and sessions: in-process cache, database sessions (no Redis; --redis-url)")
        load = os.getloadavg()[0]
        busy = " — other work is running: numbers will be low and noisy" if load > 0.5 else ""
        print(f"load average before: {load:.2f} on {os.cpu_count()} CPUs{busy}")
        db.create()
        manage(env, "migrate", "--no-input", "-v", "0")
        if not args.reuse:
            started = time.perf_counter()
            output = manage(
                env, "seed_scale", "--athletes", str(args.athletes), "--days", str(args.days), capture=True
            )
            seed_seconds = time.perf_counter() - started
            print(output.rstrip())
            verdict = "PASS" if seed_seconds < SEED_TARGET_SECONDS else "FAIL"
            print(f"seed_scale: {seed_seconds:.1f} s (target < {SEED_TARGET_SECONDS} s: {verdict})")
        manage(env, "collectstatic", "--no-input", "-v", "0")

        port = free_port()
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "portal.wsgi",
                    "-w",
                    "2",
                    "--no-control-socket",
                    "-b",
                    f"127.0.0.1:{port}",
                ],
                cwd=ROOT,
                # portal.settings plus the reference page at /bench/reference/ (bench/reference_urls.py)
                env={**env, "DJANGO_SETTINGS_MODULE": "bench.reference_settings"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(port, server)

        physio, athletes = Client(port), [Client(port) for _ in ATHLETES]
        physio.login(PHYSIO, PASSWORD)
        for athlete, email in zip(athletes, ATHLETES, strict=True):
            athlete.login(email, PASSWORD)
        today = datetime.now(ZoneInfo(env.get("TIME_ZONE", "Europe/London"))).date().isoformat()
        caseload = "/athletes/?page=2"
        status, _, body = physio.request("GET", caseload)
        rows = body.count('<tr class="caseload-row')
        if status != 200:
            raise RuntimeError(f"GET {caseload} answered {status}, not 200")
        print(f"check: GET {caseload} → {status}, {rows} athlete rows")
        status, _, body = physio.request("GET", REFERENCE)
        if status != 200 or body.count("<tr>") != 51:
            raise RuntimeError(
                f"GET {REFERENCE} answered {status} with {body.count('<tr>') - 1} rows, not 200 with 50"
            )
        senders, changes = [], []
        for athlete in athletes:
            form = {"pain_during": "1", "pain_after": "1", "this_morning": "1", "same_as_planned": "1",
                    "date": today, "csrfmiddlewaretoken": athlete.cookies["csrftoken"]}  # fmt: skip
            status, headers, body = athlete.request("POST", "/log/", form)
            if status != 302:
                errors = re.findall(r'class="[^"]*invalid-feedback[^"]*"[^>]*>(.*?)<', body)
                raise RuntimeError(f"POST /log/ answered {status}, not 302 {errors[:3]}")
            senders.append((athlete.cookie_header(), urlencode(form)))
            changes.append((athlete.cookie_header(), urlencode({**form, "pain_during": "PAIN"})))
        print(f"check: POST /log/ → {status} to {headers.get('Location')}, for {len(athletes)} athletes")

        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        log_post = dict(path="/log/", expected=302, method="POST", body=senders[0][1], headers=form_type)
        runs = [
            ("/healthz", dict(path="/healthz", expected=200)),
            (
                "reference page",
                dict(path=REFERENCE, expected=200, headers={"Cookie": physio.cookie_header()}),
            ),
            ("caseload GET", dict(path=caseload, expected=200, headers={"Cookie": physio.cookie_header()})),
            ("log POST", {**log_post, "senders": senders}),
            ("log POST, changed", {**log_post, "senders": changes, "changing": True}),
        ]
        if args.only:
            runs = [run for run in runs if run[0] == "/healthz" or any(text in run[0] for text in args.only)]
        # Rounds in turn (every endpoint once per round), then each endpoint's median round: a burst of other
        # work on the machine then skews one round of everything instead of one endpoint's only run.
        rounds: dict[str, list[dict]] = {label: [] for label, _ in runs}
        for number in range(args.rounds):
            for label, spec in runs:
                if number == 0:
                    run_wrk(port, scratch=scratch, seconds=WARMUP_SECONDS, **spec)
                rounds[label].append(
                    run_wrk(port, scratch=scratch, seconds=args.duration, server_log=log_path, **spec)
                )
        results = {label: median_round(done) for label, done in rounds.items()}
    except Exception as error:  # noqa: BLE001 — report, clean up, exit 1
        print(f"FAILED: {error}")
        if log_path.exists():
            tail = log_path.read_text(errors="replace").splitlines()[-20:]
            print("gunicorn log (last lines):\n  " + "\n  ".join(tail))
        return 1
    finally:
        stop(server)
        db.drop()
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"load average after: {os.getloadavg()[0]:.2f}")
    targets_ok, checks_ok = report(results, args.duration)
    targets_ok = targets_ok and seed_seconds < SEED_TARGET_SECONDS
    return 0 if checks_ok and (targets_ok or not args.strict) else 1


def median_round(done: list[dict]) -> dict:
    """The round with the median requests/s (the lower middle one of an even number), with every round's
    unexpected statuses and socket errors added up, so that a failure in any round still shows."""
    middle = dict(sorted(done, key=lambda r: r["rps"])[(len(done) - 1) // 2])
    for key in ("unexpected", "socket_errors", "non_2xx_3xx"):
        middle[key] = sum(r[key] for r in done)
    middle["rounds"] = [r["rps"] for r in done]
    return middle


def reference_share(result: dict, reference: dict) -> float:
    """`result`'s requests/s as a share (%) of the reference page's: the median of the rounds' shares, each
    round against the reference page's round next to it in time."""
    mine = result.get("rounds") or [result["rps"]]
    theirs = reference.get("rounds") or [reference["rps"]]
    shares = sorted(100 * rps / ref for rps, ref in zip(mine, theirs, strict=True) if ref)
    return shares[(len(shares) - 1) // 2] if shares else 0.0


def report(results: dict, seconds: int) -> tuple[bool, bool]:
    """Print the table; returns (every target met, every response as expected)."""
    healthz = results["/healthz"]["rps"]
    print(
        f"\nwrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s --latency, gunicorn 2 sync workers, production settings"
    )
    print(
        f"{'endpoint':<17} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'% healthz':>9} "
        f"{'server ms':>9}  targets"
    )
    ok = checks_ok = True
    for label, r in results.items():
        share = 100 * r["rps"] / healthz if healthz else 0
        server = sorted(r["server_ms"])
        median = f"{server[len(server) // 2]:9.1f}" if server else f"{'–':>9}"
        line = (
            f"{label:<17} {r['rps']:8.1f} {r['p50'] / 1000:7.1f} {r['p95'] / 1000:7.1f} {r['p99'] / 1000:7.1f} "
            f"{share:8.2f}% {median}"
        )
        if label not in ("/healthz", "reference page"):
            p95_ok = r["p95"] / 1000 < P95_TARGET_MS
            share_ok = share >= SHARE_TARGET_PCT
            line += (
                f"  p95 < {P95_TARGET_MS:.0f} ms {'PASS' if p95_ok else 'FAIL'}, "
                f"≥ {SHARE_TARGET_PCT:.0f} % of /healthz {'PASS' if share_ok else 'FAIL'}"
            )
            ok = ok and p95_ok and share_ok
        if label == "caseload GET" and "reference page" in results:
            of_reference = reference_share(r, results["reference page"])
            share_ok = of_reference >= CASELOAD_REFERENCE_TARGET_PCT
            line += (
                f", {of_reference:.0f} % of the reference page (≥ {CASELOAD_REFERENCE_TARGET_PCT:.0f} %) "
                f"{'PASS' if share_ok else 'FAIL'}"
            )
            ok = ok and share_ok
        if len(r.get("rounds", [])) > 1:
            line += f"  (rounds: {' / '.join(f'{rps:.0f}' for rps in r['rounds'])} req/s)"
        bad = r["unexpected"] + r["socket_errors"] + r["non_2xx_3xx"]
        if bad:
            line += f"  FAIL: statuses {r['statuses']}, {r['non_2xx_3xx']} non-2xx/3xx, {r['socket_errors']} socket errors"
            checks_ok = False
        print(line)
    print(
        "server ms: median time in Django per request (request log). With 8 connections kept busy, mean latency "
        f"= 8 / req/s (Little's law): p95 < {P95_TARGET_MS:.0f} ms needs well over {8000 / P95_TARGET_MS:.0f} req/s."
    )
    return ok, checks_ok


if __name__ == "__main__":
    sys.exit(main())
