"""What a request leaves behind: no one-time link in the request log, no health page in a browser's or proxy's
cache, and no flood of password-reset emails."""

import logging

import pytest
from django.urls import reverse

from portal.logging import JsonFormatter
from portal.models import Invite
from rehab import reminders


def logged_paths(caplog) -> list[str]:
    return [record.path for record in caplog.records if record.name == "portal.request"]


def test_one_time_links_are_redacted_in_the_request_log(client, people, caplog):
    _, invite_token = Invite.new(athlete=people.athlete_b, email="b@example.com", created_by=None)
    unsubscribe = reminders.unsubscribe_url(people.athlete_a).split("://", 1)[-1].split("/", 1)[1]
    unsubscribe_token = unsubscribe.rstrip("/").rsplit("/", 1)[-1]
    with caplog.at_level(logging.INFO):
        client.get(reverse("invite_accept", args=[invite_token]))
        client.get("/" + unsubscribe)
        client.get(reverse("password_reset_confirm", args=["MQ", "c2x-0123456789abcdef"]))
        client.get(reverse("invite_accept", args=["a-link-that-does-not-exist"]))  # Django logs its 404 too
    assert logged_paths(caplog) == [
        "/invite/[redacted]/",
        "/reminders/unsubscribe/[redacted]/",
        "/accounts/reset/[redacted]/[redacted]/",
        "/invite/[redacted]/",
    ]
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any("Not Found: /invite/[redacted]/" in line for line in lines)  # django.request's own line
    for secret in [invite_token, unsubscribe_token, "c2x-0123456789abcdef", "a-link-that-does-not-exist"]:
        assert not [line for line in lines if secret in line]


def test_other_paths_are_logged_as_they_are(client, people, caplog):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        client.get(reverse("athlete_detail", args=[people.athlete_a.pk]))
    assert logged_paths(caplog) == [reverse("athlete_detail", args=[people.athlete_a.pk])]


# --------------------------------------------------------------------------- Cache-Control


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "persona,url",
    [
        ("clinician", "/athletes/"),
        ("athlete_a", "/today/"),
        ("clinician", "/api/v1/athletes/"),
        ("athlete_a", "/api/v1/me/"),
        ("anonymous", "/api/v1/me/"),  # a 401 from the API too
        ("superuser", "/admin/"),
    ],
)
def test_health_pages_and_api_responses_are_not_stored(client_for, persona, url):
    response = client_for(persona).get(url)
    assert response.status_code in (200, 401)
    assert no_store(response), response.get("Cache-Control")


def test_anonymous_pages_keep_their_caching(client, db):
    assert not no_store(client.get("/healthz"))


def test_the_athlete_detail_page_is_not_stored(client_for, people):
    response = client_for("clinician").get(reverse("athlete_detail", args=[people.athlete_a.pk]))
    assert response.status_code == 200 and no_store(response)


# --------------------------------------------------------------------------- password-reset emails


def ask_reset(client, email, ip="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_reset_emails_are_limited_per_address_with_the_same_answer(client, people, jobs, settings):
    settings.PASSWORD_RESET_RATE = "3/hour"
    email = people.athlete_a.user.email
    responses = [ask_reset(client, email, ip=f"203.0.113.{n}") for n in range(1, 7)]
    assert {(r.status_code, r.url) for r in responses} == {(302, reverse("password_reset_done"))}
    assert len(jobs.sent) == 3  # three emails, whatever address they were asked from


def test_reset_emails_are_limited_per_client_address(client, people, jobs, settings):
    settings.PASSWORD_RESET_RATE = "3/hour"
    emails = [people.athlete_a.user.email, people.athlete_b.user.email, people.clinician.user.email,
              people.coach.user.email]  # fmt: skip
    responses = [ask_reset(client, email) for email in emails]
    assert [r.status_code for r in responses] == [302] * 4
    assert len(jobs.sent) == 3
    ask_reset(client, people.coach.user.email, ip="198.51.100.5")  # another client is not held back
    assert len(jobs.sent) == 4
