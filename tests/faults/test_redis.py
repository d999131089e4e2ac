"""Redis down or frozen: it is a cache and the sessions' read-through here, never the source of truth.

The site runs with the settings production gets from REDIS_URL (portal/settings.py, read again with REDIS_URL
pointing at the test's own redis-server): the cache, cached_db sessions, the API throttles and django-axes. Then
Redis is killed or frozen, and the pages a clinic cannot do without must keep answering from the database.
"""

import logging
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from rehab.models import DailyLog
from tests.factories import PASSWORD
from tests.faults.conftest import at_most, production_settings

pytestmark = pytest.mark.faults

# A frozen Redis must cost a request a fraction of a second, not the 5 s (or forever) it cost before.
FAST = 2.0
LOG_BODY = {
    "pain_during": "1",
    "pain_after": "2",
    "this_morning": "1",
    "same_as_planned": "1",
    "run_minutes": "20",
}


@pytest.fixture
def redis_site(settings, redis_server):
    """The site configured as production with REDIS_URL at the test's redis-server; after a failure the cache
    tries Redis again after one second here (production's default is longer), so the test sees it come back."""
    prod = production_settings(REDIS_URL=redis_server.url)
    caches = prod["CACHES"]
    assert "Redis" in caches["default"]["BACKEND"]
    caches["default"].setdefault("OPTIONS", {})
    if "RETRY_AFTER_SECONDS" in caches["default"]["OPTIONS"]:
        caches["default"]["OPTIONS"]["RETRY_AFTER_SECONDS"] = 1
    settings.CACHES = caches
    settings.SESSION_ENGINE = prod["SESSION_ENGINE"]
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    return redis_server


def logged_in(email: str) -> Client:
    """A browser that logs in through the login page (a real login: django-axes, the session, the cache)."""
    client = Client(raise_request_exception=False)
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def token_for(email: str) -> Client:
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/auth/token/", {"email": email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content[:500]
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {response.json()['token']}"
    return client


