"""Care-team messages on the pages: who may read and write which channel, unread counts, batched emails,
escaping, export, deletion and the rate limit (portal.care_messages, portal.views_messages)."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal import care_messages, export, services
from portal.models import AuditEntry, Message, MessageRead, Notify
from tests.access import LOGIN, assert_outcome

PERSONAS = ["anonymous", "athlete_a", "athlete_b", "clinician", "coach", "other_clinician", "superuser"]
HOSTILE = '<script>alert("x")</script>'


def post(athlete, author, body="How is the hip today?", channel="team", **kwargs):
    return care_messages.message_post(athlete=athlete, author=author, channel=channel, body=body, **kwargs)


@pytest.fixture
def thread(people):
    """Anna's thread: one message from her, one reply from Maya (her physio), one staff note from the coach."""
    a, maya, coach = people.athlete_a, people.clinician.user, people.coach.user
    now = timezone.now()
    first = post(a, a.user, "My hip aches after 5 km.", now=now - timedelta(hours=3))
    reply = post(a, maya, "Hold at 4 km this week, then we review.", now=now - timedelta(hours=2))
    note = post(a, coach, "Watch her cadence on Thursday.", channel="staff", now=now - timedelta(hours=1))
    return first, reply, note


# ------------------------------------------------------------------------------------------------ access

PAGES = {
    # page: expected GET per persona (anonymous, athlete_a, athlete_b, clinician, coach, other_clinician, su)
    "my_messages": [LOGIN, 200, 200, 403, 403, 403, 403],
    "athlete_messages": [LOGIN, 403, 403, 200, 200, 404, 200],
    "message_inbox": [LOGIN, 403, 403, 200, 200, 200, 200],
}


def _url(page, people):
    return reverse(page, args=[people.athlete_a.pk]) if page == "athlete_messages" else reverse(page)


@pytest.mark.parametrize(
    "page,persona,expected",
    [
        pytest.param(page, persona, expected, id=f"{page}-{persona}")
        for page, row in PAGES.items()
        for persona, expected in zip(PERSONAS, row, strict=True)
    ],
)
def test_who_may_open_the_message_pages(people, client_for, page, persona, expected):
    assert_outcome(client_for(persona).get(_url(page, people)), expected)


POSTS = {
    # (page, channel): expected POST per persona
    ("my_messages", "team"): [LOGIN, 302, 302, 403, 403, 403, 403],
    ("athlete_messages", "team"): [LOGIN, 403, 403, 302, 302, 404, 403],
    ("athlete_messages", "staff"): [LOGIN, 403, 403, 302, 302, 404, 403],
}


@pytest.mark.parametrize(
    "page,channel,persona,expected",
    [
        pytest.param(page, channel, persona, expected, id=f"{page}-{channel}-{persona}")
        for (page, channel), row in POSTS.items()
        for persona, expected in zip(PERSONAS, row, strict=True)
    ],
)
def test_who_may_write_in_which_channel(people, client_for, page, channel, persona, expected):
    response = client_for(persona).post(_url(page, people), {"body": "Hello", "channel": channel})
    assert_outcome(response, expected)
    written = Message.objects.filter(body="Hello")
    assert written.count() == (1 if expected == 302 else 0)
    if expected == 302:
        athlete = people.athlete_b if persona == "athlete_b" else people.athlete_a
        assert written.get().athlete == athlete and written.get().channel == channel


def test_athlete_never_sees_the_staff_notes(people, client_for, thread):
    first, reply, note = thread
    page = client_for("athlete_a").get(reverse("my_messages"))
    text = page.content.decode()
    assert first.body in text and reply.body in text and note.body not in text
    # ?channel=staff means nothing on the athlete's page, and the queryset gate agrees
    assert (
        note.body
        not in client_for("athlete_a").get(reverse("my_messages") + "?channel=staff").content.decode()
    )
    assert list(Message.objects.visible_to(people.athlete_a.user)) == [first, reply]
    with pytest.raises(PermissionDenied):
        post(people.athlete_a, people.athlete_a.user, channel="staff")
    with pytest.raises(PermissionDenied):
        care_messages.mark_read(user=people.athlete_a.user, athlete=people.athlete_a, channel="staff")


