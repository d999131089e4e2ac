"""The discharge report as PDF: for the plan's clinicians (their clinic's plans, at any time: before completion it
reads as a progress report) and for the athlete (their own plan, once it is completed)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from portal import audit
from portal.capabilities import Cap, require
from rehab import discharge, selectors
from rehab.models import Plan
from rehab.views_pdf import pdf_response

# Health records a coach does not see (questionnaire scores, clinic tests): the clinical capability that opens an
# athlete's records to take away.
REPORT_CAPABILITY = Cap.EXPORT_DATA


@login_required
@never_cache  # health data: never kept by a browser or proxy cache
def plan_discharge_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """?download=1 saves the file instead of opening it."""
    plan = selectors.get_plan_for_user(request.user, pk)
    if plan.athlete.user_id == request.user.pk:
        if plan.status != Plan.Status.COMPLETED:
            raise Http404("The discharge report is ready once the plan is completed.")
    else:
        require(request.user, REPORT_CAPABILITY, plan.athlete)
    if plan.status == Plan.Status.CANCELLED:
        raise Http404("A cancelled plan has no discharge report.")
    report, data = discharge.discharge_pdf(plan)
    audit.record_access(request.user, plan)
    download = request.GET.get("download", "") not in ("", "0")
    return pdf_response(data, discharge.discharge_filename(report), download=download)
