"""The Strava connection (rehab.services.strava, rehab.views_strava, rehab.tasks.strava): connecting, the webhook,
importing runs, refreshing tokens, Strava's limits and errors, and the feature switched off.

Strava's HTTP is stubbed with `responses` and answered with the recorded payloads in tests/rehab/strava/: a
request nothing is stubbed for fails at once (ConnectionError), so no test ever reaches the network.
"""

import copy
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from celery.exceptions import Retry
from django.core import signing
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from stravalib.model import DetailedActivity

from portal.export import export_data
from portal.models import AuditEntry
from portal.services import anonymise_athlete
from rehab.models import DailyLog, StravaConnection
from rehab.services import strava
from rehab.services.runs import IMPORTED, REFUSED, UNCHANGED
from rehab.tasks import strava as strava_tasks
from tests.factories import StravaConnectionFactory

PAYLOADS = Path(__file__).parent / "strava"
TOKEN_URL = "https://www.strava.com/oauth/token"
API = "https://www.strava.com/api/v3"
ACTIVITY_ID = 16432198765
OWNER = 61234567
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
RATE_OK = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "12,340"}
RATE_FULL = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "200,612"}
URL_NAMES = [
    "rehab:strava_connect",
    "rehab:strava_callback",
    "rehab:strava_disconnect",
    "rehab:strava_webhook",
]


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def activity(name: str = "activity_run", *, day=None, **changes) -> dict:
    """A recorded activity; `day` moves its start to 07:30 UTC that day (London: the same wall clock)."""
    data = copy.deepcopy(payload(name))
    if day is not None:
        data["start_date"] = f"{day.isoformat()}T07:30:00Z"
        data["start_date_local"] = f"{day.isoformat()}T07:30:00Z"
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.fixture
def http():
    """Strava's HTTP, stubbed: every test of this module runs inside it, and an unstubbed call fails."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _no_network(http):
    yield


@pytest.fixture
def athlete(people):
    athlete = people.athlete_a
    athlete.time_zone = "Europe/London"
    athlete.save(update_fields=["time_zone"])
    return athlete


@pytest.fixture
def connection(athlete):
    return StravaConnectionFactory(athlete=athlete, strava_athlete_id=OWNER)


def stub_activity(http, data=None, *, status=200, headers=None):
    http.add(
        responses.GET, f"{API}/activities/{ACTIVITY_ID}", json=data if data is not None else activity(),
        status=status, headers=headers or RATE_OK,
    )  # fmt: skip


def yesterday():
    return timezone.localdate() - timedelta(days=1)


# ---------------------------------------------------------------------------------------- activity → run


def test_a_recorded_run_becomes_a_run_in_the_logs_units():
    run, day = strava.activity_run(DetailedActivity.model_validate(activity()))

    assert run.start == datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    assert run.distance_km == Decimal("8.05")  # 8046.7 m
    assert run.moving_minutes == 44  # 2640 s
    assert (run.elevation_gain_m, run.avg_heart_rate) == (64, 148)
    assert run.avg_cadence == 169  # 84.6 strides a minute (one leg) → steps a minute
    assert run.source == "strava"
    assert day == datetime(2026, 12, 1).date()


@pytest.mark.parametrize(
    "changes, expected",
    [
        pytest.param({"sport_type": "TrailRun", "type": "Run"}, "run", id="trail-run"),
        pytest.param({"sport_type": "VirtualRun", "type": "VirtualRun"}, "run", id="treadmill-virtual-run"),
        pytest.param({"sport_type": None, "type": "Run"}, "run", id="older-activity-without-sport-type"),
        pytest.param({"sport_type": "Ride", "type": "Ride"}, "Ride", id="ride-ignored"),
        pytest.param({"sport_type": "Walk", "type": "Walk"}, "Walk", id="walk-ignored"),
        pytest.param({"sport_type": "Hike", "type": "Hike"}, "Hike", id="hike-ignored"),
        pytest.param({"sport_type": "Swim", "type": "Swim"}, "Swim", id="swim-ignored"),
        pytest.param({"distance": 0, "moving_time": 0}, "no distance", id="empty-run-ignored"),
    ],
)
def test_only_runs_are_imported(changes, expected):
    data = DetailedActivity.model_validate(activity(**{k: v for k, v in changes.items()}))
    if expected == "run":
        assert strava.activity_run(data)[0].source == "strava"
    else:
        with pytest.raises(strava.NotARun) as refused:
            strava.activity_run(data)
        assert expected in refused.value.reason


@pytest.mark.parametrize(
    "changes, heart, cadence",
    [
        pytest.param({"average_heartrate": None, "has_heartrate": False}, None, 169, id="no-heart-rate"),
        pytest.param({"average_cadence": None}, 148, None, id="no-cadence"),
        pytest.param({"average_heartrate": None, "average_cadence": None}, None, None, id="neither"),
        pytest.param({"average_cadence": 90.0}, 148, 180, id="cadence-doubled"),
        pytest.param({"average_heartrate": 151.6}, 152, 169, id="heart-rate-rounded"),
    ],
)
def test_missing_readings_stay_empty(changes, heart, cadence):
    run, _ = strava.activity_run(DetailedActivity.model_validate(activity(**changes)))
    assert (run.avg_heart_rate, run.avg_cadence) == (heart, cadence)


@pytest.mark.parametrize(
    "metres, seconds, km, minutes",
    [
        pytest.param(5000.0, 1800, Decimal("5.00"), 30, id="5k-in-30"),
        pytest.param(21097.5, 6330, Decimal("21.10"), 106, id="half-marathon"),
        pytest.param(1234.0, 29, Decimal("1.23"), 0, id="under-half-a-minute"),
    ],
)
def test_metres_and_seconds_become_km_and_minutes(metres, seconds, km, minutes):
    run, _ = strava.activity_run(
        DetailedActivity.model_validate(activity(distance=metres, moving_time=seconds))
    )
    assert (run.distance_km, run.moving_minutes) == (km, minutes)


def test_the_day_is_the_runners_wall_clock_where_they_ran():
    """An evening run in New York is 00:30 the next day in UTC (and in London): it belongs to the evening's day."""
    data = activity(start_date="2026-12-02T00:30:00Z", start_date_local="2026-12-01T19:30:00Z")
    run, day = strava.activity_run(DetailedActivity.model_validate(data))
    assert run.start == datetime(2026, 12, 2, 0, 30, tzinfo=UTC)
    assert day.isoformat() == "2026-12-01"


