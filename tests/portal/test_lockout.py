"""Login lockout (django-axes) on all three login doors: the site's form, the admin's and the API token endpoint."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal import lockout
from portal.models import ApiToken
from tests.factories import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"
IP_A, IP_B = "203.0.113.7", "198.51.100.23"


def site_login(client, email, password, ip=IP_A):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def admin_login(client, email, password, ip=IP_A):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def token_login(client, email, password, ip=IP_A):
    body = {"email": email, "password": password}
    return client.post(TOKEN, body, content_type="application/json", REMOTE_ADDR=ip)


def fail(door, client, email, times, ip=IP_A):
    return [door(client, email, f"wrong-{n}", ip=ip) for n in range(times)]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_locked_page(response):
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "Too many login attempts" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def assert_locked_json(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["code"] == "locked_out"
    assert "Too many failed login attempts" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()
    return body


# --------------------------------------------------------------------------- the site's login form


def test_the_site_form_locks_out_after_the_failure_limit(client, people):
    email = people.athlete_a.user.email
    *before, last = fail(site_login, client, email, LIMIT)
    for response in before:  # the usual form error until the limit
        assert response.status_code == 200
        assert "Please enter a correct email address and password" in response.content.decode()
    assert_locked_page(last)
    # now even the right password is refused, and nobody is logged in
    assert_locked_page(site_login(client, email, PASSWORD))
    assert not logged_in(client)


def test_the_lockout_page_says_what_happened_and_when_to_try_again(client, people):
    email = people.athlete_a.user.email
    response = fail(site_login, client, email, LIMIT)[-1]
    html = response.content.decode()
    attempt = AccessAttempt.objects.get(username=email, ip_address=IP_A)
    until = timezone.localtime(attempt.attempt_time + settings.AXES_COOLOFF_TIME)
    assert "Too many login attempts" in html
    assert f"There were {LIMIT} wrong passwords in a row for <strong>{email}</strong>" in html
    assert f"You can try again after <strong>{until:%H:%M}</strong>" in html
    assert f"in about {int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)} minutes" in html
    assert f'href="{reverse("password_reset")}"' in html  # the way out for a forgotten password
    assert "it does not replace an examination by a clinician" in html  # the site's own layout (base.html)
    assert "Content-Security-Policy" in response


def test_what_someone_typed_is_escaped_on_the_lockout_page(client, db):
    hostile = "<script>alert(1)</script>@x.example"
    html = fail(site_login, client, hostile, LIMIT)[-1].content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_tries_during_the_lockout_do_not_push_its_end_further(client, people):
    email = people.athlete_a.user.email
    fail(site_login, client, email, LIMIT)
    attempt = AccessAttempt.objects.get(username=email)
    fail(site_login, client, email, 3)
    again = AccessAttempt.objects.get(username=email)
    assert (again.attempt_time, again.failures_since_start) == (attempt.attempt_time, LIMIT)


def test_the_lockout_ends_after_the_cool_off(client, people):
    email = people.athlete_a.user.email
    fail(site_login, client, email, LIMIT)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = site_login(client, email, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_successful_login_resets_the_count(client, people):
    email = people.athlete_a.user.email
    fail(site_login, client, email, LIMIT - 1)
    assert site_login(client, email, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert AccessLog.objects.filter(username=email, ip_address=IP_A).exists()  # the login itself is on record
    client.logout()
    # a fresh allowance: LIMIT - 1 more mistakes are still only mistakes
    assert [r.status_code for r in fail(site_login, client, email, LIMIT - 1)] == [200] * (LIMIT - 1)
    assert site_login(client, email, PASSWORD).status_code == 302


def test_other_logins_and_other_addresses_are_not_affected(people):
    locked, other = people.athlete_a.user.email, people.athlete_b.user.email
    fail(site_login, Client(), locked, LIMIT, ip=IP_A)
    # a colleague behind the same address logs in
    colleague = Client()
    assert site_login(colleague, other, PASSWORD, ip=IP_A).status_code == 302 and logged_in(colleague)
    # the locked login still works from another address: nobody can lock a physio out from elsewhere
    elsewhere = Client()
    assert site_login(elsewhere, locked, PASSWORD, ip=IP_B).status_code == 302 and logged_in(elsewhere)


def test_changing_the_case_of_the_email_does_not_dodge_the_lockout(client, people):
    email = people.athlete_a.user.email
    for n in range(LIMIT):
        site_login(client, email.upper() if n % 2 else email, f"wrong-{n}")
    assert_locked_page(site_login(client, email.title(), PASSWORD))


# --------------------------------------------------------------------------- the admin's login form


def test_the_admin_login_locks_out_too(client, people):
    email = people.superuser.email
    *before, last = fail(admin_login, client, email, LIMIT)
    assert all(r.status_code == 200 for r in before)
    assert_locked_page(last)
    assert_locked_page(admin_login(client, email, PASSWORD))
    assert not logged_in(client)
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to the login page


def test_the_site_and_admin_forms_share_one_count(client, people):
    email = people.superuser.email
    fail(site_login, client, email, LIMIT - 1)
    assert_locked_page(fail(admin_login, client, email, 1)[0])


# --------------------------------------------------------------------------- the API token endpoint


def test_the_token_endpoint_locks_out_with_a_json_error(client, people):
    email = people.athlete_a.user.email
    *before, last = fail(token_login, client, email, LIMIT)
    for response in before:
        assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert_locked_json(last)
    # the right password gets the same answer, and no token
    assert_locked_json(token_login(client, email, PASSWORD))
    assert not ApiToken.objects.exists()


def test_the_api_and_the_site_form_count_the_same_login(client, people):
    email = people.athlete_a.user.email
    fail(site_login, client, email, LIMIT - 1)
    assert_locked_json(token_login(client, email.upper(), "still-wrong"))
    # and the other way round: the form refuses the login the API locked
    assert_locked_page(site_login(client, email, PASSWORD))


def test_a_token_after_mistakes_resets_the_count(client, people):
    email = people.athlete_a.user.email
    fail(token_login, client, email, LIMIT - 1)
    assert token_login(client, email, PASSWORD).status_code == 200
    assert not AccessAttempt.objects.exists()


def test_a_locked_out_api_client_does_not_lock_out_another_address(people):
    email = people.athlete_a.user.email
    fail(token_login, Client(), email, LIMIT, ip=IP_A)
    assert token_login(Client(), email, PASSWORD, ip=IP_B).status_code == 200


def test_an_oversized_email_is_a_400_not_a_database_error(client, db):
    response = token_login(client, "a" * 250 + "@example.com", "x")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["email"]


# --------------------------------------------------------------------------- the test client and helpers


def test_client_login_still_works_with_axes(client, people):
    assert client.login(username=people.athlete_a.user.email, password=PASSWORD)
    assert client.get(reverse("my_profile")).status_code == 200
    client.logout()
    assert not client.login(username=people.athlete_a.user.email, password="wrong")


@pytest.mark.parametrize(
    "credentials,post,expected",
    [
        ({"username": " Anna@Example.COM "}, {}, "anna@example.com"),
        ({"email": "Anna@Example.com"}, {}, "anna@example.com"),
        (None, {"username": "FORM@example.com"}, "form@example.com"),
        ({"username": "   "}, {}, None),
        ({}, {}, None),
        ({"username": "x" * 300}, {}, "x" * 255),
    ],
    ids=["form-username", "api-email", "from-post", "blank", "missing", "too-long"],
)
def test_the_lockout_username_is_the_normalised_email(credentials, post, expected):
    request = RequestFactory().post(LOGIN, post)
    assert lockout.username(request, credentials) == expected
