from contextlib import nullcontext
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from library.models import Exercise
from library.selectors import exercise_search
from portal import audit
from portal.capabilities import Cap, capability_required
from portal.permissions import athlete_of, athlete_required, clinician_required, get_athlete_for_user
from rehab import charts, feedback, log_rules, progression, selectors, services, wording
from rehab.forms import (
    DOSAGE_DEFAULTS,
    DailyLogForm,
    ExercisePickerForm,
    MoveReasonForm,
    PhaseClearanceForm,
    PhaseMoveForm,
    PlanAssignForm,
    PlanCancelForm,
    PlanExerciseFormSet,
    PlanPhaseForm,
    PlanVersionForm,
    TemplateSaveForm,
    saved_now_hints,
)
from rehab.forms_criteria import FIRST_FIELD as CRITERIA_FIRST_FIELD
from rehab.forms_criteria import KIND_LABELS as CRITERIA_KINDS
from rehab.forms_criteria import PREFIX as CRITERIA_PREFIX
from rehab.forms_criteria import CriteriaFormSet, criteria_formset
from rehab.models import Action, DailyLog, Plan, PlanExercise, PlanPhase, RedFlag
from rehab.views_plan_change import PlanChangeOutcome


@login_required
@capability_required(Cap.ASSIGN_PLAN)
def plan_assign(request: HttpRequest, athlete_pk: int) -> HttpResponse:
    athlete = get_athlete_for_user(request.user, athlete_pk)
    suggested, others = selectors.templates_for_assign(request.user, athlete)
    form = PlanAssignForm(
        request.POST or None,
        suggested=suggested,
        others=others,
        initial={"pain_free": selectors.pain_free_default(athlete)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["template"] is None:
                plan = services.plan_start_blank(
                    athlete=athlete, by=request.user, start=data["start_date"], name=data["name"],
                    phases=data["phases"], goal=data["goal"], pain_free=data["pain_free"],
                )  # fmt: skip
            else:
                plan = services.plan_assign(
                    athlete=athlete, template=data["template"], by=request.user, start=data["start_date"],
                    goal=data["goal"], name=data["name"], pain_free=data["pain_free"],
                )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if data["template"] is None:
                messages.success(
                    request,
                    gettext("“%(name)s” started. Tailor each phase: add its exercises and rules.")
                    % {"name": plan.name},
                )
            else:
                messages.success(
                    request,
                    gettext("“%(name)s” assigned. Tailor each phase below if needed.") % {"name": plan.name},
                )
            return redirect(plan)
    # An athlete with an active plan gets one plan at a time: the page says so instead of offering a form that
    # can only be refused (a refused POST shows the refusal once, in the form's error summary).
    active = (
        None if form.errors else athlete.plans.filter(status=Plan.Status.ACTIVE).only("pk", "name").first()
    )
    context = {"athlete": athlete, "form": form, "suggested": suggested, "active_plan": active}
    return render(request, "rehab/plan_assign.html", context)


@login_required
@clinician_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk)
    audit.record_access(request.user, plan)
    phases = selectors.plan_phases(plan)
    recommendation = None
    if plan.status == Plan.Status.ACTIVE:
        # The advice "apply" acts on (services.recommendation_apply reads it the same way), from the phases and
        # exercises already read for the page.
        plan.current_phase = next((p for p in phases if p.pk == plan.current_phase_id), plan.current_phase)
        today = timezone.localdate()
        read = selectors.DaysRead([plan.athlete_id], today, plans={plan.athlete_id: plan})
        _, snap = services.status_snapshots([plan.athlete], today, read=read)[plan.athlete_id]
        recommendation = snap.recommendation
    context = {
        "plan": plan,
        "athlete": plan.athlete,
        "phases": phases,
        "history": selectors.plan_history(plan),
        "move_form": PhaseMoveForm(plan=plan),
        "statuses": Plan.Status,
        "rec": recommendation,
    }
    return render(request, "rehab/plan_detail.html", context)


@login_required
@capability_required(Cap.TAILOR_PLAN)
def phase_edit(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    """Tailor one phase: its details, pain rule and run, and its exercises (picked, moved, removed, dosed).

    Without JavaScript every picker search, Add, Move and Remove button posts the whole form back: the page
    returns with the change made and everything typed kept, and nothing is saved until "Save phase".
    phase_edit.js does the same in the page and posts only the save.
    """
    plan = selectors.get_plan_for_user(request.user, pk)
    phase = get_object_or_404(plan.phases, pk=phase_pk)
    if request.method == "GET":
        audit.record_access(request.user, phase)
    library = list(exercise_search(request.user))
    data = request.POST.copy() if request.method == "POST" else None
    step = _tailor_step(data) if data is not None else None
    notice = _tailor_apply(step, data, {e.pk: e for e in library}) if step else ""
    form = PlanPhaseForm(data, instance=phase, prefix="phase")
    criteria = criteria_formset(data, phase, plan.athlete.clinic)
    in_phase = Q(active=True) | Q(pk__in=phase.exercises.values("exercise"))
    formset = PlanExerciseFormSet(
        data, instance=phase, prefix="ex", exercises=Exercise.objects.visible_to(request.user).filter(in_phase),
        queryset=phase.exercises.select_related("exercise"),
    )  # fmt: skip
    version = PlanVersionForm(data, initial={"version": plan.version})
    picker = ExercisePickerForm(data if data is not None else (request.GET or None), prefix="pick")
    context = {"plan": plan, "athlete": plan.athlete, "phase": phase, "form": form, "formset": formset,
               "criteria": criteria}  # fmt: skip
    saved_criteria = list(phase.structured_criteria or [])
    criteria_ok = criteria.is_valid() if criteria.is_bound else True  # not posted: left as they are
    if criteria.is_bound and criteria_ok and step is None:
        phase.structured_criteria = criteria.value()  # what the phase form's model check reads
    valid = [form.is_valid(), formset.is_valid(), criteria_ok, version.is_valid()]
    if step is None and data is not None and all(valid):
        try:
            with services.plan_editing(plan=plan, by=request.user, seen=version.cleaned_data["version"]):
                form.save()
                formset.save()
        except services.PlanChanged as stale:
            # Keep everything the user typed; show what is saved now; the next save replaces it knowingly.
            context |= _stale_phase(stale, phase, form, request)
            version = PlanVersionForm(initial={"version": stale.plan.version})
        except ValidationError as error:  # e.g. the athlete's personal data was deleted: the plan is frozen
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, gettext("Phase “%(name)s” saved.") % {"name": phase.name})
            return redirect(plan)
    context |= {"version": version, "notice": notice, "focus": _tailor_focus(step, data)}
    context |= {"saved_criteria": saved_criteria, **_criteria_rows(criteria, context["focus"])}
    context |= _tailor_rows(formset, library, picker, request.user)
    for row in context["rows"]:
        if context["focus"] == row["form"]["sets"].auto_id:  # an exercise just added: its dosage is next
            row["form"].fields["sets"].widget.attrs["autofocus"] = True
    return render(request, "rehab/phase_edit.html", context)


# The tailor page's buttons other than Save: each posts the form back with one change made (no JavaScript).
TAILOR_STEPS = ("add", "up", "down", "remove", "restore", "search", "clear")
# The same for the measured exit criteria: add a row of a kind, remove one, undo that, show a row's boxes for
# the kind just chosen.
CRITERIA_STEPS = ("crit-add", "crit-remove", "crit-restore", "crit-show")
ROWS_PREFIX = "ex"


def _tailor_step(data) -> tuple[str, str] | None:
    """The button pressed, if not Save: ("add", "<exercise pk>"), ("up", "<row index>"), ("search", "")…"""
    for name in (*TAILOR_STEPS, *CRITERIA_STEPS):
        if name in data:
            return name, data.get(name, "")
    # Enter in the search box presses the form's first button, Save: a search typed but not yet run is run
    # instead (the page says which words its list was found with; phase_edit.js keeps that up to date).
    if "pick-shown" in data and data.get("pick-q", "") != data["pick-shown"]:
        return "search", ""
    return None


def _posted_count(data, prefix: str, formset) -> int:
    """How many rows the posted `prefix` formset says it holds, read forgivingly and capped at its absolute max."""
    try:
        count = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        return 0
    return max(0, min(count, formset.absolute_max))


def _row_count(data) -> int:
    return _posted_count(data, ROWS_PREFIX, PlanExerciseFormSet)


def _tailor_apply(step: tuple[str, str], data, library: dict) -> str:
    """Make the step's change in the posted `data` (rows renumbered 1, 2, 3… as shown); a notice, if any."""
    name, value = step
    if name in CRITERIA_STEPS:
        return _criteria_apply(name, value, data)
    key = f"{ROWS_PREFIX}-{{}}-{{}}".format
    count = _row_count(data)

    def position(index: int) -> tuple:
        try:
            return (int(data.get(key(index, "order"))), index)
        except (TypeError, ValueError):
            return (10_000, index)

    shown = [i for i in range(count) if data.get(key(i, "id")) or data.get(key(i, "exercise"))]
    kept = sorted((i for i in shown if not data.get(key(i, "DELETE"))), key=position)
    index = int(value) if value.isdigit() and int(value) < count else None
    if name in ("up", "down") and index in kept:
        at = kept.index(index)
        to = at - 1 if name == "up" else at + 1
        if 0 <= to < len(kept):
            kept[at], kept[to] = kept[to], kept[at]
    elif name == "remove" and index in kept:
        data[key(index, "DELETE")] = "on"
        kept.remove(index)
    elif name == "restore" and index in shown and index not in kept:
        data.pop(key(index, "DELETE"), None)
        kept.insert(max(0, position(index)[0] - 1), index)  # back where it was
    elif name == "add":
        exercise = library.get(int(value)) if value.isdigit() else None
        if exercise is None:
            return gettext("That exercise is no longer in your library.")
        if len(kept) >= PlanExerciseFormSet.max_num:
            return gettext("A phase holds at most %(num)d exercises. Remove one before adding another.") % {
                "num": PlanExerciseFormSet.max_num
            }
        data[key(count, "exercise")] = str(exercise.pk)
        for field in DOSAGE_DEFAULTS:
            default = getattr(exercise, field)
            if default not in (None, False):
                data[key(count, field)] = "on" if default is True else str(default)
        data[f"{ROWS_PREFIX}-TOTAL_FORMS"] = str(count + 1)
        kept.append(count)
    elif name == "clear":
        for field in ExercisePickerForm.base_fields:
            data.pop(f"pick-{field}", None)
    for number, row in enumerate(kept, start=1):
        data[key(row, "order")] = str(number)
    return ""


def _criteria_count(data) -> int:
    return _posted_count(data, CRITERIA_PREFIX, CriteriaFormSet)


def _criteria_apply(name: str, value: str, data) -> str:
    """A criteria step made in the posted `data` (see CRITERIA_STEPS); a notice, if any."""
    key = f"{CRITERIA_PREFIX}-{{}}-{{}}".format
    count = _criteria_count(data)
    index = int(value) if value.isdigit() and int(value) < count else None
    if name == "crit-add" and value in CRITERIA_KINDS:
        kept = sum(not data.get(key(i, "DELETE")) for i in range(count))
        if kept >= CriteriaFormSet.max_num:
            return gettext(
                "A phase holds at most %(num)d measured criteria. Remove one before adding another."
            ) % {"num": CriteriaFormSet.max_num}
        data[key(count, "kind")] = value
        data[f"{CRITERIA_PREFIX}-TOTAL_FORMS"] = str(count + 1)
    elif name == "crit-remove" and index is not None:
        data[key(index, "DELETE")] = "on"
    elif name == "crit-restore" and index is not None:
        data.pop(key(index, "DELETE"), None)
    return ""


def _criteria_focus(name: str, value: str, data) -> str:
    if name == "crit-add" and value in CRITERIA_KINDS:
        count = _criteria_count(data)
        return f"id_{CRITERIA_PREFIX}-{count - 1}-{CRITERIA_FIRST_FIELD[value]}"
    if name in ("crit-remove", "crit-restore"):
        return f"{'crit-restore' if name == 'crit-remove' else 'crit-remove'}-{value}"
    if name == "crit-show" and value.isdigit():
        kind = data.get(f"{CRITERIA_PREFIX}-{value}-kind", "")
        return f"id_{CRITERIA_PREFIX}-{value}-{CRITERIA_FIRST_FIELD.get(kind, 'kind')}"
    return ""


def _criteria_rows(criteria, focus: str) -> dict:
    """The criteria rows as shown (each form with its index, kind and whether it is to be removed), the empty
    row the page's script copies, and the kinds a row may be added as."""
    criteria.is_valid()
    rows = []
    for form in criteria.forms:
        for field in form:
            if field.auto_id == focus:  # a row just added or shown: its first box is next, not yet an error
                field.field.widget.attrs["autofocus"] = True
                if criteria.is_bound:
                    form.errors.clear()
        rows.append({"form": form, "index": form.prefix.rsplit("-", 1)[1], "kind": form.chosen_kind,
                     "removed": criteria.is_removed(form)})  # fmt: skip
    # The error summary numbers the rows as shown (removed ones have no number).
    kept = [row["form"] for row in rows if not row["removed"]]
    criteria.forms[:] = kept + [form for form in criteria.forms if form not in kept]
    return {
        "criteria_rows": rows,
        "criteria_kept": sum(not row["removed"] for row in rows),
        "criteria_empty_row": {
            "form": criteria.empty_form,
            "index": "__prefix__",
            "kind": "",
            "removed": False,
        },
        "criteria_kinds": list(CRITERIA_KINDS.items()),
    }


def _tailor_focus(step: tuple[str, str] | None, data) -> str:
    """Where the page returned by a step puts the keyboard focus: back on the control that was used."""
    if step is None:
        return ""
    name, value = step
    if name in CRITERIA_STEPS:
        return _criteria_focus(name, value, data)
    if name == "add":
        return f"id_{ROWS_PREFIX}-{_row_count(data) - 1}-sets"
    if name in ("up", "down"):
        return f"{name}-{value}"
    if name in ("remove", "restore"):  # the button that takes its place: Undo, or Remove again
        return f"{'restore' if name == 'remove' else 'remove'}-{value}"
    return "id_pick-q"


def _tailor_rows(formset: PlanExerciseFormSet, library: list, picker: ExercisePickerForm, user) -> dict:
    """The exercise rows as shown, each with its exercise, and the picker's list with what matches."""
    formset.is_valid()  # the errors belong to the rows as posted, before they are put in the order shown
    rows = formset.in_order()
    # The error summary numbers the rows as shown (removed ones have no number).
    kept = [form for form in rows if not formset.is_removed(form)]
    formset.forms[:] = kept + [form for form in formset.forms if form not in kept]
    by_pk = {exercise.pk: exercise for exercise in library}
    shown = []
    for form in rows:
        chosen = form["exercise"].value()
        exercise = by_pk.get(int(chosen)) if str(chosen).isdigit() else None
        if exercise is None and form.instance.exercise_id and str(form.instance.exercise_id) == str(chosen):
            exercise = form.instance.exercise  # no longer offered (inactive), still in this phase
        shown.append({"form": form, "index": form.prefix.rsplit("-", 1)[1], "exercise": exercise,
                      "removed": formset.is_removed(form)})  # fmt: skip
    filters = picker.filters()
    matching = set(exercise_search(user, filters).values_list("pk", flat=True)) if filters else None
    in_rows = {row["exercise"].pk for row in shown if row["exercise"] and not row["removed"]}
    choices = [
        {"exercise": e, "shown": matching is None or e.pk in matching, "in_phase": e.pk in in_rows}
        for e in library
    ]
    return {
        "rows": shown,
        "empty_row": {"form": formset.empty_form, "index": "__prefix__", "exercise": None, "removed": False},
        "kept_count": sum(not row["removed"] for row in shown),
        "picker": picker,
        "choices": choices,
        "matching_count": sum(choice["shown"] for choice in choices),
    }


def _stale_phase(stale: services.PlanChanged, phase, form: PlanPhaseForm, request: HttpRequest) -> dict:
    """The refused tailor page's extras: the message, and the phase as saved now (None if it was removed)."""
    exercises = Prefetch("exercises", PlanExercise.objects.select_related("exercise"))
    saved = PlanPhase.objects.filter(pk=phase.pk).prefetch_related(exercises).first()
    if saved is not None:
        saved_now_hints(form, saved)
    return {
        "stale": gettext(
            "%(change)s while you were editing. Your changes were not saved. Review the current plan below and save "
            "again."
        )
        % {"change": stale.describe(request.user)},
        "saved_phase": saved,
    }


@login_required
@capability_required(Cap.CHANGE_PHASE)
@require_POST
def plan_move(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk)
    action = request.POST.get("action")
    with PlanChangeOutcome(request) as change:
        seen = change.seen()
        if action in (Action.ADVANCE, Action.REGRESS):
            why = MoveReasonForm(request.POST)
            if not why.is_valid():  # too long, or a NUL byte (PostgreSQL refuses those: a 500)
                raise ValidationError(why.errors["reason"])
            move = services.plan_advance if action == Action.ADVANCE else services.plan_regress
            reason = why.cleaned_data["reason"]
            move(plan=plan, by=request.user, reason=reason, today=timezone.localdate(), seen=seen)
        else:
            form = PhaseMoveForm(request.POST, plan=plan)
            if not form.is_valid():
                raise ValidationError(gettext("Choose the phase to move to."))
            services.plan_move(plan=plan, to_phase=form.cleaned_data["to_phase"], by=request.user,
                               reason=form.cleaned_data["reason"], today=timezone.localdate(), seen=seen)  # fmt: skip
    if change.done:
        plan.refresh_from_db()
        messages.success(request, gettext("Now in %(phase)s.") % {"phase": plan.current_phase.label})
    return redirect(plan)


@login_required
@capability_required(Cap.ASSIGN_PLAN)
@require_POST
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk)
    with PlanChangeOutcome(request) as change:
        status = request.POST.get("status", "")
        services.plan_set_status(plan=plan, status=status, by=request.user, seen=change.seen())
    if change.done:
        messages.success(
            request, gettext("Plan is now %(status)s.") % {"status": plan.get_status_display().lower()}
        )
    return redirect(plan)