# ---------------------------------------------------------------------------------------- connecting


def test_the_authorization_url_asks_to_read_activities_with_a_signed_state(people):
    url = strava.authorization_url(user=people.athlete_a.user, redirect_uri="https://clinic.example/cb/")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path) == ("www.strava.com", "/oauth/authorize")
    assert query["client_id"] == ["4242"]
    assert query["scope"] == ["read,activity:read_all"]
    assert query["redirect_uri"] == ["https://clinic.example/cb/"]
    assert (
        strava.state_check(state=query["state"][0], user=people.athlete_a.user)["user"]
        == people.athlete_a.user.pk
    )


def _state(user, back="log", *, age=0, monkeypatch=None):
    if age:
        past = int(time.time()) - age
        monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))
    state = signing.dumps({"user": user.pk, "back": back}, salt=strava.STATE_SALT, compress=True)
    if age:
        monkeypatch.undo()
    return state


@pytest.mark.parametrize(
    "make, said",
    [
        pytest.param(lambda people, mp: _state(people.athlete_a.user) + "x", "not valid", id="tampered"),
        pytest.param(lambda people, mp: "", "not valid", id="missing"),
        pytest.param(
            lambda people, mp: signing.dumps({"user": people.athlete_a.user.pk}, salt="another.salt"),
            "not valid", id="signed-for-something-else",
        ),
        pytest.param(
            lambda people, mp: _state(people.athlete_a.user, age=strava.STATE_MAX_AGE + 5, monkeypatch=mp),
            "too long", id="expired",
        ),
        pytest.param(lambda people, mp: _state(people.athlete_b.user), "another login", id="other-user"),
    ],
)  # fmt: skip
def test_a_state_that_is_not_this_users_recent_one_is_refused(people, monkeypatch, make, said):
    with pytest.raises(strava.StravaError, match=said):
        strava.state_check(state=make(people, monkeypatch), user=people.athlete_a.user)


def test_connecting_stores_the_tokens_and_the_strava_athlete(http, athlete):
    http.add(responses.POST, TOKEN_URL, json=payload("token_exchange"))

    connection = strava.connect(athlete=athlete, code="abc", scope="read,activity:read_all", now=NOW)

    assert connection.strava_athlete_id == OWNER
    assert (connection.access_token, connection.refresh_token) == (
        "recorded-access-token-1",
        "recorded-refresh-token-1",
    )
    assert connection.expires_at == datetime.fromtimestamp(1796223600, tz=UTC)
    assert (connection.connected_at, connection.scope) == (NOW, "activity:read_all,read")
    sent = parse_qs(http.calls[0].request.body)
    assert (sent["code"], sent["grant_type"], sent["client_id"]) == (
        ["abc"],
        ["authorization_code"],
        ["4242"],
    )


