"""Pages for an athlete's data: download it (the athlete, or a clinician for them) and delete it (clinicians)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from portal import audit, services
from portal.capabilities import Cap, capability_required
from portal.downloads import download_start
from portal.export import export_filename, export_zip
from portal.forms_privacy import AnonymiseForm
from portal.models import Athlete, Download
from portal.permissions import athlete_of, athlete_required, get_athlete_for_user
from portal.privacy import KEPT, REMOVED
from portal.recent_auth import recent_auth_required


def export_response(athlete: Athlete, *, user) -> HttpResponse:
    """The athlete's data as a zip download for `user`, in the audit trail: the API's answer (the pages have a
    job make the file, portal.tasks.downloads, and serve it from the download page)."""
    audit.record_access(user, athlete)
    now = timezone.now()
    response = HttpResponse(export_zip(athlete, now=now), content_type="application/zip")
    filename = export_filename(athlete, timezone.localdate(now))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)  # health data: no copy in a browser's or a proxy's cache
    return response


@login_required
@athlete_required
@recent_auth_required
@require_http_methods(["GET", "POST"])
def my_export(request: HttpRequest) -> HttpResponse:
    return _export(request, athlete_of(request.user))


@login_required
@capability_required(Cap.EXPORT_DATA)
@recent_auth_required
@require_http_methods(["GET", "POST"])
def athlete_export(request: HttpRequest, pk: int) -> HttpResponse:
    """For a clinician answering an athlete's data request (for example by email)."""
    return _export(request, get_athlete_for_user(request.user, pk))


def _export(request: HttpRequest, athlete: Athlete) -> HttpResponse:
    """GET says what the file holds; POST asks a job to make it and goes to its download page (where the
    download is recorded in the audit trail, as this page did when it answered with the file itself)."""
    if request.method == "POST":
        download = download_start(owner=request.user, kind=Download.Kind.EXPORT, athlete=athlete)
        return redirect("download_detail", pk=download.pk)
    own = athlete.user_id == request.user.pk
    return render(request, "portal/export_start.html", {"athlete": athlete, "own": own})


@login_required
@capability_required(Cap.DELETE_DATA)
@recent_auth_required
def athlete_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    athlete = get_athlete_for_user(request.user, pk)
    if athlete.is_anonymised:
        if request.method == "POST":
            messages.info(request, gettext("This athlete's personal data had already been deleted."))
            return redirect(athlete)
        return render(request, "portal/athlete_anonymise.html", {"athlete": athlete, "done": True})
    form = AnonymiseForm(request.POST or None, athlete=athlete)
    if request.method == "POST" and form.is_valid():
        athlete = services.anonymise_athlete(athlete, by=request.user)
        messages.success(
            request,
            gettext(
                "The personal data was deleted. The record now reads “%(name)s” and is kept for the clinic's "
                "statistics."
            )
            % {"name": athlete.full_name},
        )
        return redirect("athlete_list")
    context = {
        "athlete": athlete,
        "form": form,
        "removed": REMOVED,
        "kept": KEPT,
        "counts": {
            "logs": athlete.daily_logs.count(),
            "intakes": athlete.intakes.count(),
            "plans": athlete.plans.count(),
        },
    }
    return render(request, "portal/athlete_anonymise.html", context)