@login_required
@capability_required(Cap.ASSIGN_PLAN)
def plan_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a plan, saying why (GET asks; POST cancels)."""
    plan = selectors.get_plan_for_user(request.user, pk)
    if plan.status not in services.CANCELLABLE:
        messages.info(
            request,
            gettext("This plan is %(status)s: there is nothing to cancel.")
            % {"status": plan.get_status_display().lower()},
        )
        return redirect(plan)
    form = PlanCancelForm(request.POST or None)
    version = PlanVersionForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        with PlanChangeOutcome(request, form=form) as change:
            reason = form.cleaned_data["reason"]
            services.plan_cancel(plan=plan, by=request.user, reason=reason, seen=change.seen())
        if change.refused:
            return redirect(plan)
        if change.done:
            messages.success(
                request,
                gettext("“%(plan)s” was cancelled. %(name)s no longer sees it.")
                % {"plan": plan.name, "name": plan.athlete.first_name},
            )
            return redirect(plan)
    context = {"plan": plan, "athlete": plan.athlete, "form": form, "version": version}
    return render(request, "rehab/plan_cancel.html", context)


@login_required
@capability_required(Cap.EDIT_PROTOCOLS)
def plan_save_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the plan, as tailored, as a protocol of the athlete's clinic (GET asks the name; POST saves)."""
    plan = selectors.get_plan_for_user(request.user, pk)
    # A protocol's plan keeps that protocol's name, which is taken: suggest a name that tells them apart.
    suggested = (
        plan.name if plan.template_id is None else gettext("%(name)s (tailored)") % {"name": plan.name}
    )
    form = TemplateSaveForm(request.POST or None, initial={"name": suggested[:150]})
    if request.method == "POST" and form.is_valid():
        try:
            template = services.plan_save_as_template(
                plan=plan, clinic=plan.athlete.clinic, name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                gettext("Saved as your clinic's protocol “%(name)s”: choose it when you assign a plan.")
                % {"name": template.name},
            )
            return redirect(plan)
    context = {"plan": plan, "athlete": plan.athlete, "form": form, "phases": selectors.plan_phases(plan)}
    return render(request, "rehab/plan_save_template.html", context)