def test_without_the_athlete_in_the_exchange_strava_is_asked_who_it_is(http, athlete):
    exchanged = {key: value for key, value in payload("token_exchange").items() if key != "athlete"}
    http.add(responses.POST, TOKEN_URL, json=exchanged)
    http.add(responses.GET, f"{API}/athlete", json=payload("token_exchange")["athlete"], headers=RATE_OK)
    assert (
        strava.connect(athlete=athlete, code="abc", scope="activity:read", now=NOW).strava_athlete_id == OWNER
    )


@pytest.mark.parametrize(
    "status, body, said",
    [
        pytest.param(400, {"message": "Bad Request", "errors": [{"resource": "AuthorizationCode", "field": "code",
                                                                 "code": "invalid"}]}, "did not accept", id="bad-code"),
        pytest.param(429, payload("error_429"), "could not be reached", id="rate-limited"),
        pytest.param(503, {"message": "Service Unavailable"}, "could not be reached", id="strava-down"),
    ],
)  # fmt: skip
def test_a_failed_exchange_says_so_and_connects_nothing(
    http, athlete, client_for, people, status, body, said
):
    http.add(responses.POST, TOKEN_URL, json=body, status=status)
    query = {"state": _state(people.athlete_a.user), "code": "abc", "scope": "activity:read"}
    page = client_for("athlete_a").get(reverse("rehab:strava_callback"), query, follow=True).content.decode()
    assert said in page
    assert not StravaConnection.objects.exists()


@pytest.mark.parametrize("scope", ["read", "", "read,profile:read_all"])
def test_a_connection_without_access_to_activities_is_refused(http, athlete, scope):
    with pytest.raises(strava.StravaError, match="without access to your activities"):
        strava.connect(athlete=athlete, code="abc", scope=scope, now=NOW)
    assert not http.calls  # the code is not even exchanged
    assert not StravaConnection.objects.exists()


def test_read_access_to_public_activities_only_is_enough(http, athlete):
    http.add(responses.POST, TOKEN_URL, json=payload("token_exchange"))
    assert strava.connect(athlete=athlete, code="abc", scope="read,activity:read", now=NOW).pk


def test_a_strava_account_connected_to_another_login_is_refused(http, athlete, people):
    StravaConnectionFactory(athlete=people.athlete_b, strava_athlete_id=OWNER)
    http.add(responses.POST, TOKEN_URL, json=payload("token_exchange"))
    with pytest.raises(strava.StravaError, match="already connected to another"):
        strava.connect(athlete=athlete, code="abc", scope="activity:read", now=NOW)
    assert not StravaConnection.objects.filter(athlete=athlete).exists()


# ---------------------------------------------------------------------------------------- importing


def test_a_run_is_imported_into_that_days_log(http, connection, athlete):
    stub_activity(http)

    result = strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)

    assert result.outcome == IMPORTED
    log = DailyLog.objects.get(athlete=athlete, date=datetime(2026, 12, 1).date())
    assert (log.distance_km, log.run_minutes, log.avg_cadence, log.avg_heart_rate) == (
        Decimal("8.05"),
        44,
        169,
        148,
    )
    assert (log.elevation_gain_m, log.run_source) == (64, "strava")
    assert log.run_started_at == datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    connection.refresh_from_db()
    assert connection.last_activity_at == NOW
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {connection.access_token}"


def test_the_same_activity_again_changes_nothing(http, connection, athlete):
    stub_activity(http)
    strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    before = DailyLog.objects.get(athlete=athlete)

    again = strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)

    assert again.outcome == UNCHANGED
    after = DailyLog.objects.get(athlete=athlete)
    assert (after.run_starts, after.updated) == (before.run_starts, before.updated)


def test_a_ride_is_ignored_with_a_reason(http, connection, athlete):
    stub_activity(http, activity("activity_ride"))
    result = strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    assert (result.outcome, result.reason) == (strava.IGNORED, "A Ride is not a run: not imported.")
    assert not DailyLog.objects.filter(athlete=athlete).exists()


