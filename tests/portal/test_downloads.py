"""Files made by a job (the data export, the admin's batch print): the download page, who may open it, how long
it is kept, and the jobs that make and delete them (portal/downloads.py, portal/tasks/downloads.py,
rehab/tasks/prints.py)."""

import io
import re
from datetime import date, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import OperationalError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from portal import downloads
from portal.models import Download
from portal.tasks.downloads import File, downloads_cleanup, make_download
from rehab import pdf, services
from tests.access import LOGIN, assert_outcome, matrix_cases
from tests.factories import AthleteFactory, PlanTemplateFactory

START = date(2026, 11, 2)


def blank_pdf(plan, *, phase=None, paper="A4") -> bytes:
    """A one-page program: enough for pypdf to join, without WeasyPrint's half second."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def renders():
    with mock.patch.object(pdf, "render_hep", side_effect=blank_pdf) as spy:
        yield spy


@pytest.fixture
def template():
    return PlanTemplateFactory(phases=2, phases__exercises_per_phase=1)


def assign(athlete, template, by):
    return services.plan_assign(athlete=athlete, template=template, by=by, start=START)


def page_of(client, download) -> str:
    response = client.get(reverse("download_detail", args=[download.pk]))
    assert response.status_code == 200
    return response.content.decode()


def export_for(owner, athlete) -> Download:
    return downloads.download_start(owner=owner, kind=Download.Kind.EXPORT, athlete=athlete)


# The page: preparing, ready, failed


def test_the_page_says_preparing_until_the_job_has_run_then_offers_the_file(client_for, people, jobs):
    client = client_for("clinician")
    asked = client.post(reverse("athlete_export", args=[people.athlete_a.pk]))
    download = Download.objects.get()
    assert asked["Location"] == reverse("download_detail", args=[download.pk])

    html = page_of(client, download)
    assert "Preparing your file…" in html
    assert f'href="{reverse("download_detail", args=[download.pk])}">Check again</a>' in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)  # no inline script (CSP): a plain link
    file_url = reverse("download_file", args=[download.pk])
    assert client.get(file_url)["Location"] == asked["Location"]  # nothing to download yet

    jobs.run()
    download.refresh_from_db()
    html = page_of(client, download)
    assert "Your file is ready" in html and "Preparing" not in html
    assert download.filename in html and f'href="{file_url}"' in html
    assert filesizeformat(len(download.content)) in html  # e.g. "5.2 KB"
    response = client.get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{download.filename}"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.content == bytes(download.content)


def test_the_athletes_own_export_goes_back_to_their_profile(client_for, people):
    client = client_for("athlete_a")
    asked = client.post(reverse("my_export"))
    html = client.get(asked["Location"]).content.decode()
    assert "Your file is ready" in html and f'href="{reverse("my_profile")}"' in html


def test_a_job_that_fails_says_so_and_is_not_left_preparing(client_for, people, jobs):
    download = export_for(people.clinician.user, people.athlete_a)
    with mock.patch("portal.tasks.downloads.export_zip", side_effect=ValueError("a bug")):
        with pytest.raises(ValueError):
            jobs.run()
    download.refresh_from_db()
    assert download.status == "failed" and download.content is None
    html = page_of(client_for("clinician"), download)
    assert "This file could not be made" in html and downloads.FAILED in html
    assert "a bug" not in html


def test_an_owner_who_lost_access_gets_a_failed_export_not_the_data(client_for, people, jobs):
    download = export_for(people.clinician.user, people.athlete_a)
    people.clinician.clinic = people.other_clinic
    people.clinician.save()
    jobs.run()
    download.refresh_from_db()
    assert (download.status, download.content) == ("failed", None)
    assert "no longer yours to see" in download.error


def test_a_ready_export_is_not_handed_to_an_owner_who_lost_access(client_for, people):
    download = export_for(people.clinician.user, people.athlete_a)
    people.clinician.clinic = people.other_clinic
    people.clinician.save()
    response = client_for("clinician").get(reverse("download_file", args=[download.pk]))
    assert response.status_code == 404


# Who may open it, and for how long


def _athlete_as_download(people):
    return export_for(people.athlete_a.user, people.athlete_a)


OWNER_ONLY = {
    # persona order: anonymous, athlete_a (the owner), athlete_b, clinician, other_clinician, superuser
    "download_detail": [LOGIN, 200, 404, 404, 404, 404],
    "download_file": [LOGIN, 200, 404, 404, 404, 404],
}


@pytest.mark.parametrize(("page", "persona", "expected"), matrix_cases(OWNER_ONLY))
def test_only_the_owner_opens_a_download(client_for, people, page, persona, expected):
    """Even the athlete's clinicians and superusers: they make their own export."""
    download = _athlete_as_download(people)
    response = client_for(persona).get(reverse(page, args=[download.pk]))
    assert_outcome(response, expected)
    if expected == 404:
        assert "Anna" not in response.content.decode() and "kept for 24 hours" in response.content.decode()


@pytest.mark.parametrize(
    ("age", "kept"),
    [
        (timedelta(hours=23, minutes=59), True),
        (timedelta(hours=24, minutes=1), False),
        (timedelta(days=3), False),
    ],
    ids=["a minute before", "a minute after", "days later"],
)
def test_a_download_is_gone_after_a_day(client_for, people, age, kept):
    download = _athlete_as_download(people)
    Download.objects.filter(pk=download.pk).update(created=timezone.now() - age)
    client = client_for("athlete_a")
    for page in ("download_detail", "download_file"):
        response = client.get(reverse(page, args=[download.pk]))
        assert response.status_code == (200 if kept else 404)
    if not kept:
        assert "This download is no longer here" in response.content.decode()