@login_required
@athlete_required
def my_plan(request: HttpRequest) -> HttpResponse:
    athlete = athlete_of(request.user)
    plan = selectors.current_plan_for(athlete)
    audit.record_access(request.user, plan)
    context = {"athlete": athlete, "plan": plan}
    if plan is not None:
        phases = selectors.plan_phases(plan)
        context |= {
            "phases": phases,
            "phase": next((p for p in phases if p.pk == plan.current_phase_id), None),
            "history": selectors.plan_history(plan),
            "day": plan.day_number(timezone.localdate()),
            "stop_list": wording.stop_list(pain_free=plan.pain_free),
            "emergency_flag": wording.EMERGENCY_FLAG,
        }
    return render(request, "rehab/my_plan.html", context)


def _day_param(request: HttpRequest, today):
    """The day being logged: ?date=YYYY-MM-DD, else today. Returns (day, error message)."""
    raw = request.GET.get("date") or request.POST.get("date") or ""
    if not raw:
        return today, ""
    try:
        day = date.fromisoformat(raw[:10])
        services.check_log_date(day, today)
    except ValueError:
        return today, gettext("That is not a date; showing today instead.")
    except ValidationError:
        # check_log_date's reasons (in English for the API), said here in the athlete's language.
        if day > today:
            return today, gettext("You can't log a day that hasn't happened yet. Showing today instead.")
        return today, ngettext(
            "Logs can go back %(days)d day at most. Showing today instead.",
            "Logs can go back %(days)d days at most. Showing today instead.",
            services.BACKFILL_DAYS,
        ) % {"days": services.BACKFILL_DAYS}
    return day, ""


