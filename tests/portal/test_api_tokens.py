"""API tokens end with the password or the role they were issued under, the owner lists and revokes them, and a
password change or reset ends the login's other sessions (database and cache)."""

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal import services, tokens
from portal.models import ApiToken
from tests.factories import PASSWORD, api_token_key
from tests.portal.test_account_emails import secret_path

ME = "/api/v1/me/"
TOKENS = "/api/v1/auth/tokens/"
NEW_PASSWORD = "a-new-long-password-9"
CACHED_SESSION = "django.contrib.sessions.cached_db"  # the cache key's prefix (cached_db's KEY_PREFIX)


def token_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def assert_revoked(key: str):
    response = token_client(key).get(ME)
    assert response.status_code == 401, response.content
    return response.json()["code"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cached_db_sessions(settings):
    """Sessions as in production with Redis: read from the cache, written through to the database."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_changing_the_password_ends_tokens_and_other_sessions_but_not_this_one(people, cached_db_sessions):
    user = people.athlete_a.user
    key = api_token_key(user)
    here, elsewhere = signed_in(user), signed_in(user)
    elsewhere_key = elsewhere.session.session_key
    assert cache.get(CACHED_SESSION + elsewhere_key) is not None

    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert assert_revoked(key) == "authentication_failed"  # deleted, not only refused
    assert not ApiToken.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=elsewhere_key).exists()
    assert cache.get(CACHED_SESSION + elsewhere_key) is None  # Redis's copy too
    assert elsewhere.get(reverse("my_profile")).status_code == 302  # back to the login page
    assert here.get(reverse("my_profile")).status_code == 200


def test_a_password_reset_ends_every_token_and_session(client, people, cached_db_sessions):
    user = people.athlete_a.user
    key, elsewhere = api_token_key(user), signed_in(user)
    client.post(reverse("password_reset"), {"email": user.email})
    response = client.get(secret_path(mail.outbox[0].body, "/accounts/reset/"))
    response = client.post(response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert assert_revoked(key) == "authentication_failed"
    assert not Session.objects.filter(session_key=elsewhere.session.session_key).exists()


def test_a_password_set_any_other_way_ends_the_tokens_too(people):
    """The admin's password form, `manage.py changepassword`: the token's login check no longer matches."""
    user = people.clinician.user
    key = api_token_key(user)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert assert_revoked(key) == "token_revoked"
    assert tokens.tokens_of(user) == []


def test_a_clinician_removed_from_the_clinic_loses_their_tokens(people):
    key = api_token_key(people.coach.user)
    assert token_client(key).get(ME).json()["role"] == "clinician"
    people.coach.delete()
    assert assert_revoked(key) == "token_revoked"


def test_a_deactivated_login_loses_its_tokens(people):
    key = api_token_key(people.coach.user)
    people.coach.user.is_active = False
    people.coach.user.save()
    assert assert_revoked(key) == "authentication_failed"


def test_an_athlete_whose_record_is_deleted_loses_their_tokens(people):
    key = api_token_key(people.athlete_a.user)
    services.anonymise_athlete(people.athlete_a, by=people.clinician.user)
    assert assert_revoked(key) == "authentication_failed"
    assert not ApiToken.objects.exists()


def test_the_token_list_shows_only_my_working_tokens_and_revokes_them(client, people):
    mine = client.post(
        "/api/v1/auth/token/",
        {"email": people.athlete_a.user.email, "password": PASSWORD, "name": "Watch app"},
        content_type="application/json",
    ).json()
    other_key = api_token_key(people.athlete_a.user, name="Spreadsheet")
    theirs, _ = tokens.token_issue(user=people.athlete_b.user)
    me = token_client(mine["token"])
    listed = me.get(TOKENS).json()
    assert [(t["name"], t["current"]) for t in listed] == [("Spreadsheet", False), ("Watch app", True)]
    assert set(listed[0]) == {"id", "name", "key_start", "created", "last_used", "expires", "current"}
    assert other_key not in str(listed)  # the key itself is never shown again
    assert me.delete(f"{TOKENS}{theirs.pk}/").status_code == 404  # someone else's: not found
    other_id = next(t["id"] for t in listed if t["name"] == "Spreadsheet")
    assert me.delete(f"{TOKENS}{other_id}/").status_code == 204
    assert assert_revoked(other_key) == "authentication_failed"
    assert [t["name"] for t in me.get(TOKENS).json()] == ["Watch app"]


def test_the_api_tokens_page_lists_and_revokes_and_signs_out_elsewhere(people, cached_db_sessions):
    user = people.clinician.user
    tokens.token_issue(user=user, name="Clinic dashboard")
    key = api_token_key(user, name="Old laptop")
    theirs, _ = tokens.token_issue(user=people.coach.user, name="Coach's script")
    here, elsewhere = signed_in(user), signed_in(user)
    page = here.get(reverse("api_tokens")).content.decode()
    assert "Clinic dashboard" in page and "Old laptop" in page and "Coach's script" not in page
    assert reverse("api_tokens") in here.get(reverse("home"), follow=True).content.decode()  # user menu

    laptop = ApiToken.objects.get(name="Old laptop")
    assert here.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    assert here.post(reverse("api_token_revoke", args=[laptop.pk])).status_code == 302
    assert assert_revoked(key) == "authentication_failed"

    response = here.post(reverse("sign_out_elsewhere"), follow=True)
    assert "1 other sign-in ended and 1 API token revoked" in response.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()
    assert elsewhere.get(reverse("athlete_list")).status_code == 302
    assert here.get(reverse("athlete_list")).status_code == 200
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_a_login_keeps_at_most_max_tokens_the_oldest_retired_first(people):
    user = people.athlete_a.user
    keys = [api_token_key(user) for _ in range(tokens.MAX_TOKENS_PER_LOGIN + 1)]
    assert ApiToken.objects.filter(user=user).count() == tokens.MAX_TOKENS_PER_LOGIN
    assert assert_revoked(keys[0]) == "authentication_failed"
    assert token_client(keys[-1]).get(ME).status_code == 200
