"""The Strava webhook's job (rehab.views_strava enqueues it): import the activity an event names, or forget an
athlete who revoked our access. The event's fields are its only arguments: never a token.

A worker tries again when Strava is busy: after the rate-limit window (the 15-minute one, or the day's) when the
application's limit is reached, with a growing wait when Strava cannot be reached or answers a server error.
In-process (no REDIS_URL) there is one try, and the failure is logged. Refused tokens are not retried: the
connection is marked and the athlete asked to connect again (rehab.services.strava).
"""

import logging
import random

from celery import shared_task
from django.utils import timezone

from rehab.services import strava

logger = logging.getLogger("rehab.strava")

MAX_RETRIES = 8
BACKOFF_FIRST, BACKOFF_MAX = 30, 15 * 60  # seconds


def retry_in(error: Exception, retries: int) -> int | None:
    """Seconds before the next try after `error` on try number `retries` (0 = first), or None: no retry."""
    if retries >= MAX_RETRIES:
        return None
    if isinstance(error, strava.StravaRateLimited):
        return error.retry_after + random.randint(1, 30)  # not all at the window's first second
    if isinstance(error, strava.StravaUnavailable):
        return min(BACKOFF_FIRST * 2**retries, BACKOFF_MAX)
    return None


@shared_task(name="rehab.strava_event", bind=True, max_retries=MAX_RETRIES)
def strava_event(self, event: dict) -> str:
    """Handle one webhook event (its JSON fields, as Strava sent them). Returns the outcome."""
    checked = strava.event_from(event)
    if checked is None or strava.event_ignored(checked):
        return "ignored"
    try:
        return strava.event_handle(checked, now=timezone.now())
    except (strava.StravaRateLimited, strava.StravaUnavailable) as error:
        countdown = retry_in(error, self.request.retries)
        if countdown is None or self.request.is_eager:
            logger.warning(
                "Strava activity %s not imported: %s", checked.object_id, error,
                extra={"outcome": "strava_gave_up"},
            )  # fmt: skip
            return "gave up"
        raise self.retry(exc=error, countdown=countdown) from error
    except strava.StravaUnauthorized:
        return "needs reconnecting"
