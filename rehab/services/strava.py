"""The Strava connection (issue #23): an athlete connects their Strava account, and each run they record there
becomes the run part of that day's log, as an imported file does (rehab.services.runs).

Off unless STRAVA_CLIENT_ID is set (`enabled()`); README "Strava" says how to set it up and the conditions of
use. Plain code: no HTTP request objects. stravalib is the client (OAuth, activities, rate-limit headers);
tokens are refreshed here, from Django's settings, and the rotated refresh token stored at once.

- Connecting: `authorization_url` sends the athlete to Strava with a signed `state` (their login, 10 minutes);
  Strava sends them back with a code, which `connect` exchanges for tokens. Read access to activities
  (activity:read or activity:read_all) is required; nothing is ever written to Strava.
- Importing: Strava's webhook (unsigned) names an activity and its owner; `import_activity` fetches it with the
  owner's token (so an event naming someone else's activity imports nothing), keeps runs only (Run, TrailRun,
  VirtualRun) and imports them with `rehab.services.runs.import_run`: the day is the date of the local start
  (the runner's clock where they ran); an activity already imported (same start) changes nothing.
- Failures for the task to act on: StravaRateLimited (200 requests per 15 minutes: try after `retry_after`
  seconds), StravaUnavailable (network or Strava's 5xx: try again later), StravaUnauthorized (the tokens were
  refused even after a refresh: the connection is marked as needing the athlete to connect again).
- Disconnecting: `disconnect` deauthorizes at Strava (best effort) and deletes the connection with its tokens;
  an athlete who revokes the app at Strava sends an event that deletes it too (`forget`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import requests
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from stravalib import exc
from stravalib.client import Client
from stravalib.model import DetailedActivity
from stravalib.protocol import ApiV3
from stravalib.util.limiter import get_rates_from_response_headers

from rehab.models import StravaConnection
from rehab.runfiles import Run
from rehab.services.runs import REFUSED, RunImport, import_run

logger = logging.getLogger("rehab.strava")

SCOPE = ["read", "activity:read_all"]  # asked for; the athlete may untick private activities (activity:read)
READ_SCOPES = {"activity:read", "activity:read_all"}  # one of them must be granted
RUN_SPORTS = {"Run", "TrailRun", "VirtualRun"}
STATE_SALT = "rehab.strava.state"
STATE_MAX_AGE = 10 * 60  # seconds between leaving for Strava and coming back
REFRESH_MARGIN = timedelta(minutes=5)  # refresh a token this close to its end rather than fail mid-call
TIMEOUT = 10  # seconds for one call to Strava: a hung call must not hold a worker
PAUSE_KEY = "strava:paused-until"  # epoch seconds until which no call is made (the rate limit was reached)
IGNORED = "ignored"  # an activity that is not a run, or no longer there: not an error


class StravaError(Exception):
    """Something the athlete should be told; str(error) is the sentence."""


class StravaUnauthorized(StravaError):
    """Strava refused the connection's tokens: the athlete has to connect again."""


class StravaNotFound(StravaError):
    """Strava has no such object (an activity deleted, or not visible to this connection)."""


class StravaUnavailable(Exception):
    """Strava could not be reached or answered with a server error: worth another try later."""


class StravaRateLimited(Exception):
    """The application's request limit is reached: the next call may go out after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"Strava's rate limit is reached; try again in {retry_after} s")
        self.retry_after = retry_after


def enabled() -> bool:
    return bool(settings.STRAVA_CLIENT_ID)


# ----------------------------------------------------------------------------------------------- the client


class _Session(requests.Session):
    """requests waits forever by default; stravalib sets no timeout of its own."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


class _Protocol(ApiV3):
    def _check_credentials(self) -> None:
        """stravalib would read STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET from the process environment to refresh
        tokens by itself (and warn when they are not there): here tokens are refreshed by `_fresh`, from Django's
        settings, so that the rotated refresh token is stored before anything else happens."""