def test_the_hourly_cleanup_deletes_downloads_older_than_a_day(people):
    old = _athlete_as_download(people)
    recent = _athlete_as_download(people)
    Download.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(hours=25))
    Download.objects.filter(pk=recent.pk).update(created=timezone.now() - timedelta(hours=23))
    assert downloads_cleanup() == 1
    assert list(Download.objects.values_list("pk", flat=True)) == [recent.pk]
    assert downloads_cleanup() == 0  # run again: nothing more


def test_download_pages_answer_get_only(client_for, people):
    download = _athlete_as_download(people)
    client = client_for("athlete_a")
    for page in ("download_detail", "download_file"):
        assert client.post(reverse(page, args=[download.pk])).status_code == 405


# The job: once, retried only when a retry can help


def test_a_job_run_twice_makes_the_file_once(people, jobs):
    download = export_for(people.athlete_a.user, people.athlete_a)
    [(name, args, _)] = jobs.sent
    jobs.run()
    download.refresh_from_db()
    made = (bytes(download.content), download.finished_at)
    with mock.patch("portal.tasks.downloads.export_zip") as export_zip:
        jobs.sent.append((name, args, {}))
        jobs.run()
    assert not export_zip.called
    download.refresh_from_db()
    assert (bytes(download.content), download.finished_at) == made


def _task(retries: int):
    return SimpleNamespace(
        autoretry_for=(OperationalError,), max_retries=6, request=SimpleNamespace(retries=retries)
    )


@pytest.mark.parametrize(
    ("error", "retries", "status"),
    [
        (OperationalError("database away"), 0, "pending"),  # retried: the page keeps waiting
        (OperationalError("database away"), 6, "failed"),  # the last try
        (KeyError("a bug"), 0, "failed"),  # a retry would not help
    ],
    ids=["operational error", "operational error, last try", "bug"],
)
def test_make_download_fails_the_download_only_when_no_retry_follows(jobs, people, error, retries, status):
    download = export_for(people.athlete_a.user, people.athlete_a)
    with pytest.raises(type(error)):
        make_download(_task(retries), download.pk, mock.Mock(side_effect=error))
    download.refresh_from_db()
    assert download.status == status


def test_make_download_ignores_a_deleted_download(people):
    make = mock.Mock(return_value=File("x.zip", "application/zip", b"x"))
    make_download(_task(0), 10**9, make)
    assert not make.called


# The batch print


def test_the_admin_batch_print_has_no_cap_and_prints_every_selected_program(
    client_for, people, template, renders, jobs
):
    plans = [assign(AthleteFactory(clinic=people.clinic), template, people.clinician.user) for _ in range(41)]
    jobs.sent.clear()  # the plans' own renders
    client = client_for("clinician")
    response = client.post(
        reverse("admin:rehab_plan_changelist"),
        {"action": "print_programs", "_selected_action": [plan.pk for plan in plans]},
    )
    download = Download.objects.get()
    assert response["Location"] == reverse("download_detail", args=[download.pk])
    assert (download.owner, download.kind) == (people.clinician.user, "batch_print")
    assert sorted(download.params["plans"]) == sorted(plan.pk for plan in plans)
    assert renders.call_count == 0  # nothing rendered in the request

    jobs.run()
    download.refresh_from_db()
    assert download.filename == "printed-programs-41.pdf" and download.content_type == "application/pdf"
    assert len(PdfReader(io.BytesIO(bytes(download.content))).pages) == 41
    assert "printed-programs-41.pdf" in page_of(client, download)


def test_the_batch_joins_cached_programs_and_renders_only_the_missing(people, template, renders):
    cached = assign(people.athlete_a, template, people.clinician.user)
    missing = assign(people.athlete_b, template, people.clinician.user)
    pdf.hep_pdf(cached)
    renders.reset_mock()
    download = downloads.download_start(
        owner=people.clinician.user, kind=Download.Kind.BATCH_PRINT, params={"plans": [missing.pk, cached.pk]}
    )
    download.refresh_from_db()
    assert download.status == "ready"
    assert [call.args[0].pk for call in renders.call_args_list] == [missing.pk]
    assert len(PdfReader(io.BytesIO(bytes(download.content))).pages) == 2


def test_the_batch_prints_only_what_its_owner_may_see_when_it_runs(people, template, renders):
    ours = assign(people.athlete_a, template, people.clinician.user)
    theirs = assign(people.other_athlete, template, people.other_clinician.user)
    download = downloads.download_start(
        owner=people.clinician.user, kind=Download.Kind.BATCH_PRINT, params={"plans": [theirs.pk, ours.pk]}
    )
    download.refresh_from_db()
    assert download.filename == "printed-programs-1.pdf"
    assert [call.args[0].pk for call in renders.call_args_list] == [ours.pk]


def test_a_batch_with_nothing_to_print_fails_with_a_reason(client_for, people, template, renders):
    theirs = assign(people.other_athlete, template, people.other_clinician.user)
    download = downloads.download_start(
        owner=people.clinician.user, kind=Download.Kind.BATCH_PRINT, params={"plans": [theirs.pk, "x"]}
    )
    download.refresh_from_db()
    assert download.status == "failed" and renders.call_count == 0
    assert "None of the selected plans has a program to print." in page_of(client_for("clinician"), download)


def test_another_clinics_selection_starts_no_batch(client_for, people, template):
    ours = assign(people.athlete_a, template, people.clinician.user)
    response = client_for("other_clinician").post(
        reverse("admin:rehab_plan_changelist"),
        {"action": "print_programs", "_selected_action": [ours.pk]},
        follow=True,
    )
    assert response.status_code == 200 and not Download.objects.exists()
