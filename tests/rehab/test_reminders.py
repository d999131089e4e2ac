"""Athlete reminder emails (rehab.reminders, rehab.tasks.reminders): who is due when, each email exactly once,
time zones and daylight-saving days, the silent-stretch nudge, the one-click unsubscribe and the settings page."""

import smtplib
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Athlete
from rehab import reminders, services
from rehab.models import DailyLog, Plan, ReminderSent
from rehab.tasks import reminders as reminder_tasks
from tests.access import LOGIN, assert_outcome
from tests.factories import AthleteWithLoginFactory, ClinicFactory

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
TODAY = date(2026, 6, 10)
# 19:30 in London (BST): past the default 19:00 reminder time.
EVENING = datetime(2026, 6, 10, 19, 30, tzinfo=LONDON)
LOG_TODAY, SILENT = ReminderSent.Kind.LOG_TODAY, ReminderSent.Kind.SILENT


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Riverside Physio", slug="riverside-physio", time_zone="Europe/London")


def runner(clinic, *, status=Plan.Status.ACTIVE, start=TODAY - timedelta(days=20), logged=(1,), **fields):
    """An athlete with a login and a plan started on `start`, who logged `logged` days before TODAY (default:
    yesterday, so that today's email is the plain "log today")."""
    athlete = AthleteWithLoginFactory(clinic=clinic, **fields)
    if status is not None:
        Plan.objects.create(athlete=athlete, name="Return to run", start_date=start, status=status)
    for days_ago in logged:
        DailyLog.objects.create(athlete=athlete, date=TODAY - timedelta(days=days_ago))
    return athlete


def send_due(now) -> int:
    """One tick's work, as the tick and its chunks do it."""
    return sum(
        reminders.reminders_send(athlete_ids=ids, kind=kind, day=day, now=now)
        for (kind, day), ids in reminders.reminders_due(now=now).items()
    )


def freeze(monkeypatch, instant: datetime) -> None:
    """The tasks read the clock themselves."""
    monkeypatch.setattr(timezone, "now", lambda: instant.astimezone(UTC))


# -------------------------------------------------------------------------------------------------- who is due


def _no_email(athlete):
    type(athlete.user).objects.filter(pk=athlete.user_id).update(email="")


def _inactive(athlete):
    type(athlete.user).objects.filter(pk=athlete.user_id).update(is_active=False)


def _anonymised(athlete):
    Athlete.objects.filter(pk=athlete.pk).update(anonymised_at=EVENING)


def _reminded(athlete):
    ReminderSent.objects.create(athlete=athlete, day=TODAY, kind=LOG_TODAY)


def _logged_today(athlete):
    DailyLog.objects.create(athlete=athlete, date=TODAY)


def _earlier_plan_completed_new_one_starts_tomorrow(athlete):
    """The start that counts is the active plan's."""
    Plan.objects.filter(athlete=athlete).update(status=Plan.Status.COMPLETED)
    Plan.objects.create(athlete=athlete, name="Strength block", start_date=TODAY + timedelta(days=1))


DUE_CASES = [
    pytest.param({}, None, True, id="due"),
    pytest.param({"reminder_time": time(19, 30)}, None, True, id="due-exactly-at-the-time"),
    pytest.param({"reminder_time": time(19, 35)}, None, False, id="time-not-reached"),
    pytest.param({}, _logged_today, False, id="already-logged-today"),
    pytest.param({}, _reminded, False, id="already-reminded-today"),
    pytest.param({"status": Plan.Status.PAUSED}, None, False, id="paused-plan"),
    pytest.param({"status": Plan.Status.COMPLETED}, None, False, id="completed-plan"),
    pytest.param({"status": Plan.Status.CANCELLED}, None, False, id="cancelled-plan"),
    pytest.param({"status": None}, None, False, id="no-plan"),
    pytest.param({"start": TODAY + timedelta(days=1)}, None, False, id="plan-starts-tomorrow"),
    pytest.param({}, _earlier_plan_completed_new_one_starts_tomorrow, False, id="next-plan-starts-tomorrow"),
    pytest.param({"reminders": False}, None, False, id="reminders-off"),
    pytest.param({"user": None}, None, False, id="no-login"),
    pytest.param({}, _no_email, False, id="login-without-email"),
    pytest.param({}, _inactive, False, id="login-switched-off"),
    pytest.param({}, _anonymised, False, id="anonymised"),
]