@login_required
@athlete_required
def log_today(request: HttpRequest) -> HttpResponse:
    athlete = athlete_of(request.user)
    today = timezone.localdate()
    day, problem = _day_param(request, today)
    if problem:
        messages.warning(request, problem)
    # The day's log and, when logging today, yesterday's (for this morning's pain): one query, plus the
    # exercises already ticked when the form is shown. A posted form shows what was posted: only the phase
    # logged and yesterday's morning pain are read then.
    wanted = [day, today - timedelta(days=1)] if day == today else [day]
    logs = DailyLog.objects.filter(athlete=athlete, date__in=wanted)
    posted = request.method == "POST" and bool(request.POST)  # an empty POST shows the form, as a GET does
    logs = (
        logs.only("date", "phase_id", "pain_next_morning") if posted else logs.prefetch_related("exercises")
    )
    logs = {row.date: row for row in logs}
    log = logs.get(day)
    yesterday = logs.get(today - timedelta(days=1)) if day == today else None
    # Read once for the form and the save: the plan, its current phase and that phase's exercises.
    read = selectors.DaysRead([athlete.pk], today, exercise_names=True)
    phase = selectors.phase_for_log(read.plan(athlete.pk), log, day)
    # The shoes in use: listed when the form is shown; a posted form reads only the shoe it names.
    shoes = log_rules.shoes_for_log(athlete)
    ask_morning = day == today and (yesterday is None or yesterday.pain_next_morning is None)
    form = DailyLogForm(
        request.POST if posted else None, day=day, today=today, phase=phase, shoes=shoes,
        instance=None if posted else log, ask_morning=ask_morning,
    )  # fmt: skip
    if posted and form.is_valid():
        morning = form.cleaned_data.get("this_morning") if ask_morning else None
        plan = read.plan(athlete.pk)
        saved = []
        try:
            # Yesterday's morning pain and today's log are saved together or not at all (log_save is atomic).
            with transaction.atomic() if morning is not None else nullcontext():
                if morning is not None:
                    saved.append(services.log_save(athlete=athlete, day=today - timedelta(days=1), today=today,
                                                   read=read, data={"pain_next_morning": morning}))  # fmt: skip
                    read = None  # that save may have advanced the plan: the next one reads it again
                saved.append(services.log_save(athlete=athlete, day=day, data=form.log_data(),
                                               sets=form.sets_done(), today=today, read=read))  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Today says what to do now when the log calls for it: the "saved" note is then not a green all-clear.
            worrying = any(_advice(log, phase, plan) for log in saved)
            messages.add_message(
                request,
                messages.INFO if worrying else messages.SUCCESS,
                gettext("Saved your log for today.")
                if day == today
                else gettext("Saved your log for %(day)s.") % {"day": date_format(day, gettext("l j F"))},
            )
            return redirect("rehab:athlete_today")
    days = [today - timedelta(days=n) for n in range(services.BACKFILL_DAYS + 1)]
    context = {
        "form": form,
        "day": day,
        "today": today,
        "phase": phase,
        "log": log,
        "days": days,
        "athlete": athlete,
    }
    return render(request, "rehab/log_form.html", context)


