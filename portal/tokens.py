"""API tokens and the end of a login's other ways in (docs/api.md, "Authentication").

Every "get a token" request issues a new token (`token_issue`); its owner lists and revokes them on the API
tokens page or at /api/v1/auth/tokens/. A token stops working when it is API_TOKEN_DAYS old, when it is
revoked, and when its login changes under it: `login_check` fingerprints the password hash and the role the
token was issued to, so a password change or reset (by any path: the site, the admin, `changepassword`), a
clinician removed from their clinic or moved to another, and an athlete whose record was deleted all end
their tokens without anyone having to remember to revoke them. `logins_end` also deletes the tokens and ends
the login's other sessions (the database row and, with cached_db, Redis's copy) when the password changes.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.module_loading import import_string

from portal.devices import devices_forget
from portal.models import ApiToken

# Live tokens a login may hold; asking for one more retires the oldest (a script that logs in on every run
# must not pile up thousands).
MAX_TOKENS_PER_LOGIN = 20
# A token's "last used" is written at most this often: not one UPDATE per API request.
LAST_USED_EVERY = timedelta(minutes=5)
_CHECK_SALT = "portal.tokens.login_check"


def _role(user) -> str:
    if user.is_superuser:
        return "superuser"
    clinician = user.clinician_or_none
    if clinician is not None:
        return f"clinician:{clinician.pk}:{clinician.clinic_id}"
    athlete = user.athlete_or_none
    if athlete is not None:
        return f"athlete:{athlete.pk}"
    return "none"


def login_check(user, secret=None) -> str:
    """A fingerprint of the login's password hash and role (HMAC with the secret key, as Django's session
    hash)."""
    value = f"{user.password}|{_role(user)}"
    return salted_hmac(_CHECK_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def login_unchanged(token: ApiToken) -> bool:
    """The token's login has the password and role it had when the token was issued (any secret key still
    accepted, SECRET_KEY_FALLBACKS included, so that rotating the key does not end every token)."""
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if constant_time_compare(token.login_check, login_check(token.user, secret)):
            return True
    return False


def expired(token: ApiToken, now=None) -> bool:
    return token.created <= (now or timezone.now()) - timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def token_issue(*, user, name: str = "", now=None) -> tuple[ApiToken, str]:
    """A new token for `user` and its key (shown once: only a hash is stored). Expired tokens of the login
    are deleted, and the oldest live ones beyond MAX_TOKENS_PER_LOGIN."""
    now = now or timezone.now()
    key = secrets.token_hex(20)
    token = ApiToken(
        user=user,
        name=name.strip(),
        key_hash=ApiToken.hash_key(key),
        key_start=key[:6],
        login_check=login_check(user),
        created=now,
    )
    token.full_clean()
    token.save()
    mine = ApiToken.objects.filter(user=user)
    mine.filter(created__lte=now - timedelta(days=settings.API_TOKEN_DAYS)).delete()
    surplus = list(mine.order_by("-created", "-pk").values_list("pk", flat=True)[MAX_TOKENS_PER_LOGIN:])
    if surplus:
        ApiToken.objects.filter(pk__in=surplus).delete()
    return token, key


def tokens_of(user, now=None) -> list[ApiToken]:
    """The login's tokens that still work, newest first."""
    now = now or timezone.now()
    return [
        token
        for token in ApiToken.objects.filter(user=user).select_related("user")
        if not expired(token, now) and login_unchanged(token)
    ]


def token_used(token: ApiToken, now=None) -> None:
    now = now or timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now


def token_revoke(*, token: ApiToken) -> None:
    token.delete()


def _session_store():
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def sessions_end(user, *, keep: str | None = None) -> int:
    """End every session of `user` but the one keyed `keep` (the request's own, after a password change).

    Database sessions (db, cached_db) are found and deleted, the cached copy with them; with other engines
    Django's session hash check already refuses a session whose login's password changed. The signed-in
    devices listed on the athlete's profile (portal.devices) go with their sessions."""
    devices_forget(user, keep=keep)
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    from django.contrib.sessions.models import Session

    store = _session_store()
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.session_key != keep and session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    for key in ended:
        store(session_key=key).delete()  # with cached_db, also Redis's copy
    return len(ended)


def logins_end(user, *, keep_session: str | None = None) -> tuple[int, int]:
    """Revoke every API token of `user` and end their sessions except `keep_session`. Returns the counts."""
    tokens, _ = ApiToken.objects.filter(user=user).delete()
    return tokens, sessions_end(user, keep=keep_session)
