import logging
import time

logger = logging.getLogger("portal.request")


class RequestLogMiddleware:
    """Logs one structured line per request: method, path, status, duration and user id.

    Query strings are left out on purpose: searches can hold athletes' names.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        # Read the user only if authentication already loaded it, so /healthz never touches the database.
        user = getattr(request, "_cached_user", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(user, "pk", None),
            },
        )
        return response
