"""The API's rate limits, counted per client address as portal.clientip tells it (never the client's own
X-Forwarded-For, which DRF's throttles would read: a new made-up value per request would be a fresh allowance)."""

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
