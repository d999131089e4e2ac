"""The printed home-exercise program, for the athlete (own plans) and clinicians (their clinic's plans)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from portal import audit
from portal.capabilities import Cap, require
from rehab import pdf, selectors


def pdf_response(data: bytes, filename: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(download, filename)
    return response


@login_required
@never_cache  # health data: never kept by a browser or proxy cache
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    """?phase=<id> prints another phase than the current one, ?paper=letter, ?download=1 saves the file."""
    plan = selectors.get_plan_for_user(request.user, pk)
    if (
        plan.athlete.user_id != request.user.pk
    ):  # the athlete prints their own; the care team as the table says
        require(request.user, Cap.PRINT_PROGRAM, plan.athlete)
    phase = None
    if "phase" in request.GET:
        phase = plan.phases.filter(pk=_int_or_404(request.GET["phase"])).first()
        if phase is None:
            raise Http404("No such phase in this plan.")
    phase = pdf.phase_for(plan, phase)
    if phase is None:
        raise Http404("This plan has no phases to print.")
    data = pdf.hep_pdf(plan, phase=phase, paper=pdf.paper_from(request.GET.get("paper")))
    audit.record_access(request.user, plan)
    download = request.GET.get("download", "") not in ("", "0")
    return pdf_response(data, pdf.hep_filename(plan, phase), download=download)


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404("No such phase in this plan.") from None
