"""A mail server that is down or frozen costs the email, never the page: the athlete is saved, the invite exists,
the clinician is told "Email not sent" with the link and a Resend button, and a password reset still answers."""

import logging
import re
import socket
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from portal import services
from portal.models import Athlete, Invite
from portal.tasks.mail import send_email
from tests.factories import AthleteFactory
from tests.portal.test_settings import run_manage

NOT_SENT = "Email not sent — copy the link below or resend"
LOCMEM_SEND = EmailBackend.send_messages


@pytest.fixture
def mail_refused(monkeypatch):
    """The mail server refuses connections (it is down)."""

    def refuse(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


@pytest.fixture
def mail_frozen(settings):
    """A mail server that accepts the connection and then says nothing for 4 seconds (a hung server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held, stop = [], threading.Event()

    def hold():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append((conn, time.monotonic()))
            for old, since in list(held):
                if time.monotonic() - since > 4:
                    old.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.getsockname()
    settings.EMAIL_TIMEOUT = 1
    yield
    stop.set()
    thread.join()
    for conn, _ in held:
        conn.close()
    server.close()


def add_athlete(client):
    data = {"first_name": "Ines", "last_name": "Ibarra", "email": "ines@example.com", "send_invite": "on"}
    return client.post(reverse("athlete_add"), data)


def test_adding_an_athlete_while_mail_is_down_saves_them_and_shows_the_link(client_for, people, mail_refused):
    client = client_for("clinician")
    response = add_athlete(client)
    athlete = Athlete.objects.get(email="ines@example.com")
    assert response.status_code == 302 and response.url == athlete.get_absolute_url()
    invite = athlete.invites.get()
    assert invite.email_failed_at is not None and invite.email_state() == "not_sent"

    page = client.get(athlete.get_absolute_url()).content.decode()
    assert NOT_SENT in page
    assert re.search(r'<code class="invite-link">https?://[^<]+/invite/[^<]+/</code>', page)  # to pass on
    assert "Resend invite" in page
    assert page.count("Email not sent") == 2  # the box beside the link, and the Login card: no third banner
    later = client.get(athlete.get_absolute_url()).content.decode()
    assert 'class="invite-link"' not in later and "Resend invite" in later  # the link once; the button stays


def test_resend_after_the_mail_server_is_back_emails_a_new_link(
    client_for, people, mail_refused, monkeypatch
):
    athlete = AthleteFactory(clinic=people.clinic, email="back@example.com")
    client = client_for("clinician")
    client.post(reverse("athlete_invite", args=[athlete.pk]))
    assert athlete.invites.get().email_state() == "not_sent"

    monkeypatch.setattr(EmailBackend, "send_messages", LOCMEM_SEND)  # the mail server is back
    response = client.post(reverse("athlete_invite", args=[athlete.pk]), follow=True)
    page = response.content.decode()
    assert "An invite link was emailed to back@example.com." in page and NOT_SENT not in page
    (email,) = mail.outbox
    newest, first = athlete.invites.all()
    assert newest.email_state() == "sent" and first.state() == "revoked"


def test_a_frozen_mail_server_costs_an_invite_at_most_email_timeout(client_for, people, mail_frozen):
    athlete = AthleteFactory(clinic=people.clinic, email="frozen@example.com")
    started = time.monotonic()
    response = client_for("clinician").post(reverse("athlete_invite", args=[athlete.pk]), follow=True)
    assert time.monotonic() - started < 3.5  # one try within EMAIL_TIMEOUT (1 s), not a hang
    assert response.status_code == 200
    assert NOT_SENT in response.content.decode()
    assert Invite.objects.get(athlete=athlete).email_state() == "not_sent"


@pytest.mark.parametrize("outage", ["mail_refused", "mail_frozen"])
def test_a_password_reset_while_mail_is_down_still_answers(client, people, outage, request, caplog):
    request.getfixturevalue(outage)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="portal.mail"):
        response = client.post(reverse("password_reset"), {"email": people.athlete_a.user.email})
    assert time.monotonic() - started < 3.5
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    (record,) = [r for r in caplog.records if getattr(r, "outcome", None) == "mail_failed"]
    assert "/accounts/reset/" not in record.getMessage()


def test_a_worker_retries_and_records_the_failure_only_after_its_last_try(people, mail_refused):
    athlete = AthleteFactory(clinic=people.clinic)
    invite, _ = Invite.new(athlete=athlete, email=athlete.email, created_by=None)
    invite.save()
    message = {"subject": "Invite", "body": "A link", "to": [athlete.email], "html": "", "invite": invite.pk}
    for retries, gives_up in [
        (0, False),
        (send_email.max_retries - 1, False),
        (send_email.max_retries, True),
    ]:
        send_email.push_request(retries=retries, is_eager=False)
        try:
            if gives_up:
                assert send_email.run(message) is False
            else:
                with pytest.raises(ConnectionRefusedError):  # StrideTask retries it with backoff
                    send_email.run(message)
        finally:
            send_email.pop_request()
        invite.refresh_from_db()
        assert (invite.email_failed_at is not None) is gives_up


def test_email_timeout_is_set_and_read_from_the_environment():
    default = run_manage("shell", "-c", "from django.conf import settings; print(settings.EMAIL_TIMEOUT)")
    assert default.stdout.split()[-1] == "10", default.stderr
    custom = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.EMAIL_TIMEOUT)", EMAIL_TIMEOUT="3"
    )
    assert custom.stdout.split()[-1] == "3", custom.stderr


def test_resending_is_limited_per_athlete_and_hour_on_the_page_and_in_the_api(client_for, people):
    athlete = AthleteFactory(clinic=people.clinic, email="many@example.com")
    client = client_for("clinician")
    for _ in range(services.INVITES_PER_HOUR):
        client.post(reverse("athlete_invite", args=[athlete.pk]))
    page = client.post(reverse("athlete_invite", args=[athlete.pk]), follow=True).content.decode()
    assert "5 invite links were sent for this athlete in the last hour" in page
    response = client.post(f"/api/v1/athletes/{athlete.pk}/invite/")
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert athlete.invites.count() == services.INVITES_PER_HOUR
    assert len(mail.outbox) == services.INVITES_PER_HOUR
