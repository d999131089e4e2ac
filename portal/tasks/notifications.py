"""Clinician notification jobs: an alert's email at once, the sweep behind it, and the daily digests
(portal.notifications)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from portal import notifications
from portal.jobs import enqueue


@shared_task(name="portal.notify_alert")
def notify_alert(alert_id: int) -> int:
    """Email the alert to the care-team members who want it at once (enqueued by portal.services.alert_raise)."""
    return notifications.notify_alert(alert_id=alert_id, now=timezone.now())


@shared_task(name="portal.notify_sweep")
def notify_sweep() -> int:
    """Beat, every minute: alerts whose immediate email did not go out (the job was lost) are sent now."""
    ids = notifications.alerts_unsent(now=timezone.now())
    for pk in ids:
        enqueue("portal.notify_alert", pk)
    return len(ids)


@shared_task(name="portal.digest_tick")
def digest_tick() -> int:
    """Beat, every 5 minutes: the digests due now, fanned out in chunks. A repeated tick re-enqueues what is
    still not done, which the chunks skip once done."""
    due = [[pk, day.isoformat()] for pk, day in notifications.digests_due(now=timezone.now())]
    for start in range(0, len(due), notifications.DIGEST_CHUNK):
        enqueue("portal.digest_send", due[start : start + notifications.DIGEST_CHUNK])
    return len(due)


@shared_task(name="portal.digest_send")
def digest_send(items: list[list]) -> int:
    """Send these [clinician id, local day] digests, each exactly once."""
    return notifications.digests_send(
        items=[(pk, date.fromisoformat(day)) for pk, day in items], now=timezone.now()
    )
