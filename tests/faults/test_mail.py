"""The mail server down or frozen: adding and inviting an athlete still works; the invite waits to be passed on.

Without REDIS_URL the invite email is sent from the request itself (jobs run in-process), so a mail server that
refuses or never answers meets the page directly. EMAIL_TIMEOUT bounds the wait on a frozen one.
"""

import socket
import time

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Athlete
from tests.faults.conftest import at_most, spare_port

pytestmark = pytest.mark.faults

TIMEOUT = 1  # EMAIL_TIMEOUT for these tests, seconds


@pytest.fixture(params=["refused", "frozen"])
def dead_mail_server(request, settings):
    """SMTP at an address that refuses connections, or that accepts them and never says a word."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "127.0.0.1", TIMEOUT
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    if request.param == "refused":
        settings.EMAIL_PORT = spare_port()
        yield request.param
        return
    with socket.socket() as listener:  # connections wait in the backlog: connected, no greeting
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        settings.EMAIL_PORT = listener.getsockname()[1]
        yield request.param


def test_adding_and_inviting_an_athlete_survives_a_dead_mail_server(dead_mail_server, people):
    client = Client(raise_request_exception=False)
    client.force_login(people.clinician.user)
    data = {
        "first_name": "Ines",
        "last_name": "Ibarra",
        "email": "ines@example.com",
        "sex": "female",
        "weekly_km": "35",
        "send_invite": "on",
    }
    started = time.monotonic()
    with at_most(3 * TIMEOUT + 5):
        response = client.post(reverse("athlete_add"), data)
    assert response.status_code == 302, response.status_code
    assert time.monotonic() - started < 3 * TIMEOUT + 2
    athlete = Athlete.objects.get(email="ines@example.com")  # saved, whatever became of the email
    page = client.get(response["Location"])
    assert page.status_code == 200 and "/invite/" in page.content.decode()  # the link, to pass on by hand
    with at_most(3 * TIMEOUT + 5):
        resend = client.post(reverse("athlete_invite", args=[athlete.pk]))
    assert resend.status_code < 500