def test_other_athletes_and_other_clinics_see_nothing_of_the_thread(people, client_for, thread):
    assert not Message.objects.visible_to(people.athlete_b.user).exists()
    assert not Message.objects.visible_to(people.other_clinician.user).exists()
    assert not Message.objects.visible_to(None).exists()
    assert thread[0].body not in client_for("athlete_b").get(reverse("my_messages")).content.decode()


def test_clinician_page_shows_the_channel_asked_for(people, client_for, thread):
    first, reply, note = thread
    client = client_for("clinician")
    team = client.get(reverse("athlete_messages", args=[people.athlete_a.pk])).content.decode()
    assert first.body in team and note.body not in team
    staff = client.get(reverse("athlete_messages", args=[people.athlete_a.pk]) + "?channel=staff")
    assert note.body in staff.content.decode() and first.body not in staff.content.decode()
    assert "never sees them" in staff.content.decode()


def test_superuser_reads_both_channels_and_writes_neither(people, client_for, thread):
    client = client_for("superuser")
    page = client.get(reverse("athlete_messages", args=[people.athlete_a.pk]) + "?channel=staff")
    assert thread[2].body in page.content.decode() and 'name="body"' not in page.content.decode()
    with pytest.raises(PermissionDenied):
        post(people.athlete_a, people.superuser)


def test_viewing_a_thread_is_in_the_audit_trail(people, client_for, thread):
    before = AuditEntry.objects.filter(
        athlete_id=people.athlete_a.pk, action=AuditEntry.Action.ACCESS
    ).count()
    client_for("coach").get(reverse("athlete_messages", args=[people.athlete_a.pk]))
    after = AuditEntry.objects.filter(athlete_id=people.athlete_a.pk, action=AuditEntry.Action.ACCESS).count()
    assert after == before + 1


def test_posting_a_message_is_in_the_audit_trail(people):
    message = post(people.athlete_a, people.athlete_a.user)
    entries = list(AuditEntry.objects.filter(object_pk=str(message.pk), content_type__model="message"))
    assert [entry.action for entry in entries] == [AuditEntry.Action.CREATE]
    assert entries[0].athlete_id == people.athlete_a.pk and entries[0].clinic_id == people.clinic.pk
    # The text is the message's own: not copied into the trail, where it would outlive a deletion.
    assert "body" not in entries[0].changes and entries[0].changes["channel"] == ["None", "team"]


# ------------------------------------------------------------------------------------------------ unread


def test_unread_counts_follow_each_persons_reading(people, client_for, thread):
    maya, coach, anna = people.clinician.user, people.coach.user, people.athlete_a.user
    # Anna wrote the first message and read up to her own post; Maya's reply is new to her.
    assert care_messages.unread_total(anna) == 1
    # Maya (care team) has Anna's message read by replying; the coach's staff note is new.
    assert care_messages.unread_total(maya) == 1
    assert care_messages.unread_by_channel(maya, people.athlete_a) == {"team": 0, "staff": 1}
    # The coach is not on Anna's care team: no count in the navigation, but the thread shows what is new.
    assert care_messages.unread_total(coach) == 0
    assert care_messages.unread_by_channel(coach, people.athlete_a) == {"team": 2, "staff": 0}

    page = client_for("athlete_a").get(reverse("rehab:athlete_today"))
    assert 'Messages <span class="badge' in page.content.decode()
    client_for("athlete_a").get(reverse("my_messages"))  # reading marks read
    assert care_messages.unread_total(anna) == 0
    assert (
        'Messages <span class="badge'
        not in client_for("athlete_a").get(reverse("my_messages")).content.decode()
    )


