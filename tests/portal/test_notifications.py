"""Clinicians hear of their athletes' alerts by email: at once, in a daily digest at their local time, or not at
all, as each chooses per severity; never twice for one alert, never with health details in the email."""

import smtplib
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone

from portal import notifications
from portal.models import Alert, AlertEmail, DigestSent, Notify
from portal.services import alert_raise, alert_resolve
from portal.tasks import notifications as tasks
from tests.factories import AthleteFactory, CareTeamMemberFactory, ClinicFactory, ClinicianFactory

SITE = "http://testserver.example"
MESSAGE = "Pain 8/10 during the run; numbness in the saddle area"  # what no email may say
URGENT, EMERGENCY, NOTICE = Alert.Severity.URGENT, Alert.Severity.EMERGENCY, Alert.Severity.NOTICE
PREFERENCE = {EMERGENCY: "notify_emergency", URGENT: "notify_urgent", NOTICE: "notify_notice"}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def prefer(clinician, **choices):
    for field, value in choices.items():
        setattr(clinician, field, value)
    clinician.save()
    return clinician


def raise_alert(athlete, severity=URGENT, kind="log_red_flag", now=None):
    link = reverse("athlete_detail", args=[athlete.pk]) + "#alerts"
    return alert_raise(athlete=athlete, kind=kind, severity=severity, message=MESSAGE, link=link, now=now)


def digest_now(clinician, now=None):
    """Send the clinician's digest for today, as the tick would once its time has come."""
    now = now or timezone.now()
    day = timezone.localtime(now, notifications._zone(clinician.clinic.time_zone)).date()
    return notifications.digests_send(items=[(clinician.pk, day)], now=now)


def emails_to(clinician):
    return [m for m in mail.outbox if m.to == [clinician.user.email]]


# -------------------------------------------------------------------------------------------------- the rules


@pytest.mark.parametrize("severity", [EMERGENCY, URGENT, NOTICE])
@pytest.mark.parametrize("choice", [Notify.IMMEDIATE, Notify.DIGEST, Notify.OFF])
def test_each_severity_reaches_the_clinician_as_chosen(people, severity, choice):
    clinician = prefer(people.clinician, **{PREFERENCE[severity]: choice, "notify_notice": choice})
    alert = raise_alert(people.athlete_a, severity)
    at_once = len(emails_to(clinician))
    digest_now(clinician)
    later = emails_to(clinician)[at_once:]

    assert at_once == (1 if choice == Notify.IMMEDIATE else 0)
    assert len(later) == (1 if choice == Notify.DIGEST else 0)
    if choice == Notify.DIGEST:
        assert "Anna Aalto" in later[0].body
    told = AlertEmail.objects.filter(alert=alert, clinician=clinician)
    assert list(told.values_list("channel", flat=True)) == ([] if choice == Notify.OFF else [choice])


def test_an_urgent_alert_emails_every_care_team_member_who_wants_it_at_once(people):
    colleague = CareTeamMemberFactory(athlete=people.athlete_a, clinician=people.coach, is_primary=False)
    quiet = CareTeamMemberFactory(athlete=people.athlete_a, is_primary=False).clinician
    prefer(quiet, notify_urgent=Notify.OFF)
    inactive = CareTeamMemberFactory(athlete=people.athlete_a, is_primary=False).clinician
    inactive.user.is_active = False
    inactive.user.save()

    raise_alert(people.athlete_a, URGENT)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people.clinician.user.email, colleague.clinician.user.email]
    )
    assert emails_to(people.other_clinician) == []  # not on the care team, another clinic


def test_the_email_says_what_happened_to_whom_with_a_link_and_no_health_details(people):
    alert = raise_alert(people.athlete_a, EMERGENCY)
    (email,) = mail.outbox
    assert email.subject == "Emergency alert for Anna Aalto · Riverside"
    assert "Anna Aalto (Riverside) has an emergency alert" in email.body
    assert f"{SITE}{alert.link}" in email.body
    assert f"{SITE}{reverse('notification_settings')}" in email.body
    for secret in (MESSAGE, "8/10", "saddle", "numbness", "pain", "Pain"):
        assert secret not in email.subject and secret not in email.body
    assert email.to == [people.clinician.user.email]


