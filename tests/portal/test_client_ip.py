"""One client address for the API's throttles, the login lockout and the audit trail: X-Forwarded-For is read only
when the connection comes from a proxy in TRUSTED_PROXIES, never because the client sent it."""

import itertools

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from portal.clientip import client_ip
from portal.env import env_networks
from portal.models import AuditEntry
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
TEST_CLIENT_ADDRESS = "127.0.0.1"  # the REMOTE_ADDR Django's test client sends
_forged = (f"198.51.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def forged() -> str:
    """A new made-up address each call, as a client dodging a per-address limit would send."""
    return next(_forged)


@pytest.mark.parametrize(
    "trusted,remote,forwarded,expected",
    [
        ([], "203.0.113.7", "192.0.2.1", "203.0.113.7"),
        ([], "203.0.113.7", "", "203.0.113.7"),
        (["10.0.0.9"], "203.0.113.7", "192.0.2.1", "203.0.113.7"),
        (["10.0.0.9"], "10.0.0.9", "192.0.2.1", "192.0.2.1"),
        (["10.0.0.9"], "10.0.0.9", "6.6.6.6, 192.0.2.1", "192.0.2.1"),
        (["10.0.0.0/8"], "10.0.0.9", "6.6.6.6, 192.0.2.1, 10.1.2.3", "192.0.2.1"),
        (["10.0.0.0/8"], "10.0.0.9", "10.1.2.3", "10.1.2.3"),
        (["10.0.0.9"], "10.0.0.9", "", "10.0.0.9"),
        (["10.0.0.9"], "10.0.0.9", "not-an-ip", "10.0.0.9"),
        (["10.0.0.9"], "10.0.0.9", "192.0.2.1, <script>", "10.0.0.9"),
        (["2001:db8::/32"], "2001:db8::5", "2001:db8:ffff::1, 2a00:1450::1", "2a00:1450::1"),
        (["10.0.0.9"], "::ffff:10.0.0.9", "192.0.2.1", "192.0.2.1"),
        ([], "::ffff:203.0.113.7", "", "203.0.113.7"),
        ([], "not-an-ip", "192.0.2.1", None),
    ],
    ids=[
        "direct-header-ignored",
        "direct-no-header",
        "untrusted-peer-header-ignored",
        "behind-proxy",
        "forged-entries-left-of-the-proxy-ignored",
        "chain-of-trusted-proxies-skipped",
        "all-entries-trusted",
        "proxy-sent-no-header",
        "garbage-header",
        "garbage-nearest-entry",
        "ipv6",
        "ipv4-mapped-peer",
        "ipv4-mapped-client",
        "remote-not-an-address",
    ],
)
def test_the_client_address(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_tls_proxy_setting_alone_does_not_make_the_header_trusted(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_ip(request) == "203.0.113.7"


def test_trusted_proxies_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", " 10.0.0.5 , 172.16.0.0/12,2001:db8::/32 ,10.1.2.3/8")
    assert env_networks("TRUSTED_PROXIES") == ["10.0.0.5/32", "172.16.0.0/12", "2001:db8::/32", "10.0.0.0/8"]
    monkeypatch.delenv("TRUSTED_PROXIES")
    assert env_networks("TRUSTED_PROXIES") == []


@pytest.mark.parametrize("raw", ["proxy.internal", "10.0.0.0/33", "10.0.0.1 10.0.0.2"])
def test_trusted_proxies_refuse_anything_but_addresses(monkeypatch, raw):
    monkeypatch.setenv("TRUSTED_PROXIES", raw)
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        env_networks("TRUSTED_PROXIES")


# --------------------------------------------------------------------------- throttles


@pytest.fixture
def low_limits(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    yield
    cache.clear()


def guess(client, email, forwarded):
    body = {"email": email, "password": "a-guess"}
    return client.post(TOKEN, body, content_type="application/json", HTTP_X_FORWARDED_FOR=forwarded)


def test_a_new_forwarded_for_per_request_does_not_lift_the_token_limit(client, people, low_limits):
    email = people.athlete_a.user.email
    statuses = [guess(client, email, forged()).status_code for _ in range(4)]
    assert statuses == [400, 400, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, people, settings, low_limits):
    settings.TRUSTED_PROXIES = [TEST_CLIENT_ADDRESS]
    email = people.athlete_a.user.email
    assert [guess(client, email, "192.0.2.1").status_code for _ in range(3)] == [400, 400, 429]
    # another client behind the same proxy is not slowed by the first one's guesses
    assert guess(client, email, "192.0.2.2").status_code == 400


# --------------------------------------------------------------------------- login lockout


def site_login(client, email, password, forwarded):
    body = {"username": email, "password": password}
    return client.post(LOGIN, body, HTTP_X_FORWARDED_FOR=forwarded)


def test_thirty_wrong_passwords_with_made_up_addresses_lock_the_login(client, people, settings):
    # The TLS proxy setting on, as in a production deployment: it used to make the header trusted.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    email = people.athlete_a.user.email
    statuses = [site_login(client, email, f"wrong-{n}", forged()).status_code for n in range(30)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses == [200] * (limit - 1) + [429] * (30 - limit + 1)
    assert site_login(client, email, PASSWORD, forged()).status_code == 429


def test_thirty_wrong_token_requests_with_made_up_addresses_lock_the_login(client, people, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    email = people.athlete_a.user.email
    statuses = [guess(client, email, forged()).status_code for _ in range(30)]
    assert statuses[-1] == 429 and statuses.count(400) == settings.AXES_FAILURE_LIMIT - 1


def test_behind_a_trusted_proxy_the_lockout_counts_per_forwarded_address(client, people, settings):
    settings.TRUSTED_PROXIES = [TEST_CLIENT_ADDRESS]
    email = people.athlete_a.user.email
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [site_login(client, email, f"wrong-{n}", "192.0.2.1").status_code for n in range(limit)]
    assert statuses[-1] == 429
    # the same login from another client behind the proxy still works: nobody locks a physio out from elsewhere
    assert site_login(client, email, PASSWORD, "192.0.2.2").status_code == 302


# --------------------------------------------------------------------------- audit trail


def viewed_from(client_for, people, settings, *, trusted, forwarded) -> str:
    settings.TRUSTED_PROXIES = trusted
    client = client_for("clinician")
    response = client.get(
        reverse("athlete_detail", args=[people.athlete_a.pk]), HTTP_X_FORWARDED_FOR=forwarded
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS, athlete=people.athlete_a).get()
    return entry.remote_addr


def test_the_audit_trail_ignores_a_forwarded_for_from_an_untrusted_peer(client_for, people, settings):
    assert viewed_from(client_for, people, settings, trusted=[], forwarded="192.0.2.1") == TEST_CLIENT_ADDRESS


def test_the_audit_trail_records_the_client_behind_a_trusted_proxy(client_for, people, settings):
    address = viewed_from(
        client_for, people, settings, trusted=["127.0.0.0/8"], forwarded="6.6.6.6, 192.0.2.1"
    )
    assert address == "192.0.2.1"