@pytest.mark.parametrize(("fields", "then", "due"), DUE_CASES)
def test_who_is_due_a_log_today_email(clinic, fields, then, due):
    athlete = runner(clinic, **fields)
    if then:
        then(athlete)
    expected = {(LOG_TODAY, TODAY): [athlete.pk]} if due else {}
    assert reminders.reminders_due(now=EVENING) == expected


def test_a_late_tick_still_sends_the_days_reminder_but_not_after_the_local_day(clinic):
    athlete = runner(clinic)
    assert reminders.reminders_due(now=EVENING + timedelta(hours=2)) == {(LOG_TODAY, TODAY): [athlete.pk]}
    after_midnight = datetime(2026, 6, 11, 0, 5, tzinfo=LONDON)
    assert reminders.reminders_due(now=after_midnight) == {}  # tomorrow's 19:00 has not come yet
    # A chunk queued for yesterday that only runs now sends nothing.
    assert (
        reminders.reminders_send(athlete_ids=[athlete.pk], kind=LOG_TODAY, day=TODAY, now=after_midnight) == 0
    )
    assert mail.outbox == []


def test_finding_who_is_due_takes_the_same_few_queries_for_many_athletes(clinic, django_assert_num_queries):
    new_york = ClinicFactory(name="Hudson Runners", slug="hudson", time_zone="America/New_York")
    for _ in range(3):
        runner(clinic)
        runner(new_york)
        runner(clinic, time_zone="Asia/Tokyo", logged=())
    with django_assert_num_queries(2):  # the zones, then the due athletes
        due = reminders.reminders_due(now=EVENING)
    # London's 19:30 is 14:30 in New York (not yet) and 03:30 tomorrow in Tokyo (not yet either).
    assert [(kind, day, len(ids)) for (kind, day), ids in due.items()] == [(LOG_TODAY, TODAY, 3)]


# -------------------------------------------------------------------------------------------------- the email


def test_the_email_greets_the_athlete_links_to_the_log_page_and_unsubscribes_in_one_click(clinic):
    athlete = runner(clinic, first_name="Anna", last_name="Aalto")
    Plan.objects.filter(athlete=athlete).update(name="Bone stress return")
    assert send_due(EVENING) == 1
    [email] = mail.outbox
    assert email.to == [athlete.user.email]
    assert "Anna" in email.subject
    body = email.body
    assert body.startswith("Hello Anna,")
    assert "Riverside Physio" in body
    assert settings.SITE_URL + reverse("rehab:log_today") in body
    unsubscribe = reminders.unsubscribe_url(athlete)
    assert unsubscribe in body
    assert email.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Aalto" not in body and "Bone stress" not in body  # no more about them than the first name
    message = email.message()  # the headers really go out with the email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"


# -------------------------------------------------------------------------------------------------- exactly once


def test_a_tick_fans_out_in_chunks_and_a_double_enqueue_sends_each_email_once(clinic, jobs, monkeypatch):
    monkeypatch.setattr(reminder_tasks, "REMINDER_CHUNK", 2)
    athletes = [runner(clinic) for _ in range(5)]
    freeze(monkeypatch, EVENING)
    assert reminder_tasks.reminders_tick() == 5
    assert reminder_tasks.reminders_tick() == 5  # a second tick before the first one's chunks ran
    assert jobs.names() == ["rehab.reminders_send"] * 6
    jobs.run()
    assert sorted(address for email in mail.outbox for address in email.to) == sorted(
        a.user.email for a in athletes
    )
    assert ReminderSent.objects.filter(day=TODAY, kind=LOG_TODAY).count() == 5
    assert reminder_tasks.reminders_tick() == 0  # all sent: nothing is due any more


def test_a_send_task_run_twice_sends_once(clinic, monkeypatch):
    athlete = runner(clinic)
    freeze(monkeypatch, EVENING)
    for _ in range(2):
        reminder_tasks.reminders_send.apply(([athlete.pk], LOG_TODAY, TODAY.isoformat()), throw=True)
    assert len(mail.outbox) == 1


