"""Adding or inviting an athlete tells a clinician nothing about logins outside their clinic; the person who
already has a login is emailed how to connect it, and connects it by logging in."""

import re

from django.core import mail
from django.urls import reverse

from portal.models import Athlete
from tests.factories import PASSWORD, UserFactory


def add(client, email: str, last_name: str):
    data = {"first_name": "Ines", "last_name": last_name, "email": email, "send_invite": "on"}
    return client.post(reverse("athlete_add"), data, follow=True)


def visible(response, *private: str) -> str:
    """The page's text without the CSRF token, the ids and the per-athlete details."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r"/(\d+)/", "/N/", text)  # ids in links
    text = re.sub(r"athlete=\d+", "athlete=N", text)
    text = re.sub(r"/invite/[\w-]+/", "/invite/TOKEN/", text)
    for word in private:
        text = text.replace(word, "X")
    return text


def link_path(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/invite/[^\s]+/)", body).group(1)


def test_adding_an_athlete_whose_email_logs_in_at_another_clinic_looks_like_any_new_email(client_for, people):
    known = people.athlete_a.user.email  # a Riverside athlete's login
    client = client_for("other_clinician")  # at Hilltop
    existing = add(client, known, "Known")
    fresh = add(client, "nobody-yet@example.com", "Fresh")
    assert existing.status_code == fresh.status_code == 200
    assert existing.redirect_chain[0][1] == fresh.redirect_chain[0][1] == 302
    assert visible(existing, known, "Known") == visible(fresh, "nobody-yet@example.com", "Fresh")
    assert "logs in" not in existing.content.decode()
    assert Athlete.objects.get(clinic=people.other_clinic, email=known).invites.count() == 1


def test_the_api_answers_an_existing_login_as_any_new_email(client_for, people):
    client = client_for("other_clinician")
    answers = []
    for email in (people.athlete_a.user.email, "nobody-yet@example.com"):
        created = client.post(
            "/api/v1/athletes/",
            {"first_name": "Ines", "last_name": "Ibarra", "email": email},
            "application/json",
        )
        assert created.status_code == 201, created.content
        invited = client.post(f"/api/v1/athletes/{created.json()['id']}/invite/")
        assert invited.status_code == 201, invited.content
        answers.append(set(invited.json()))
    assert answers[0] == answers[1]


def test_the_person_with_a_login_is_emailed_how_to_connect_it_and_connects_by_logging_in(client_for, people):
    login = UserFactory(email="runner@example.com")  # a login with no athlete record (theirs was removed)
    add(client_for("other_clinician"), "runner@example.com", "Runner")
    (email,) = mail.outbox
    assert "You already have a Stride Clinic login with this email address" in email.body
    path = link_path(email.body)

    client = client_for("anonymous")
    page = client.get(path).content.decode()
    assert "Set password and log in" in page and "Log in</a>, and this link connects your login" in page
    assert client.login(username="runner@example.com", password=PASSWORD)
    assert "Connect my login" in client.get(path).content.decode()
    response = client.post(path, {"connect": "1"})
    assert response.status_code == 302
    athlete = Athlete.objects.get(email="runner@example.com")
    assert athlete.user == login and athlete.clinic == people.other_clinic
    assert client.get(path).status_code == 410  # used up


def test_a_login_that_already_is_another_athlete_is_told_what_to_do_instead(client_for, people):
    add(client_for("other_clinician"), people.athlete_a.user.email, "Twice")
    path = link_path(mail.outbox[0].body)
    client = client_for("athlete_a")
    response = client.post(path, {"connect": "1"})
    assert response.status_code == 409
    assert "already holds your record at Riverside" in response.content.decode()
    assert Athlete.objects.get(last_name="Twice").user is None


def test_someone_else_logged_in_cannot_connect_the_invite(client_for, people):
    add(client_for("clinician"), "new-runner@example.com", "Newrunner")
    path = link_path(mail.outbox[0].body)
    response = client_for("clinician").post(path, {"connect": "1"})
    assert response.status_code == 409
    assert "This invite is for new-runner@example.com" in response.content.decode()
    assert Athlete.objects.get(last_name="Newrunner").user is None


def test_an_athlete_of_the_same_clinic_is_still_a_clear_duplicate(client_for, people):
    response = add(client_for("clinician"), people.athlete_b.email, "Again")
    assert "An athlete with this email address is already in the clinic." in response.content.decode()
