"""The athlete's Strava connection (rehab.services.strava does the work) and Strava's webhook.

Every URL here answers 404 while the connection is off (no STRAVA_CLIENT_ID), whoever asks: the check comes
before the login's. The athlete's pages are theirs only (clinicians and coaches: 403). The webhook needs no
login and no CSRF token (Strava cannot send one; its events are verified by fetching the activity with the
owner's token): it answers at once and leaves the work to a job.
"""

import hmac
import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.jobs import enqueue
from portal.links import absolute_url
from portal.permissions import athlete_of, athlete_required
from rehab.services import strava

BACK = {"profile": "my_profile", "log": "rehab:log_today", "import": "rehab:run_import"}


def strava_on(view):
    """404 for everyone while the Strava connection is switched off."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not strava.enabled():
            raise Http404("The Strava connection is not switched on.")
        return view(request, *args, **kwargs)

    return wrapper


def _back(name: str | None) -> str:
    return reverse(BACK.get(name or "", "rehab:log_today"))


@strava_on
@login_required
@athlete_required
@require_GET
def strava_connect(request: HttpRequest) -> HttpResponse:
    back = request.GET.get("from", "")
    url = strava.authorization_url(
        user=request.user,
        redirect_uri=absolute_url(reverse("rehab:strava_callback"), request),
        back=back if back in BACK else "",
    )
    return redirect(url)


@strava_on
@login_required
@athlete_required
@require_GET
@never_cache
def strava_callback(request: HttpRequest) -> HttpResponse:
    try:
        state = strava.state_check(state=request.GET.get("state", ""), user=request.user)
    except strava.StravaError as error:
        messages.error(request, str(error))
        return redirect(_back(None))
    back = _back(state.get("back"))
    if request.GET.get("error") or not request.GET.get("code"):
        messages.info(request, gettext("Strava was not connected: you did not allow it there."))
        return redirect(back)
    try:
        strava.connect(
            athlete=athlete_of(request.user),
            code=request.GET["code"],
            scope=request.GET.get("scope", ""),
            now=timezone.now(),
        )
    except strava.StravaError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, gettext("Strava is connected: your next runs there will appear on your log."))
    return redirect(back)


@strava_on
@login_required
@athlete_required
@require_POST
def strava_disconnect(request: HttpRequest) -> HttpResponse:
    if strava.disconnect(athlete=athlete_of(request.user)):
        messages.success(request, gettext("Strava is disconnected: no more runs will be imported from it."))
    else:
        messages.info(request, gettext("Strava was not connected."))
    return redirect(_back(request.POST.get("back")))


# The event fields the job needs (an activity's new title, in `updates`, is left out of the job's log line).
EVENT_FIELDS = ("object_type", "aspect_type", "object_id", "owner_id", "subscription_id", "event_time")


@csrf_exempt
@strava_on
@require_http_methods(["GET", "POST"])
def strava_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # Strava checks the subscription's callback URL once, when it is created
        token = request.GET.get("hub.verify_token", "")
        challenge = request.GET.get("hub.challenge", "")
        expected = settings.STRAVA_VERIFY_TOKEN
        if (
            request.GET.get("hub.mode") != "subscribe"
            or not challenge
            or not expected
            or not hmac.compare_digest(token.encode(), expected.encode())
        ):
            return HttpResponseForbidden("Not a valid subscription check.")
        return JsonResponse({"hub.challenge": challenge})
    # Strava retries an event that is not answered 200 within two seconds: anything we cannot use is answered
    # 200 and dropped.
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        data = None
    event = strava.event_from(data)
    if strava.event_ignored(event):
        return JsonResponse({"ok": True, "ignored": True})
    fields = {name: data.get(name) for name in EVENT_FIELDS}
    fields["updates"] = {key: value for key, value in event.updates.items() if key == "authorized"}
    enqueue("rehab.strava_event", fields)
    return JsonResponse({"ok": True})
