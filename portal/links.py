"""Absolute links for emails, invites and QR codes: every one is built here.

They start with SITE_URL. Left at its development default, a link made while answering a request starts with
the host and port that request came in on instead, so a server run on another port hands out links that work.
Jobs have no request and keep SITE_URL.
"""

from django.conf import settings

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def absolute_url(path: str, request=None) -> str:
    """`path` (from reverse(), starting with /) as a full address."""
    if request is not None and settings.SITE_URL == DEFAULT_SITE_URL:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path