def test_an_alert_without_a_link_points_at_the_athlete_page(people):
    alert_raise(athlete=people.athlete_a, kind="triage", severity=URGENT, message=MESSAGE)
    assert f"{SITE}/athletes/{people.athlete_a.pk}/" in mail.outbox[0].body


def test_a_name_with_an_apostrophe_is_written_as_it_is(people):
    athlete = AthleteFactory(clinic=people.clinic, first_name="Siobhán", last_name="O'Neill")
    CareTeamMemberFactory(athlete=athlete, clinician=people.clinician)
    raise_alert(athlete, URGENT)
    assert "Urgent alert for Siobhán O'Neill" in mail.outbox[0].subject
    assert "Siobhán O'Neill (Riverside)" in mail.outbox[0].body


def test_raising_the_same_alert_again_sends_nothing_more(people):
    raise_alert(people.athlete_a, URGENT)
    raise_alert(people.athlete_a, URGENT)
    raise_alert(people.athlete_a, NOTICE)  # milder: the alert stays urgent
    assert len(mail.outbox) == 1


def test_a_notice_that_turns_urgent_before_the_digest_is_emailed_at_once(people, jobs):
    raise_alert(people.athlete_a, NOTICE)  # the clinician takes notices in the digest
    jobs.run()
    assert mail.outbox == []
    raise_alert(people.athlete_a, URGENT)
    assert jobs.names() == ["portal.notify_alert"]
    jobs.run()
    assert [m.subject for m in mail.outbox] == ["Urgent alert for Anna Aalto · Riverside"]
    digest_now(people.clinician)
    assert len(mail.outbox) == 1  # already told: not again in the digest


def test_an_urgent_alert_that_becomes_an_emergency_is_emailed_again_once(people):
    raise_alert(people.athlete_a, URGENT)  # pain 7/10 in a log
    raise_alert(people.athlete_a, EMERGENCY)  # the next day: numbness in the saddle area
    raise_alert(people.athlete_a, EMERGENCY)  # and again
    assert [m.subject for m in emails_to(people.clinician)] == [
        "Urgent alert for Anna Aalto · Riverside",
        "Emergency alert for Anna Aalto · Riverside",
    ]
    told = AlertEmail.objects.filter(clinician=people.clinician).order_by("pk")
    assert list(told.values_list("severity", "channel")) == [(URGENT, "immediate"), (EMERGENCY, "immediate")]


def test_a_notice_told_in_the_digest_that_turns_urgent_is_emailed_at_once(people):
    raise_alert(people.athlete_a, NOTICE)
    digest_now(people.clinician)
    assert len(emails_to(people.clinician)) == 1
    raise_alert(people.athlete_a, URGENT)
    assert [m.subject for m in emails_to(people.clinician)][1:] == ["Urgent alert for Anna Aalto · Riverside"]


def test_an_alert_emailed_at_once_is_not_listed_in_the_digest_after_the_choice_changes(people):
    raise_alert(people.athlete_a, URGENT)
    prefer(people.clinician, notify_urgent=Notify.DIGEST)
    digest_now(people.clinician)
    assert len(mail.outbox) == 1
    assert DigestSent.objects.get(clinician=people.clinician).alerts == 0


def test_a_resolved_alert_or_an_anonymised_athlete_sends_nothing(people, jobs):
    alert = raise_alert(people.athlete_a, URGENT)
    alert_resolve(alert=alert, by=people.clinician.user, note="Called her.")
    jobs.run()
    assert mail.outbox == []
    assert notifications.notify_alert(alert_id=10**9) == 0


# -------------------------------------------------------------------------------------------------- exactly once


def test_the_job_run_twice_sends_one_email(people, jobs):
    alert = raise_alert(people.athlete_a, URGENT)
    task = tasks.notify_alert
    task.apply([alert.pk], throw=True)
    task.apply([alert.pk], throw=True)
    jobs.run()  # and the job the raise enqueued
    assert len(mail.outbox) == 1
    assert AlertEmail.objects.filter(alert=alert).count() == 1


