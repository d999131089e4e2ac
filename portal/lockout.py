"""Login lockout (django-axes): who is trying, from where, and what a locked-out person or program is told.

The settings (portal/settings.py, "Login lockout") point django-axes at the three functions below. Every login
door calls `authenticate(request, ...)`: the site's form and the admin's with a `username`, the API token
endpoint with an `email`; both name the same login, so both count towards the same lockout.
"""

import math
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework import exceptions

from portal.clientip import client_ip

USERNAME_MAX = 255  # axes' AccessAttempt.username column


def username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The email address tried, lower-cased: "Anna@x" and "anna@x" are one login and one lockout."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()[:USERNAME_MAX]


def reset_after_success(request: HttpRequest, credentials: dict) -> None:
    """A login that does not go through `django.contrib.auth.login()` (the API token) clears its failures
    itself, as a site login does through the user_logged_in signal (AXES_RESET_ON_SUCCESS)."""
    if settings.AXES_RESET_ON_SUCCESS:
        reset(ip=client_ip(request), username=username(request, credentials))


def locked_until(request: HttpRequest, credentials: dict | None = None) -> datetime:
    """When logging in works again: the cool-off counted from the last failure that was recorded."""
    cool_off = get_cool_off(request)
    last = (
        AccessAttempt.objects.filter(username=username(request, credentials), ip_address=client_ip(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + cool_off


def _wait(until: datetime) -> tuple[int, int]:
    """(seconds, minutes) from now until `until`, rounded up, at least one of each."""
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    return seconds, max(1, math.ceil(seconds / 60))


def api_message(minutes: int) -> str:
    return (
        f"Too many failed login attempts for this email address. Try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}, or reset the password on the site."
    )


class LockedOut(exceptions.APIException):
    """What the token endpoint raises for a locked-out login: 429 in the API's error shape, with Retry-After (DRF's handler sends `wait` as that header)."""

    status_code = 429
    default_code = "locked_out"
    default_detail = "Too many failed login attempts. Try again later."

    def __init__(self, request: HttpRequest, credentials: dict | None = None):
        self.wait, minutes = _wait(locked_until(request, credentials))
        super().__init__(api_message(minutes))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a login refused for too many failures answers (429, with Retry-After).

    Under /api/ the API's JSON error with code "locked_out"; elsewhere (the site's and the admin's login
    forms) a page saying what happened, when to try again, and how to reset the password.
    """
    is_api = request.path_info.startswith("/api/")
    if is_api and original_response is not None and original_response.status_code == 429:
        return original_response  # the token endpoint already answered with LockedOut below
    until = locked_until(request, credentials)
    seconds, minutes = _wait(until)
    if is_api:
        # Imported here: django-axes loads this module during the system checks, before DRF's views, and
        # portal.api_base (a DRF setting) must not be the first to import them.
        from portal.api_base import error_body

        response = JsonResponse(error_body(api_message(minutes), "locked_out"), status=429)
    else:
        context = {
            "until": until,
            "minutes": minutes,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "email": username(request, credentials) or "",
        }
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