def test_a_failed_send_leaves_no_claim_and_the_retry_sends_it_once(clinic, monkeypatch):
    first, second = runner(clinic), runner(clinic)
    real_send = EmailMessage.send
    down = {first.user.email}

    def flaky_send(message, *args, **kwargs):
        if set(message.to) & down:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    ids = sorted([first.pk, second.pk])
    with pytest.raises(smtplib.SMTPServerDisconnected):
        reminders.reminders_send(athlete_ids=ids, kind=LOG_TODAY, day=TODAY, now=EVENING)
    # The other athlete in the chunk still got theirs; the failed one left no row, so it is still due.
    assert [email.to for email in mail.outbox] == [[second.user.email]]
    assert list(ReminderSent.objects.values_list("athlete_id", flat=True)) == [second.pk]
    assert reminders.reminders_due(now=EVENING + timedelta(minutes=5)) == {(LOG_TODAY, TODAY): [first.pk]}
    down.clear()  # the retry, with the mail server back
    assert reminders.reminders_send(athlete_ids=ids, kind=LOG_TODAY, day=TODAY, now=EVENING) == 1
    assert sorted(email.to[0] for email in mail.outbox) == sorted([first.user.email, second.user.email])


def test_a_nudge_and_a_log_today_email_never_both_go_out_the_same_day(clinic):
    athlete = runner(clinic, logged=())
    ReminderSent.objects.create(athlete=athlete, day=TODAY, kind=LOG_TODAY)  # another worker's email went
    assert reminders.reminders_send(athlete_ids=[athlete.pk], kind=SILENT, day=TODAY, now=EVENING) == 0
    # ... and the other way round: after a nudge, the day's "log today" chunk finds the day's row.
    other = runner(clinic, logged=())
    assert send_due(EVENING) == 1
    assert set(ReminderSent.objects.filter(athlete=other).values_list("kind", flat=True)) == {
        LOG_TODAY,
        SILENT,
    }
    assert reminders.reminders_send(athlete_ids=[other.pk], kind=LOG_TODAY, day=TODAY, now=EVENING) == 0
    assert len(mail.outbox) == 1


def test_no_email_once_the_athlete_has_logged_today(clinic, jobs):
    athlete = runner(clinic)
    due = reminders.reminders_due(now=EVENING)  # the tick saw no log yet ...
    services.log_save(
        athlete=athlete, day=TODAY, today=TODAY, data={"pain_during": 1}
    )  # ... then the log came
    for (kind, day), ids in due.items():
        assert reminders.reminders_send(athlete_ids=ids, kind=kind, day=day, now=EVENING) == 0
    assert mail.outbox == []


# -------------------------------------------------------------------------------------------------- time zones


def test_an_athlete_in_another_zone_gets_it_at_their_local_time(clinic):
    athlete = runner(clinic, time_zone="America/New_York")
    assert reminders.reminders_due(now=EVENING) == {}  # 14:30 in New York
    nearly = datetime(2026, 6, 10, 18, 55, tzinfo=NEW_YORK)
    assert reminders.reminders_due(now=nearly) == {}
    # 19:00 in New York is already tomorrow in London: the day is New York's.
    at_seven = datetime(2026, 6, 10, 19, 0, tzinfo=NEW_YORK)
    assert at_seven.astimezone(LONDON).date() == TODAY + timedelta(days=1)
    assert reminders.reminders_due(now=at_seven) == {(LOG_TODAY, TODAY): [athlete.pk]}


def test_an_athlete_without_a_zone_follows_the_clinics(db):
    hudson = ClinicFactory(name="Hudson Runners", slug="hudson", time_zone="America/New_York")
    athlete = runner(hudson)
    assert reminders.reminders_due(now=EVENING) == {}
    assert reminders.reminders_due(now=datetime(2026, 6, 10, 19, 5, tzinfo=NEW_YORK)) == {
        (LOG_TODAY, TODAY): [athlete.pk]
    }


