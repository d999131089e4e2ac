"""One JSON object per log line on stdout, for log shippers, with the secret parts of request paths redacted."""

import json
import logging
from datetime import UTC, datetime

from django.urls import Resolver404, resolve

# URL parts that work as a password: an invite, a password reset, a one-click unsubscribe. Whoever reads the
# log must not be able to use them, so they are never written there.
SECRET_URL_KWARGS = {"token", "uidb64"}
REDACTED = "[redacted]"

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        extra = {k: v for k, v in vars(record).items() if k not in _RESERVED}
        request = extra.get("request")
        if hasattr(request, "path"):
            # Django's own lines ("Internal Server Error: /invite/<token>/") name the path, and the request's
            # text shows it too: both with the one-time link's token redacted.
            path = loggable_path(request)
            message = message.replace(request.path, path)
            extra["request"] = f"{request.method} {path}"
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        entry.update(extra)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def loggable_path(request) -> str:
    """The request's path with its secret parts (SECRET_URL_KWARGS) replaced by REDACTED. The query string is
    never part of it: searches can hold athletes' names."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:  # answered before the URL was resolved (a redirect to HTTPS, a refused query string)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return path
    for name, value in match.kwargs.items():
        if name in SECRET_URL_KWARGS and value:
            path = path.replace(f"/{value}/", f"/{REDACTED}/")
    return path