@pytest.fixture
def mail_server_down_once(monkeypatch):
    """The first email to `victim` fails as an unreachable mail server would; the next attempt works."""
    state = {"victim": None, "failures": 0}
    send = EmailBackend.send_messages

    def flaky(self, messages):
        if state["failures"] == 0 and any(state["victim"] in m.to for m in messages):
            state["failures"] += 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    return state


def test_a_failed_send_leaves_no_claim_and_the_retry_sends_once(people, jobs, mail_server_down_once):
    colleague = CareTeamMemberFactory(athlete=people.athlete_a, clinician=people.coach, is_primary=False)
    mail_server_down_once["victim"] = people.clinician.user.email
    alert = raise_alert(people.athlete_a, EMERGENCY)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications.notify_alert(alert_id=alert.pk)
    # the colleague was still told; the failed one has no row, so the retry sends it
    assert [m.to for m in mail.outbox] == [[colleague.clinician.user.email]]
    assert list(AlertEmail.objects.values_list("clinician", flat=True)) == [colleague.clinician.pk]

    assert notifications.notify_alert(alert_id=alert.pk) == 1
    assert notifications.notify_alert(alert_id=alert.pk) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [colleague.clinician.user.email, people.clinician.user.email]
    )


def test_a_digest_that_fails_to_send_is_sent_by_the_retry_once(people, mail_server_down_once):
    mail_server_down_once["victim"] = people.clinician.user.email
    raise_alert(people.athlete_a, NOTICE)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        digest_now(people.clinician)
    assert not DigestSent.objects.exists() and not AlertEmail.objects.exists()
    assert digest_now(people.clinician) == 1
    assert digest_now(people.clinician) == 0
    assert len(mail.outbox) == 1


# -------------------------------------------------------------------------------------------------- the sweep


def test_the_sweep_sends_what_a_lost_job_left_behind(people, jobs):
    minutes_ago = timezone.now() - timedelta(minutes=5)
    alert = raise_alert(people.athlete_a, URGENT, now=minutes_ago)
    jobs.sent.clear()  # the broker was away: the job never arrived
    assert mail.outbox == []

    tasks.notify_sweep.apply(throw=True)
    assert jobs.names() == ["portal.notify_alert"]
    jobs.run()
    assert [m.to for m in mail.outbox] == [[people.clinician.user.email]]
    assert notifications.alerts_unsent() == []  # and nothing the next minute
    assert AlertEmail.objects.get().alert == alert


def test_the_sweep_waits_a_minute_and_looks_back_a_day(people, jobs):
    now = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    fresh = raise_alert(people.athlete_a, URGENT, now=now - timedelta(seconds=20))
    old = raise_alert(people.athlete_b, URGENT, now=now - timedelta(hours=25))
    jobs.sent.clear()
    assert notifications.alerts_unsent(now=now) == []
    assert notifications.alerts_unsent(now=now + timedelta(minutes=2)) == [fresh.pk]
    assert notifications.alerts_unsent(now=now - timedelta(hours=24, minutes=30)) == [old.pk]


@pytest.mark.parametrize(
    "case",
    ["emailed", "resolved", "digest_choice", "off", "inactive_login", "anonymised"],
)
def test_the_sweep_leaves_alone(people, jobs, case):
    now = timezone.now()
    alert = raise_alert(people.athlete_a, URGENT, now=now - timedelta(minutes=5))
    if case != "emailed":
        jobs.sent.clear()
    jobs.run()
    if case == "resolved":
        alert_resolve(alert=alert, by=people.clinician.user)
    elif case == "digest_choice":
        prefer(people.clinician, notify_urgent=Notify.DIGEST)
    elif case == "off":
        prefer(people.clinician, notify_urgent=Notify.OFF)
    elif case == "inactive_login":
        people.clinician.user.is_active = False
        people.clinician.user.save()
    elif case == "anonymised":
        type(people.athlete_a).objects.filter(pk=people.athlete_a.pk).update(anonymised_at=now)
    assert notifications.alerts_unsent(now=now) == []


def test_the_sweep_is_one_query(people, jobs, django_assert_max_num_queries):
    now = timezone.now()
    for athlete in (people.athlete_a, people.athlete_b, people.other_athlete):
        for kind in ("triage", "log_red_flag", "pain_spike"):
            raise_alert(athlete, EMERGENCY, kind=kind, now=now - timedelta(minutes=5))
    jobs.sent.clear()
    with django_assert_max_num_queries(1):
        assert len(notifications.alerts_unsent(now=now)) == 9


