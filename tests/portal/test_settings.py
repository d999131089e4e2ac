"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PROD_KEY = "k" * 20 + "Zq9-Xy7_Wv5!Ut3@Sr1#Qp8$On6%Ml4^Kj2&"


def run_manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "ALLOWED_HOSTS", "REDIS_URL", "API_TOKEN_DAYS"))
    }
    base["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("false", False),
        ("0", False),
        ("off", False),
        ("", True),
    ],
)
def test_env_bool_reads_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", True) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be true or false"):
        env_bool("X_FLAG", False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    monkeypatch.setenv("X_LIST", " a.example, b.example ,,")
    assert env_int("X_NUM", 1) == 12
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env_list("X_MISSING", ["x"]) == ["x"]
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be a whole number"):
        env_int("X_NUM", 1)


def test_production_without_secret_key_fails_clearly():
    result = run_manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_production_check_deploy_reports_nothing():
    result = run_manage(
        "check", "--deploy", DJANGO_DEBUG="false", DJANGO_SECRET_KEY=PROD_KEY, ALLOWED_HOSTS="clinic.example"
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_behind_tls_proxy_check_deploy_still_clean():
    result = run_manage(
        "check",
        "--deploy",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=PROD_KEY,
        DJANGO_SSL_REDIRECT="false",
        DJANGO_PROXY_SSL_HEADER="true",
        ALLOWED_HOSTS="clinic.example",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_parse_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
        " s.SECURE_SSL_REDIRECT, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.SESSION_ENGINE)"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=PROD_KEY,
        ALLOWED_HOSTS="a.example,b.example",
        DATABASE_URL="postgres://u:p@db.example:5432/stride",
        REDIS_URL="redis://127.0.0.1:6379/1",
        EMAIL_HOST="smtp.example",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['a.example',",
        "'b.example']",
        "django.db.backends.postgresql",
        "portal.cache.ResilientRedisCache",
        "True",
        "smtp.example",
        "587",
        "True",
        "django.contrib.sessions.backends.cached_db",
    ]


DATABASE_OPTIONS = (
    "from django.conf import settings as s; o = s.DATABASES['default'].get('OPTIONS', {});"
    "print(o.get('server_side_binding'), o.get('prepare_threshold'), 'transaction_mode' in o)"
)


@pytest.mark.parametrize(
    "url, prepared, expected",
    [
        ("postgres://u:p@db.example:5432/stride", None, ["True", "2", "False"]),
        # Off, e.g. behind PgBouncer in transaction mode.
        ("postgres://u:p@db.example:5432/stride", "false", ["None", "None", "False"]),
        ("sqlite:////tmp/stride.sqlite3", None, ["None", "None", "True"]),
    ],
)
def test_postgresql_prepares_statements_unless_told_not_to(url, prepared, expected):
    env = {"DATABASE_URL": url} | ({"DATABASE_PREPARED_STATEMENTS": prepared} if prepared else {})
    result = run_manage("shell", "--no-imports", "-c", DATABASE_OPTIONS, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


def test_development_needs_no_configuration():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s;"
        " print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
    ]


def test_bad_boolean_is_a_startup_error():
    result = run_manage("check", DJANGO_DEBUG="sometimes")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


PROTECTION = (
    "from django.conf import settings as s;"
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY,"
    " s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE,"
    " s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), s.AXES_RESET_ON_SUCCESS,"
    " s.AXES_LOCKOUT_PARAMETERS == [['username', 'ip_address']], s.AUTHENTICATION_BACKENDS[0])"
)
PROD = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": PROD_KEY, "ALLOWED_HOSTS": "clinic.example"}


def test_production_cookies_and_login_lockout():
    result = run_manage("shell", "--no-imports", "-c", PROTECTION, **PROD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True", "True", "True", "True", "Lax", "Lax",
        str(12 * 60 * 60), "False",  # a working day, then the password again
        "5", str(15 * 60), "True", "True", "axes.backends.AxesStandaloneBackend",
    ]  # fmt: skip


def test_session_and_lockout_limits_come_from_the_environment():
    result = run_manage(
        "shell", "--no-imports", "-c", PROTECTION, **PROD, DJANGO_SESSION_HOURS="8",
        DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE="true", LOGIN_FAILURE_LIMIT="3", LOGIN_LOCKOUT_MINUTES="30",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[6:10] == [str(8 * 60 * 60), "True", "3", str(30 * 60)]


def test_development_cookies_work_over_plain_http():
    result = run_manage("shell", "--no-imports", "-c", PROTECTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:6] == ["False", "False", "True", "True", "Lax", "Lax"]


@pytest.mark.parametrize(
    "name", ["LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_MINUTES", "DJANGO_SESSION_HOURS", "API_TOKEN_DAYS"]
)
def test_a_zero_limit_is_a_startup_error(name):
    result = run_manage("check", **PROD, **{name: "0"})
    assert result.returncode != 0
    assert "must be at least 1" in result.stderr


def test_production_responses_carry_the_policy_and_secure_cookies():
    """A real request through the production middleware: the CSRF cookie's flags and the CSP header."""
    code = (
        "from django.test import Client;"
        "r = Client().get('/accounts/login/', secure=True);"
        "c = r.cookies['csrftoken'];"
        "print(r.status_code, bool(c['secure']), bool(c['httponly']), c['samesite'],"
        " \"script-src 'self';\" in r['Content-Security-Policy'] + ';', 'unsafe-inline' in str(r.headers))"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", code, **{**PROD, "ALLOWED_HOSTS": "testserver"},
        DJANGO_STATIC_MANIFEST="false",  # no collectstatic here
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    last = result.stdout.splitlines()[-1]  # after the request's log line
    assert last.split() == ["200", "True", "True", "Lax", "True", "False"]


@pytest.mark.django_db
def test_a_statement_run_often_is_prepared_on_postgresql():
    from django.db import connection

    from portal.models import Clinic

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(3):  # run twice as it is, then prepared
        list(Clinic.objects.filter(name="Nowhere"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "portal_clinic"' in statement for statement in prepared), prepared
