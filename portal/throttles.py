"""Rate limits, counted per client address as portal.clientip tells it (never the client's own X-Forwarded-For,
which DRF's throttles would read: a new made-up value per request would be a fresh allowance): the API's, and
the password-reset emails'."""

import hashlib

from django.conf import settings
from rest_framework import throttling

from portal.clientip import client_ip


class ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_ip(request) or ""


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass


class PasswordResetThrottle(throttling.SimpleRateThrottle):
    """Password-reset emails: at most PASSWORD_RESET_RATE per email address and, separately, per client
    address. Counted in the cache under the throttles' "throttle_" prefix, whatever the address typed."""

    def __init__(self, scope: str, ident: str):
        self.scope, self.ident = scope, ident
        super().__init__()

    def get_rate(self) -> str | None:
        return settings.PASSWORD_RESET_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def password_reset_allowed(request, email: str) -> bool:
    """Whether another reset email may go to `email` for this request; counts this try either way. The email
    address is hashed in the key: the cache holds no one's address."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    throttles = [
        PasswordResetThrottle("password_reset_email", digest),
        PasswordResetThrottle("password_reset_ip", client_ip(request) or "unknown"),
    ]
    return all([throttle.allow_request(request, None) for throttle in throttles])  # a list: count both
