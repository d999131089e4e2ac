"""Invite and password-reset emails are sent by a job after the page answered, still arrive, and keep their
one-time link out of the logs."""

import logging
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from portal.services import invite_send
from portal.tasks.mail import send_email
from tests.factories import AthleteFactory

SEND_EMAIL = send_email.name


def secret_path(body: str, prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({prefix}[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_the_invite_is_emailed_by_a_job_not_by_the_page(client_for, people, jobs):
    athlete = AthleteFactory(clinic=people.clinic, email="ines@example.com", first_name="Ines")
    response = client_for("clinician").post(reverse("athlete_invite", args=[athlete.pk]))
    assert response.status_code == 302
    assert jobs.names() == [SEND_EMAIL] and mail.outbox == []

    jobs.run()
    (email,) = mail.outbox
    assert email.to == ["ines@example.com"]
    assert email.subject == "Riverside invited you to Stride Clinic"
    assert "Hello Ines" in email.body
    client = client_for("anonymous")
    assert "Welcome, Ines" in client.get(secret_path(email.body, "/invite/")).content.decode()


def test_the_invite_link_shown_to_the_clinician_is_the_one_emailed(people, jobs):
    athlete = AthleteFactory(clinic=people.clinic)
    _, link = invite_send(athlete=athlete, by=people.clinician.user)
    jobs.run()
    assert link in mail.outbox[0].body


def test_the_password_reset_email_is_sent_by_a_job_and_its_link_works(client, people, jobs, settings):
    settings.SITE_URL = (
        "https://clinic.example"  # the link's start, whatever host or scheme the request came on
    )
    response = client.post(reverse("password_reset"), {"email": people.athlete_a.user.email.upper()})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert jobs.names() == [SEND_EMAIL] and mail.outbox == []

    jobs.run()
    (email,) = mail.outbox
    assert email.to == [people.athlete_a.user.email]
    assert email.subject == "Choose a new password for Stride Clinic"
    assert "https://clinic.example/accounts/reset/" in email.body
    path = secret_path(email.body, "/accounts/reset/")
    response = client.get(path)  # the token moves into the session: a redirect to the set-password form
    assert response.status_code == 302 and response.url.endswith("/set-password/")
    response = client.post(
        response.url, {"new_password1": "a-new-long-password-9", "new_password2": "a-new-long-password-9"}
    )
    assert response.status_code == 302
    assert client.login(username=people.athlete_a.user.email, password="a-new-long-password-9")


def test_no_reset_email_for_an_unknown_address(client, db, jobs):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302  # the same answer: whether an address has a login stays private
    assert jobs.sent == []


def test_the_same_email_job_delivered_twice_sends_once(db):
    message = {"subject": "Hello", "body": "A one-time link", "to": ["a@example.com"], "html": ""}
    assert send_email.apply([message], throw=True).result is True
    assert send_email.apply([message], throw=True).result is False
    assert len(mail.outbox) == 1


def test_an_email_the_mail_server_refused_is_sent_by_the_retry(db, monkeypatch):
    send, calls = EmailBackend.send_messages, []

    def refuse_once(self, messages):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_once)
    message = {"subject": "Hello", "body": "A one-time link", "to": ["a@example.com"], "html": ""}
    task = send_email
    assert smtplib.SMTPException in task.autoretry_for  # a worker retries it with backoff
    with pytest.raises(smtplib.SMTPServerDisconnected):
        task.run(message)
    assert task.run(message) is True
    assert len(mail.outbox) == 1


def test_the_reset_link_stays_out_of_the_logs(client, people, jobs, caplog):
    client.post(reverse("password_reset"), {"email": people.athlete_a.user.email})
    with caplog.at_level(logging.INFO, logger="portal.jobs"):
        jobs.run()
    token = secret_path(mail.outbox[0].body, "/accounts/reset/").strip("/").rsplit("/", 1)[-1]
    runs = [r for r in caplog.records if getattr(r, "task", None) == SEND_EMAIL]
    assert len(runs) == 1 and runs[0].outcome == "ok"
    assert token not in repr(vars(runs[0]))


def test_an_invite_that_cannot_be_enqueued_is_logged_without_its_link(
    client_for, people, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_email, "apply_async", refuse)
    athlete = AthleteFactory(clinic=people.clinic)
    with caplog.at_level(logging.ERROR, logger="portal.jobs"):
        response = client_for("clinician").post(reverse("athlete_invite", args=[athlete.pk]), follow=True)
    assert response.status_code == 200
    assert "/invite/" in response.content.decode()  # the clinician still has the link to pass on
    (record,) = [r for r in caplog.records if getattr(r, "task", None) == SEND_EMAIL]
    assert record.outcome == "not_enqueued"
    assert "/invite/" not in repr(vars(record))
