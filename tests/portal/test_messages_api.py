"""Care-team messages over the API (/api/v1/messages/): who lists and posts what, marking read, bad input and
the rate limit (portal.api_messages)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import care_messages
from portal.models import Message

PERSONAS = ["anonymous", "athlete_a", "athlete_b", "clinician", "coach", "other_clinician", "superuser"]
LIST = reverse("message-list")


@pytest.fixture
def thread(people):
    a = people.athlete_a
    first = care_messages.message_post(athlete=a, author=a.user, channel="team", body="Sore after hills")
    note = care_messages.message_post(
        athlete=a, author=people.coach.user, channel="staff", body="Check shoes"
    )
    return first, note


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("anonymous", 401),
        ("athlete_a", "team"),
        ("athlete_b", "none"),
        ("clinician", "both"),
        ("coach", "both"),
        ("other_clinician", "none"),
        ("superuser", "both"),
    ],
)
def test_who_lists_which_messages(people, client_for, thread, persona, expected):
    first, note = thread
    response = client_for(persona).get(LIST)
    if expected == 401:
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 200
    assert (
        sorted(ids(response))
        == {"team": [first.pk], "none": [], "both": sorted([first.pk, note.pk])}[expected]
    )


@pytest.mark.parametrize(
    "persona,channel,expected",
    [
        ("anonymous", "team", (401, 403)),
        ("athlete_a", "team", (201,)),
        ("athlete_a", "staff", (403,)),
        ("athlete_b", "team", (400,)),  # Anna's thread does not exist for Bruno
        ("clinician", "team", (201,)),
        ("clinician", "staff", (201,)),
        ("coach", "staff", (201,)),
        ("other_clinician", "team", (400,)),
        ("superuser", "team", (403,)),
    ],
)
def test_who_posts_where(people, client_for, persona, channel, expected):
    body = {"athlete": people.athlete_a.pk, "channel": channel, "body": "Hello"}
    response = client_for(persona).post(LIST, body, content_type="application/json")
    assert response.status_code in expected
    assert Message.objects.filter(body="Hello").count() == (1 if expected == (201,) else 0)
    if expected == (400,):
        assert "athlete" in response.json()["errors"]


def test_athlete_posts_to_their_own_thread_without_naming_it(people, client_for):
    response = client_for("athlete_b").post(LIST, {"body": "Can I race?"}, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["athlete"] == people.athlete_b.pk and data["channel"] == "team" and data["own"] is True
    assert data["author_name"] == "Bruno Bianchi" and data["unread"] is False


def test_clinician_must_name_the_athlete(client_for, people):
    response = client_for("clinician").post(LIST, {"body": "Hi"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"]["athlete"]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"body": 12}, "body"),
        ({"body": "a\x00b"}, "body"),
        ({"body": "Hi", "channel": "everyone"}, "channel"),
        ({"body": "Hi", "athlete": "abc"}, "athlete"),
        ({"body": "Hi", "athlete": 10**30}, "athlete"),
        ({}, "body"),
    ],
    ids=["empty", "blank", "too-long", "number", "nul", "channel", "athlete-text", "athlete-huge", "nothing"],
)
def test_bad_input_is_a_400_naming_the_field(client_for, people, body, field):
    response = client_for("athlete_a").post(LIST, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Message.objects.exists()


def test_rate_limit_is_a_429_with_retry_after(client_for, people):
    now = timezone.now()
    for n in range(care_messages.RATE):
        care_messages.message_post(
            athlete=people.athlete_a,
            author=people.athlete_a.user,
            channel="team",
            body=f"m{n}",
            now=now - timedelta(milliseconds=n),  # separate posts: each at its own time
        )
    response = client_for("athlete_a").post(LIST, {"body": "more"}, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and int(response["Retry-After"]) > 500


def test_unread_flags_counts_and_mark_read(client_for, people, thread):
    first, note = thread
    client = client_for("clinician")
    rows = {row["id"]: row for row in client.get(LIST, {"athlete": people.athlete_a.pk}).json()["results"]}
    assert rows[first.pk]["unread"] is True and rows[note.pk]["unread"] is True
    unread = client.get(reverse("message-unread")).json()
    assert unread["total"] == 2
    assert unread["threads"] == [
        {
            "athlete": people.athlete_a.pk,
            "athlete_name": "Anna Aalto",
            "team": 1,
            "staff": 1,
            "latest": unread["threads"][0]["latest"],
        }
    ]
    response = client.post(
        reverse("message-read"),
        {"athlete": people.athlete_a.pk, "channel": "staff"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["total"] == 1
    assert client.get(reverse("message-detail", args=[note.pk])).json()["unread"] is False


def test_athlete_cannot_mark_or_read_the_staff_channel(client_for, people, thread):
    client = client_for("athlete_a")
    response = client.post(reverse("message-read"), {"channel": "staff"}, content_type="application/json")
    assert response.status_code == 403
    assert client.get(reverse("message-detail", args=[thread[1].pk])).status_code == 404
    assert client.get(LIST, {"channel": "staff"}).json()["results"] == []


def test_bodies_come_back_as_text_not_markup(client_for, people):
    hostile = '<script>alert("x")</script>'
    client = client_for("athlete_a")
    response = client.post(LIST, {"body": hostile}, content_type="application/json")
    assert response.json()["body"] == hostile and response["Content-Type"].startswith("application/json")


def test_list_takes_constant_queries(client_for, people, django_assert_max_num_queries):
    for n in range(15):
        author = people.athlete_a.user if n % 2 else people.clinician.user
        care_messages.message_post(athlete=people.athlete_a, author=author, channel="team", body=f"m{n}")
    client = client_for("clinician")
    client.get(LIST)
    with django_assert_max_num_queries(10):
        assert len(client.get(LIST).json()["results"]) == 15
