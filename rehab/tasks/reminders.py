"""Athlete reminder jobs: the beat tick that finds who is due, and the chunks that send (rehab.reminders)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from portal.jobs import enqueue
from rehab import reminders

REMINDER_CHUNK = 200  # athletes per sending job


@shared_task(name="rehab.reminders_tick")
def reminders_tick() -> int:
    """Beat, every 5 minutes: every reminder due now (including ones a late or missed tick left behind, within
    the athlete's local day), fanned out in chunks. A repeated tick re-enqueues what is still unsent, which the
    chunks skip once sent."""
    queued = 0
    for (kind, day), ids in reminders.reminders_due(now=timezone.now()).items():
        for start in range(0, len(ids), REMINDER_CHUNK):
            enqueue("rehab.reminders_send", ids[start : start + REMINDER_CHUNK], kind, day.isoformat())
        queued += len(ids)
    return queued


@shared_task(name="rehab.reminders_send")
def reminders_send(athlete_ids: list[int], kind: str, day: str) -> int:
    """Send `kind` for the local `day` to those of these athletes still due it (each exactly once)."""
    return reminders.reminders_send(
        athlete_ids=athlete_ids, kind=kind, day=date.fromisoformat(day), now=timezone.now()
    )
