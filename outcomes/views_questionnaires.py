"""Questionnaire pages: the plan's schedule (clinicians who tailor plans), and the athlete's own list and
fill-in form (phone first). The timeline's results panel and the Today card are template tags
(outcomes/templatetags/questionnaires.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from outcomes import instruments, questionnaires, schedule, wording
from outcomes.forms_questionnaires import QuestionnaireForm, ScheduleRowForm
from outcomes.models import QuestionnaireResponse
from portal import audit
from portal.capabilities import Cap, capability_required
from portal.permissions import athlete_of, athlete_required, get_athlete_for_user
from rehab.selectors import get_plan_for_user
from triage.wording import condition_name


@login_required
@capability_required(Cap.TAILOR_PLAN)
def plan_questionnaires(request: HttpRequest, pk: int) -> HttpResponse:
    """Which questionnaires the plan asks, and when; those the clinic has no wording for are listed, not
    offered. Suggestions come from the plan's conditions (outcomes.schedule.suggest)."""
    plan = get_plan_for_user(request.user, pk)
    athlete = plan.athlete
    if request.method == "GET":
        audit.record_access(request.user, plan)
    available = questionnaires.clinic_instruments(athlete.clinic)
    suggestions = {s.instrument: s for s in schedule.suggest(questionnaires.plan_conditions(plan))}
    existing = {row.instrument: row for row in plan.questionnaire_schedules.all()}
    order = sorted(
        available.values(),
        key=lambda i: (i.code not in existing and i.code not in suggestions, not i.has_wording, i.short_name),
    )
    rows = []
    data = request.POST if request.method == "POST" else None
    for found in order:
        row = existing.get(found.code)
        if row is not None:
            initial = {"ask": True, "every_weeks": row.every_weeks, "at_intake": row.at_intake,
                       "at_discharge": row.at_discharge}  # fmt: skip
        else:
            initial = {"ask": not existing and found.code in suggestions and found.has_wording,
                       "every_weeks": 4, "at_intake": True, "at_discharge": True}  # fmt: skip
        rows.append(
            ScheduleRowForm(
                data,
                prefix=found.code,
                initial=initial,
                instrument=found,
                suggestion=suggestions.get(found.code),
            )
        )
    if data is not None and all(form.is_valid() for form in rows):
        wanted = {form.instrument.code: form.timing for form in rows if form.timing is not None}
        try:
            questionnaires.schedules_save(plan=plan, wanted=wanted, by=request.user)
        except ValidationError as error:
            for form in rows:
                for message in error.message_dict.get(form.instrument.code, []):
                    form.add_error("ask", message)
        else:
            messages.success(request, gettext("Saved which questionnaires the plan asks."))
            return redirect(plan)
    names = dict(_condition_names(list(suggestions.values())))
    for form in rows:
        if form.suggestion is not None:
            conditions = [names[code].lower() for code in form.suggestion.conditions]
            form.suggested_for = (
                gettext("for %(conditions)s") % {"conditions": ", ".join(conditions)}
                if conditions
                else gettext("for every plan")
            )
    context = {
        "plan": plan,
        "athlete": athlete,
        "rows": rows,
        "needs_wording": questionnaires.NEEDS_WORDING,
    }
    return render(request, "outcomes/plan_questionnaires.html", context)


def _condition_names(suggestions) -> list[tuple[str, str]]:
    codes = {c for s in suggestions for c in s.conditions}
    return [(code, condition_name(code)) for code in codes]


@login_required
@athlete_required
def my_questionnaires(request: HttpRequest) -> HttpResponse:
    """The athlete's questionnaires: those due now, and each one filled in with the latest score and the change
    since the first round, in words."""
    athlete = athlete_of(request.user)
    responses = questionnaires.athlete_responses(athlete)
    due = questionnaires.due_for(athlete, responses=responses)
    results = questionnaires.results_for(athlete, responses=responses)
    for result in results:
        main = result.latest.main if result.latest else None
        result.words = wording.change_words(result.instrument, main.change) if main else ""
    context = {"athlete": athlete, "due": due, "results": results}
    return render(request, "outcomes/my_questionnaires.html", context)


@login_required
@athlete_required
def questionnaire_next(request: HttpRequest) -> HttpResponse:
    """The reminder email's link: the first questionnaire due, else the list. Its address names no
    questionnaire (an email can be read over a shoulder)."""
    due = questionnaires.due_for(athlete_of(request.user))
    if due:
        return redirect("outcomes:questionnaire_fill", due[0].code)
    return redirect("outcomes:my_questionnaires")