def test_someone_elses_activity_is_not_imported(http, connection, athlete):
    """Webhooks are not signed: an event naming another athlete's activity imports nothing."""
    stub_activity(http, activity(athlete={"id": 99999, "resource_state": 1}))
    result = strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    assert result.outcome == strava.IGNORED
    assert not DailyLog.objects.filter(athlete=athlete).exists()


def test_a_deleted_activity_is_ignored(http, connection):
    stub_activity(http, payload("error_404"), status=404)
    result = strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    assert result.outcome == strava.IGNORED


def test_a_run_too_long_ago_is_refused_and_said_on_the_connection(http, connection):
    stub_activity(http, activity(day=(NOW - timedelta(days=60)).date()))
    result = strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    assert result.outcome == REFUSED
    connection.refresh_from_db()
    assert "logs go back" in connection.last_error


def test_an_expired_token_is_refreshed_and_the_rotated_refresh_token_kept(http, connection):
    connection.expires_at = NOW - timedelta(minutes=1)
    connection.save()
    old_refresh = connection.refresh_token
    http.add(responses.POST, TOKEN_URL, json=payload("token_refresh"))
    stub_activity(http)

    assert strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW).outcome == IMPORTED

    connection.refresh_from_db()
    assert (connection.access_token, connection.refresh_token) == (
        "recorded-access-token-2",
        "recorded-refresh-token-2",
    )
    assert connection.expires_at == datetime.fromtimestamp(1796245200, tz=UTC)
    refresh = parse_qs(http.calls[0].request.body)
    assert (refresh["grant_type"], refresh["refresh_token"]) == (["refresh_token"], [old_refresh])
    assert http.calls[1].request.headers["Authorization"] == "Bearer recorded-access-token-2"


def test_a_token_still_valid_is_not_refreshed(http, connection):
    stub_activity(http)
    strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW - timedelta(days=1))
    assert [call.request.url.split("?")[0] for call in http.calls] == [f"{API}/activities/{ACTIVITY_ID}"]


def test_a_401_after_refreshing_marks_the_connection_for_reconnecting(http, connection, athlete, client_for):
    stub_activity(http, payload("error_401"), status=401)
    http.add(responses.POST, TOKEN_URL, json=payload("token_refresh"))

    with pytest.raises(strava.StravaUnauthorized):
        strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)

    connection.refresh_from_db()
    assert connection.needs_reconnect
    assert connection.refresh_token == "recorded-refresh-token-2"  # refreshed once, then still refused
    assert len([call for call in http.calls if "activities" in call.request.url]) == 2
    page = client_for("athlete_a").get(reverse("rehab:log_today")).content.decode()
    assert "Connect Strava again" in page and "Disconnect Strava" not in page


def test_a_refused_refresh_token_marks_the_connection_for_reconnecting(http, connection):
    connection.expires_at = NOW - timedelta(hours=1)
    connection.save()
    http.add(responses.POST, TOKEN_URL, json=payload("error_refresh_invalid"), status=400)
    with pytest.raises(strava.StravaUnauthorized):
        strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    connection.refresh_from_db()
    assert connection.needs_reconnect and "connect Strava again" in connection.last_error


def test_at_the_rate_limit_calls_wait_for_the_window_without_sleeping(http, connection):
    stub_activity(http, payload("error_429"), status=429, headers=RATE_FULL)

    with pytest.raises(strava.StravaRateLimited) as limited:
        strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    assert 0 < limited.value.retry_after <= 901

    calls = len(http.calls)
    with pytest.raises(strava.StravaRateLimited):  # still paused: Strava is not asked again
        strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    assert len(http.calls) == calls


def test_the_daily_limit_waits_for_the_next_day(http, connection):
    daily = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "57,2000"}
    stub_activity(http, payload("error_429"), status=429, headers=daily)
    with pytest.raises(strava.StravaRateLimited) as limited:
        strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    assert limited.value.retry_after > 900 or limited.value.retry_after == pytest.approx(
        86400 - time.time() % 86400, abs=5
    )


def test_a_successful_call_that_reaches_the_limit_pauses_the_next(http, connection):
    stub_activity(http, headers=RATE_FULL)
    assert strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW).outcome == IMPORTED
    with pytest.raises(strava.StravaRateLimited):
        strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)


