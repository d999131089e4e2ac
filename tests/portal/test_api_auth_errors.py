"""API authentication (session and token), throttling, and the one JSON shape of every error."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from portal.api_base import flatten_errors, server_error
from portal.env import env_rate
from portal.models import ApiToken
from tests.factories import PASSWORD, api_token_key

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


def get_token(client, email, password=PASSWORD):
    return client.post(TOKEN, {"email": email, "password": password}, content_type="application/json")


def token_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def assert_error(response, status: int, code: str, errors: dict | None = None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
    if errors is not None:
        assert body["errors"] == errors
    return body


# --------------------------------------------------------------------------- tokens


def test_an_athlete_gets_a_token_with_email_and_password_and_uses_it(client, people):
    response = get_token(client, people.athlete_a.user.email.upper())  # emails are case-insensitive
    assert response.status_code == 200
    key = response.json()["token"]
    me = token_client(key).get(ME)
    assert me.status_code == 200 and me.json()["athlete"]["id"] == people.athlete_a.pk
    assert ApiToken.objects.get().key_hash != key  # only a hash is stored


def test_every_token_request_issues_a_new_token_and_the_earlier_ones_keep_working(client, people):
    first = get_token(client, people.athlete_a.user.email).json()["token"]
    second = client.post(
        TOKEN,
        {"email": people.athlete_a.user.email, "password": PASSWORD, "name": "Watch app"},
        content_type="application/json",
    ).json()
    assert second["token"] != first and second["name"] == "Watch app"
    for key in (first, second["token"]):
        assert token_client(key).get(ME).status_code == 200


def test_a_token_writes_without_a_csrf_token_but_a_session_needs_one(people):
    key = api_token_key(people.athlete_a.user)
    url = f"/api/v1/daily-logs/{timezone.localdate()}/"
    by_token = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {key}")
    assert by_token.put(url, {"pain_during": 1}, content_type="application/json").status_code == 200
    by_session = Client(enforce_csrf_checks=True)
    by_session.force_login(people.athlete_a.user)
    assert_error(
        by_session.put(url, {"pain_during": 1}, content_type="application/json"), 403, "permission_denied"
    )


@pytest.mark.parametrize(
    "body,errors",
    [
        ({"email": "nobody@example.com", "password": PASSWORD}, {"non_field_errors": ["Wrong email address or password."]}),
        ({"email": "ATHLETE", "password": "wrong"}, {"non_field_errors": ["Wrong email address or password."]}),
        ({}, {"email": ["This field is required."], "password": ["This field is required."]}),
        ({"email": "not an email", "password": "x"}, {"email": ["Enter a valid email address."]}),
    ],
    ids=["unknown-email", "wrong-password", "empty", "bad-email"],
)  # fmt: skip
def test_wrong_credentials_are_a_400(client, people, body, errors):
    if body.get("email") == "ATHLETE":
        body = {**body, "email": people.athlete_a.user.email}
    assert_error(client.post(TOKEN, body, content_type="application/json"), 400, "invalid", errors)
    assert not ApiToken.objects.exists()


def test_an_inactive_login_gets_no_token(client, people):
    user = people.athlete_a.user
    user.is_active = False
    user.save()
    assert get_token(client, user.email).status_code == 400


def test_delete_revokes_the_token_it_was_sent_with(people):
    key, other = api_token_key(people.clinician.user), api_token_key(people.clinician.user)
    client = token_client(key)
    assert client.delete(TOKEN).status_code == 204
    assert_error(client.get(ME), 401, "authentication_failed")
    assert token_client(other).get(ME).status_code == 200  # another device's token is its own


def test_no_or_a_bad_token_is_a_401_that_says_how_to_authenticate(client, people):
    response = client.get(ME)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert_error(token_client("0" * 40).get(ME), 401, "authentication_failed")


@pytest.mark.parametrize("age_days, works", [(0, True), (29, True), (30.01, False), (400, False)])
def test_a_token_expires_after_api_token_days(client, people, settings, age_days, works):
    settings.API_TOKEN_DAYS = 30
    key = api_token_key(people.athlete_a.user)
    ApiToken.objects.update(created=timezone.now() - timedelta(days=age_days))
    response = token_client(key).get(ME)
    if works:
        assert response.status_code == 200
        return
    body = assert_error(response, 401, "token_expired")
    assert "POST /api/v1/auth/token/" in body["detail"] and response["WWW-Authenticate"] == "Token"
    # Asking again with the password issues a new token (and deletes the expired one).
    fresh = get_token(client, people.athlete_a.user.email).json()["token"]
    assert fresh != key
    assert token_client(fresh).get(ME).status_code == 200
    assert_error(token_client(key).get(ME), 401, "authentication_failed")


def test_the_session_works_for_the_browsable_api(client_for):
    response = client_for("clinician").get("/api/v1/plans/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and b"Plan List" in response.content


# --------------------------------------------------------------------------- throttling


@pytest.fixture
def low_limits(monkeypatch):
    """Rates of 2 a minute: DRF reads them when a throttle is created, so patch the class attribute."""
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    monkeypatch.setattr(UserRateThrottle, "rate", "2/minute", raising=False)
    yield
    cache.clear()


def test_password_guessing_is_throttled(client, people, low_limits):
    for _ in range(2):
        assert get_token(client, people.athlete_a.user.email, "guess").status_code == 400
    response = get_token(client, people.athlete_a.user.email)
    body = assert_error(response, 429, "throttled", {})
    assert int(response["Retry-After"]) > 0 and "throttled" in body["detail"]


def test_users_are_throttled(client_for, low_limits):
    client = client_for("athlete_a")
    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    "raw,expected",
    [("", "9/minute"), ("60/minute", "60/minute"), (" 5/HOUR ", "5/hour"), ("off", None), ("OFF", None)],
)
def test_env_rate_reads_rates(monkeypatch, raw, expected):
    monkeypatch.setenv("API_THROTTLE_TEST", raw)
    assert env_rate("API_THROTTLE_TEST", "9/minute") == expected


@pytest.mark.parametrize("raw", ["60", "60/minutes", "x/minute", "60/week", "-1/day"])
def test_env_rate_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("API_THROTTLE_TEST", raw)
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_TEST"):
        env_rate("API_THROTTLE_TEST", "9/minute")


# --------------------------------------------------------------------------- errors


def test_400_names_each_field_with_its_messages(client_for):
    response = client_for("athlete_a").put(
        f"/api/v1/daily-logs/{timezone.localdate()}/",
        {
            "pain_during": 11,
            "triggers": ["hills", "moon"],
            "exercises": [{"plan_exercise": 1, "sets_done": -1}],
        },
        content_type="application/json",
    )
    body = assert_error(response, 400, "invalid")
    assert body["detail"] == "Invalid input."
    assert set(body["errors"]) == {"pain_during", "triggers.1", "exercises.0.sets_done"}
    assert body["errors"]["pain_during"] == ["Ensure this value is less than or equal to 10."]


def test_a_service_refusal_is_a_400_whose_detail_is_the_reason(client_for):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = client_for("athlete_a").put(
        f"/api/v1/daily-logs/{tomorrow}/", {}, content_type="application/json"
    )
    assert_error(response, 400, "invalid", {"date": ["You can't log a day that hasn't happened yet."]})


def test_malformed_json_is_a_400(client_for):
    response = client_for("athlete_a").post("/api/v1/intakes/", "{nope", content_type="application/json")
    assert_error(response, 400, "parse_error", {})


def test_403_404_405_and_415_share_the_shape(client_for, people):
    assert_error(client_for("athlete_a").get("/api/v1/alerts/"), 403, "permission_denied")
    clinician = client_for("clinician")  # the same test client, logged in again
    other = people.other_athlete.pk
    body = assert_error(clinician.get(f"/api/v1/athletes/{other}/"), 404, "not_found", {})
    assert body["detail"] == "Not found."  # never names the model or says that it exists
    assert_error(clinician.delete("/api/v1/plans/1/"), 405, "method_not_allowed")
    assert_error(clinician.post("/api/v1/athletes/", {"first_name": "Form"}), 415, "unsupported_media_type")


def test_unknown_api_urls_are_json_404s_but_pages_stay_html(client_for):
    client = client_for("clinician")
    assert_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(client.get("/api/v1/daily-logs/not-a-date/"), 404, "not_found")
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_server_errors_under_api_are_json(people):
    factory = RequestFactory()
    response = server_error(factory.get("/api/v1/plans/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Server error.", "code": "server_error", "errors": {}}
    assert server_error(factory.get("/athletes/"))["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "detail,flat",
    [
        ({"name": ["Required."]}, {"name": ["Required."]}),
        (["Not allowed."], {"non_field_errors": ["Not allowed."]}),
        ("Not allowed.", {"non_field_errors": ["Not allowed."]}),
        ({"__all__": ["Both."]}, {"non_field_errors": ["Both."]}),
        ({"tests.leg_swing": ["Must be one of: pain."]}, {"tests.leg_swing": ["Must be one of: pain."]}),
        ({"rows": [{}, {"sets": ["Too many."]}]}, {"rows.1.sets": ["Too many."]}),
        ({"tags": {0: ["Unknown."]}}, {"tags.0": ["Unknown."]}),
        ({"answers": {"__all__": ["Must be an object."]}}, {"answers": ["Must be an object."]}),
        ({"plan": {"non_field_errors": ["Gone."], "name": ["Empty."]}}, {"plan": ["Gone."], "plan.name": ["Empty."]}),
    ],
    ids=["field", "list", "string", "django-all", "dotted", "nested-list", "list-field", "nested-all", "nested"],
)  # fmt: skip
def test_flatten_errors(detail, flat):
    assert flatten_errors(detail) == flat


def test_ids_too_big_for_any_row_are_404s_and_400s_not_500s(client_for, people):
    """Found by schemathesis: SQLite raises OverflowError on integers past 64 bits."""
    client = client_for("clinician")
    huge = 2**70
    assert_error(client.get(f"/api/v1/plans/{huge}/"), 404, "not_found")
    assert_error(client.get("/api/v1/plans/", {"template": -huge}), 400, "invalid")
    response = client.post("/api/v1/plans/", {"athlete": huge, "template": 1, "start_date": "2026-01-01"},
                           content_type="application/json")  # fmt: skip
    assert "athlete" in assert_error(response, 400, "invalid")["errors"]
    assert client.get(f"/api/v1/daily-logs/{timezone.localdate()}/", {"athlete": huge}).status_code == 400
