"""Questionnaire reminder emails: who has a questionnaire round due, and one email per due round.

Due means: a schedule of the athlete's active plan (or of one completed lately, for its discharge round) whose
round is due today in the athlete's own time zone (outcomes.schedule.due_round), a login that is active and has
an email, reminder emails on (the same switch as the daily log reminders), not anonymised, and the athlete's
local time past their `reminder_time`. Each schedule keeps the key of the round last emailed about
(`Schedule.reminded`, e.g. "follow_up:2"): a round is emailed about once, however many ticks run.

The email names the clinic and links to the first questionnaire due (a link that does not name it); it never
says which questionnaire, nor anything else about the athlete's health. It is sent inside the transaction that marks
the rounds reminded, so a failed send leaves them unmarked and the task retries.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from outcomes import questionnaires
from outcomes.models import QuestionnaireResponse, Schedule
from portal.languages import override_for_person
from portal.links import absolute_url
from rehab.reminders import unsubscribe_url

logger = logging.getLogger(__name__)


def _schedules(athlete_ids=None):
    rows = Schedule.objects.filter(
        ~Q(plan__athlete__user__email=""),
        plan__status__in=questionnaires.PLAN_STATUSES,
        plan__athlete__reminders=True,
        plan__athlete__anonymised_at__isnull=True,
        plan__athlete__user__is_active=True,
    ).select_related("plan__athlete__clinic", "plan__athlete__user")
    if athlete_ids is not None:
        rows = rows.filter(plan__athlete_id__in=list(athlete_ids))
    return list(rows.order_by("plan__athlete_id", "plan__start_date", "pk"))


def _local_now(athlete, now: datetime) -> datetime | None:
    try:
        return now.astimezone(athlete.tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("questionnaire reminders: unknown time zone for athlete %s skipped", athlete.pk)
        return None


def rounds_due(*, now: datetime | None = None, athlete_ids=None) -> dict[int, list[tuple[Schedule, str]]]:
    """Athlete id → the (schedule, round key) pairs due a reminder at `now`. Two queries, and one per clinic
    that has a licensed questionnaire scheduled."""
    now = now or timezone.now()
    schedules = _schedules(athlete_ids)
    if not schedules:
        return {}
    responses: dict[int, list[QuestionnaireResponse]] = {}
    for r in QuestionnaireResponse.objects.filter(
        athlete_id__in={s.plan.athlete_id for s in schedules}
    ).order_by("started_at", "pk"):
        responses.setdefault(r.athlete_id, []).append(r)
    by_athlete: dict[int, list[Schedule]] = {}
    for row in schedules:
        by_athlete.setdefault(row.plan.athlete_id, []).append(row)
    due: dict[int, list[tuple[Schedule, str]]] = {}
    for athlete_id, rows in by_athlete.items():
        athlete = rows[0].plan.athlete
        local = _local_now(athlete, now)
        if local is None or local.time() < athlete.reminder_time:
            continue
        with timezone.override(athlete.tz):
            items = questionnaires.due_for(
                athlete, today=local.date(), schedules=rows, responses=responses.get(athlete_id, [])
            )
        pending = [(item.schedule, item.due.key) for item in items if item.schedule.reminded != item.due.key]
        if pending:
            due[athlete_id] = pending
    return due


def reminders_send(*, athlete_ids, now: datetime | None = None) -> int:
    """Email those of these athletes still due a questionnaire reminder; returns how many were sent. Safe to
    run twice and concurrently: the rounds are marked in the transaction that sends, under a row lock."""
    now = now or timezone.now()
    sent, failure = 0, None
    with get_connection() as connection:
        for athlete_id, pending in sorted(rounds_due(now=now, athlete_ids=athlete_ids).items()):
            athlete = pending[0][0].plan.athlete
            try:
                with transaction.atomic():
                    locked = {
                        row.pk: row
                        for row in Schedule.objects.select_for_update().filter(
                            pk__in=[s.pk for s, _ in pending]
                        )
                    }
                    still = [
                        (s, key) for s, key in pending if s.pk in locked and locked[s.pk].reminded != key
                    ]
                    if not still:
                        continue
                    for schedule, key in still:
                        Schedule.objects.filter(pk=schedule.pk).update(reminded=key, reminded_at=now)
                    reminder_email(athlete, [s.instrument for s, _ in still], connection=connection).send()
            except Exception as error:  # noqa: BLE001 — raised below, after the others had their turn
                logger.warning("questionnaire reminder to athlete %s not sent: %r", athlete_id, error)
                failure = failure or error
                continue
            sent += 1
    if failure is not None:
        raise failure
    return sent


def reminder_email(athlete, codes: list[str], *, connection=None) -> EmailMessage:
    """The email: the first name, the clinic, a link to the first questionnaire due (outcomes:questionnaire_next,
    which names none in its address) and the one-click unsubscribe link. It does not name the questionnaire, nor
    anything else about the athlete's health."""
    unsubscribe = unsubscribe_url(athlete)
    context = {
        "first_name": athlete.first_name,
        "clinic": athlete.clinic,
        "count": len(codes),
        "link": absolute_url(reverse("outcomes:questionnaire_next")),
        "settings_url": absolute_url(reverse("rehab:reminder_settings")),
        "unsubscribe_url": unsubscribe,
    }
    with override_for_person(athlete):  # in the athlete's language
        subject = render_to_string("outcomes/emails/questionnaire-subject.txt", context).strip()
        body = render_to_string("outcomes/emails/questionnaire-body.txt", context)
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
