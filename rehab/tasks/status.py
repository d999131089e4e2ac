"""Rehab status jobs: the work that follows a log or a plan change, and the nightly status refresh.

Each task takes plain values (ids, ISO dates), is safe to run twice, and calls the services below it; the
services enqueue these by name through portal.jobs.enqueue.
"""

from datetime import date, datetime, timedelta

from celery import shared_task
from django.utils import timezone

from portal import jobs
from portal.jobs import enqueue
from portal.models import Athlete, Clinic
from rehab import services
from rehab.models import RehabStatus
from rehab.services import logs

REFRESH_CHUNK = 500  # athletes per refresh job: about 4 queries and a second of work
# The nightly refresh starts this long after each clinic's midnight (the last late logs are in by then).
REFRESH_AFTER_MIDNIGHT = timedelta(minutes=10)


@shared_task(name="rehab.after_log")
def after_log(athlete_id: int, day: str, today: str) -> None:
    """The status and alerts that follow an athlete's log (rehab.services.logs.after_log)."""
    jobs.started(logs.after_log_key(athlete_id, date.fromisoformat(day)))
    services.after_log(athlete_id=athlete_id, day=date.fromisoformat(day), today=date.fromisoformat(today))


@shared_task(name="rehab.refresh_athletes")
def refresh_athletes(athlete_ids: list[int], today: str, raise_alerts: bool = False) -> int:
    """Recompute these athletes' statuses as of `today` (after a plan change; a chunk of the nightly refresh)."""
    athletes = Athlete.objects.filter(pk__in=athlete_ids)
    return services.status_refresh(athletes, today=date.fromisoformat(today), raise_alerts=raise_alerts)


def clinic_days(now: datetime | None = None) -> dict[date, list[int]]:
    """The clinics whose nightly refresh is due, by their local date: those past midnight plus
    REFRESH_AFTER_MIDNIGHT."""
    now = now or timezone.now()
    due: dict[date, list[int]] = {}
    for pk, zone in Clinic.objects.values_list("pk", "time_zone"):
        local = timezone.localtime(now, _zone(zone))
        if local - local.replace(hour=0, minute=0, second=0, microsecond=0) >= REFRESH_AFTER_MIDNIGHT:
            due.setdefault(local.date(), []).append(pk)
    return due


def _zone(name: str):
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def stale_athletes(clinic_ids: list[int], today: date) -> list[int]:
    """The athletes of these clinics whose stored status is older than `today` (or missing) and who have a plan
    or a status to update."""
    with_status = RehabStatus.objects.filter(athlete__clinic_id__in=clinic_ids, as_of__lt=today).values_list(
        "athlete_id", flat=True
    )
    without = (
        Athlete.objects.filter(clinic_id__in=clinic_ids, rehab_status__isnull=True, plans__status="active")
        .values_list("pk", flat=True)
        .distinct()
    )
    return sorted({*with_status, *without})


@shared_task(name="rehab.refresh_tick")
def refresh_tick() -> int:
    """Beat, every 15 minutes: each clinic shortly after its own midnight gets its statuses recomputed (and the
    alerts time raises: no logs, low compliance), fanned out in chunks over the workers. A tick finds only
    athletes not yet refreshed for their clinic's day, so a missed or repeated tick does no harm."""
    queued = 0
    for today, clinic_ids in clinic_days().items():
        ids = stale_athletes(clinic_ids, today)
        for start in range(0, len(ids), REFRESH_CHUNK):
            enqueue("rehab.refresh_athletes", ids[start : start + REFRESH_CHUNK], today.isoformat(), True)
        queued += len(ids)
    return queued
