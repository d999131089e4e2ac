"""Printed-program jobs: keep each active plan's program rendered, and make the admin's batch print.

A plan change (rehab.services.plans: `_bump`, `_claim`, `plan_assign`), an exercise change (library.services)
and a clinic's new contact details (the clinic admin) enqueue these, so that the next download of a program is a
cache hit (rehab.pdf.hep_pdf). Renders are keyed like hep_pdf's cache, so running a job twice renders once.
"""

import io

from celery import shared_task
from django.db import transaction

from portal.jobs import enqueue
from portal.models import Download
from portal.tasks.downloads import File, NothingToMake, make_download
from rehab import pdf
from rehab.models import Plan

PRERENDER_CHUNK = 50  # plans per job: about 20 s of rendering
PRINTED = [Plan.Status.ACTIVE, Plan.Status.PAUSED]  # the plans whose program someone may still print


def _plans():
    return Plan.objects.select_related("athlete", "current_phase", "assigned_by")


def _prerender(plan_ids: list[int]) -> None:
    for plan in _plans().filter(pk__in=plan_ids, status__in=PRINTED):
        pdf.hep_prerender(plan)


def _after_commit(plan_ids: list[int]) -> None:
    # The render reads the change that enqueued it, so it waits for the transaction it runs in: a worker
    # (or the in-process run after a commit) has none and renders at once, while the test suite, which runs
    # jobs at once inside the change itself, would otherwise cache a half-made change under the new version.
    transaction.on_commit(lambda: _prerender(plan_ids))


@shared_task(name="rehab.prerender_plan")
def prerender_plan(plan_id: int) -> None:
    """Render the plan's current program into the cache (A4, as the pages print it), unless it is there."""
    _after_commit([plan_id])


@shared_task(name="rehab.prerender_plans")
def prerender_plans(plan_ids: list[int]) -> None:
    """A chunk of a fan-out: render each plan's current program unless it is cached."""
    _after_commit(plan_ids)


def _fan_out(plans) -> int:
    ids = list(plans.filter(status__in=PRINTED).order_by("pk").values_list("pk", flat=True).distinct())
    for start in range(0, len(ids), PRERENDER_CHUNK):
        enqueue("rehab.prerender_plans", ids[start : start + PRERENDER_CHUNK])
    return len(ids)


@shared_task(name="rehab.prerender_exercises")
def prerender_exercises(exercise_ids: list[int]) -> int:
    """After exercises changed (name, instructions, picture): the programs whose current phase uses one."""
    return _fan_out(Plan.objects.filter(current_phase__exercises__exercise_id__in=exercise_ids))


@shared_task(name="rehab.prerender_clinic")
def prerender_clinic(clinic_id: int) -> int:
    """After a clinic's name, phone or email changed: every program of its athletes shows them."""
    return _fan_out(Plan.objects.filter(athlete__clinic_id=clinic_id))


@shared_task(name="rehab.batch_print", bind=True)
def batch_print(self, download_id: int) -> None:
    """The admin's batch print: the selected plans' current programs as one PDF, for the download's owner."""
    make_download(self, download_id, _batch_file)


def _batch_file(download: Download) -> File:
    ids = [pk for pk in download.params.get("plans", []) if isinstance(pk, int)]
    # Scoped again with the owner: what they may see now, not only when they chose.
    found = {plan.pk: plan for plan in _plans().visible_to(download.owner).filter(pk__in=ids)}
    plans = [found[pk] for pk in ids if pk in found]  # in the order they were listed
    out = io.BytesIO()
    count = pdf.hep_batch(plans, out) if plans else 0
    if not count:
        raise NothingToMake("None of the selected plans has a program to print.")
    return File(
        filename=f"printed-programs-{count}.pdf", content_type="application/pdf", content=out.getvalue()
    )
