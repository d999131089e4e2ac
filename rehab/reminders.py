"""Athlete reminder emails: who is due, and sending each one exactly once.

Two kinds, at most one email per athlete per local day (the athlete's own time zone, else the clinic's):

- "log today" (`ReminderSent.Kind.LOG_TODAY`), at the athlete's `reminder_time`, when that day is not logged yet;
- "we haven't heard from you" (`SILENT`), instead of that day's "log today", when nothing was logged on the three
  days before. One nudge per silent stretch: a stretch starts the day after the last log (or on the active plan's
  start, if later) and ends with the next log; once nudged, the athlete gets the daily "log today" again until a
  log starts a new stretch.

Due means: a login that is active and has an email, `reminders` on, not anonymised, an active plan that has
started, the local time past `reminder_time` and the local day neither logged nor reminded yet. A tick that runs
late still sends the day's reminder; once the local day is over it is no longer due (the next day's is).

The beat tick (rehab.tasks.reminders) asks `reminders_due` and fans the answer out in chunks to
`reminders_send`, which asks again for its own athletes (time passed: they may have logged or unsubscribed) and
sends each email inside the transaction that writes its claim rows. Every email writes a LOG_TODAY row (the day's
email went out) and a nudge also a SILENT row, so the unique constraint refuses a second email for the same day
whichever kind each worker chose, and an email that fails to send leaves no row (the task retries it).
"""

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TimeField,
    Value,
    When,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.languages import override_for_person
from portal.links import absolute_url
from portal.models import Athlete
from portal.services import check_athlete_editable
from rehab.models import DailyLog, Plan, ReminderSent

logger = logging.getLogger(__name__)

Kind = ReminderSent.Kind
SILENT_DAYS = 3  # days without a log before the "we haven't heard from you" email
UNSUBSCRIBE_SALT = "rehab.reminders.unsubscribe"


@dataclass(frozen=True)
class Due:
    athlete_id: int
    kind: str
    day: date  # the athlete's local day the email is for


# -------------------------------------------------------------------------------------------------- who is due


def _candidates() -> QuerySet:
    """Athletes who get reminders at all, with their time zone (`zone`) and their active plan's start."""
    return (
        Athlete.objects.filter(
            ~Q(user__email=""),
            reminders=True,
            anonymised_at__isnull=True,
            user__is_active=True,
            plans__status=Plan.Status.ACTIVE,
        )
        .annotate(
            zone=Case(When(time_zone="", then=F("clinic__time_zone")), default=F("time_zone")),
            plan_start=F("plans__start_date"),
        )
        .order_by()
    )


def zone_clocks(zones, now: datetime) -> dict[str, tuple[date, time]]:
    """Each zone's local date and wall-clock time at `now`, worked out once per zone."""
    clocks = {}
    for name in zones:
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            logger.warning("reminders: unknown time zone %r skipped", name)
            continue
        clocks[name] = (local.date(), local.time().replace(microsecond=0))
    return clocks


def _due_rows(now: datetime, athlete_ids=None) -> list[Due]:
    """What is due at `now`: two queries whatever the number of athletes (the zones, then the athletes whose
    local time has come and whose local day is neither logged nor reminded)."""
    athletes = _candidates()
    if athlete_ids is not None:
        athletes = athletes.filter(pk__in=list(athlete_ids))
    clocks = zone_clocks(athletes.values_list("zone", flat=True).distinct(), now)
    if not clocks:
        return []
    local_day = Case(*(When(zone=z, then=Value(d)) for z, (d, _) in clocks.items()), output_field=DateField())
    local_time = Case(
        *(When(zone=z, then=Value(t)) for z, (_, t) in clocks.items()), output_field=TimeField()
    )
    rows = (
        athletes.annotate(local_day=local_day, local_time=local_time)
        .filter(local_day__isnull=False, reminder_time__lte=F("local_time"), plan_start__lte=F("local_day"))
        .exclude(Exists(DailyLog.objects.filter(athlete=OuterRef("pk"), date=OuterRef("local_day"))))
        .exclude(Exists(ReminderSent.objects.filter(athlete=OuterRef("pk"), day=OuterRef("local_day"))))
        .annotate(
            last_log=Subquery(
                DailyLog.objects.filter(athlete=OuterRef("pk"), date__lt=OuterRef("local_day"))
                .order_by("-date")
                .values("date")[:1]
            ),
            last_nudge=Subquery(
                ReminderSent.objects.filter(athlete=OuterRef("pk"), kind=Kind.SILENT)
                .order_by("-day")
                .values("day")[:1]
            ),
        )
        .values_list("pk", "local_day", "plan_start", "last_log", "last_nudge")
    )
    return [
        Due(pk, kind_for(day=day, plan_start=start, last_log=last_log, last_nudge=last_nudge), day)
        for pk, day, start, last_log, last_nudge in rows
    ]


