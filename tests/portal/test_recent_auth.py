"""Sensitive actions ask for the password again when it was not typed in the last RECENT_AUTH_MINUTES."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.devices import AUTH_AT_KEY
from portal.models import Download
from tests.access import LOGIN, MATRIX_PERSONAS, assert_outcome, matrix_cases
from tests.factories import PASSWORD

CONFIRM = "/accounts/confirm-password/"


def set_password_age(client, minutes: float) -> None:
    session = client.session
    session[AUTH_AT_KEY] = (timezone.now() - timedelta(minutes=minutes)).timestamp()
    session.save()


def field_block(html: str, name: str) -> str:
    start = html.index(f'id="div_id_{name}"')
    end = html.find('id="div_id_', start + 1)
    return html[start : end if end != -1 else len(html)]


# (page name, persona who may use it, args from people)
SENSITIVE = [
    ("my_export", "athlete_a", lambda p: []),
    ("athlete_export", "clinician", lambda p: [p.athlete_a.pk]),
    ("athlete_anonymise", "clinician", lambda p: [p.athlete_a.pk]),
    ("password_change", "athlete_a", lambda p: []),
    ("password_change", "clinician", lambda p: []),
]
IDS = [
    "my_export",
    "athlete_export",
    "athlete_anonymise",
    "password_change-athlete",
    "password_change-clinician",
]


@pytest.fixture
def page(request, people, client_for):
    name, persona, args = request.param
    return client_for(persona), reverse(name, args=args(people))


@pytest.mark.parametrize("page", SENSITIVE, ids=IDS, indirect=True)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_stale_password_is_asked_for_again(page, method):
    client, url = page
    set_password_age(client, settings.RECENT_AUTH_MINUTES + 1)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url == f"{CONFIRM}?next={quote(url, safe='')}"


@pytest.mark.parametrize("page", SENSITIVE, ids=IDS, indirect=True)
def test_a_fresh_password_goes_straight_through(page):
    client, url = page
    set_password_age(client, settings.RECENT_AUTH_MINUTES - 1)
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("page", SENSITIVE, ids=IDS, indirect=True)
def test_confirming_the_password_returns_to_the_page(page):
    client, url = page
    set_password_age(client, 60)
    confirm = client.get(url).url
    response = client.post(confirm, {"password": PASSWORD, "next": url})
    assert response.status_code == 302 and response.url == url
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("page", SENSITIVE, ids=IDS, indirect=True)
def test_a_wrong_password_is_a_form_error_and_lets_nobody_through(page):
    client, url = page
    set_password_age(client, 60)
    response = client.post(CONFIRM, {"password": "not-my-password", "next": url})
    assert response.status_code == 200
    block = field_block(response.content.decode(), "password")
    assert "That is not your password." in block and "is-invalid" in block
    assert client.get(url).status_code == 302


def test_a_stale_export_request_starts_nothing(client_for, people):
    client = client_for("athlete_a")
    set_password_age(client, 60)
    client.post(reverse("my_export"))
    assert not Download.objects.exists()


def test_a_stale_deletion_deletes_nothing(client_for, people):
    client = client_for("clinician")
    set_password_age(client, 60)
    url = reverse("athlete_anonymise", args=[people.athlete_a.pk])
    client.post(url, {"confirm_name": "Anna Aalto"})
    people.athlete_a.refresh_from_db()
    assert people.athlete_a.anonymised_at is None


def test_a_session_without_the_time_counts_as_stale(client_for):
    client = client_for("athlete_a")
    session = client.session
    del session[AUTH_AT_KEY]
    session.save()
    assert client.get(reverse("my_export")).status_code == 302


def test_logging_in_through_the_form_counts_as_typing_the_password(client, people):
    client.post("/accounts/login/", {"username": people.athlete_a.user.email, "password": PASSWORD})
    assert client.get(reverse("my_export")).status_code == 200


@pytest.mark.parametrize(
    "next_url,lands",
    [
        ("/me/export/", "/me/export/"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
    ids=["own-page", "other-site", "scheme-relative", "javascript", "none"],
)
def test_only_a_safe_next_is_followed(client_for, next_url, lands):
    client = client_for("athlete_a")
    response = client.post(CONFIRM, {"password": PASSWORD, "next": next_url})
    assert response.status_code == 302 and response.url == lands


def test_the_page_keeps_a_safe_next_in_its_form_and_drops_an_unsafe_one(client_for):
    client = client_for("athlete_a")
    html = client.get(CONFIRM + "?next=/me/export/").content.decode()
    assert 'name="next" value="/me/export/"' in html
    html = client.get(CONFIRM + "?next=https://evil.example/").content.decode()
    assert "evil.example" not in html


def test_wrong_passwords_count_towards_the_login_lockout(client_for, people):
    client = client_for("athlete_a")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(CONFIRM, {"password": "guess"}).status_code == 200
    locked = client.post(CONFIRM, {"password": "guess"})
    assert locked.status_code == 429 and "Too many login attempts" in locked.content.decode()
    # Locked out, even the right password does not confirm.
    assert client.post(CONFIRM, {"password": PASSWORD, "next": "/me/export/"}).status_code == 429


def test_the_confirm_page_query_budget(client_for, django_assert_max_num_queries):
    client = client_for("athlete_a")
    with django_assert_max_num_queries(6):
        assert client.get(CONFIRM).status_code == 200


CONFIRM_PAGE = {
    # Anyone signed in confirms their own password; anonymous is sent to log in.
    "confirm_password": [LOGIN, 200, 200, 200, 200, 200, 200],
}


@pytest.mark.parametrize(
    "name,persona,expected",
    matrix_cases(
        CONFIRM_PAGE,
        personas=MATRIX_PERSONAS,
    ),
)
def test_the_confirm_page_for_each_persona(client_for, name, persona, expected):
    client = client_for(persona)
    assert_outcome(client.get(reverse(name)), expected)
    assert_outcome(client.post(reverse(name), {"password": "wrong"}), expected)


# ------------------------------------------------------------------------------ the API's data downloads


@pytest.mark.parametrize(
    "persona,url",
    [
        ("athlete_a", lambda p: "/api/v1/me/export/"),
        ("clinician", lambda p: f"/api/v1/athletes/{p.athlete_a.pk}/export/"),
    ],
    ids=["me", "athlete"],
)
@pytest.mark.parametrize("minutes,expected", [(60, 403), (1, 200)], ids=["stale", "fresh"])
def test_an_api_download_with_the_browser_session_needs_a_recent_password(
    client_for, people, persona, url, minutes, expected
):
    client = client_for(persona)
    set_password_age(client, minutes)
    response = client.get(url(people))
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "recent_auth_required"
        assert CONFIRM in response.json()["detail"]


def test_an_api_download_with_a_token_needs_no_confirmation(client, people):
    from tests.factories import api_token_key

    key = api_token_key(people.athlete_a.user)
    response = client.get("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