@login_required
@athlete_required
def athlete_today(request: HttpRequest) -> HttpResponse:
    athlete = athlete_of(request.user)
    today = timezone.localdate()
    data = selectors.athlete_state(athlete, today)
    advice = _advice_today(athlete, data, today)
    paused = data.plan is not None and data.plan.status == Plan.Status.PAUSED
    context = {
        "athlete": athlete,
        "today": today,
        "data": data,
        "spark": charts.sparkline(
            data.snap.spark, width=280, height=56, fluid=True, sentence=wording.pain_trend_sentence
        ),
        "spark_days": charts.spark_days(data.snap.spark, today),
        "day": data.plan.day_number(today) if data.plan else None,
        "advice": advice,
        "paused": paused,
        "contact": _contact(athlete.clinic) if advice or paused else None,  # the clinic is read only then
    }
    return render(request, "rehab/athlete_today.html", context)


RED_FLAG_LABELS = dict(RedFlag.choices)


def _feedback_terms(phase: PlanPhase | None, plan: Plan | None) -> dict:
    """advice_for's keyword arguments for a log under `phase` of the active `plan`."""
    return {
        "pain_free": bool(phase and plan and plan.pain_free),
        "running_phase": bool(phase and phase.run_activity in progression.RUNNING_ACTIVITIES),
        "flag_labels": RED_FLAG_LABELS,
    }