def kind_for(*, day: date, plan_start: date, last_log: date | None, last_nudge: date | None) -> str:
    """The day's email for a due athlete: the nudge when the silent stretch (from the day after the last log,
    or the plan's start if later) has lasted SILENT_DAYS full days before `day` and was not nudged yet."""
    stretch_start = max(plan_start, last_log + timedelta(days=1)) if last_log else plan_start
    silent = (day - stretch_start).days >= SILENT_DAYS
    if silent and (last_nudge is None or last_nudge < stretch_start):
        return Kind.SILENT
    return Kind.LOG_TODAY


def reminders_due(*, now: datetime | None = None) -> dict[tuple[str, date], list[int]]:
    """The athletes due an email at `now`, by (kind, local day), ids sorted."""
    due: dict[tuple[str, date], list[int]] = {}
    for row in _due_rows(now or timezone.now()):
        due.setdefault((row.kind, row.day), []).append(row.athlete_id)
    return {key: sorted(ids) for key, ids in due.items()}


# -------------------------------------------------------------------------------------------------- sending


def reminders_send(*, athlete_ids, kind: str, day: date, now: datetime | None = None) -> int:
    """Send the `kind` email for local `day` to those of these athletes still due it; returns how many were sent.

    Safe to run twice and concurrently: each email is sent in the transaction that writes its claim rows, so
    an athlete already reminded that day is skipped, and a failed send leaves nothing behind. A failure for one
    athlete does not hold back the others; the first one is raised at the end so that the task retries.
    """
    now = now or timezone.now()
    ids = [row.athlete_id for row in _due_rows(now, athlete_ids) if row.kind == kind and row.day == day]
    if not ids:
        return 0
    sent, failure = 0, None
    with get_connection() as connection:
        for athlete in Athlete.objects.filter(pk__in=ids).select_related("user", "clinic").order_by("pk"):
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(athlete=athlete, day=day, kind=Kind.LOG_TODAY, sent_at=now)
                    if kind == Kind.SILENT:
                        ReminderSent.objects.create(athlete=athlete, day=day, kind=Kind.SILENT, sent_at=now)
                    reminder_email(athlete, kind, connection=connection).send()
            except IntegrityError:  # another run sent the day's email first
                continue
            except Exception as error:  # noqa: BLE001 — raised below, after the others had their turn
                logger.warning("reminder to athlete %s not sent: %r", athlete.pk, error)
                failure = failure or error
                continue
            sent += 1
    if failure is not None:
        raise failure
    return sent


def reminder_email(athlete: Athlete, kind: str, *, connection=None) -> EmailMessage:
    """The email itself: the first name, the clinic, a link to the log page and a one-click unsubscribe link
    (also in the List-Unsubscribe headers, RFC 8058). No health details."""
    unsubscribe = unsubscribe_url(athlete)
    context = {
        "athlete": athlete,
        "first_name": athlete.first_name,
        "clinic": athlete.clinic,
        "log_url": absolute_url(reverse("rehab:log_today")),
        "settings_url": absolute_url(reverse("rehab:reminder_settings")),
        "unsubscribe_url": unsubscribe,
    }
    with override_for_person(athlete):  # in the athlete's language
        subject = render_to_string(f"rehab/emails/reminder-{kind}-subject.txt", context).strip()
        body = render_to_string(f"rehab/emails/reminder-{kind}-body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[athlete.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=connection,
    )


# -------------------------------------------------------------------------------------------------- settings


def unsubscribe_token(athlete: Athlete) -> str:
    """A signed token naming the athlete, for the no-login unsubscribe link; it does not expire."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(athlete.pk))


def unsubscribe_url(athlete: Athlete) -> str:
    return absolute_url(reverse("rehab:reminders_unsubscribe", args=[unsubscribe_token(athlete)]))


def athlete_for_token(token: str) -> Athlete | None:
    """The athlete a genuine unsubscribe token names, or None (tampered, malformed, or the athlete is gone)."""
    try:
        pk = int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Athlete.objects.filter(pk=pk).first()


@transaction.atomic
def reminders_unsubscribe(*, athlete: Athlete) -> bool:
    """Turn the athlete's reminder emails off. Idempotent; returns whether they were on."""
    if not athlete.reminders:
        return False
    athlete.reminders = False
    athlete.save(update_fields=["reminders", "updated"])
    return True


@transaction.atomic
def reminder_settings_save(
    *, athlete: Athlete, reminders: bool, reminder_time: time, time_zone: str
) -> Athlete:
    """The athlete's own choice: reminders on or off, at what local time, in which time zone ("" = the
    clinic's)."""
    check_athlete_editable(athlete)
    athlete.reminders, athlete.reminder_time, athlete.time_zone = reminders, reminder_time, time_zone
    athlete.full_clean()
    athlete.save(update_fields=["reminders", "reminder_time", "time_zone", "updated"])
    return athlete