# -------------------------------------------------------------------------------------------------- the digest


def at(zone_day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{zone_day}T{clock}+00:00")


@pytest.fixture
def two_clinics(db):
    """A London and a New York clinic, each with one clinician (digest at 07:30 local) and an athlete with an
    open notice."""
    teams = {}
    for zone in ("Europe/London", "America/New_York"):
        clinic = ClinicFactory(time_zone=zone, name=zone.split("/")[1].replace("_", " ") + " Physio")
        member = CareTeamMemberFactory(athlete__clinic=clinic, clinician__clinic=clinic)
        teams[zone] = member.clinician
        raise_alert(member.athlete, NOTICE, now=datetime(2026, 3, 1, tzinfo=UTC))
    return teams


DIGEST_TIMES = [
    # zone, UTC instant, due local day (None: not yet). 07:30 local every day.
    ("Europe/London", at("2026-03-28", "07:29"), None),  # GMT: 07:29 local
    ("Europe/London", at("2026-03-28", "07:30"), date(2026, 3, 28)),
    ("Europe/London", at("2026-03-29", "06:29"), None),  # clocks went forward at 01:00: 07:29 BST
    ("Europe/London", at("2026-03-29", "06:30"), date(2026, 3, 29)),  # 07:30 BST
    ("Europe/London", at("2026-10-25", "07:29"), None),  # clocks went back: 07:29 GMT
    ("Europe/London", at("2026-10-25", "07:30"), date(2026, 10, 25)),
    ("America/New_York", at("2026-03-07", "12:29"), None),  # EST: 07:29 local
    ("America/New_York", at("2026-03-07", "12:30"), date(2026, 3, 7)),
    ("America/New_York", at("2026-03-08", "11:29"), None),  # clocks went forward at 02:00: 07:29 EDT
    ("America/New_York", at("2026-03-08", "11:30"), date(2026, 3, 8)),
    ("America/New_York", at("2026-03-08", "04:00"), None),  # 23:00 on the 7th, the 7th's digest long due...
]


@pytest.mark.parametrize(
    "zone,now,due", DIGEST_TIMES, ids=[f"{z.split('/')[1]}-{n:%m%d-%H%M}" for z, n, _ in DIGEST_TIMES]
)
def test_the_digest_is_due_at_the_clinicians_local_time(two_clinics, zone, now, due):
    clinician = two_clinics[zone]
    if zone == "America/New_York" and now.hour == 4:  # ...and already done
        DigestSent.objects.create(clinician=clinician, day=date(2026, 3, 7))
    found = dict(notifications.digests_due(now=now))
    assert found.get(clinician.pk) == due


def test_each_clinic_gets_its_digest_at_its_own_morning_on_the_day_the_clocks_change(two_clinics):
    london, new_york = two_clinics["Europe/London"], two_clinics["America/New_York"]
    sent = []
    for now in (at("2026-03-08", "07:00"), at("2026-03-08", "07:35"), at("2026-03-08", "11:25"),
                at("2026-03-08", "11:35"), at("2026-03-08", "11:40"), at("2026-03-08", "23:55")):  # fmt: skip
        due = notifications.digests_due(now=now)
        notifications.digests_send(items=due, now=now)
        sent += [(now.strftime("%H:%M"), m.to[0]) for m in mail.outbox[len(sent) :]]
    assert sent == [("07:35", london.user.email), ("11:35", new_york.user.email)]
    assert DigestSent.objects.filter(day=date(2026, 3, 8)).count() == 2


def test_a_late_evening_digest_missed_by_the_tick_is_sent_just_after_midnight(people):
    clinician = prefer(people.clinician, digest_time=time(23, 58))
    raise_alert(people.athlete_a, NOTICE, now=datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    # London is on BST (UTC+1): the ticks fall at 23:55 and 00:00 local
    assert dict(notifications.digests_due(now=at("2026-06-01", "22:55"))).get(clinician.pk) is None
    assert dict(notifications.digests_due(now=at("2026-06-01", "23:00"))) == {clinician.pk: date(2026, 6, 1)}
    DigestSent.objects.create(clinician=clinician, day=date(2026, 6, 1))
    assert clinician.pk not in dict(notifications.digests_due(now=at("2026-06-01", "23:00")))
    # more than an hour late: that day's digest is skipped, its alerts wait for the next one
    DigestSent.objects.all().delete()
    assert clinician.pk not in dict(notifications.digests_due(now=at("2026-06-02", "00:30")))


def test_the_digest_lists_only_the_clinicians_own_athletes(people):
    for athlete in (people.athlete_a, people.athlete_b, people.other_athlete):
        raise_alert(athlete, NOTICE, kind="pain_spike")
    raise_alert(people.athlete_b, NOTICE, kind="no_log")
    unrelated = AthleteFactory(clinic=people.clinic, first_name="Uma", last_name="Unassigned")
    raise_alert(unrelated, NOTICE)

    digest_now(people.clinician)

    (email,) = mail.outbox
    assert email.to == [people.clinician.user.email]
    assert email.subject.startswith("3 notices · Stride Clinic digest, ")
    assert "3 notices:" in email.body
    assert email.body.count("Anna Aalto") == 1 and email.body.count("Bruno Bianchi") == 2
    assert "Olga" not in email.body and "Uma" not in email.body
    assert f"{SITE}/athletes/{people.athlete_a.pk}/#alerts" in email.body
    assert MESSAGE not in email.body and "8/10" not in email.body
    assert AlertEmail.objects.filter(clinician=people.clinician, channel=Notify.DIGEST).count() == 3


def test_the_digest_groups_by_severity_most_severe_first(people):
    prefer(people.clinician, notify_urgent=Notify.DIGEST)
    raise_alert(people.athlete_a, NOTICE, kind="pain_spike")
    raise_alert(people.athlete_b, URGENT)
    digest_now(people.clinician)
    body = mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("1 urgent alert, 1 notice · ")
    assert body.index("1 urgent alert:") < body.index("Bruno Bianchi") < body.index("1 notice:")
    assert body.index("1 notice:") < body.index("Anna Aalto")


def test_each_digest_line_says_what_the_alert_is_about_in_general_words(people):
    for kind in ("no_log", "ready_to_advance", "low_compliance"):
        raise_alert(people.athlete_a, NOTICE, kind=kind)
    raise_alert(people.athlete_b, NOTICE, kind="pain_spike")
    digest_now(people.clinician)
    lines = [line for line in mail.outbox[0].body.splitlines() if line.startswith("- ")]
    assert sorted(line.split(": ")[0] for line in lines) == [
        "- Anna Aalto, doing less of the plan than planned",
        "- Anna Aalto, no log for a few days",
        "- Anna Aalto, ready for the next phase",
        "- Bruno Bianchi, a daily log to review",
    ]
    assert MESSAGE not in mail.outbox[0].body


def test_a_day_without_news_sends_no_digest_and_is_not_looked_at_again(people):
    now = at("2026-06-01", "09:00")
    assert (people.clinician.pk, date(2026, 6, 1)) in notifications.digests_due(now=now)
    assert digest_now(people.clinician, now) == 0
    assert mail.outbox == []
    assert DigestSent.objects.get(clinician=people.clinician).alerts == 0
    assert people.clinician.pk not in dict(notifications.digests_due(now=now + timedelta(minutes=5)))


def test_a_clinician_who_wants_no_digest_is_never_due(people):
    prefer(people.clinician, notify_notice=Notify.OFF)
    assert people.clinician.pk not in dict(notifications.digests_due(now=at("2026-06-01", "09:00")))


def test_the_tick_fans_the_due_digests_out_in_chunks(people, jobs, settings, monkeypatch):
    monkeypatch.setattr(notifications, "DIGEST_CHUNK", 2)
    for _ in range(3):
        ClinicianFactory(clinic=people.clinic)
    raise_alert(people.athlete_a, NOTICE)
    jobs.run()
    monkeypatch.setattr(notifications.timezone, "now", lambda: datetime(2026, 6, 1, 9, 0, tzinfo=UTC))

    tasks.digest_tick.apply(throw=True)

    # Riverside's clinician, coach and 3 more, and Hilltop's clinician: 6 due, in 3 jobs of 2
    assert jobs.names() == ["portal.digest_send"] * 3
    assert [len(args[0]) for _, args, _ in jobs.sent] == [2, 2, 2]
    jobs.run()
    assert [m.to for m in mail.outbox] == [[people.clinician.user.email]]
    assert DigestSent.objects.filter(day=date(2026, 6, 1)).count() == 6
    tasks.digest_tick.apply(throw=True)
    assert jobs.sent == []


def test_the_digest_queries_do_not_grow_with_clinicians_or_alerts(db, django_assert_max_num_queries):
    clinicians = []
    for zone in ("Europe/London", "America/New_York", "Asia/Tokyo"):
        clinic = ClinicFactory(time_zone=zone)
        for _ in range(4):
            member = CareTeamMemberFactory(athlete__clinic=clinic, clinician__clinic=clinic)
            for kind in ("pain_spike", "no_log", "low_compliance"):
                raise_alert(member.athlete, NOTICE, kind=kind)
            clinicians.append(member.clinician)
    now = at("2026-06-01", "12:00")  # past 07:30 everywhere: London 13:00, New York 08:00, Tokyo 21:00
    with django_assert_max_num_queries(2):
        due = notifications.digests_due(now=now)
    assert len(due) == 12
    # per clinician: alerts, savepoint, digest row, alert rows, release; plus the clinicians and their reviews due
    with django_assert_max_num_queries(2 + 5 * len(due)):
        assert notifications.digests_send(items=due, now=now) == 12
    assert [m.body.count("\n- ") for m in mail.outbox] == [3] * 12


# -------------------------------------------------------------------------------------------------- settings page


def test_the_clinician_chooses_how_alerts_reach_them(client_for, people):
    client = client_for("clinician")
    page = client.get(reverse("notification_settings"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Email notifications" in content and people.clinician.user.email in content
    assert 'type="time"' in content and 'value="07:30"' in content
    assert "Europe/London time" in content

    response = client.post(
        reverse("notification_settings"),
        {"notify_emergency": "immediate", "notify_urgent": "digest", "notify_notice": "off",
         "digest_time": "18:15"},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == reverse("notification_settings")
    people.clinician.refresh_from_db()
    assert (people.clinician.notify_urgent, people.clinician.notify_notice) == ("digest", "off")
    assert people.clinician.digest_time == time(18, 15)


@pytest.mark.parametrize(
    "data,error",
    [
        ({"digest_time": "25:00"}, "Enter a time such as 07:30."),
        ({"digest_time": ""}, "Choose a time, such as 07:30."),
        ({"notify_urgent": "sometimes"}, "Select a valid choice."),
    ],
    ids=["impossible-time", "no-time", "unknown-choice"],
)
def test_bad_settings_are_a_form_error(client_for, people, data, error):
    form = {"notify_emergency": "immediate", "notify_urgent": "immediate", "notify_notice": "digest",
            "digest_time": "07:30", **data}  # fmt: skip
    response = client_for("clinician").post(reverse("notification_settings"), form)
    assert response.status_code == 200
    assert error in response.content.decode()
    people.clinician.refresh_from_db()
    assert people.clinician.notify_urgent == "immediate"


def test_the_page_warns_when_emergencies_are_not_emailed(client_for, people):
    prefer(people.clinician, notify_emergency=Notify.OFF)
    content = client_for("clinician").get(reverse("notification_settings")).content.decode()
    assert "You get no email for emergency alerts" in content


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("anonymous", 302),
        ("athlete_a", 403),
        ("superuser", 403),
        ("clinician", 200),
        ("other_clinician", 200),
    ],
)
def test_only_clinicians_have_notification_settings(client_for, persona, expected):
    response = client_for(persona).get(reverse("notification_settings"))
    assert response.status_code == expected
    if persona == "anonymous":
        assert response.url.startswith(reverse("login"))


def test_the_settings_are_a_click_away_for_clinicians_only(client_for):
    link = f'href="{reverse("notification_settings")}"'
    assert link in client_for("clinician").get(reverse("athlete_list")).content.decode()
    assert link not in client_for("athlete_a").get(reverse("my_profile")).content.decode()