def _advice(log: DailyLog, phase: PlanPhase | None, plan: Plan | None) -> feedback.Advice | None:
    return feedback.advice_for(log, phase, **_feedback_terms(phase, plan))


def _contact(clinic) -> feedback.Contact:
    return feedback.Contact(clinic.name, clinic.phone, clinic.email)


def _advice_today(athlete, data: selectors.AthleteState, today: date) -> feedback.Advice | None:
    """What the athlete should do now, from their recent logs and whether the care team has acted yet: an open
    red-flag or bone-stress alert means no clinician has (resolving it is acting). No query of its own."""
    # Alerts are the care team's to read (Alert.objects.visible_to gives athletes none): only whether one of
    # these is open for this athlete, and since when, is used here (read with the athlete's state).
    phase = data.phase if data.active else None
    logs = data.logs
    if phase is not None and phase.started_on is not None:
        # A log over an earlier phase's allowance was answered by the move to this phase (a step back, say): its
        # "ease off" would quote the wrong limit. Red flags and 7/10+ stay until their alert is resolved.
        logs = [
            log for log in logs
            if log.date >= phase.started_on or log.red_flags or (log.peak_pain or 0) >= progression.REFER_PAIN
        ]  # fmt: skip
    return feedback.advice_now(
        logs,
        phase,
        today=today,
        alert_since=data.red_flag_since,
        **_feedback_terms(phase, data.plan),
    )