@pytest.mark.parametrize(
    "error, retries, low, high",
    [
        pytest.param(strava.StravaRateLimited(300), 0, 301, 330, id="rate-limit-after-the-window"),
        pytest.param(strava.StravaUnavailable("down"), 0, 30, 30, id="network-first-retry"),
        pytest.param(strava.StravaUnavailable("down"), 3, 240, 240, id="network-backs-off"),
        pytest.param(strava.StravaUnavailable("down"), 7, 900, 900, id="network-at-most-15-minutes"),
        pytest.param(strava.StravaUnavailable("down"), 8, None, None, id="gives-up-at-last"),
        pytest.param(strava.StravaUnauthorized("no"), 0, None, None, id="refused-tokens-not-retried"),
    ],
)
def test_retry_waits(error, retries, low, high):
    wait = strava_tasks.retry_in(error, retries)
    if low is None:
        assert wait is None
    else:
        assert low <= wait <= high


def test_the_job_retries_after_the_rate_limit_window(http, connection, monkeypatch):
    stub_activity(http, payload("error_429"), status=429, headers=RATE_FULL)
    asked = []

    def retry(*, exc=None, countdown=None, **kwargs):
        asked.append((type(exc), countdown))
        return Retry()

    monkeypatch.setattr(strava_tasks.strava_event, "retry", retry)
    strava_tasks.strava_event.push_request(retries=0, is_eager=False)
    try:
        with pytest.raises(Retry):
            strava_tasks.strava_event.run(payload("event_activity_create"))
    finally:
        strava_tasks.strava_event.pop_request()
    assert asked and asked[0][0] is strava.StravaRateLimited
    assert 1 < asked[0][1] <= 901 + 30


def test_the_job_retries_when_strava_cannot_be_reached(http, connection, monkeypatch):
    # Nothing stubbed: the stub raises ConnectionError, as a network failure would.
    asked = []
    monkeypatch.setattr(
        strava_tasks.strava_event,
        "retry",
        lambda *, exc=None, countdown=None, **kw: asked.append(countdown) or Retry(),
    )
    strava_tasks.strava_event.push_request(retries=2, is_eager=False)
    try:
        with pytest.raises(Retry):
            strava_tasks.strava_event.run(payload("event_activity_create"))
    finally:
        strava_tasks.strava_event.pop_request()
    assert asked == [120]


def test_tokens_never_reach_the_logs(http, connection, caplog):
    connection.expires_at = NOW - timedelta(minutes=1)
    connection.save()
    http.add(responses.POST, TOKEN_URL, json=payload("token_refresh"))
    stub_activity(http, payload("error_401"), status=401)
    with caplog.at_level(logging.DEBUG), pytest.raises(strava.StravaUnauthorized):
        strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=NOW)
    logged = caplog.text + repr(connection) + str(connection)
    for secret in ("stored-", "recorded-access-token", "recorded-refresh-token", "test-client-secret"):
        assert secret not in logged


# ---------------------------------------------------------------------------------------- webhook


def test_the_subscription_check_answers_the_challenge(client):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "test-verify-token",
        "hub.challenge": "15f7d1a91c1f40f8",
    }
    response = client.get(reverse("rehab:strava_webhook"), query)
    assert response.status_code == 200
    assert response.json() == {"hub.challenge": "15f7d1a91c1f40f8"}


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "x"}, id="wrong-token"),
        pytest.param({"hub.mode": "subscribe", "hub.challenge": "x"}, id="no-token"),
        pytest.param({"hub.mode": "unsubscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "x"},
                     id="wrong-mode"),
        pytest.param({"hub.mode": "subscribe", "hub.verify_token": "test-verify-token"}, id="no-challenge"),
        pytest.param({}, id="nothing"),
    ],
)  # fmt: skip
def test_a_bad_subscription_check_is_refused(client, query):
    assert client.get(reverse("rehab:strava_webhook"), query).status_code == 403


def post_event(client, data):
    body = data if isinstance(data, bytes | str) else json.dumps(data)
    return client.post(reverse("rehab:strava_webhook"), body, content_type="application/json")


def test_a_new_run_on_strava_lands_on_the_log(http, client, connection, athlete):
    day = yesterday()
    stub_activity(http, activity(day=day))

    response = post_event(client, payload("event_activity_create"))

    assert response.status_code == 200
    log = DailyLog.objects.get(athlete=athlete, date=day)
    assert (log.run_source, log.distance_km) == ("strava", Decimal("8.05"))


def test_the_webhook_answers_before_the_job_runs(http, client, connection, jobs):
    response = post_event(client, payload("event_activity_create"))
    assert response.status_code == 200
    assert jobs.names() == ["rehab.strava_event"]
    assert not http.calls  # Strava is asked by the job, not while answering Strava
    (_, (event,), _) = jobs.sent[0]
    assert event["object_id"] == ACTIVITY_ID and event["updates"] == {}


