"""GET /api/v1/exercises/ (the first page, with a clinician's API token) against /healthz, in the same run.

Run from the project root:

    python bench/bench_library_api.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/stride_bench_api python bench/bench_library_api.py

What it does: drops and creates the PostgreSQL database named in BENCH_DATABASE_URL (its name must contain
"bench"), migrates, runs `load_demo` (the shipped library and a demo clinic), issues an API token to the demo
physio, starts gunicorn in production mode (2 sync workers, --no-control-socket) with a Redis cache when one
answers at 127.0.0.1:6379 (database 14, emptied first), checks both endpoints answer 200, then runs wrk (2 threads,
2 connections per worker, 10 s after a 2 s warm-up) against each in turn, 3 rounds, and prints each one's median
requests/s and the API's share of /healthz's. Target: ≥ 10 %. The database is dropped at the end (BENCH_KEEP=1
keeps it). Needs `wrk` (apt-get install wrk). Other work on the machine skews the numbers: the load average is
printed.
"""

import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/stride_bench_api"
REDIS_URL = "redis://127.0.0.1:6379/14"
WORKERS, THREADS = 2, 2
CONNECTIONS = 2 * WORKERS
SECONDS, ROUNDS, WARMUP_SECONDS = 10, 3, 2
SHARE_TARGET_PCT = 10.0
API = "/api/v1/exercises/"
ISSUE_TOKEN = (
    "from portal.models import User; from portal.tokens import token_issue; "
    "print(token_issue(user=User.objects.get(email='physio@demo.example'), name='bench')[1])"
)


def manage(env, *args) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def postgres(url, command: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    args = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    if command == "dropdb":
        args.append("--if-exists")
    subprocess.run([command, *args, name], check=True, env={**os.environ, "PGPASSWORD": parts.password or ""})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(port: int, path: str, headers: dict) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wrk(port: int, path: str, headers: dict, seconds: int) -> float:
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", *header_args,
               f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"{path}: not every answer was a 200:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"*2\r\n$6\r\nSELECT\r\n$2\r\n14\r\n*1\r\n$7\r\nFLUSHDB\r\n")
            time.sleep(0.1)
            return s.recv(100).startswith(b"+OK")
    except OSError:
        return False


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    if "bench" not in urlsplit(url).path or not url.startswith("postgres"):
        print("BENCH_DATABASE_URL must be a PostgreSQL database whose name contains 'bench'.")
        return 1
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SSL_REDIRECT": "false",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_STATIC_MANIFEST": "false",
        "API_THROTTLE_USER": "1000000/minute",  # one token sends every request: the throttle is not measured
    }
    env.pop("DJANGO_LOG_LEVEL", None)  # production default: one JSON line per request
    env.pop("REDIS_URL", None)
    if redis_answers():
        env["REDIS_URL"] = REDIS_URL
    print(f"database: {url}; cache: {env.get('REDIS_URL', 'in-process (no Redis)')}")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    postgres(url, "dropdb")
    postgres(url, "createdb")
    server = None
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_demo")
        key = manage(env, "shell", "-c", ISSUE_TOKEN).strip().splitlines()[-1]
        port = int(os.environ.get("BENCH_PORT") or free_port())
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "portal.wsgi", "--no-control-socket", "-w", str(WORKERS),
             "-b", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        for _ in range(100):
            time.sleep(0.2)
            if status(port, "/healthz", {}) == 200:
                break
        token = {"Authorization": f"Token {key}", "Accept": "application/json"}
        endpoints = [("/healthz", "/healthz", {}), (f"GET {API}", API, token)]
        for label, path, headers in endpoints:
            answered = status(port, path, headers)
            if answered != 200:
                raise RuntimeError(f"{label} answered {answered}")
            wrk(port, path, headers, WARMUP_SECONDS)
        rounds = {label: [] for label, _, _ in endpoints}
        for _ in range(ROUNDS):
            for label, path, headers in endpoints:
                rounds[label].append(wrk(port, path, headers, SECONDS))
        rps = {label: statistics.median(values) for label, values in rounds.items()}
        for label, value in rps.items():
            every = ", ".join(f"{v:.0f}" for v in rounds[label])
            print(f"{label:<28} {value:8.1f} requests/s (median of {every})")
        share = 100 * rps[f"GET {API}"] / rps["/healthz"]
        verdict = "PASS" if share >= SHARE_TARGET_PCT else "FAIL"
        print(f"share of /healthz: {share:.1f} % (target ≥ {SHARE_TARGET_PCT:.0f} %: {verdict})")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        return 0 if share >= SHARE_TARGET_PCT else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if os.environ.get("BENCH_KEEP", "") not in ("1", "true"):
            postgres(url, "dropdb")


if __name__ == "__main__":
    sys.exit(main())
