"""Absolute links (portal.links): SITE_URL, or while it is left at its development default, the host and port the
request came in on."""

from django.test import RequestFactory
from django.urls import reverse

from portal.links import DEFAULT_SITE_URL, absolute_url
from tests import factories


def sent_bodies(jobs) -> list[str]:
    return [args[0]["body"] for name, args, _ in jobs.sent if name == "portal.send_email"]


def test_links_follow_the_request_while_site_url_is_the_development_default(settings):
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8321")
    settings.SITE_URL = DEFAULT_SITE_URL
    assert absolute_url("/today/", request) == "http://127.0.0.1:8321/today/"
    assert absolute_url("/today/") == DEFAULT_SITE_URL + "/today/"  # a job has no request
    settings.SITE_URL = "https://stride.example"
    assert absolute_url("/today/", request) == "https://stride.example/today/"


def test_an_invite_sent_from_the_page_links_to_the_host_it_was_sent_from(client_for, people, settings, jobs):
    settings.SITE_URL = DEFAULT_SITE_URL
    invited = factories.AthleteFactory(clinic=people.clinic, email="new@example.com")
    client = client_for("clinician")
    client.post(reverse("athlete_invite", args=[invited.pk]), HTTP_HOST="localhost:8321")
    assert "http://localhost:8321/invite/" in sent_bodies(jobs)[-1]


def test_a_password_reset_link_follows_the_request_too(client, people, settings, jobs):
    settings.SITE_URL = DEFAULT_SITE_URL
    client.post(reverse("password_reset"), {"email": people.athlete_a.user.email}, HTTP_HOST="localhost:8321")
    assert "http://localhost:8321/accounts/reset/" in sent_bodies(jobs)[-1]
