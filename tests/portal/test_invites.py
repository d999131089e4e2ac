"""A clinician adds an athlete with an email; the athlete sets a password from a one-time link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import Athlete, Clinician, Invite
from tests.factories import AthleteFactory

NEW_PASSWORD = "long-enough-and-unusual-42"


def link_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/invite/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def add_athlete(client, **extra):
    data = {
        "first_name": "Ines",
        "last_name": "Ibarra",
        "email": "Ines@Example.com",
        "sex": "female",
        "weekly_km": "35",
        "send_invite": "on",
        **extra,
    }
    return client.post(reverse("athlete_add"), data)


def test_invite_flow_end_to_end(client_for, people):
    clinician_client = client_for("clinician")
    response = add_athlete(clinician_client)
    athlete = Athlete.objects.get(email="ines@example.com")
    assert response.status_code == 302 and response.url == athlete.get_absolute_url()
    assert athlete.clinic == people.clinic
    assert athlete.primary_clinician == people.clinician

    # the email carries the link, and the clinician sees the same link once
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ines@example.com"]
    path = link_path(mail.outbox[0].body)
    detail = clinician_client.get(athlete.get_absolute_url()).content.decode()
    assert path in detail
    assert path not in clinician_client.get(athlete.get_absolute_url()).content.decode()

    clinician_client.logout()
    assert "Welcome, Ines" in clinician_client.get(path).content.decode()

    # mismatched passwords: error next to the field, nothing created
    response = clinician_client.post(path, {"password1": NEW_PASSWORD, "password2": "different-thing-99"})
    assert response.status_code == 200
    assert "The two passwords do not match." in response.content.decode()
    athlete.refresh_from_db()
    assert athlete.user is None

    response = clinician_client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("my_profile")
    athlete.refresh_from_db()
    assert athlete.user.email == "ines@example.com"
    assert clinician_client.get(reverse("my_profile")).status_code == 200

    # the link is used up, and the new login works
    clinician_client.logout()
    reused = clinician_client.get(path)
    assert reused.status_code == 410
    assert "already been used" in reused.content.decode()
    assert clinician_client.login(username="INES@example.com", password=NEW_PASSWORD)


def test_weak_password_is_refused_with_reason(client, people):
    athlete = AthleteFactory(clinic=people.clinic, email="weak@example.com")
    invite, token = Invite.new(athlete=athlete, email=athlete.email, created_by=None)
    invite.save()
    response = client.post(
        reverse("invite_accept", args=[token]), {"password1": "12345", "password2": "12345"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    athlete.refresh_from_db()
    assert athlete.user is None


def test_expired_invite_says_so(client, people):
    athlete = AthleteFactory(clinic=people.clinic)
    invite, token = Invite.new(
        athlete=athlete, email=athlete.email, created_by=None, now=timezone.now() - timedelta(days=4)
    )
    invite.save()
    response = client.get(reverse("invite_accept", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    response = client.post(
        reverse("invite_accept", args=[token]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    athlete.refresh_from_db()
    assert athlete.user is None


def test_unknown_invite_link_is_a_plain_404(client, db):
    response = client.get(reverse("invite_accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_sending_a_new_invite_replaces_the_old_link(client_for, people):
    athlete = AthleteFactory(clinic=people.clinic, email="twice@example.com")
    client = client_for("clinician")
    client.post(reverse("athlete_invite", args=[athlete.pk]))
    client.post(reverse("athlete_invite", args=[athlete.pk]))
    assert len(mail.outbox) == 2
    old, new = (link_path(m.body) for m in mail.outbox)
    client.logout()
    assert "newer invite" in client.get(old).content.decode()
    assert client.get(new).status_code == 200


def test_only_a_hash_of_the_token_is_stored(people):
    athlete = AthleteFactory(clinic=people.clinic)
    invite, token = Invite.new(athlete=athlete, email=athlete.email, created_by=None)
    invite.save()
    assert token not in invite.token_hash
    assert Invite.objects.find(token) == invite


def test_invite_for_athlete_with_login_is_refused(client_for, people):
    client = client_for("clinician")
    response = client.post(reverse("athlete_invite", args=[people.athlete_a.pk]), follow=True)
    assert "already has a login" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "extra,field,message",
    [
        ({"first_name": ""}, "first_name", "Enter the athlete's first name."),
        ({"email": "not-an-email"}, "email", "it should look like name@example.com"),
        ({"email": ""}, "email", "Add an email address to send the invite"),
        ({"weekly_km": "-3"}, "weekly_km", "Weekly distance can't be negative."),
        ({"weekly_km": "lots"}, "weekly_km", "Weekly distance must be a number."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"sex": "robot"}, "sex", "Choose the athlete's sex from the list."),
        ({"first_name": "x" * 200}, "first_name", "Keep the athlete's first name to 80 characters"),
    ],
    ids=[
        "missing-name",
        "bad-email",
        "invite-without-email",
        "negative-km",
        "km-not-a-number",
        "future-birth",
        "bad-sex",
        "long-name",
    ],
)
def test_add_athlete_bad_input_shows_field_errors(client_for, people, extra, field, message):
    response = add_athlete(client_for("clinician"), **extra)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Athlete.objects.filter(last_name="Ibarra").exists()


def test_add_athlete_refuses_duplicate_email_in_clinic(client_for, people):
    response = add_athlete(client_for("clinician"), email=people.athlete_b.email.upper())
    assert response.status_code == 200
    assert "already in the clinic" in response.content.decode()


def test_add_athlete_cannot_pick_other_clinics_clinician(client_for, people):
    response = add_athlete(client_for("clinician"), primary=str(people.other_clinician.pk))
    assert response.status_code == 200
    assert "primary" in response.context["form"].errors


def test_add_athlete_without_invite(client_for, people):
    # The one who adds the athlete is their primary clinician: here the clinic's manager, a coach.
    Clinician.objects.filter(pk=people.coach.pk).update(is_manager=True)
    response = add_athlete(client_for("coach"), email="", send_invite="")
    assert response.status_code == 302
    athlete = Athlete.objects.get(last_name="Ibarra")
    assert athlete.primary_clinician == people.coach
    assert mail.outbox == []
