"""Shared care (portal.shared_care): an athlete's own coach from outside the clinic, invited by the athlete or by a
clinician with the athlete's consent, accepting with a new or an existing login, removed at once."""

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal import services as portal_services
from portal import shared_care
from portal.models import ApiToken, AuditEntry, SharedCare, User
from tests.factories import ClinicianFactory, UserFactory

PASSWORD = "long-enough-and-unusual-42"


def link_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/care-team/join/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def invite_as_athlete(client, **extra):
    data = {"name": "Cora Club", "email": "cora@club.example", "organisation": "Riverside RC", **extra}
    return client.post(reverse("my_team"), data)


def test_the_athlete_invites_their_coach_who_sets_a_password_and_joins(client_for, people):
    client = client_for("athlete_a")
    response = invite_as_athlete(client)
    assert response.status_code == 302 and response.url == reverse("my_team")
    row = SharedCare.objects.get()
    assert (row.athlete, row.consent, row.invited_by) == (people.athlete_a, "athlete", people.athlete_a.user)
    assert row.state() == "pending"
    (email,) = mail.outbox
    assert email.to == ["cora@club.example"]
    assert "Anna" in email.subject and "Aalto" not in email.subject  # the subject names no one fully
    assert "choose a password" in email.body
    page = client.get(reverse("my_team")).content.decode()
    assert "Cora Club" in page and "not accepted yet" in page

    client.logout()
    path = link_path(email.body)
    assert "Welcome, Cora Club" in client.get(path).content.decode()
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="cora@club.example")
    row.refresh_from_db()
    assert (row.user, row.state()) == (user, "active")
    assert user.has_shared_care and not user.is_staff
    assert shared_care.shared_athlete_ids(user) == {people.athlete_a.pk}
    assert client.get(path).status_code == 410  # used once


def test_an_existing_login_from_another_clinic_accepts_after_logging_in(client, people):
    coach = ClinicianFactory(clinic=people.other_clinic, profession="coach", user__email="Cora@Club.example")
    row, link = shared_care.invite(
        athlete=people.athlete_a, name="Cora", email="cora@club.example", by=people.athlete_a.user
    )
    assert "Log in with your Stride Clinic login" in mail.outbox[0].body
    path = link_path(mail.outbox[0].body)
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert "already has a Stride Clinic login" in response.content.decode()
    client.force_login(coach.user)
    assert "Join the care team" in client.get(path).content.decode()
    assert client.post(path).status_code == 302
    row.refresh_from_db()
    assert row.user == coach.user
    coach.user.refresh_from_db()
    assert shared_care.shared_athlete_ids(coach.user) == {people.athlete_a.pk}


def test_someone_else_logged_in_cannot_use_the_link(client, people):
    shared_care.invite(
        athlete=people.athlete_a, name="Cora", email="cora@club.example", by=people.athlete_a.user
    )
    path = link_path(mail.outbox[0].body)
    client.force_login(people.athlete_b.user)
    response = client.post(path)
    assert response.status_code == 409
    assert "This invite is for cora@club.example" in response.content.decode()
    assert not SharedCare.objects.filter(user__isnull=False).exists()


