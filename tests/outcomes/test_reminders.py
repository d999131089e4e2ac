"""Questionnaire reminder emails (outcomes.reminders, outcomes.tasks): who is due, one email per due round, no
health details, the athlete's local time and their reminder switch, the beat entry, and retries after a failure."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from outcomes import reminders, services
from outcomes.models import Schedule
from outcomes.tasks import questionnaire_reminders_send, questionnaire_reminders_tick
from portal.models import Athlete
from rehab.models import Plan
from tests.factories import AthleteWithLoginFactory, ClinicFactory

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 6, 10)
EVENING = datetime(2026, 6, 10, 19, 30, tzinfo=LONDON)  # past the default 19:00 reminder time
MORNING = datetime(2026, 6, 10, 8, 0, tzinfo=LONDON)


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Riverside Physio", slug="riverside-physio", time_zone="Europe/London")


def athlete_with(clinic, *codes, start=TODAY - timedelta(days=3), status=Plan.Status.ACTIVE, **fields):
    athlete = AthleteWithLoginFactory(clinic=clinic, **fields)
    plan = Plan.objects.create(athlete=athlete, name="Return to run", start_date=start, status=status)
    for code in codes:
        Schedule.objects.create(plan=plan, instrument=code, every_weeks=4)
    return athlete


def send(now) -> int:
    return reminders.reminders_send(athlete_ids=list(reminders.rounds_due(now=now)), now=now)


def test_an_intake_due_gets_one_email_with_no_health_details(clinic):
    athlete = athlete_with(clinic, "visag", first_name="Ada")
    from outcomes import services as outcome_services

    outcome_services.wording_import(
        clinic=clinic,
        data={
            "instrument": "visag",
            "version": "1",
            "items": {f"Q{i}": f"Question {i}" for i in range(1, 9)},
        },
    )
    assert send(EVENING) == 1
    assert send(EVENING) == 0  # the round was emailed about already
    assert send(EVENING + timedelta(days=2)) == 0
    [email] = mail.outbox
    assert email.to == [athlete.user.email]
    assert email.subject == "Ada, a short questionnaire from Riverside Physio"
    text = email.subject + email.body
    for health in ("VISA", "gluteal", "tendin", "hip", "pain", "Return to run"):
        assert health.lower() not in text.lower(), health
    # The link goes to the questionnaire due without naming it.
    assert reverse("outcomes:questionnaire_next") in email.body
    assert "List-Unsubscribe" in email.extra_headers
    assert Schedule.objects.get().reminded == "intake"


def test_several_due_share_one_email_linking_to_the_list(clinic):
    athlete_with(clinic, "psfs", "nprs")
    assert send(EVENING) == 1
    [email] = mail.outbox
    assert "2 short questionnaires" in email.body
    assert reverse("outcomes:questionnaire_next") in email.body
    assert set(Schedule.objects.values_list("reminded", flat=True)) == {"intake"}


def test_each_round_gets_its_own_email(clinic):
    athlete = athlete_with(clinic, "nprs", start=TODAY - timedelta(days=30))
    assert send(EVENING) == 1  # intake
    services.response_save(
        athlete=athlete, instrument="nprs", round="intake", answers={"pain": 5}, complete=True,
        now=EVENING - timedelta(days=29),
    )  # fmt: skip
    assert send(EVENING) == 1  # follow-up 1 (week 4 has come)
    assert Schedule.objects.get().reminded == "follow_up:1"
    services.response_save(
        athlete=athlete, instrument="nprs", answers={"pain": 3}, complete=True, now=EVENING
    )
    assert send(EVENING + timedelta(days=1)) == 0
    assert len(mail.outbox) == 2


def test_a_discharge_round_after_completion(clinic):
    athlete = athlete_with(clinic, "nprs", start=TODAY - timedelta(days=60), status=Plan.Status.COMPLETED)
    Plan.objects.filter(athlete=athlete).update(completed_at=EVENING - timedelta(hours=2))
    assert send(EVENING) == 1
    assert Schedule.objects.get().reminded == "discharge"


@pytest.mark.parametrize(
    "change",
    [
        lambda a: Athlete.objects.filter(pk=a.pk).update(reminders=False),
        lambda a: Athlete.objects.filter(pk=a.pk).update(anonymised_at=EVENING),
        lambda a: type(a.user).objects.filter(pk=a.user_id).update(email=""),
        lambda a: type(a.user).objects.filter(pk=a.user_id).update(is_active=False),
        lambda a: Plan.objects.filter(athlete=a).update(status=Plan.Status.PAUSED),
        lambda a: Schedule.objects.filter(plan__athlete=a).update(instrument="hagos"),  # no wording
        lambda a: services.response_save(
            athlete=a,
            instrument="psfs",
            round="intake",
            answers={"activity_1": 1, "activity_2": 2, "activity_3": 3},
            item_labels={"activity_1": "a", "activity_2": "b", "activity_3": "c"},
            complete=True,
            now=EVENING,
        ),
    ],
    ids=["reminders off", "anonymised", "no email", "inactive", "plan paused", "no wording", "already done"],
)
def test_not_due(clinic, change):
    athlete = athlete_with(clinic, "psfs")
    change(athlete)
    assert reminders.rounds_due(now=EVENING) == {}
    assert send(EVENING) == 0 and mail.outbox == []


def test_waits_for_the_athletes_own_reminder_time(clinic):
    athlete = athlete_with(clinic, "psfs", reminder_time=time(7, 30))
    assert reminders.rounds_due(now=MORNING - timedelta(hours=1)) == {}
    assert list(reminders.rounds_due(now=MORNING)) == [athlete.pk]
    # In New York it is still the night before.
    Athlete.objects.filter(pk=athlete.pk).update(time_zone="America/New_York")
    assert reminders.rounds_due(now=MORNING) == {}


def test_a_failed_send_is_retried(clinic, monkeypatch):
    athlete_with(clinic, "psfs")

    def broken(self, *args, **kwargs):
        raise OSError("SMTP away")

    monkeypatch.setattr(EmailMessage, "send", broken)
    with pytest.raises(OSError):
        send(EVENING)
    assert Schedule.objects.get().reminded == ""
    monkeypatch.undo()
    assert send(EVENING) == 1


def test_the_tick_fans_out_to_the_sending_job(clinic, monkeypatch, jobs):
    athlete = athlete_with(clinic, "psfs")
    monkeypatch.setattr(timezone, "now", lambda: EVENING.astimezone(UTC))
    assert questionnaire_reminders_tick.apply().get() == 1
    assert jobs.sent == [("outcomes.questionnaire_reminders_send", ([athlete.pk],), {})]
    jobs.run()
    assert len(mail.outbox) == 1
    assert questionnaire_reminders_send.apply(args=[[athlete.pk]]).get() == 0


def test_the_beat_runs_the_tick():
    entries = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "outcomes.questionnaire_reminders_tick" in entries