def test_inbox_lists_threads_with_unread_messages(people, client_for, thread):
    post(people.athlete_b, people.athlete_b.user, "Can I race on Sunday?")
    page = client_for("clinician").get(reverse("message_inbox"))
    text = page.content.decode()
    assert "Bruno Bianchi" in text and "Anna Aalto" in text and "1 new staff note" in text
    client_for("clinician").get(reverse("athlete_messages", args=[people.athlete_b.pk]))
    assert "Bruno Bianchi" not in client_for("clinician").get(reverse("message_inbox")).content.decode()


def test_navigation_and_inbox_counts_take_constant_queries(people, client_for, django_assert_max_num_queries):
    from tests import factories

    for n in range(12):
        athlete = factories.AthleteWithLoginFactory(clinic=people.clinic)
        factories.CareTeamMemberFactory(athlete=athlete, clinician=people.clinician)
        post(athlete, athlete.user, f"Message {n}")
        post(athlete, people.coach.user, "Note", channel="staff")
    client = client_for("clinician")
    client.get(reverse("message_inbox"))  # warm the session
    with django_assert_max_num_queries(8):  # session, user, the count, the threads, their athletes
        page = client.get(reverse("message_inbox"))
    assert page.content.decode().count("list-group-item-action") == 12
    with django_assert_max_num_queries(1):
        assert care_messages.unread_total(people.clinician.user) == 24


def test_thread_page_takes_constant_queries(people, client_for, django_assert_max_num_queries):
    for n in range(20):
        post(people.athlete_a, people.athlete_a.user if n % 2 else people.clinician.user, f"Message {n}")
    client = client_for("clinician")
    client.get(reverse("athlete_messages", args=[people.athlete_a.pk]))
    with django_assert_max_num_queries(16):
        client.get(reverse("athlete_messages", args=[people.athlete_a.pk]))


# ------------------------------------------------------------------------------------------------ email


def test_email_says_there_is_a_message_never_what_it_says(people, mailoutbox):
    post(people.athlete_a, people.athlete_a.user, f"Private: my knee {HOSTILE}")
    assert [m.to for m in mailoutbox] == [[people.clinician.user.email]]
    email = mailoutbox[0]
    assert "Private" not in email.body and "script" not in email.body and "Private" not in email.subject
    assert "Anna Aalto" in email.subject
    assert reverse("athlete_messages", args=[people.athlete_a.pk]) in email.body


def test_reply_emails_the_athlete_with_a_link_to_their_messages(people, mailoutbox):
    post(people.athlete_a, people.clinician.user, "Hold at 4 km.")
    assert [m.to for m in mailoutbox] == [[people.athlete_a.user.email]]
    assert reverse("my_messages") in mailoutbox[0].body
    assert "Hold at" not in mailoutbox[0].body


def test_staff_notes_never_email_the_athlete(people, mailoutbox):
    post(people.athlete_a, people.coach.user, "Cadence drill", channel="staff")
    assert [m.to for m in mailoutbox] == [[people.clinician.user.email]]


def sweep(now) -> int:
    """What the minute's sweep does at `now`: every recent thread's emails."""
    return sum(
        care_messages.notify_thread(athlete_id=pk, now=now) for pk in care_messages.threads_waiting(now=now)
    )


def test_emails_are_batched_to_one_per_person_and_thread_per_quarter_hour(people, jobs, mailoutbox):
    start = timezone.now() - timedelta(minutes=40)
    anna = people.athlete_a
    post(anna, anna.user, "One", now=start)
    assert sweep(start) == 1
    post(anna, anna.user, "Two", now=start + timedelta(minutes=5))
    post(anna, anna.user, "Three", now=start + timedelta(minutes=6))
    assert sweep(start + timedelta(minutes=6)) == 0  # held back
    assert (
        sweep(start + timedelta(minutes=16)) == 1
    )  # the quarter has passed: one email for "Two" and "Three"
    assert sweep(start + timedelta(minutes=16)) == 0
    assert sweep(start + timedelta(minutes=35)) == 0  # nothing new since
    assert [m.to for m in mailoutbox] == [[people.clinician.user.email]] * 2