def test_a_clinician_invites_only_with_the_athletes_consent_recorded(client_for, people):
    client = client_for("clinician")
    url = reverse("athlete_shared_care", args=[people.athlete_a.pk])
    data = {"name": "Cora", "email": "cora@club.example"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Tick this once the athlete has agreed." in response.content.decode()
    assert not SharedCare.objects.exists() and not mail.outbox
    assert client.post(url, {**data, "consent_recorded": "on"}).status_code == 302
    row = SharedCare.objects.get()
    assert (row.consent, row.invited_by) == ("recorded", people.clinician.user)
    assert "their clinician sends this on their behalf" in mail.outbox[0].body


@pytest.mark.parametrize(
    "email,error",
    [
        ("anna.aalto@example.com", "the athlete's own address"),
        ("", "Enter the coach's email address."),
        ("not-an-email", "Enter an email address like"),
    ],
)
def test_a_wrong_invite_is_refused_next_to_its_field(client_for, people, email, error):
    people.athlete_a.email = "Anna.Aalto@example.com"
    people.athlete_a.save()
    response = invite_as_athlete(client_for("athlete_a"), email=email)
    assert response.status_code == 200
    assert error in html.unescape(response.content.decode())
    assert not SharedCare.objects.exists()


def test_the_clinics_own_clinician_is_added_to_the_team_not_invited(people):
    with pytest.raises(ValidationError, match="add them to the care team instead"):
        shared_care.invite(
            athlete=people.athlete_a,
            name="Coach",
            email=people.coach.user.email.upper(),
            by=people.athlete_a.user,
        )


def test_one_open_invite_per_coach_and_a_daily_cap(people):
    by = people.athlete_a.user
    shared_care.invite(athlete=people.athlete_a, name="Cora", email="cora@club.example", by=by)
    with pytest.raises(ValidationError, match="already invited"):
        shared_care.invite(athlete=people.athlete_a, name="Cora", email="CORA@club.example", by=by)
    # an expired invite makes way for a new one
    later = timezone.now() + timedelta(days=shared_care.VALID_DAYS + 1)
    shared_care.invite(athlete=people.athlete_a, name="Cora", email="cora@club.example", by=by, now=later)
    assert SharedCare.objects.open().count() == 1
    for n in range(shared_care.INVITES_PER_DAY - 1):
        shared_care.invite(athlete=people.athlete_a, name="C", email=f"c{n}@club.example", by=by, now=later)
    with pytest.raises(ValidationError, match="Try again tomorrow"):
        shared_care.invite(athlete=people.athlete_a, name="C", email="late@club.example", by=by, now=later)


def accepted(people, email="cora@club.example"):
    row, _link = shared_care.invite(
        athlete=people.athlete_a, name="Cora", email=email, by=people.athlete_a.user
    )
    user = UserFactory(email=email)
    shared_care.accept_as(row=row, user=user)
    user.refresh_from_db()
    return row, user


def test_the_athlete_removes_their_coach_at_once_and_a_login_left_without_access_loses_its_tokens(
    client_for, people
):
    row, user = accepted(people)
    ApiToken.objects.create(user=user, name="watch app", key_hash="x" * 64, key_start="x", login_check="x")
    client = client_for("athlete_a")
    response = client.post(reverse("shared_care_remove", args=[row.pk]))
    assert response.status_code == 302 and response.url == reverse("my_team")
    row.refresh_from_db()
    assert row.state() == "removed" and row.removed_by == people.athlete_a.user
    user.refresh_from_db()
    assert not user.has_shared_care
    assert shared_care.shared_athlete_ids(user) == frozenset()
    assert not ApiToken.objects.filter(user=user).exists()
    assert client.post(reverse("shared_care_remove", args=[row.pk])).status_code == 302  # a double click


@pytest.mark.parametrize(
    "persona,status",
    [("anonymous", 302), ("athlete_b", 404), ("other_clinician", 404), ("coach", 403), ("clinician", 302)],
)
def test_who_may_remove_an_outside_member(client_for, people, persona, status):
    row, _user = accepted(people)
    response = client_for(persona).post(reverse("shared_care_remove", args=[row.pk]))
    assert response.status_code == status
    row.refresh_from_db()
    assert (row.removed_at is not None) == (persona == "clinician")


@pytest.mark.parametrize(
    "persona,status",
    [("anonymous", 302), ("athlete_a", 403), ("coach", 403), ("other_clinician", 404), ("clinician", 200),
     ("superuser", 200)],
)  # fmt: skip
def test_who_may_open_the_clinics_care_team_page(client_for, people, persona, status):
    response = client_for(persona).get(reverse("athlete_shared_care", args=[people.athlete_a.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("persona,status", [("anonymous", 302), ("clinician", 403), ("athlete_a", 200)])
def test_only_an_athlete_has_my_care_team(client_for, people, persona, status):
    assert client_for(persona).get(reverse("my_team")).status_code == status


def test_the_outside_member_may_leave_by_themselves(client, people):
    row, user = accepted(people)
    client.force_login(user)
    assert client.post(reverse("shared_care_remove", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert row.removed_by == user


def test_names_are_escaped_on_the_team_page(client_for, people):
    shared_care.invite(
        athlete=people.athlete_a,
        name="<script>alert(1)</script>",
        email="x@club.example",
        by=people.athlete_a.user,
    )
    page = client_for("athlete_a").get(reverse("my_team")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_deleting_the_athletes_personal_data_ends_the_outside_coachs_access(people):
    row, user = accepted(people)
    portal_services.anonymise_athlete(people.athlete_a, by=people.clinician.user)
    row.refresh_from_db()
    user.refresh_from_db()
    assert row.state() == "removed" and not user.has_shared_care


def test_the_audit_trail_records_who_invited_and_who_removed(people):
    row, user = accepted(people)
    shared_care.remove(row=row, by=people.athlete_a.user)
    entries = AuditEntry.objects.filter(athlete=people.athlete_a, content_type__model="sharedcare")
    assert entries.count() >= 3  # invited, accepted, removed
    assert all("token_hash" not in (entry.changes or {}) for entry in entries)
