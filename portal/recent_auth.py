"""Recent authentication: sensitive actions ask for the password again when it was not typed lately.

A login and the confirm-password page (portal.views_sessions.confirm_password) record the time in the session
(portal.devices.AUTH_AT_KEY). `recent_auth_required` sends a request whose password is older than
RECENT_AUTH_MINUTES to that page, which comes back to the action afterwards. It guards the password change, the
data export (the athlete's and a clinician's) and the deletion of an athlete's personal data: a session left
open on a phone or a shared computer, or a stolen cookie, does not reach them on its own.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from portal.devices import AUTH_AT_KEY


def password_typed(request) -> None:
    """The password was typed just now (a login, the confirm page, a password change)."""
    request.session[AUTH_AT_KEY] = timezone.now().timestamp()


def is_recent(request) -> bool:
    typed = request.session.get(AUTH_AT_KEY)
    if not isinstance(typed, int | float):
        return False
    age = timezone.now().timestamp() - typed
    return 0 <= age <= settings.RECENT_AUTH_MINUTES * 60


def confirm_url(next_path: str) -> str:
    return f"{reverse('confirm_password')}?{urlencode({'next': next_path})}"


def recent_auth_required(view):
    """A signed-in request whose password is stale goes to the confirm page (then back, with a GET). Anyone
    else passes through: the view's own login_required and capability checks answer them."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not is_recent(request):
            return redirect(confirm_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped


RECENT_AUTH_API_MESSAGE = gettext_noop(
    "Confirm your password first: signed in with the site's session, a data download needs the password typed "
    "in the last {minutes} minutes (open {url} in the browser), or use an API token."
)


def api_check(request) -> None:
    """For the API's data downloads: a token (issued for an email and password) passes; a browser session whose
    password is stale gets 403 with code "recent_auth_required", as the pages send it to the confirm page."""
    from rest_framework.exceptions import PermissionDenied

    if request.auth is None and request.user.is_authenticated and not is_recent(request):
        raise PermissionDenied(
            gettext(RECENT_AUTH_API_MESSAGE).format(
                minutes=settings.RECENT_AUTH_MINUTES, url=reverse("confirm_password")
            ),
            code="recent_auth_required",
        )