class _Client(Client):
    def __init__(self, access_token: str | None = None):
        # Not Client.__init__, which builds stravalib's own protocol (see _Protocol) before this one could.
        self.log = logging.getLogger("stravalib.client.Client")
        self.protocol = _Protocol(
            access_token=access_token, requests_session=_Session(), rate_limiter=_note_rate_limit
        )


def _client(access_token: str | None = None) -> Client:
    return _Client(access_token)


def _seconds_until_window_ends(now: float, *, daily: bool) -> int:
    """Strava's windows: the quarter of an hour (0, 15, 30, 45) and the UTC day."""
    if daily:
        return int(86400 - now % 86400) + 1
    return int(900 - now % 900) + 1


def _pause(seconds: int) -> None:
    until = time.time() + seconds
    cache.set(PAUSE_KEY, until, timeout=seconds)


def _note_rate_limit(headers, method) -> None:
    """After each call (stravalib's rate_limiter hook): at the limit, the next calls wait for the window's end
    instead of sleeping in the worker (stravalib's own limiter would sleep up to a day)."""
    try:
        rates = get_rates_from_response_headers(headers, method)
    except (ValueError, KeyError):
        return
    if rates is None:
        return
    now = time.time()
    if rates.long_usage >= rates.long_limit:
        _pause(_seconds_until_window_ends(now, daily=True))
    elif rates.short_usage >= rates.short_limit:
        _pause(_seconds_until_window_ends(now, daily=False))


def _check_paused() -> None:
    until = cache.get(PAUSE_KEY)
    if until is not None and until > time.time():
        raise StravaRateLimited(int(until - time.time()) + 1)


def _call(function, *args, **kwargs):
    """Call Strava through stravalib, turning its failures into this module's."""
    _check_paused()
    try:
        return function(*args, **kwargs)
    except exc.AccessUnauthorized as error:
        raise StravaUnauthorized("Strava no longer accepts this connection: connect Strava again.") from error
    except exc.ObjectNotFound as error:
        raise StravaNotFound("Strava has no such activity.") from error
    except exc.Fault as error:
        status = getattr(error.response, "status_code", None)
        if status == 429:
            # The response's rate headers have set the pause already (to the day's end when the daily limit
            # is reached): else the quarter of an hour.
            until = cache.get(PAUSE_KEY)
            seconds = int(until - time.time()) + 1 if until and until > time.time() else 0
            if seconds <= 0:
                seconds = _seconds_until_window_ends(time.time(), daily=False)
                _pause(seconds)
            raise StravaRateLimited(seconds) from error
        if status is not None and status >= 500:
            raise StravaUnavailable(f"Strava answered {status}") from error
        raise StravaError(f"Strava refused the request ({status}).") from error
    except (requests.ConnectionError, requests.Timeout) as error:
        raise StravaUnavailable(type(error).__name__) from error


def _epoch(value: int) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


# ----------------------------------------------------------------------------------------------- connecting


def authorization_url(*, user, redirect_uri: str, back: str = "") -> str:
    """Where to send the athlete to allow read access to their Strava activities. `back` (a short word) comes
    back in the state, to return the athlete to the page they left."""
    state = signing.dumps({"user": user.pk, "back": back}, salt=STATE_SALT, compress=True)
    return _client().authorization_url(
        client_id=int(settings.STRAVA_CLIENT_ID),
        redirect_uri=redirect_uri,
        approval_prompt="auto",
        scope=SCOPE,
        state=state,
    )