def test_a_held_message_read_meanwhile_sends_nothing(people, jobs, mailoutbox):
    start = timezone.now() - timedelta(minutes=20)
    anna = people.athlete_a
    post(anna, anna.user, "One", now=start)
    sweep(start)
    post(anna, anna.user, "Two", now=start + timedelta(minutes=5))
    care_messages.mark_read(
        user=people.clinician.user, athlete=anna, channel="team", now=start + timedelta(minutes=6)
    )
    assert sweep(start + timedelta(minutes=16)) == 0
    assert len(mailoutbox) == 1


def test_the_sweep_job_enqueues_each_recent_thread_once(people, jobs):
    from portal.tasks.messages import message_sweep

    post(people.athlete_a, people.athlete_a.user)
    post(people.athlete_b, people.athlete_b.user)
    jobs.run()  # the posts' own jobs: while one waits, the sweep adds none
    assert message_sweep() == 2
    assert jobs.names() == [care_messages.NOTIFY_TASK] * 2


def test_notify_job_is_idempotent(people, jobs, mailoutbox):
    post(people.athlete_a, people.athlete_a.user)
    assert jobs.names() == [care_messages.NOTIFY_TASK]
    jobs.sent.append(jobs.sent[0])  # the same job twice (a retry, two workers)
    jobs.run()
    assert len(mailoutbox) == 1


def test_clinicians_who_chose_no_email_for_notices_get_none(people, mailoutbox):
    people.clinician.notify_notice = Notify.OFF
    people.clinician.save()
    post(people.athlete_a, people.athlete_a.user)
    assert mailoutbox == []
    people.clinician.notify_notice = Notify.DIGEST  # "in my daily digest": still the batched email
    people.clinician.save()
    post(people.athlete_b, people.athlete_b.user)
    assert len(mailoutbox) == 1


# ------------------------------------------------------------------------------------------------ escaping


def test_messages_are_escaped_on_every_page(people, client_for):
    post(people.athlete_a, people.athlete_a.user, HOSTILE)
    post(people.athlete_a, people.clinician.user, HOSTILE, channel="staff")
    pages = [
        client_for("athlete_a").get(reverse("my_messages")),
        client_for("clinician").get(reverse("athlete_messages", args=[people.athlete_a.pk])),
        client_for("clinician").get(
            reverse("athlete_messages", args=[people.athlete_a.pk]) + "?channel=staff"
        ),
        client_for("superuser").get(reverse("admin:portal_message_changelist")),
        client_for("superuser").get(
            reverse("admin:portal_message_change", args=[Message.objects.first().pk])
        ),
    ]
    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        assert HOSTILE not in text and "&lt;script&gt;" in text


# ------------------------------------------------------------------------------------------------ form


def test_empty_and_long_messages_are_refused_with_a_clear_error(people, client_for):
    client = client_for("athlete_a")
    empty = client.post(reverse("my_messages"), {"body": "   "})
    assert empty.status_code == 200 and "Write a message first." in empty.content.decode()
    long = client.post(reverse("my_messages"), {"body": "x" * 2001})
    assert long.status_code == 200 and "2000 characters" in long.content.decode()
    assert not Message.objects.exists()


