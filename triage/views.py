from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import audit
from portal.capabilities import Cap, capability_required
from portal.models import Athlete
from portal.permissions import (
    athlete_of,
    athlete_required,
    get_athlete_for_user,
    is_clinic_staff,
)
from triage import services
from triage.engine import REFER_MEDICAL, InvalidAnswers
from triage.forms import IntakeForm, ReviewForm, initial_answers
from triage.selectors import get_intake_for_user, intakes_for_athlete
from triage.wording import (
    HOP_BLOCKERS,
    advice_parts,
    answer_errors,
    answers_for_display,
    banner_for,
    match_label,
    red_flags_for_display,
    render_result,
)


@login_required
@athlete_required
def intake_new(request: HttpRequest) -> HttpResponse:
    return _intake_form(request, athlete_of(request.user))


@login_required
@capability_required(Cap.REVIEW_INTAKE)
def intake_new_for_athlete(request: HttpRequest, pk: int) -> HttpResponse:
    return _intake_form(request, get_athlete_for_user(request.user, pk))


def _intake_form(request: HttpRequest, athlete: Athlete) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = IntakeForm(data, initial=initial_answers(athlete))
    if form.is_bound and form.is_valid():
        try:
            intake = services.intake_submit(athlete=athlete, by=request.user, answers=form.answers())
        except InvalidAnswers as error:
            form.add_engine_errors(answer_errors(error))
        except ValidationError as error:  # e.g. the athlete's personal data was deleted
            form.add_error(None, error)
        else:
            return redirect(intake)
    context = {
        "form": form,
        "athlete": athlete,
        "for_self": athlete.user_id == request.user.pk,
        "earlier": intakes_for_athlete(athlete, request.user),
        "hop_blockers": HOP_BLOCKERS,
    }
    return render(request, "triage/intake_form.html", context)


def _conditions(result: dict) -> list[dict]:
    shown = []
    for c in result["conditions"]:
        refer = c["code"] == REFER_MEDICAL.code  # a warning sign, not a match to weigh
        match = _("See a doctor first") if refer else match_label(c["score"])
        shown.append({**c, "match": match, "percent": round(c["score"] * 100), "refer": refer})
    return shown


@login_required
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_intake_for_user(request.user, pk)
    audit.record_access(request.user, intake)
    general, condition_advice = advice_parts(intake.result)
    result = render_result(intake.result)
    context = {
        "intake": intake,
        "athlete": intake.athlete,
        "result": result,
        "banner": banner_for(intake.result, intake.urgency),
        "general_advice": general,
        "condition_advice": condition_advice,
        "conditions": _conditions(result),
        "is_clinician": is_clinic_staff(request.user),
    }
    return render(request, "triage/intake_result.html", context)


@login_required
@capability_required(Cap.REVIEW_INTAKE)
def intake_review(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_intake_for_user(request.user, pk)
    if request.method == "GET":
        audit.record_access(request.user, intake)
    form = ReviewForm(request.POST if request.method == "POST" else None, intake=intake)
    if form.is_bound and form.is_valid():
        try:
            services.intake_review(
                intake=intake,
                by=request.user,
                condition=form.cleaned_data["condition"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:  # e.g. the athlete's personal data was deleted
            form.add_error(None, error)
        else:
            messages.success(request, _("Review saved."))
            return redirect(intake.get_review_url())
    result = render_result(intake.result)
    context = {
        "intake": intake,
        "athlete": intake.athlete,
        "result": result,
        "form": form,
        "conditions": _conditions(result),
        "answers": answers_for_display(intake.answers),
        "red_flags": red_flags_for_display(intake.result),
        "banner": banner_for(intake.result, intake.urgency),
    }
    return render(request, "triage/intake_review.html", context)
