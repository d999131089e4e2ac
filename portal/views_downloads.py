"""The "ready — download" pages of files made by a background job (the batch print, the data export).

Only a download's owner reaches it: anyone else, and its owner once it is no longer kept, gets a 404 (a kind
one, saying that files are kept for a day). Nothing here is kept by a browser or proxy cache.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import audit
from portal.downloads import KEPT_FOR, download_of
from portal.models import Athlete, Download


@login_required
@require_GET
@never_cache
def download_detail(request: HttpRequest, pk: int) -> HttpResponse:
    download = download_of(request.user, pk)
    if download is None:
        return _gone(request)
    context = {
        "download": download,
        "expires": download.created + KEPT_FOR,
        "back": _back(request.user, download),
        "kept_hours": _hours(),
    }
    return render(request, "portal/download_detail.html", context)


@login_required
@require_GET
@never_cache  # health data: no copy in a browser's or a proxy's cache
def download_file(request: HttpRequest, pk: int) -> HttpResponse:
    download = download_of(request.user, pk, with_content=True)
    if download is None:
        return _gone(request)
    if download.status != Download.Status.READY:
        return redirect("download_detail", pk=download.pk)
    if download.athlete_id is not None:
        # An athlete's data: still theirs to see, and its handing over is in the audit trail as the
        # export page recorded it before it became a job.
        athlete = Athlete.objects.visible_to(request.user).filter(pk=download.athlete_id).first()
        if athlete is None:
            return _gone(request)
        audit.record_access(request.user, athlete)
    response = HttpResponse(bytes(download.content), content_type=download.content_type)
    response["Content-Disposition"] = content_disposition_header(True, download.filename)
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/download_gone.html", {"kept_hours": _hours()}, status=404)


def _hours() -> int:
    return int(KEPT_FOR.total_seconds() // 3600)


def _back(user, download: Download) -> tuple[str, str]:
    """Where the file was asked for: (link, label)."""
    if download.kind == Download.Kind.BATCH_PRINT:
        if download.params.get("from") == "caseload":  # the caseload's bulk print (rehab.views_caseload)
            return reverse("athlete_list") + download.params.get("back", ""), gettext("Back to the caseload")
        return reverse("admin:rehab_plan_changelist"), gettext("Back to the plans")
    if download.athlete is not None and download.athlete.user_id == user.pk:
        return reverse("my_profile"), gettext("Back to your profile")
    if download.athlete is not None:
        return download.athlete.get_absolute_url(), gettext("Back to %(name)s") % {
            "name": download.athlete.full_name
        }
    return reverse("home"), gettext("Back to your start page")