@pytest.mark.parametrize(
    ("zone", "day", "at", "sent_local"),
    [
        pytest.param(
            "Europe/London", date(2026, 3, 29), time(19, 0), time(19, 0), id="london-spring-evening"
        ),
        # 01:30 does not exist that night (01:00 → 02:00): the first tick after it, at 02:00.
        pytest.param("Europe/London", date(2026, 3, 29), time(1, 30), time(2, 0), id="london-spring-gap"),
        pytest.param(
            "Europe/London", date(2026, 10, 25), time(19, 0), time(19, 0), id="london-autumn-evening"
        ),
        # 01:30 happens twice that night (02:00 → 01:00): the first one, and only once.
        pytest.param("Europe/London", date(2026, 10, 25), time(1, 30), time(1, 30), id="london-autumn-twice"),
        pytest.param(
            "America/New_York", date(2026, 3, 8), time(19, 0), time(19, 0), id="new-york-spring-evening"
        ),
        pytest.param("America/New_York", date(2026, 3, 8), time(2, 30), time(3, 0), id="new-york-spring-gap"),
    ],
)
def test_on_daylight_saving_days_the_reminder_fires_once_at_the_local_time(clinic, zone, day, at, sent_local):
    athlete = AthleteWithLoginFactory(clinic=clinic, time_zone=zone, reminder_time=at)
    Plan.objects.create(athlete=athlete, name="Return to run", start_date=day)
    local = ZoneInfo(zone)
    # Every 5 minutes (as beat) from an hour before the local day until an hour after it.
    tick = datetime.combine(day, time(0), local).astimezone(UTC) - timedelta(hours=1)
    end = datetime.combine(day + timedelta(days=1), time(0), local).astimezone(UTC) + timedelta(hours=1)
    while tick <= end:
        send_due(tick)
        tick += timedelta(minutes=5)
    [row] = ReminderSent.objects.filter(athlete=athlete)
    assert (row.day, row.kind) == (day, LOG_TODAY)
    sent = row.sent_at.astimezone(local)
    assert (sent.date(), sent.time()) == (day, sent_local)
    if at == time(1, 30) and day.month == 10:
        assert sent.fold == 0  # the first 01:30, not the second
    assert len(mail.outbox) == 1


# -------------------------------------------------------------------------------------------------- the nudge


@pytest.mark.parametrize(
    ("plan_start", "last_log", "last_nudge", "kind"),
    [
        pytest.param(-30, -1, None, LOG_TODAY, id="logged-yesterday"),
        pytest.param(-30, -3, None, LOG_TODAY, id="two-silent-days"),
        pytest.param(-30, -4, None, SILENT, id="three-silent-days"),
        pytest.param(-30, -12, None, SILENT, id="long-silence-never-nudged"),
        pytest.param(-3, None, None, SILENT, id="never-logged-plan-started-3-days-ago"),
        pytest.param(-2, None, None, LOG_TODAY, id="never-logged-plan-started-2-days-ago"),
        pytest.param(-30, -12, -5, LOG_TODAY, id="already-nudged-this-stretch"),
        pytest.param(-30, -12, -8, LOG_TODAY, id="nudged-on-the-stretchs-first-possible-day"),
        pytest.param(-30, -12, -14, SILENT, id="nudged-in-an-earlier-stretch"),
        pytest.param(-30, None, -20, LOG_TODAY, id="never-logged-nudged-this-plan"),
        pytest.param(-3, -40, -35, SILENT, id="a-new-plan-starts-a-new-stretch"),
        pytest.param(-5, -40, -5, LOG_TODAY, id="nudged-the-day-the-new-plan-started"),
    ],
)
def test_the_silent_nudge_rule(plan_start, last_log, last_nudge, kind):
    def day(offset):
        return None if offset is None else TODAY + timedelta(days=offset)

    assert (
        reminders.kind_for(
            day=TODAY, plan_start=day(plan_start), last_log=day(last_log), last_nudge=day(last_nudge)
        )
        == kind
    )


