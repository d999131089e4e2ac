"""The test client's `client.login()` authenticates without a request, which django-axes refuses; this backend
lends it an empty one. Every real login door passes its request (tests/portal/test_lockout.py proves it)."""

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class TestClientAxesBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return super().authenticate(request or HttpRequest(), username=username, password=password, **kwargs)
