"""Care-team message emails: "there is a new message" after a post, and the sweep that sends the batched ones
(portal.care_messages)."""

from celery import shared_task
from django.utils import timezone

from portal import care_messages
from portal.jobs import enqueue_once, started


@shared_task(name=care_messages.NOTIFY_TASK)
def message_notify(athlete_id: int) -> int:
    """Email the people in the athlete's thread who have a new message and no email about it in the last
    quarter of an hour (enqueued by portal.care_messages.message_post, once while one is waiting)."""
    started(care_messages.notify_key(athlete_id))
    return care_messages.notify_thread(athlete_id=athlete_id, now=timezone.now())


@shared_task(name="portal.message_sweep")
def message_sweep() -> int:
    """Beat, every minute: threads with recent messages, whose batched email may be due now (or whose job was
    lost)."""
    ids = care_messages.threads_waiting(now=timezone.now())
    for pk in ids:
        enqueue_once(care_messages.notify_key(pk), care_messages.NOTIFY_TASK, pk)
    return len(ids)