def test_one_nudge_per_silent_stretch_in_place_of_that_days_reminder(clinic):
    athlete = runner(clinic, logged=(4,))
    subjects = []
    for offset in range(4):  # TODAY is the fourth day without a log: nudge; then the daily reminder again
        send_due(EVENING + timedelta(days=offset))
        subjects.append(mail.outbox[-1].subject)
    assert subjects == [
        f"{athlete.first_name}, we haven't heard from you",
        f"{athlete.first_name}, how did today go?",
        f"{athlete.first_name}, how did today go?",
        f"{athlete.first_name}, how did today go?",
    ]
    assert list(ReminderSent.objects.filter(kind=SILENT).values_list("day", flat=True)) == [TODAY]
    # A log ends the stretch; three more silent days earn a new nudge.
    DailyLog.objects.create(athlete=athlete, date=TODAY + timedelta(days=4))
    for offset in range(5, 9):
        send_due(EVENING + timedelta(days=offset))
    assert [email.subject.endswith("heard from you") for email in mail.outbox[4:]] == [
        False,
        False,
        False,
        True,
    ]
    assert len(mail.outbox) == 8  # one a day, never two


# -------------------------------------------------------------------------------------------------- unsubscribe


def unsubscribe_path(athlete) -> str:
    return urlsplit(reminders.unsubscribe_url(athlete)).path


def reminders_on(athlete) -> bool:
    return Athlete.objects.get(pk=athlete.pk).reminders


def test_opening_the_unsubscribe_link_only_asks(clinic, client):
    athlete = runner(clinic)
    response = client.get(unsubscribe_path(athlete))
    assert response.status_code == 200
    assert b"Stop reminder emails" in response.content and b'method="post"' in response.content
    assert reminders_on(athlete)  # a mail scanner following the link changes nothing


def test_the_button_turns_reminders_off_and_pressing_it_again_is_harmless(clinic, client):
    athlete = runner(clinic)
    for _ in range(2):
        response = client.post(unsubscribe_path(athlete))
        assert response.status_code == 200
        assert b"Reminder emails are off" in response.content
        assert not reminders_on(athlete)
    assert reminders.reminders_due(now=EVENING) == {}
    assert b"already off" in client.get(unsubscribe_path(athlete)).content


def test_a_mail_clients_one_click_post_unsubscribes_without_a_session_or_csrf_token(clinic):
    athlete = runner(clinic)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_path(athlete),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not reminders_on(athlete)


def test_the_unsubscribe_link_in_a_sent_email_works(clinic, client):
    athlete = runner(clinic)
    send_due(EVENING)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert client.post(urlsplit(link).path).status_code == 200
    assert not reminders_on(athlete)


def test_csrf_stays_on_for_the_other_pages(clinic):
    athlete = runner(clinic)
    client = Client(enforce_csrf_checks=True)
    client.force_login(athlete.user)
    assert client.post(reverse("rehab:reminder_settings"), {"reminder_time": "08:00"}).status_code == 403


def _tampered(athlete):
    token = reminders.unsubscribe_token(athlete)
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _other_athlete(athlete):
    pk, signature = reminders.unsubscribe_token(athlete).split(":", 1)
    return f"{int(pk) + 1}:{signature}"


def _unsalted(athlete):
    return signing.Signer().sign(str(athlete.pk))


def _deleted_athlete(athlete):
    token = reminders.unsubscribe_token(AthleteWithLoginFactory(clinic=athlete.clinic))
    Athlete.objects.filter(pk=int(token.split(":")[0])).delete()
    return token


def _not_a_number(athlete):
    return signing.Signer(salt=reminders.UNSUBSCRIBE_SALT).sign("anna")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda athlete: "not-a-token", id="garbage"),
        pytest.param(_tampered, id="tampered-signature"),
        pytest.param(_other_athlete, id="another-athletes-id"),
        pytest.param(_unsalted, id="signed-for-something-else"),
        pytest.param(_not_a_number, id="signed-but-not-an-id"),
        pytest.param(_deleted_athlete, id="athlete-deleted"),
        pytest.param(lambda athlete: "1:" + "x" * 10_000, id="huge"),
        pytest.param(lambda athlete: reminders.unsubscribe_token(athlete) + "\x00", id="nul-byte"),
    ],
)
def test_a_bad_unsubscribe_token_gets_a_clear_404(clinic, client, method, make_token):
    athlete = runner(clinic)
    token = make_token(athlete)
    response = getattr(client, method)(reverse("rehab:reminders_unsubscribe", args=[token]))
    assert response.status_code == 404
    assert b"This link is not valid" in response.content
    assert reminders_on(athlete)