@login_required
@athlete_required
def questionnaire_fill(request: HttpRequest, code: str) -> HttpResponse:
    """One questionnaire due now, as one scrolling form: "Save and finish later" keeps the answers; "Send"
    completes and scores the round. A round sent already (a double submit, a stale tab) is not sent again."""
    athlete = athlete_of(request.user)
    if code not in instruments.shipped():
        raise Http404
    item = questionnaires.due_item(athlete, code)
    if item is None:
        if request.method == "POST":
            messages.info(request, gettext("This questionnaire is already sent: thank you."))
        else:
            messages.info(request, gettext("This questionnaire is not due at the moment."))
        return redirect("outcomes:my_questionnaires")
    activities = questionnaires.psfs_activities(athlete) if code == questionnaires.PSFS else {}
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, instrument=item.instrument, activities=activities)
        nothing = form.is_valid() and not form.answers() and not (form.naming and form.item_labels())
        if nothing and not form.finish and item.draft is None:
            messages.info(request, gettext("Nothing answered yet, so nothing was saved."))
            return redirect("outcomes:my_questionnaires")
        if form.is_valid():
            try:
                response = questionnaires.round_save(
                    athlete=athlete, item=item, answers=form.answers(), item_labels=form.item_labels(),
                    complete=form.finish, by=request.user,
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                if response.is_complete:
                    messages.success(
                        request,
                        gettext("Thank you: your %(name)s is sent.") % {"name": item.instrument.short_name},
                    )
                    return redirect(reverse("outcomes:my_questionnaires") + f"#result-{code}")
                messages.success(request, gettext("Saved. Come back to finish it when you like."))
                return redirect("outcomes:my_questionnaires")
    else:
        initial = {}
        if item.draft is not None:
            initial = {f"a_{k}": v for k, v in item.draft.answers.items()}
            initial |= {f"n_{k}": v for k, v in item.draft.item_labels.items()}
        form = QuestionnaireForm(initial=initial, instrument=item.instrument, activities=activities)
    context = {"athlete": athlete, "item": item, "form": form, "today": timezone.localdate()}
    return render(request, "outcomes/questionnaire_fill.html", context)


ROUND_CHOICES = QuestionnaireResponse.Round.choices


@login_required
@capability_required(Cap.RECORD_CLEARANCE)
def questionnaire_enter(request: HttpRequest, athlete_pk: int) -> HttpResponse:
    """A clinician enters a completed round for the athlete (a paper form, or asked in clinic): pick the
    questionnaire (`?code=`), then the same form the athlete sees, all questions needed. The round is the one
    due, unless another is picked."""
    athlete = get_athlete_for_user(request.user, athlete_pk)
    if request.method == "GET":
        audit.record_access(request.user, athlete)
    usable = {
        code: found
        for code, found in questionnaires.clinic_instruments(athlete.clinic).items()
        if found.has_wording
    }
    code = request.POST.get("code") or request.GET.get("code") or ""
    context = {"athlete": athlete, "usable": sorted(usable.values(), key=lambda i: i.short_name)}
    if code not in usable:
        return render(request, "outcomes/questionnaire_enter.html", context)
    instrument = usable[code]
    due = questionnaires.due_item(athlete, code)
    chosen = request.POST.get("round") or (due.due.round if due else QuestionnaireResponse.Round.FOLLOW_UP)
    activities = questionnaires.psfs_activities(athlete) if code == questionnaires.PSFS else {}
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, instrument=instrument, activities=activities, complete=True)
        if chosen not in QuestionnaireResponse.Round.values:
            form.add_error(None, gettext("Pick the round: intake, follow-up or discharge."))
        elif form.is_valid():
            if not athlete.is_anonymised:
                response, created = questionnaires.round_enter(
                    athlete=athlete, instrument=instrument, round=chosen, answers=form.answers(),
                    item_labels=form.item_labels(), by=request.user,
                )  # fmt: skip
                if created:
                    messages.success(
                        request,
                        gettext("%(questionnaire)s entered for %(name)s.")
                        % {"questionnaire": instrument.short_name, "name": athlete.first_name},
                    )
                return redirect("rehab:timeline", athlete.pk)
            form.add_error(None, gettext("This athlete's personal data was deleted: nothing can be entered."))
    else:
        form = QuestionnaireForm(instrument=instrument, activities=activities)
    context |= {
        "item": due,
        "instrument": instrument,
        "form": form,
        "rounds": ROUND_CHOICES,
        "chosen": chosen,
    }
    return render(request, "outcomes/questionnaire_enter.html", context)