@login_required
@clinician_required
def timeline(request: HttpRequest, athlete_pk: int) -> HttpResponse:
    athlete = get_athlete_for_user(request.user, athlete_pk)
    audit.record_access(request.user, athlete)
    today = timezone.localdate()
    data = selectors.timeline_data(athlete, today)
    # Plans cancelled lately, with why: the athlete no longer sees them, the care team should.
    cancelled = (
        athlete.plans.filter(
            status=Plan.Status.CANCELLED, cancelled_at__gte=timezone.now() - timedelta(days=180)
        )
        .select_related("cancelled_by")
        .order_by("-cancelled_at")[:3]
    )
    context = {"athlete": athlete, "today": today, "cancelled_plans": cancelled, **data}
    return render(request, "rehab/timeline.html", context)


@login_required
@capability_required(Cap.CHANGE_PHASE)
@require_POST
def recommendation_apply(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk)
    action = request.POST.get("action", "")
    with PlanChangeOutcome(request) as change:
        services.recommendation_apply(plan=plan, action=action, by=request.user, seen=change.seen())
    if change.done:
        plan.refresh_from_db()
        if action == Action.STOP_AND_REFER:
            messages.success(
                request, gettext("Plan paused. Contact the athlete and refer them for assessment.")
            )
        else:
            messages.success(request, gettext("Now in %(phase)s.") % {"phase": plan.current_phase.label})
    return redirect(plan)


@login_required
@capability_required(Cap.RECORD_CLEARANCE)
@require_POST
def phase_clear(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, pk)
    phase = get_object_or_404(plan.phases, pk=phase_pk)
    form = PhaseClearanceForm(request.POST)
    with PlanChangeOutcome(request) as change:
        seen = change.seen()
        if not form.is_valid():
            raise ValidationError([message for errors in form.errors.values() for message in errors])
        services.phase_clear(plan=plan, phase=phase, by=request.user, imaging=form.cleaned_data["imaging"],
                             note=form.cleaned_data["note"], seen=seen)  # fmt: skip
    if change.done:
        messages.success(
            request,
            gettext("Clearance recorded: %(phase)s can start when the plan moves on.")
            % {"phase": phase.label},
        )
    if request.POST.get("back") == "timeline":
        return redirect("rehab:timeline", plan.athlete_id)
    return redirect(plan)
