"""Download jobs: the data export, the helper every download job runs through, and the hourly cleanup."""

from collections.abc import Callable
from dataclasses import dataclass

from celery import shared_task
from django.utils import timezone

from portal import downloads
from portal.export import export_filename, export_zip
from portal.models import Athlete, Download


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    content: bytes


class NothingToMake(Exception):
    """The download cannot be made (nothing its owner may see): failed with this message, not retried."""


def make_download(task, download_id: int, make: Callable[[Download], File]) -> None:
    """Run `make` for a pending download and store its file, once.

    A download already made (the job delivered twice) or deleted is left alone. An error that a retry may
    cure (the database was away) is raised for the task to retry, and fails the download only on the last
    try; any other error fails it at once, so its owner never waits on a page that will not change.
    """
    download = downloads.pending_download(download_id)
    if download is None:
        return
    try:
        file = make(download)
    except NothingToMake as refused:
        downloads.download_fail(download, error=str(refused))
        return
    except Exception as error:
        retrying = isinstance(error, task.autoretry_for) and task.request.retries < task.max_retries
        if not retrying:
            downloads.download_fail(download)
        raise
    downloads.download_finish(
        download, filename=file.filename, content_type=file.content_type, content=file.content
    )


@shared_task(name="portal.export", bind=True)
def export(self, download_id: int) -> None:
    """An athlete's data as a zip (portal.export), for its owner: the athlete or one of their clinicians."""
    make_download(self, download_id, _export_file)


def _export_file(download: Download) -> File:
    # Who may see the athlete is checked again here: the owner may have lost access since they asked.
    athlete = Athlete.objects.visible_to(download.owner).filter(pk=download.athlete_id).first()
    if athlete is None:
        raise NothingToMake("This athlete's record is no longer yours to see.")
    now = timezone.now()
    return File(
        filename=export_filename(athlete, timezone.localdate(now)),
        content_type="application/zip",
        content=export_zip(athlete, now=now),
    )


@shared_task(name="portal.downloads_cleanup")
def downloads_cleanup() -> int:
    """Beat, hourly: delete the downloads kept for a day (their pages already say they are gone)."""
    return downloads.downloads_delete_expired()
