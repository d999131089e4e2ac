import logging
import time

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from portal.cache import cache_is_down
from portal.languages import language_of
from portal.logging import loggable_path

logger = logging.getLogger("portal.request")


class RequestLogMiddleware:
    """Logs one structured line per request: method, path, status, duration and user id.

    Query strings are left out on purpose (searches can hold athletes' names), and so are the tokens in invite,
    password-reset and unsubscribe links (portal.logging.loggable_path).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        # Read the user only if authentication already loaded it, so /healthz never touches the database.
        user = getattr(request, "_cached_user", None)
        path = loggable_path(request)
        logger.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(user, "pk", None),
                **({"cache": "down"} if cache_is_down() else {}),  # served without Redis (portal.cache)
            },
        )
        return response


class RefuseNulQueryMiddleware:
    """A NUL byte anywhere in the query string is answered 400. No search, filter or page of this site takes
    one, and PostgreSQL refuses it in a query: a filter that passed it on (an admin list filter, a search box)
    would fail with a 500 instead. Forms and API bodies refuse NUL bytes field by field already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path_info.startswith("/api/"):
                # Imported here, as in portal.lockout: portal.api_base is a DRF setting and must not be the first
                # module to import DRF's views while Django loads the middleware.
                from portal.api_base import error_body

                body = error_body("The query string holds a NUL byte, which no parameter accepts.", "invalid")
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(
                "This address holds a character that is not allowed (a NUL byte). Go back and try again.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Signed-in people see their own clock: an athlete's time zone (or their clinic's), a clinician's clinic's.
    `timezone.localdate()` in a view is then the day the person is living (the day they log, the day the
    reminder email checks); everyone else gets TIME_ZONE. The zone comes with the user's row (portal.auth)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = _zone_of(getattr(request, "user", None))
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


def _zone_of(user):
    if user is None or not user.is_authenticated:
        return None
    athlete = getattr(user, "athlete", None)  # None also when the one-to-one row does not exist
    if athlete is not None:
        return athlete.time_zone or athlete.clinic.time_zone
    clinician = getattr(user, "clinician", None)
    return clinician.clinic.time_zone if clinician is not None else None


class UserLanguageMiddleware:
    """A signed-in person sees the language they (or their clinic) chose (portal.languages); otherwise the
    browser's, as LocaleMiddleware found it. Runs after authentication, like the time zone above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_of(getattr(request, "user", None))
        if not language:
            return self.get_response(request)
        # Back to the thread's language after it: nothing leaks into what the thread does next.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers["Content-Language"] = request.LANGUAGE_CODE  # LocaleMiddleware keeps it
        return response


class NoStoreMiddleware:
    """Pages shown to someone logged in, and every API response, carry `Cache-Control: no-store, private`: health
    records must not stay in a shared computer's browser cache or in a proxy. Static files (WhiteNoise answers
    them before this runs) and anonymous pages such as /healthz keep their own headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The user as authentication loaded it: a page that never looked at it shows nobody's records.
        user = getattr(request, "_cached_user", None)
        if request.path_info.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response
