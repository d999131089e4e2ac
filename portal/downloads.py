"""Files made by a background job for one user: the admin's batch print and the data export.

`download_start` records a pending Download and enqueues the job that makes it; the job calls
`download_finish` (or `download_fail`) once. The user waits on the download page, which only its owner can open,
and the file is kept for `KEPT_FOR`: the pages stop showing it then, and the hourly cleanup deletes it.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal.jobs import enqueue
from portal.models import Athlete, Download

KEPT_FOR = timedelta(days=1)
# The job that makes each kind of file (portal/tasks/downloads.py, rehab/tasks/prints.py).
JOBS = {Download.Kind.EXPORT: "portal.export", Download.Kind.BATCH_PRINT: "rehab.batch_print"}
FAILED = gettext_noop("Something went wrong while preparing this file.")  # stored; shown translated


@transaction.atomic
def download_start(
    *, owner, kind: str, athlete: Athlete | None = None, params: dict | None = None
) -> Download:
    """A pending download for `owner`, made by its job once this transaction commits."""
    download = Download(owner=owner, kind=kind, athlete=athlete, params=params or {})
    download.full_clean()
    download.save()
    enqueue(JOBS[kind], download.pk)
    return download


def download_finish(download: Download, *, filename: str, content_type: str, content: bytes) -> bool:
    """Store the file; False (nothing stored) when the download is no longer pending (done twice, or deleted)."""
    now = timezone.now()
    done = Download.objects.filter(pk=download.pk, status=Download.Status.PENDING).update(
        status=Download.Status.READY,
        filename=filename,
        content_type=content_type,
        content=content,
        finished_at=now,
    )
    if done:
        download.status, download.filename, download.content_type = (
            Download.Status.READY,
            filename,
            content_type,
        )
        download.content, download.finished_at = content, now
    return bool(done)


def download_fail(download: Download, *, error: str = FAILED) -> bool:
    """Record why the file could not be made (a sentence for its owner); False when no longer pending."""
    now = timezone.now()
    error = error[: Download._meta.get_field("error").max_length]
    done = Download.objects.filter(pk=download.pk, status=Download.Status.PENDING).update(
        status=Download.Status.FAILED, error=error, finished_at=now
    )
    if done:
        download.status, download.error, download.finished_at = Download.Status.FAILED, error, now
    return bool(done)


def downloads_delete_expired(*, now: datetime | None = None) -> int:
    """Delete the downloads made more than KEPT_FOR ago; how many were deleted."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _ = Download.objects.filter(created__lt=cutoff).delete()
    return deleted


# Selectors: a user only ever reaches their own downloads, and only while they are kept.


def _kept(user, now: datetime | None = None) -> QuerySet[Download]:
    if not getattr(user, "is_authenticated", False):
        return Download.objects.none()
    cutoff = (now or timezone.now()) - KEPT_FOR
    return Download.objects.filter(owner=user, created__gte=cutoff).select_related("athlete")


def downloads_of(user, *, now: datetime | None = None) -> QuerySet[Download]:
    """`user`'s downloads still kept, newest first, with `size` (bytes) and without the file itself."""
    return _kept(user, now).defer("content").annotate(size=Length("content"))


def download_of(user, pk: int, *, with_content: bool = False) -> Download | None:
    """`user`'s download `pk` if it is theirs and still kept, else None (another user's is never revealed)."""
    downloads = _kept(user) if with_content else downloads_of(user)
    return downloads.filter(pk=pk).first()


def pending_download(download_id: int) -> Download | None:
    """For the job: the download to make, or None when it is done, failed or deleted (nothing to do)."""
    return (
        Download.objects.select_related("owner", "athlete")
        .filter(pk=download_id, status=Download.Status.PENDING)
        .first()
    )
