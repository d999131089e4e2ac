"""The discharge report's job: rendered into the cache when a plan is completed (rehab.services.plans enqueues
it), so that the first download is a cache hit (rehab.discharge.discharge_pdf)."""

from celery import shared_task
from django.db import transaction

from rehab import discharge
from rehab.models import Plan


def _prerender(plan_id: int) -> None:
    plan = Plan.objects.filter(pk=plan_id, status=Plan.Status.COMPLETED).first()
    if plan is not None:
        discharge.discharge_prerender(plan)


@shared_task(name="rehab.discharge_report")
def discharge_report(plan_id: int) -> None:
    """Render the completed plan's discharge report into the cache, unless it is there already."""
    # As rehab.tasks.prints: the render reads the change that enqueued it, so it waits for that commit.
    transaction.on_commit(lambda: _prerender(plan_id))