def state_check(*, state: str, user) -> dict:
    """The state Strava sent back, if it was made for `user` within STATE_MAX_AGE; else StravaError."""
    try:
        data = signing.loads(state or "", salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.SignatureExpired:
        raise StravaError(gettext("That took too long: connect Strava again.")) from None
    except signing.BadSignature:
        raise StravaError(gettext("That link back from Strava is not valid: connect Strava again.")) from None
    if not isinstance(data, dict) or data.get("user") != user.pk:
        raise StravaError(
            gettext("That link back from Strava was made for another login: connect Strava again.")
        )
    return data


def scope_problem(scope: str) -> str:
    """Why the scope Strava granted is not enough (a sentence), or ""."""
    granted = {item.strip() for item in (scope or "").split(",")}
    if granted & READ_SCOPES:
        return ""
    return gettext(
        "Strava was connected without access to your activities, so no run could be imported. Connect again "
        "and leave “View data about your activities” ticked."
    )


def connect(*, athlete, code: str, scope: str, now: datetime) -> StravaConnection:
    """Exchange the code Strava sent back for the athlete's tokens and store them (again, if connected before)."""
    problem = scope_problem(scope)
    if problem:
        raise StravaError(problem)
    client = _client()
    try:
        tokens, strava_athlete = _call(
            client.exchange_code_for_token,
            client_id=int(settings.STRAVA_CLIENT_ID),
            client_secret=settings.STRAVA_CLIENT_SECRET,
            code=code,
            return_athlete=True,
        )
        if (
            strava_athlete is None or strava_athlete.id is None
        ):  # the exchange names the athlete, undocumented
            client.access_token = tokens["access_token"]
            strava_athlete = _call(client.get_athlete)
    except StravaError:
        raise StravaError(gettext("Strava did not accept the connection: try again.")) from None
    except (StravaUnavailable, StravaRateLimited):
        raise StravaError(
            gettext("Strava could not be reached just now: try again in a few minutes.")
        ) from None
    fields = {
        "strava_athlete_id": strava_athlete.id,
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "expires_at": _epoch(tokens["expires_at"]),
        "scope": ",".join(sorted(item for item in scope.split(",") if item)),
        "needs_reconnect": False,
        "last_error": "",
    }
    try:
        with transaction.atomic():
            connection, _ = StravaConnection.objects.update_or_create(
                athlete=athlete, defaults=fields, create_defaults={**fields, "connected_at": now}
            )
    except IntegrityError:
        raise StravaError(
            gettext(
                "This Strava account is already connected to another Stride Clinic login. Disconnect it there "
                "first."
            )
        ) from None
    logger.info("athlete %s connected Strava", athlete.pk, extra={"outcome": "strava_connected"})
    return connection


def _fresh(connection: StravaConnection, *, now: datetime, force: bool = False) -> StravaConnection:
    """The connection with an access token valid for a few more minutes: refreshed if needed (or `force`d), the
    new tokens (Strava rotates the refresh token) saved at once. StravaUnauthorized when Strava refuses."""
    if not force and connection.expires_at > now + REFRESH_MARGIN:
        return connection
    with transaction.atomic():
        seen = connection.access_token
        connection = StravaConnection.objects.select_for_update().get(pk=connection.pk)
        if connection.access_token != seen or (not force and connection.expires_at > now + REFRESH_MARGIN):
            return connection  # refreshed meanwhile by another job
        try:
            tokens = _call(
                _client().refresh_access_token,
                client_id=int(settings.STRAVA_CLIENT_ID),
                client_secret=settings.STRAVA_CLIENT_SECRET,
                refresh_token=connection.refresh_token,
            )
        except StravaError as error:  # 400 or 401: the refresh token is not (or no longer) valid
            raise StravaUnauthorized(
                "Strava no longer accepts this connection: connect Strava again."
            ) from error
        connection.access_token = tokens["access_token"]
        connection.refresh_token = tokens["refresh_token"]
        connection.expires_at = _epoch(tokens["expires_at"])
        connection.save(update_fields=["access_token", "refresh_token", "expires_at"])
    return connection


def needs_reconnect(connection: StravaConnection, reason: str) -> None:
    connection.needs_reconnect = True
    connection.last_error = reason[:300]
    connection.save(update_fields=["needs_reconnect", "last_error"])
    logger.warning(
        "Strava refused athlete %s's tokens", connection.athlete_id, extra={"outcome": "strava_401"}
    )


def disconnect(*, athlete) -> bool:
    """Deauthorize the app at Strava (best effort: the athlete's wish is met here whatever Strava answers) and
    delete the connection with its tokens. False when there was none."""
    connection = StravaConnection.objects.filter(athlete=athlete).first()
    if connection is None:
        return False
    try:
        _call(_client(connection.access_token).deauthorize)
    except (StravaError, StravaUnavailable, StravaRateLimited) as error:
        logger.warning(
            "Strava did not confirm athlete %s's deauthorization (%s)", athlete.pk, type(error).__name__,
            extra={"outcome": "strava_deauthorize_failed"},
        )  # fmt: skip
    connection.delete()
    logger.info("athlete %s disconnected Strava", athlete.pk, extra={"outcome": "strava_disconnected"})
    return True


def forget(*, strava_athlete_id: int) -> bool:
    """The athlete revoked our access at Strava (a webhook event): the connection and its tokens go."""
    deleted, _ = StravaConnection.objects.filter(strava_athlete_id=strava_athlete_id).delete()
    return bool(deleted)


# ----------------------------------------------------------------------------------------------- importing


class NotARun(Exception):
    """An activity that is not imported, and why (a sentence)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def activity_run(activity: DetailedActivity) -> tuple[Run, date]:
    """The run in a Strava activity, and the day it belongs to (the date of its local start). NotARun for any
    other sport, or an activity without a start, distance or time.

    Strava gives metres, seconds, and for runs the cadence of one leg (strides a minute): steps a minute are
    twice that, as rehab.runfiles reads from watch files."""
    sport = _sport(activity)
    if sport not in RUN_SPORTS:
        raise NotARun(f"A {sport or 'activity of unknown kind'} is not a run: not imported.")
    if activity.start_date is None:
        raise NotARun("The activity has no start time: not imported.")
    metres = float(activity.distance or 0)
    seconds = int(activity.moving_time or 0)
    if metres <= 0 and seconds <= 0:
        raise NotARun("The run has no distance and no time in it: not imported.")
    start = activity.start_date.astimezone(UTC)
    local = activity.start_date_local or start
    run = Run(
        start=start,
        distance_km=(Decimal(str(metres)) / 1000).quantize(Decimal("0.01")),
        moving_minutes=round(seconds / 60),
        elevation_gain_m=_rounded(activity.total_elevation_gain),
        avg_heart_rate=_rounded(activity.average_heartrate),
        avg_cadence=round(float(activity.average_cadence) * 2) if activity.average_cadence else None,
        source="strava",
    )
    return run, local.date()


def _sport(activity: DetailedActivity) -> str:
    for kind in (activity.sport_type, activity.type):
        value = getattr(kind, "root", kind)
        if value:
            return str(value)
    return ""


def _rounded(value) -> int | None:
    return round(float(value)) if value is not None else None


def import_activity(*, connection: StravaConnection, activity_id: int, now: datetime) -> RunImport:
    """Fetch the activity with its owner's token and import it if it is their run. The outcome is that of
    rehab.services.runs (imported, unchanged, refused) or IGNORED (not a run, not theirs, gone). Raises
    StravaUnauthorized (the connection is marked), StravaUnavailable and StravaRateLimited."""
    try:
        connection = _fresh(connection, now=now)
        try:
            activity = _call(_client(connection.access_token).get_activity, activity_id)
        except StravaUnauthorized:
            # Refused before its time (revoked, or replaced by another refresh): refreshed once and tried again.
            connection = _fresh(connection, now=now, force=True)
            activity = _call(_client(connection.access_token).get_activity, activity_id)
    except StravaUnauthorized as error:
        needs_reconnect(connection, str(error))
        raise
    except StravaNotFound:
        return RunImport(f"Strava activity {activity_id}", IGNORED, "It is no longer on Strava.")
    name = activity.name or "Your Strava run"
    owner = getattr(activity.athlete, "id", None)
    if owner != connection.strava_athlete_id:  # webhooks are not signed: only the owner's own activity counts
        return RunImport(name, IGNORED, "The activity is not this athlete's.")
    try:
        run, day = activity_run(activity)
    except NotARun as not_a_run:
        return RunImport(name, IGNORED, not_a_run.reason)
    result = import_run(athlete=connection.athlete, run=run, name=name, now=now, day=day)
    updates = {"last_error": result.reason[:300] if result.outcome == REFUSED else ""}
    if result.ok:
        updates["last_activity_at"] = now
    StravaConnection.objects.filter(pk=connection.pk).update(**updates)
    return result


# ----------------------------------------------------------------------------------------------- webhook


@dataclass(frozen=True)
class Event:
    """A webhook event, checked: what happened (`aspect`) to which object of which Strava athlete."""

    object_type: str  # "activity" | "athlete"
    aspect: str  # "create" | "update" | "delete"
    object_id: int
    owner_id: int
    subscription_id: int | None
    updates: dict


def event_from(data) -> Event | None:
    """The event in a webhook's JSON body, or None when it is not one (nothing to do)."""
    if not isinstance(data, dict):
        return None
    try:
        object_id, owner_id = int(data["object_id"]), int(data["owner_id"])
        subscription = data.get("subscription_id")
        subscription_id = int(subscription) if subscription is not None else None
    except (KeyError, TypeError, ValueError):
        return None
    object_type, aspect, updates = data.get("object_type"), data.get("aspect_type"), data.get("updates") or {}
    if object_type not in ("activity", "athlete") or aspect not in ("create", "update", "delete"):
        return None
    if not isinstance(updates, dict):
        updates = {}
    return Event(object_type, aspect, object_id, owner_id, subscription_id, updates)


def event_ignored(event: Event | None) -> str:
    """Why an event needs no job ("" when it does): the view answers Strava 200 either way."""
    if event is None:
        return "not an event"
    if settings.STRAVA_SUBSCRIPTION_ID and event.subscription_id != settings.STRAVA_SUBSCRIPTION_ID:
        return "another subscription"
    if event.object_type == "activity" and event.aspect == "delete":
        return "a deleted activity (the log stays as it is)"
    if event.object_type == "athlete" and str(event.updates.get("authorized", "")).lower() != "false":
        return "an athlete update"
    if not StravaConnection.objects.filter(strava_athlete_id=event.owner_id).exists():
        return "unknown athlete"
    return ""


def event_handle(event: Event, *, now: datetime) -> str:
    """What a job does with an event (see event_ignored): import the activity, or forget a revoked athlete.
    Returns the outcome, for the job's log line."""
    if event.object_type == "athlete":
        return "disconnected" if forget(strava_athlete_id=event.owner_id) else "unknown athlete"
    connection = (
        StravaConnection.objects.select_related("athlete").filter(strava_athlete_id=event.owner_id).first()
    )
    if connection is None:
        return "unknown athlete"
    if connection.needs_reconnect:
        return "needs reconnecting"
    return import_activity(connection=connection, activity_id=event.object_id, now=now).outcome


# ----------------------------------------------------------------------------------------------- operators


def subscription_create(*, callback_url: str):
    return _call(
        _client().create_subscription,
        client_id=int(settings.STRAVA_CLIENT_ID),
        client_secret=settings.STRAVA_CLIENT_SECRET,
        callback_url=callback_url,
        verify_token=settings.STRAVA_VERIFY_TOKEN,
    )


def subscription_list() -> list:
    client = _client()
    return _call(
        lambda: list(
            client.list_subscriptions(
                client_id=int(settings.STRAVA_CLIENT_ID), client_secret=settings.STRAVA_CLIENT_SECRET
            )
        )
    )


def subscription_delete(*, subscription_id: int) -> None:
    _call(
        _client().delete_subscription,
        subscription_id=subscription_id,
        client_id=int(settings.STRAVA_CLIENT_ID),
        client_secret=settings.STRAVA_CLIENT_SECRET,
    )
