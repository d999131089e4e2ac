"""Signed-in devices: an athlete's own phone that stays signed in, and the list of a login's sign-ins.

At login (any door that calls `django.contrib.auth.login()`) a row records the sign-in: the SHA-256 of the
session key (never the key), the browser and system in words, and whether the athlete ticked "This is my own
phone — keep me signed in". Only an athlete's login may be kept: clinicians, coaches and staff keep the
session of DJANGO_SESSION_HOURS whatever the form says.

A kept session lasts DEVICE_SESSION_DAYS after the device was last used. Sliding it on every request would write
the session on every request (SESSION_SAVE_EVERY_REQUEST); `DeviceSessionMiddleware` instead writes it, and the
row's "last seen", once a day at most: on the first request of a day (UTC) the session's expiry is set again and
its cookie sent again. Other requests cost no query: the day of the last refresh is in the session itself.

Ending a sign-in deletes the session (database row and, with cached_db, the cached copy) and the row:
`device_end` for one device, portal.tokens.sessions_end for all but the current one (which also runs on a
password change or reset and when an athlete's personal data is deleted).
"""

import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.models import SignedInDevice

# Kept in the session: {"day": the UTC date of the last refresh, "kept": kept signed in}.
DEVICE_KEY = "portal.device"
# The time (seconds since the epoch) the password was last typed in this session (portal.recent_auth).
AUTH_AT_KEY = "portal.auth_at"

# The first match wins: Edge, Opera and Samsung Internet also say "Chrome" and "Safari"; Chrome says "Safari".
BROWSERS = [
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/|\bMobile/\w+ Safari/")),
]
SYSTEMS = [
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("Chromebook", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("Mac", re.compile(r"\bMacintosh\b|\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
]


def describe_user_agent(user_agent: str) -> str:
    """In words: "Chrome on Android", "Safari on iPhone", "Firefox on Windows"; "Unknown browser" when neither is
    recognised. Only these words are stored, not the user-agent string."""
    user_agent = (user_agent or "")[:1000]
    browser = next((name for name, pattern in BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return f"{browser or 'A browser'} on {system}" if system else browser
    return "Unknown browser"


def key_hash(session_key: str | None) -> str:
    return hashlib.sha256((session_key or "").encode()).hexdigest()


def may_keep_signed_in(user) -> bool:
    """Only an athlete's own login: never a clinician, a coach, staff or a superuser."""
    return (
        user.is_authenticated
        and not (user.is_staff or user.is_superuser)
        and user.clinician_or_none is None
        and user.athlete_or_none is not None
    )


def device_lifetime(kept: bool) -> timedelta:
    return (
        timedelta(days=settings.DEVICE_SESSION_DAYS)
        if kept
        else timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )


def keep_session(session) -> None:
    """The session lasts DEVICE_SESSION_DAYS from now (and its cookie as long)."""
    session.set_expiry(int(device_lifetime(True).total_seconds()))


@receiver(user_logged_in, dispatch_uid="portal.devices.signed_in")
def signed_in(sender, request, user, **kwargs) -> None:
    """Every login: the password was just typed (recent_auth), and the device is recorded. LoginView sets
    `request.keep_signed_in` when the box was ticked; it counts for athletes only."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = timezone.now()
    kept = bool(getattr(request, "keep_signed_in", False)) and may_keep_signed_in(user)
    session[AUTH_AT_KEY] = now.timestamp()
    session[DEVICE_KEY] = {"day": now.date().isoformat(), "kept": kept}
    if kept:
        keep_session(session)
    if session.session_key is None:
        session.save()
    SignedInDevice.objects.filter(user=user, expires__lte=now).delete()
    SignedInDevice.objects.update_or_create(
        key_hash=key_hash(session.session_key),
        defaults={
            "user": user,
            "device": describe_user_agent(request.META.get("HTTP_USER_AGENT", "")),
            "kept_signed_in": kept,
            "created": now,
            "last_seen": now,
            "expires": now + device_lifetime(kept),
        },
    )


@receiver(user_logged_out, dispatch_uid="portal.devices.signed_out")
def signed_out(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        SignedInDevice.objects.filter(key_hash=key_hash(session.session_key)).delete()


def session_rekeyed(old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (a password change cycles it): its device row follows."""
    if old_key and new_key and old_key != new_key:
        SignedInDevice.objects.filter(key_hash=key_hash(old_key)).update(key_hash=key_hash(new_key))


class DeviceSessionMiddleware:
    """Slides a kept-signed-in session once a day (see the module's docstring). A kept session whose device
    row is gone was signed out from another device: it ends here too (with a session engine that cannot be
    searched, this is how the sign-out reaches it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self.refresh(request)
        return self.get_response(request)

    @staticmethod
    def refresh(request) -> None:
        session = request.session
        marker = session.get(DEVICE_KEY)
        if not isinstance(marker, dict) or not marker.get("kept"):
            return
        now = timezone.now()
        today = now.date().isoformat()
        if marker.get("day") == today:
            return
        found = SignedInDevice.objects.filter(key_hash=key_hash(session.session_key)).update(
            last_seen=now, expires=now + device_lifetime(True)
        )
        if not found:
            session.flush()
            request.user = AnonymousUser()
            return
        session[DEVICE_KEY] = {"day": today, "kept": True}
        keep_session(session)


def devices_of(user, now=None) -> list[SignedInDevice]:
    """The login's sign-ins that have not expired, most recently used first (one query)."""
    return list(SignedInDevice.objects.filter(user=user, expires__gt=now or timezone.now()))


def _session_store():
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def device_end(device: SignedInDevice) -> None:
    """Sign the device out: its session (found by the hash of its key) and its row are deleted."""
    if settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        from django.contrib.sessions.models import Session

        store = _session_store()
        keys = Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", flat=True)
        for key in keys.iterator():
            if key_hash(key) == device.key_hash:
                store(session_key=key).delete()  # with cached_db, also the cached copy
                break
    device.delete()


def devices_forget(user, *, keep: str | None = None) -> None:
    """Delete the login's device rows but the one of session `keep` (portal.tokens.sessions_end ends their
    sessions)."""
    rows = SignedInDevice.objects.filter(user=user)
    if keep:
        rows = rows.exclude(key_hash=key_hash(keep))
    rows.delete()
