"""Every place a password is set uses the password validators, and says what is wrong next to the field."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal import services
from portal.models import Invite, User
from tests.factories import PASSWORD, AthleteFactory

STRONG = "kestrel-river-2291"


def field_block(html: str, name: str) -> str:
    """The HTML crispy-forms renders for one field: label, input, errors and help."""
    start = html.index(f'id="div_id_{name}"')
    end = html.find('id="div_id_', start + 1)
    return html[start : end if end != -1 else len(html)]


@pytest.fixture
def invite(people):
    athlete = AthleteFactory(
        clinic=people.clinic, first_name="Ines", last_name="Ibarra", email="ines@example.com"
    )
    invite, link = services.invite_send(athlete=athlete, by=people.clinician.user)
    return invite, link[link.index("/invite/") :]


@pytest.mark.parametrize(
    "weak,message",
    [
        ("kestrel", "This password is too short. It must contain at least 8 characters."),
        ("12345678", "This password is too common."),
        ("48205719366", "This password is entirely numeric."),
        ("ines@example.com", "The password is too similar to the email address."),
    ],
    ids=["short", "common", "numeric", "like-the-email"],
)
def test_a_weak_password_is_refused_next_to_the_field_on_the_invite_form(client, invite, weak, message):
    invite, path = invite
    response = client.post(path, {"password1": weak, "password2": weak})
    assert response.status_code == 200
    block = field_block(response.content.decode(), "password1")
    assert message in block and "is-invalid" in block
    invite.refresh_from_db()
    assert invite.accepted is None and not User.objects.filter(email="ines@example.com").exists()
    assert "_auth_user_id" not in client.session


def test_the_invite_form_takes_a_strong_password(client, invite):
    invite, path = invite
    response = client.post(path, {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    assert User.objects.get(email="ines@example.com").check_password(STRONG)


def test_the_invite_service_refuses_a_weak_password_whoever_calls_it(invite):
    invite, _ = invite
    with pytest.raises(ValidationError, match="too common"):
        services.invite_accept(invite=invite, password="password")
    assert Invite.objects.get(pk=invite.pk).accepted is None
    assert not User.objects.filter(email="ines@example.com").exists()


def test_changing_a_password_refuses_a_weak_one(client_for, people):
    client = client_for("athlete_a")
    data = {"old_password": PASSWORD, "new_password1": "password1", "new_password2": "password1"}
    response = client.post(reverse("password_change"), data)
    assert response.status_code == 200
    assert "This password is too common." in field_block(response.content.decode(), "new_password2")
    people.athlete_a.user.refresh_from_db()
    assert people.athlete_a.user.check_password(PASSWORD)


def test_resetting_a_password_refuses_a_weak_one(client, people):
    user = people.athlete_a.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = client.get(reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]))
    assert link.status_code == 302  # to the set-password form, the token kept in the session
    response = client.post(link.url, {"new_password1": "1234567890", "new_password2": "1234567890"})
    assert response.status_code == 200
    block = field_block(response.content.decode(), "new_password2")
    assert "This password is too common." in block and "This password is entirely numeric." in block
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_admin_refuses_a_weak_password_for_a_new_login(client_for):
    data = {
        "email": "new@example.com",
        "password1": "qwerty12",
        "password2": "qwerty12",
        "usable_password": "true",
    }
    response = client_for("superuser").post(reverse("admin:portal_user_add"), data)
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_the_admin_refuses_a_weak_password_when_setting_one(client_for, people):
    user = people.athlete_a.user
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    data = {"password1": "abc", "password2": "abc", "usable_password": "true"}
    response = client_for("superuser").post(url, data)
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
