"""Questionnaire reminder jobs: the beat tick that finds who has a round due, and the chunks that send
(outcomes.reminders)."""

from celery import shared_task
from django.utils import timezone

from outcomes import reminders
from portal.jobs import enqueue

REMINDER_CHUNK = 200  # athletes per sending job


@shared_task(name="outcomes.questionnaire_reminders_tick")
def questionnaire_reminders_tick() -> int:
    """Beat, every 15 minutes: every athlete with a questionnaire round due and not yet emailed about, fanned
    out in chunks. A repeated tick re-enqueues what is still unsent, which the chunks skip once sent."""
    ids = sorted(reminders.rounds_due(now=timezone.now()))
    for start in range(0, len(ids), REMINDER_CHUNK):
        enqueue("outcomes.questionnaire_reminders_send", ids[start : start + REMINDER_CHUNK])
    return len(ids)


@shared_task(name="outcomes.questionnaire_reminders_send")
def questionnaire_reminders_send(athlete_ids: list[int]) -> int:
    """Email those of these athletes still due a questionnaire reminder (each round once)."""
    return reminders.reminders_send(athlete_ids=athlete_ids, now=timezone.now())