# -------------------------------------------------------------------------------------------------- settings page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", LOGIN),
        ("athlete_a", 200),
        ("clinician", 403),
        ("other_clinician", 403),
        ("superuser", 403),
    ],
)
def test_the_settings_page_is_the_athletes_own(client_for, persona, expected):
    response = client_for(persona).get(reverse("rehab:reminder_settings"))
    assert_outcome(response, expected)


def test_the_athlete_chooses_off_a_time_and_a_zone(people, client_for):
    client = client_for("athlete_a")
    page = client.get(reverse("rehab:reminder_settings"))
    assert b'type="time"' in page.content and b"Same as Riverside (Europe/London)" in page.content
    response = client.post(
        reverse("rehab:reminder_settings"), {"reminder_time": "07:15", "time_zone": "America/New_York"}
    )
    assert response.status_code == 302
    athlete = Athlete.objects.get(pk=people.athlete_a.pk)
    assert (athlete.reminders, athlete.reminder_time, athlete.time_zone) == (
        False,
        time(7, 15),
        "America/New_York",
    )
    client.post(
        reverse("rehab:reminder_settings"), {"reminders": "on", "reminder_time": "20:00", "time_zone": ""}
    )
    athlete.refresh_from_db()
    assert (athlete.reminders, athlete.reminder_time, athlete.time_zone) == (True, time(20, 0), "")


def test_turning_reminders_off_needs_no_time_and_keeps_the_one_chosen(people, client_for):
    Athlete.objects.filter(pk=people.athlete_a.pk).update(reminder_time=time(6, 45))
    response = client_for("athlete_a").post(
        reverse("rehab:reminder_settings"), {"reminder_time": "", "time_zone": ""}
    )
    assert response.status_code == 302
    athlete = Athlete.objects.get(pk=people.athlete_a.pk)
    assert (athlete.reminders, athlete.reminder_time) == (False, time(6, 45))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"reminders": "on", "reminder_time": "25:99", "time_zone": ""}, "reminder_time", id="bad-time"),
        pytest.param({"reminders": "on", "reminder_time": "", "time_zone": ""}, "reminder_time", id="no-time"),
        pytest.param({"reminders": "on", "reminder_time": "19:00", "time_zone": "Mars/Olympus"}, "time_zone", id="bad-zone"),
        pytest.param({"reminders": "on", "reminder_time": "19:00", "time_zone": "Europe/\x00London"}, "time_zone", id="nul-zone"),
        pytest.param({"reminders": "on", "reminder_time": "19:00", "time_zone": "E" * 10_000}, "time_zone", id="huge-zone"),
        pytest.param({"reminders": "on", "reminder_time": "19:\x0000", "time_zone": ""}, "reminder_time", id="nul-time"),
    ],
)  # fmt: skip
def test_bad_settings_are_a_form_error(people, client_for, data, field):
    response = client_for("athlete_a").post(reverse("rehab:reminder_settings"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    athlete = Athlete.objects.get(pk=people.athlete_a.pk)
    assert (athlete.reminders, athlete.reminder_time, athlete.time_zone) == (True, time(19, 0), "")


def test_a_zone_set_elsewhere_stays_selectable(people, client_for):
    Athlete.objects.filter(pk=people.athlete_a.pk).update(time_zone="Asia/Kathmandu")
    page = client_for("athlete_a").get(reverse("rehab:reminder_settings"))
    assert b'value="Asia/Kathmandu" selected' in page.content


def test_today_links_to_the_settings_and_says_whether_they_are_on(people, client_for):
    client = client_for("athlete_a")
    page = client.get(reverse("rehab:athlete_today")).content.decode()
    assert reverse("rehab:reminder_settings") in page and "on, at 19:00" in page
    Athlete.objects.filter(pk=people.athlete_a.pk).update(reminders=False)
    assert "Reminder emails</a>: off" in client.get(reverse("rehab:athlete_today")).content.decode()
