"""Clinic visits: record one for an athlete (date, notes and the catalog's tests), read it, change it, delete one
recorded in error.

Visits are the clinic's clinical record: clinicians who record clinical findings (Cap.RECORD_CLEARANCE) at the
athlete's clinic, and superusers. Coaches and athletes do not see them (athletes: in the discharge report).
"""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from outcomes import wording
from outcomes.forms_visits import VisitForm, test_forms
from outcomes.models import TestResult, Visit
from outcomes.services_visits import visit_delete as delete_visit
from outcomes.services_visits import visit_record
from portal import audit
from portal.capabilities import Cap, capability_required
from portal.permissions import clinician_of, get_athlete_for_user
from portal.templatetags.form_errors import problems_of


def _visit_for_user(user, pk: int) -> Visit:
    visits = Visit.objects.visible_to(user).select_related("athlete", "clinician__user")
    return get_object_or_404(
        visits.prefetch_related(
            Prefetch("test_results", queryset=TestResult.objects.order_by("test", "side"))
        ),
        pk=pk,
    )


def _problems(form, tests) -> list:
    """The error summary: the visit's fields, then each test's, named with the test ("FADIR … – Left: Pain")."""
    found = problems_of(form)
    for test in tests:
        for problem in problems_of(test):
            if problem.label:
                found.append(replace(problem, label=f"{test.name} – {problem.label}"))
            else:
                found.append(replace(problem, message=f"{test.name}: {problem.message}"))
    return found


def _form_page(request: HttpRequest, athlete, visit: Visit | None) -> HttpResponse:
    if athlete.is_anonymised:
        messages.error(
            request, gettext("This athlete's personal data was deleted: no visit can be recorded.")
        )
        return redirect(athlete)
    data = request.POST if request.method == "POST" else None
    initial = {"date": visit.date, "notes": visit.notes} if visit else {"date": timezone.localdate()}
    form = VisitForm(data, initial=initial)
    tests = test_forms(data, visit=visit, athlete=athlete)
    if data is not None and form.is_valid() and all(t.is_valid() for t in tests):
        results = {(t.test.code, side): values for t in tests for side, values in t.results.items()}
        try:
            visit = visit_record(
                athlete=athlete,
                clinician=clinician_of(request.user),
                on=form.cleaned_data["date"],
                notes=form.cleaned_data["notes"],
                results=results,
                visit=visit,
            )
        except ValidationError as error:  # a value the catalog refuses after all: said on the form
            form.add_error(None, error)
        else:
            saved = ngettext(
                "Visit on %(day)s saved with %(count)d test result.",
                "Visit on %(day)s saved with %(count)d test results.",
                len(results),
            )
            messages.success(
                request, saved % {"day": date_format(visit.date, "j M Y"), "count": len(results)}
            )
            return redirect("outcomes:visit_detail", visit.pk)
    context = {
        "athlete": athlete,
        "visit": visit,
        "form": form,
        "tests": tests,
        "problems": _problems(form, tests) if data is not None else [],
    }
    return render(request, "outcomes/visit_form.html", context)


@login_required
@capability_required(Cap.RECORD_CLEARANCE)
def visit_add(request: HttpRequest, athlete_pk: int) -> HttpResponse:
    athlete = get_athlete_for_user(request.user, athlete_pk)
    return _form_page(request, athlete, None)


@login_required
@capability_required(Cap.RECORD_CLEARANCE)
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_for_user(request.user, pk)
    return _form_page(request, visit.athlete, visit)


@login_required
@capability_required(Cap.RECORD_CLEARANCE)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_for_user(request.user, pk)
    audit.record_access(request.user, visit.athlete)
    rows = [
        {
            "result": row,
            "reasons": [wording.render(r) for r in row.reasons if r.get("code") != "no_pass_mark"],
        }
        for row in visit.test_results.all()
    ]
    return render(
        request, "outcomes/visit_detail.html", {"visit": visit, "athlete": visit.athlete, "rows": rows}
    )


@login_required
@capability_required(Cap.RECORD_CLEARANCE)
def visit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a visit recorded in error (the wrong athlete, a duplicate): a confirmation page, then the visit
    and its results go; the audit trail keeps what they held."""
    visit = _visit_for_user(request.user, pk)
    athlete = visit.athlete
    if request.method == "POST":
        day = date_format(visit.date, "j M Y")
        try:
            delete_visit(visit=visit)
        except ValidationError as error:  # the athlete's personal data was deleted: the record is frozen
            messages.error(request, " ".join(error.messages))
            return redirect("outcomes:visit_detail", visit.pk)
        messages.success(request, gettext("Visit on %(day)s deleted, with its test results.") % {"day": day})
        return redirect(athlete)
    if athlete.is_anonymised:
        return redirect("outcomes:visit_detail", visit.pk)
    audit.record_access(request.user, athlete)
    return render(
        request,
        "outcomes/visit_delete.html",
        {"visit": visit, "athlete": athlete, "count": len(visit.test_results.all())},
    )