def pages_survive(people, clinician: Client, athlete: Client, api: Client) -> None:
    """Every page that must survive answers without a 5xx, each within FAST seconds."""

    def timed(call, *args, **kwargs):
        started = time.monotonic()
        with at_most(10):  # a request stuck on Redis fails the test instead of hanging it
            response = call(*args, **kwargs)
        took = time.monotonic() - started
        assert took < FAST, f"{args[0]} took {took:.2f} s"
        assert response.status_code < 500, f"{args[0]} answered {response.status_code}"
        return response

    # A login started now, on every door: the site's form and the API's token.
    fresh = Client(raise_request_exception=False)
    response = timed(
        fresh.post, reverse("login"), {"username": people.clinician.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert timed(fresh.get, reverse("athlete_list")).status_code == 200
    response = timed(
        Client(raise_request_exception=False).post,
        "/api/v1/auth/token/",
        {"email": people.coach.user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    # Logins from before the outage.
    assert timed(clinician.get, reverse("athlete_list")).status_code == 200
    assert timed(athlete.get, reverse("rehab:athlete_today")).status_code == 200
    assert timed(athlete.get, reverse("rehab:log_today")).status_code == 200
    assert timed(athlete.post, reverse("rehab:log_today"), LOG_BODY).status_code == 302
    response = timed(api.get, "/api/v1/daily-logs/", {"athlete": people.athlete_a.pk})
    dates = [log["date"] for log in response.json()["results"]]
    assert dates.count(timezone.localdate().isoformat()) == 1
    assert timed(api.get, "/api/v1/athletes/").status_code == 200


def assert_readyz(status: str, cache: str) -> None:
    """Redis down is "degraded" with a 200: the pages work, and every instance shares the one Redis."""
    with at_most(10):
        response = Client(raise_request_exception=False).get("/readyz")
    body = response.json()
    assert (response.status_code, body.get("status"), body.get("cache")) == (200, status, cache), body


def logs_of_today(people) -> int:
    return DailyLog.objects.filter(athlete=people.athlete_a, date=timezone.localdate()).count()


def comes_back(redis_site, people) -> None:
    """Redis answers again: /readyz says so, and the cache is used again (a new login's session is in Redis)."""
    time.sleep(1.1)  # RETRY_AFTER_SECONDS
    assert_readyz("ok", "ok")
    client = logged_in(people.athlete_b.user.email)
    assert client.get(reverse("rehab:athlete_today")).status_code == 200
    session_key = client.cookies["sessionid"].value
    assert any(session_key in key for key in redis_site.keys()), "the new session is not cached in Redis"


def test_redis_killed_pages_work_from_the_database(redis_site, people, plan):
    clinician = logged_in(people.clinician.user.email)
    athlete = logged_in(people.athlete_a.user.email)
    api = token_for(people.clinician.user.email)
    assert_readyz("ok", "ok")
    assert any(key.endswith(athlete.cookies["sessionid"].value) for key in redis_site.keys())

    redis_site.kill()
    pages_survive(people, clinician, athlete, api)
    assert_readyz("degraded", "error")
    assert logs_of_today(people) == 1  # the log posted during the outage, exactly once

    redis_site.start()
    comes_back(redis_site, people)
    assert athlete.post(reverse("rehab:log_today"), LOG_BODY).status_code == 302
    assert logs_of_today(people) == 1


def test_redis_frozen_pages_stay_fast(redis_site, people, plan):
    clinician = logged_in(people.clinician.user.email)
    athlete = logged_in(people.athlete_a.user.email)
    api = token_for(people.clinician.user.email)

    redis_site.freeze()
    try:
        pages_survive(people, clinician, athlete, api)
        assert_readyz("degraded", "error")
        assert logs_of_today(people) == 1
    finally:
        redis_site.resume()
    comes_back(redis_site, people)


def test_one_warning_per_outage_and_each_request_log_says_the_cache_is_down(redis_site, people, plan, caplog):
    athlete = logged_in(people.athlete_a.user.email)
    redis_site.kill()
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert athlete.get(reverse("rehab:athlete_today")).status_code == 200
        time.sleep(1.1)  # past RETRY_AFTER_SECONDS: Redis is tried again, and still down
        assert athlete.get(reverse("rehab:athlete_today")).status_code == 200
    down = [r for r in caplog.records if r.name == "portal.cache" and r.outcome == "cache_down"]
    assert len(down) == 1, [r.getMessage() for r in down]
    assert "not answering" in down[0].getMessage() and "database" in down[0].getMessage()
    requests = [r for r in caplog.records if r.name == "portal.request"]
    assert len(requests) == 4 and all(r.cache == "down" for r in requests)

    caplog.clear()
    redis_site.start()
    time.sleep(1.1)
    with caplog.at_level(logging.INFO):
        assert athlete.get(reverse("rehab:athlete_today")).status_code == 200
    assert [r.outcome for r in caplog.records if r.name == "portal.cache"] == ["cache_up"]
    assert not hasattr(next(r for r in caplog.records if r.name == "portal.request"), "cache")


def test_a_logout_while_redis_is_frozen_stays_a_logout_when_it_returns(redis_site, people, plan):
    """The session's copy in Redis outlives a delete that could not reach it: it is deleted when Redis answers
    again, before anything reads it, or the old cookie would be logged in again."""
    athlete = logged_in(people.athlete_a.user.email)
    cookie = athlete.cookies["sessionid"].value
    assert any(key.endswith(cookie) for key in redis_site.keys())
    redis_site.freeze()
    try:
        with at_most(10):
            assert athlete.post(reverse("logout")).status_code == 302
    finally:
        redis_site.resume()
    assert any(key.endswith(cookie) for key in redis_site.keys())  # Redis still holds the ended session
    time.sleep(1.1)
    stolen = Client(raise_request_exception=False)
    stolen.cookies["sessionid"] = cookie
    response = stolen.get(reverse("rehab:athlete_today"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not any(key.endswith(cookie) for key in redis_site.keys())


def test_lockout_and_the_token_throttle_hold_while_redis_is_down(redis_site, people, monkeypatch, settings):
    """django-axes counts failures in the database: the lockout works as ever. The throttles count in each
    process's memory meanwhile: a limit still holds (per process) instead of vanishing."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    redis_site.kill()
    email = people.athlete_a.user.email
    browser = Client(raise_request_exception=False)
    answers = [
        browser.post(reverse("login"), {"username": email, "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = browser.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 429 and "Too many login attempts" in response.content.decode()

    api = Client(raise_request_exception=False)
    guesses = [
        api.post(
            "/api/v1/auth/token/",
            {"email": people.coach.user.email, "password": "wrong"},
            content_type="application/json",
        ).status_code
        for _ in range(4)
    ]
    assert guesses == [400, 400, 400, 429]