def test_an_update_of_an_imported_run_changes_nothing(http, client, connection, athlete):
    stub_activity(http, activity(day=yesterday()))
    post_event(client, payload("event_activity_create"))
    before = DailyLog.objects.get(athlete=athlete)

    assert post_event(client, payload("event_activity_update")).status_code == 200

    after = DailyLog.objects.get(athlete=athlete)
    assert (after.run_starts, after.distance_km, after.updated) == (
        before.run_starts,
        before.distance_km,
        before.updated,
    )


def test_revoking_access_at_strava_deletes_the_connection(client, connection):
    assert post_event(client, payload("event_deauthorize")).status_code == 200
    assert not StravaConnection.objects.filter(pk=connection.pk).exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="bad-json"),
        pytest.param(b"", id="empty"),
        pytest.param(b"[1, 2]", id="a-list"),
        pytest.param(json.dumps({**payload("event_activity_create"), "owner_id": 555}), id="unknown-owner"),
        pytest.param(json.dumps({**payload("event_activity_create"), "object_id": "x"}), id="bad-id"),
        pytest.param(json.dumps({**payload("event_activity_create"), "aspect_type": "delete"}), id="deleted"),
        pytest.param(json.dumps({**payload("event_deauthorize"), "updates": {"authorized": "true"}}),
                     id="athlete-update-not-revoking"),
        pytest.param(json.dumps({**payload("event_deauthorize"), "updates": ["authorized", "false"]}),
                     id="updates-not-an-object"),
    ],
)  # fmt: skip
def test_events_of_no_use_are_answered_200_and_dropped(client, connection, jobs, body):
    response = post_event(client, body)
    assert response.status_code == 200
    assert response.json()["ignored"] is True
    assert jobs.sent == []
    assert StravaConnection.objects.filter(pk=connection.pk).exists()


def test_events_of_another_subscription_are_dropped_when_ours_is_set(client, connection, jobs, settings):
    settings.STRAVA_SUBSCRIPTION_ID = 999
    assert post_event(client, payload("event_activity_create")).json()["ignored"] is True
    settings.STRAVA_SUBSCRIPTION_ID = 120475
    assert "ignored" not in post_event(client, payload("event_activity_create")).json()
    assert jobs.names() == ["rehab.strava_event"]


def test_a_job_for_a_connection_gone_meanwhile_does_nothing(http, connection):
    connection.delete()
    assert strava_tasks.strava_event.run(payload("event_activity_create")) == "ignored"
    assert not http.calls


# ---------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("persona", ["clinician", "coach", "other_clinician", "superuser"])
@pytest.mark.parametrize("name, method", [
    ("rehab:strava_connect", "get"), ("rehab:strava_callback", "get"), ("rehab:strava_disconnect", "post"),
])  # fmt: skip
def test_only_athletes_use_the_connection_pages(client_for, connection, persona, name, method):
    response = getattr(client_for(persona), method)(reverse(name))
    assert response.status_code == 403
    assert StravaConnection.objects.filter(pk=connection.pk).exists()


@pytest.mark.parametrize("name, method", [
    ("rehab:strava_connect", "get"), ("rehab:strava_callback", "get"), ("rehab:strava_disconnect", "post"),
])  # fmt: skip
def test_anonymous_visitors_are_sent_to_log_in(client, name, method):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_connect_sends_the_athlete_to_strava(client_for, people):
    response = client_for("athlete_a").get(reverse("rehab:strava_connect"), {"from": "profile"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.url).query)
    assert response.url.startswith("https://www.strava.com/oauth/authorize?")
    assert query["redirect_uri"] == ["http://testserver/strava/callback/"]
    state = strava.state_check(state=query["state"][0], user=people.athlete_a.user)
    assert state["back"] == "profile"


def test_the_callback_connects_and_returns_to_the_page_left(http, client_for, people):
    http.add(responses.POST, TOKEN_URL, json=payload("token_exchange"))
    client = client_for("athlete_a")
    query = {
        "state": _state(people.athlete_a.user, "profile"),
        "code": "abc",
        "scope": "read,activity:read_all",
    }

    response = client.get(reverse("rehab:strava_callback"), query, follow=True)

    assert response.redirect_chain[-1][0] == reverse("my_profile")
    page = response.content.decode()
    assert "Strava is connected" in page and "Disconnect Strava" in page
    assert StravaConnection.objects.get(athlete=people.athlete_a).strava_athlete_id == OWNER