def test_rate_limit_refuses_the_31st_message_in_ten_minutes(people, client_for):
    start = timezone.now() - timedelta(seconds=5)
    for n in range(care_messages.RATE):  # separate posts: each at its own time
        post(people.athlete_a, people.athlete_a.user, f"m{n}", now=start + timedelta(milliseconds=n))
    response = client_for("athlete_a").post(reverse("my_messages"), {"body": "one more"})
    assert response.status_code == 200
    assert "Please wait 10 minutes" in response.content.decode()
    with pytest.raises(care_messages.RateLimited):
        post(people.athlete_a, people.athlete_a.user, now=start + timedelta(minutes=9))
    post(people.athlete_a, people.clinician.user, now=start)  # counted per person
    post(people.athlete_a, people.athlete_a.user, "later", now=start + timedelta(minutes=10, seconds=1))


# ------------------------------------------------------------------------------------------------ records


def test_export_holds_the_team_thread_and_never_the_staff_notes(people, thread):
    first, reply, note = thread
    data = export.export_data(people.athlete_a)
    assert [row["message"] for row in data["messages"]] == [first.body, reply.body]
    assert [row["from"] for row in data["messages"]] == ["you", "Maya Okafor"]
    archive = zipfile.ZipFile(io.BytesIO(export.export_zip(people.athlete_a)))
    rows = archive.read("messages.csv").decode("utf-8-sig")
    assert rows.splitlines()[0] == "when,channel,from,message"
    assert first.body in rows and note.body not in rows and "staff" not in rows
    assert "messages.csv" in archive.read("README.txt").decode()
    assert note.body not in archive.read(export.JSON_NAME).decode()


def test_empty_export_still_names_the_columns(people):
    archive = zipfile.ZipFile(io.BytesIO(export.export_zip(people.athlete_b)))
    assert archive.read("messages.csv").decode("utf-8-sig").strip() == "when,channel,from,message"


def test_deleting_personal_data_deletes_the_thread_and_its_trail(people, thread):
    first = thread[0]
    services.anonymise_athlete(people.athlete_a, by=people.clinician.user)
    assert not Message.objects.filter(athlete=people.athlete_a).exists()
    assert not MessageRead.objects.filter(athlete=people.athlete_a).exists()
    entries = AuditEntry.objects.filter(object_pk=str(first.pk), content_type__model="message")
    assert entries.exists()
    assert all(first.body not in str(entry.changes) for entry in entries)
    people.athlete_a.refresh_from_db()
    with pytest.raises(ValidationError):
        post(people.athlete_a, people.clinician.user)


def test_the_demo_has_a_short_exchange_and_staff_notes(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    messages = Message.objects.filter(athlete__email="anna@demo.example")
    assert messages.filter(channel="team").count() == 4 and messages.filter(channel="staff").count() == 2


@pytest.fixture
def outside_coach(people):
    """Cora, Anna's own club coach, on her care team by her consent (portal.shared_care)."""
    from portal import shared_care
    from tests.factories import UserFactory

    row, _link = shared_care.invite(
        athlete=people.athlete_a, name="Cora Club", email="cora@club.example", by=people.athlete_a.user
    )
    user = UserFactory(email="cora@club.example", first_name="Cora", last_name="Club")
    shared_care.accept_as(row=row, user=user)
    user.refresh_from_db()
    return user


def test_the_athletes_own_coach_from_outside_is_on_the_thread(
    people, client, outside_coach, thread, mailoutbox
):
    first, reply, note = thread
    assert set(Message.objects.visible_to(outside_coach)) == {first, reply, note}
    assert care_messages.unread_total(outside_coach) == 3
    client.force_login(outside_coach)
    page = client.get(reverse("athlete_messages", args=[people.athlete_a.pk]) + "?channel=staff")
    assert page.status_code == 200 and note.body in page.content.decode()
    assert client.get(reverse("athlete_messages", args=[people.athlete_b.pk])).status_code == 404
    assert not care_messages.may_post(outside_coach, people.athlete_b, "team")
    mailoutbox.clear()  # the invite
    post(people.athlete_a, people.athlete_a.user, "Cora, can I do the club intervals?")
    assert sorted(m.to[0] for m in mailoutbox) == ["cora@club.example", people.clinician.user.email]