def test_another_athletes_state_connects_nothing(http, client_for, people):
    http.add(responses.POST, TOKEN_URL, json=payload("token_exchange"))
    query = {"state": _state(people.athlete_a.user), "code": "abc", "scope": "activity:read"}
    response = client_for("athlete_b").get(reverse("rehab:strava_callback"), query, follow=True)
    assert "made for another login" in response.content.decode()
    assert not StravaConnection.objects.exists() and not http.calls


def test_refusing_at_strava_or_a_narrow_scope_connects_nothing(http, client_for, people):
    client = client_for("athlete_a")
    denied = {"state": _state(people.athlete_a.user), "error": "access_denied"}
    assert (
        "you did not allow it"
        in client.get(reverse("rehab:strava_callback"), denied, follow=True).content.decode()
    )
    narrow = {"state": _state(people.athlete_a.user), "code": "abc", "scope": "read"}
    page = client.get(reverse("rehab:strava_callback"), narrow, follow=True).content.decode()
    assert "without access to your activities" in page
    assert not StravaConnection.objects.exists() and not http.calls


def test_disconnecting_deauthorizes_and_deletes_the_tokens(http, client_for, connection):
    http.add(responses.POST, f"{API}/oauth/deauthorize", json={"access_token": connection.access_token})
    response = client_for("athlete_a").post(reverse("rehab:strava_disconnect"), {"back": "log"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("rehab:log_today")
    assert "Strava is disconnected" in response.content.decode()
    assert not StravaConnection.objects.exists()
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {connection.access_token}"


def test_what_connecting_and_disconnecting_say_is_in_the_athletes_language(
    http, client_for, people, connection
):
    people.athlete_a.user.language = "es"
    people.athlete_a.user.save()
    http.add(responses.POST, f"{API}/oauth/deauthorize", json={"access_token": connection.access_token})
    client = client_for("athlete_a")
    page = client.post(reverse("rehab:strava_disconnect"), {"back": "log"}, follow=True).content.decode()
    assert "Strava está desconectado" in page and "Strava is disconnected" not in page
    denied = {"state": _state(people.athlete_a.user), "error": "access_denied"}
    page = client.get(reverse("rehab:strava_callback"), denied, follow=True).content.decode()
    assert "no lo has permitido en Strava" in page and "you did not allow it" not in page


def test_disconnecting_works_even_when_strava_is_away(http, client_for, connection):
    # Nothing stubbed: the deauthorization fails, the connection still goes.
    client_for("athlete_a").post(reverse("rehab:strava_disconnect"))
    assert not StravaConnection.objects.exists()


def test_another_athlete_cannot_disconnect_someone_else(http, client_for, connection):
    response = client_for("athlete_b").post(reverse("rehab:strava_disconnect"), follow=True)
    assert "Strava was not connected" in response.content.decode()
    assert StravaConnection.objects.filter(pk=connection.pk).exists() and not http.calls


def test_disconnect_is_a_post(client_for, connection):
    assert client_for("athlete_a").get(reverse("rehab:strava_disconnect")).status_code == 405


@pytest.mark.parametrize("page", ["rehab:log_today", "my_profile", "rehab:run_import"])
def test_the_athletes_pages_offer_to_connect_and_say_what_is_shared(client_for, people, page):
    html = client_for("athlete_a").get(reverse(page)).content.decode()
    assert f'href="{reverse("rehab:strava_connect")}?from=' in html
    assert "shown to you and your own care team only" in html and "nothing is ever posted to Strava" in html


def test_the_connected_state_says_since_when_and_the_last_import(client_for, connection):
    connection.connected_at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    connection.last_activity_at = datetime(2026, 12, 1, 8, 20, tzinfo=UTC)
    connection.save()
    html = client_for("athlete_a").get(reverse("rehab:log_today")).content.decode()
    assert "since 20 Nov 2026" in html and "last run imported 1 Dec, 08:20" in html
    assert "Disconnect Strava" in html and "Connect Strava</a>" not in html


def test_another_athlete_sees_only_their_own_connection(client_for, connection):
    html = client_for("athlete_b").get(reverse("rehab:log_today")).content.decode()
    assert "Connect Strava" in html and "Disconnect Strava" not in html


def test_clinicians_see_a_strava_run_labelled_as_such(http, connection, athlete, client_for):
    stub_activity(http, activity(day=yesterday()))
    strava.import_activity(connection=connection, activity_id=ACTIVITY_ID, now=timezone.now())
    log = DailyLog.objects.get(athlete=athlete)
    assert "from Strava" in render_to_string("rehab/log_run_details.html", {"log": log})
    timeline = client_for("clinician").get(reverse("rehab:timeline", args=[athlete.pk])).content.decode()
    assert "from Strava" in timeline
    form = client_for("athlete_a").get(reverse("rehab:log_today"), {"date": log.date.isoformat()})
    assert "The run was imported from Strava" in form.content.decode()


# ---------------------------------------------------------------------------------------- switched off


@pytest.fixture
def strava_off(settings):
    settings.STRAVA_CLIENT_ID = ""


@pytest.mark.parametrize("persona", ["anonymous", "athlete_a", "clinician", "superuser"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_switched_off_every_strava_url_is_a_404(strava_off, client_for, persona, name):
    client = client_for(persona)
    assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse(name)).status_code == 404


@pytest.mark.parametrize("page", ["rehab:log_today", "my_profile", "rehab:run_import"])
def test_switched_off_no_page_mentions_connecting(strava_off, client_for, connection, page):
    html = client_for("athlete_a").get(reverse(page)).content.decode()
    assert (
        "strava/connect" not in html and "Disconnect Strava" not in html and 'id="strava-title"' not in html
    )


def test_the_switch_needs_the_secret_and_the_verify_token(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import portal.settings

    monkeypatch.setenv("STRAVA_CLIENT_ID", "4242")
    monkeypatch.delenv("STRAVA_CLIENT_SECRET", raising=False)
    try:
        with pytest.raises(ImproperlyConfigured, match="STRAVA_CLIENT_SECRET"):
            importlib.reload(portal.settings)
        monkeypatch.setenv("STRAVA_CLIENT_ID", "not-a-number")
        monkeypatch.setenv("STRAVA_CLIENT_SECRET", "s")
        monkeypatch.setenv("STRAVA_VERIFY_TOKEN", "v")
        with pytest.raises(ImproperlyConfigured, match="number"):
            importlib.reload(portal.settings)
    finally:
        monkeypatch.undo()
        importlib.reload(portal.settings)


# ---------------------------------------------------------------------------------------- privacy, audit, operators


def test_the_data_export_lists_the_connection_without_tokens(connection, athlete):
    data = export_data(athlete)
    assert data["strava"] == [
        {
            "strava_athlete_id": OWNER,
            "connected": data["strava"][0]["connected"],
            "scope": "activity:read_all,read",
            "last_run_imported": None,
        }
    ]
    text = json.dumps(data)
    assert connection.access_token not in text and connection.refresh_token not in text


def test_deleting_an_athletes_personal_data_deletes_the_connection(connection, athlete, people):
    anonymise_athlete(athlete, by=people.clinician.user)
    assert not StravaConnection.objects.exists()
    entry = AuditEntry.objects.get(content_type__model="stravaconnection", object_pk=str(connection.pk))
    assert str(OWNER) not in json.dumps(entry.changes) + entry.object_repr


def test_the_audit_trail_records_connecting_without_the_tokens(http, athlete):
    http.add(responses.POST, TOKEN_URL, json=payload("token_exchange"))
    connection = strava.connect(athlete=athlete, code="abc", scope="activity:read", now=NOW)
    entry = AuditEntry.objects.get(content_type__model="stravaconnection", object_pk=str(connection.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert "strava_athlete_id" in entry.changes and "scope" in entry.changes
    assert "recorded-" not in json.dumps(entry.changes) and "access_token" not in entry.changes


def test_the_operators_command_creates_shows_and_deletes_the_subscription(http):
    http.add(responses.POST, f"{API}/push_subscriptions", json=payload("subscription"), status=201)
    http.add(responses.GET, f"{API}/push_subscriptions", json=[payload("subscription")])
    http.add(responses.DELETE, f"{API}/push_subscriptions/120475", status=204)
    out = []
    for args in (["create", "https://clinic.example/strava/webhook/"], ["show"], ["delete", "120475"]):
        call_command("strava_subscribe", *args, stdout=FakeOut(out))
    text = "".join(out)
    assert "Subscription 120475 created" in text
    assert "Subscription 120475: https://clinic.example/strava/webhook/" in text
    assert "Subscription 120475 deleted" in text
    created = parse_qs(http.calls[0].request.body)
    assert created["verify_token"] == ["test-verify-token"] and created["client_id"] == ["4242"]


class FakeOut:
    def __init__(self, into):
        self.into = into

    def write(self, text):
        self.into.append(text)

    def flush(self):
        pass
