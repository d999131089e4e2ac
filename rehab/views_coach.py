"""The coach's part of a plan: the clinician sets the limits; the coach changes the running and advances within
them, or sends a request; the clinician accepts or declines it in one click (plan page or timeline).

Every view: login, the capability (403), the plan through selectors.get_plan_for_user (404 outside the user's
clinic), then the capability for that athlete. The writes are rehab.services.coach's.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.capabilities import Cap, can, capability_required, require
from rehab import selectors, services
from rehab.forms import MoveReasonForm, PlanVersionForm
from rehab.forms_coach import ChangeRequestForm, CoachLimitsForm, DecisionForm, RunningForm
from rehab.models import ChangeRequest, Plan, PlanPhase
from rehab.services import coach as coach_services
from rehab.views_plan_change import PlanChangeOutcome


def _plan(request: HttpRequest, pk: int, cap: Cap) -> Plan:
    plan = selectors.get_plan_for_user(request.user, pk)
    require(request.user, cap, plan.athlete)
    return plan


@login_required
@capability_required(Cap.TAILOR_PLAN)
def coach_limits(request: HttpRequest, pk: int) -> HttpResponse:
    """The clinician sets what the coach may change without asking (the plan page shows the same form)."""
    plan = _plan(request, pk, Cap.TAILOR_PLAN)
    form = CoachLimitsForm(request.POST or None, plan=plan)
    version = PlanVersionForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        with PlanChangeOutcome(request, form=form) as change:
            coach_services.coach_limits_set(
                plan=plan, by=request.user, seen=change.seen(), **form.cleaned_data
            )
        if change.refused:
            return redirect(plan)
        if change.done:
            messages.success(request, gettext("Saved what the coach may change on this plan."))
            return redirect(plan)
    context = {"plan": plan, "athlete": plan.athlete, "form": form, "version": version}
    return render(request, "rehab/coach_limits.html", context)


@login_required
@capability_required(Cap.MANAGE_RUNNING)
def coach_running(request: HttpRequest, pk: int) -> HttpResponse:
    """The running of the current phase: a coach within the plan's limits (outside them: the page offers to send
    the same values to the clinician as a request); a clinician without limits."""
    plan = _plan(request, pk, Cap.MANAGE_RUNNING)
    if plan.status != Plan.Status.ACTIVE or plan.current_phase_id is None:
        messages.info(request, gettext("Only an active plan's running can be changed."))
        return redirect(plan)
    phase = get_object_or_404(PlanPhase, pk=plan.current_phase_id)
    limited = not can(request.user, Cap.TAILOR_PLAN, plan.athlete)
    form = RunningForm(request.POST or None, instance=phase)
    version = PlanVersionForm(request.POST or None, initial={"version": plan.version})
    outside = None
    if request.method == "POST" and form.is_valid():
        with PlanChangeOutcome(request, form=form) as change:
            try:
                coach_services.running_change(plan=plan, by=request.user, seen=change.seen(), values=form.values(),
                                              reason=form.cleaned_data["reason"], limited=limited)  # fmt: skip
            except coach_services.OutsideLimits:
                # Refused like any ValidationError (on the form); the page offers to send it as a request.
                outside = {"values": form.values(), "reason": form.cleaned_data["reason"]}
                raise
        if change.refused:
            return redirect(plan)
        if change.done:
            messages.success(
                request,
                gettext("Running of %(phase)s saved. The clinician sees the change and why.")
                % {"phase": phase.label},
            )
            return redirect(plan)
    phase.refresh_from_db()  # the form's validation wrote the posted values onto it: show what is saved
    context = {
        "plan": plan,
        "athlete": plan.athlete,
        "phase": phase,
        "form": form,
        "version": version,
        "limited": limited,
        "limits": coach_services.limits_of(plan),
        "outside": outside,
        "may_request": can(request.user, Cap.REQUEST_CHANGE, plan.athlete),
        "clinician_name": coach_services.recipient_name(plan.athlete) if limited else "",
    }
    return render(request, "rehab/coach_running.html", context)


@login_required
@capability_required(Cap.ADVANCE_WITHIN_LIMITS)
@require_POST
def coach_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the plan on one phase: a coach within the limits the clinician set."""
    plan = _plan(request, pk, Cap.ADVANCE_WITHIN_LIMITS)
    why = MoveReasonForm(request.POST)
    with PlanChangeOutcome(request) as change:
        seen = change.seen()
        if not why.is_valid():
            raise ValidationError(why.errors["reason"])
        reason, today = why.cleaned_data["reason"], timezone.localdate()
        if can(request.user, Cap.CHANGE_PHASE, plan.athlete):
            services.plan_advance(plan=plan, by=request.user, reason=reason, today=today, seen=seen)
        else:
            coach_services.coach_advance(plan=plan, by=request.user, reason=reason, today=today, seen=seen)
    if change.done:
        plan.refresh_from_db()
        messages.success(
            request,
            gettext("Now in %(phase)s. The clinician sees the move in its history.")
            % {"phase": plan.current_phase.label},
        )
    return redirect(plan)


@login_required
@capability_required(Cap.REQUEST_CHANGE)
def change_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A coach's request to the clinician (GET: the form, ?kind= chooses; POST: sends it)."""
    plan = _plan(request, pk, Cap.REQUEST_CHANGE)
    if plan.status != Plan.Status.ACTIVE:
        messages.info(request, gettext("The plan is not active: talk to the clinician directly."))
        return redirect(plan)
    phases = list(plan.phases.all())
    current = next((p for p in phases if p.pk == plan.current_phase_id), None)
    following = next((p for p in phases if current is not None and p.order > current.order), None)
    initial = {"kind": request.GET.get("kind", ""), "to_phase": following.pk if following else None}
    if current is not None:
        initial |= {name: getattr(current, name) for name in coach_services.coach.RUN_FIELDS}
    form = ChangeRequestForm(request.POST or None, plan=plan, initial=initial)
    clinician_name = coach_services.recipient_name(plan.athlete)
    if request.method == "POST" and form.is_valid():
        try:
            coach_services.request_create(plan=plan, by=request.user, kind=form.cleaned_data["kind"],
                                          reason=form.cleaned_data["reason"], proposed=form.proposed())  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                gettext("Request sent to %(name)s. It shows on the plan until they decide.")
                % {"name": clinician_name},
            )
            return redirect(plan)
    context = {"plan": plan, "athlete": plan.athlete, "form": form, "phase": current,
               "clinician_name": clinician_name}  # fmt: skip
    return render(request, "rehab/coach_request.html", context)


@login_required
@capability_required(Cap.DECIDE_REQUEST)
@require_POST
def change_request_decide(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    """Accept (applied at once, with the page's plan version) or decline (an optional note) a coach's request."""
    plan = _plan(request, pk, Cap.DECIDE_REQUEST)
    change_request = get_object_or_404(plan.change_requests, pk=request_pk)
    back = (
        redirect("rehab:timeline", plan.athlete_id)
        if request.POST.get("back") == "timeline"
        else redirect(plan)
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose to accept or decline the request."))
        return back
    accept = form.cleaned_data["decision"] == "accept"
    with PlanChangeOutcome(request) as change:
        if accept:
            decided, now = coach_services.request_accept(
                request=change_request, by=request.user, seen=change.seen()
            )
        else:
            decided, now = coach_services.request_decline(
                request=change_request, by=request.user, note=form.cleaned_data["note"]
            )
    if not change.done:
        return back
    if not now:
        who = decided.decided_by.get_full_name() if decided.decided_by else ""
        messages.info(
            request,
            (
                gettext("This request was %(status)s already by %(name)s.")
                if who
                else gettext("This request was %(status)s already.")
            )
            % {"status": decided.get_status_display().lower(), "name": who},
        )
    elif not accept:
        messages.success(request, gettext("Request declined. The coach sees your note on the plan."))
    elif decided.kind == ChangeRequest.Kind.EXERCISE and decided.phase_id is not None:
        messages.success(
            request, gettext("Request accepted. Make the exercise change here, then save the phase.")
        )
        return redirect("rehab:phase_edit", plan.pk, decided.phase_id)
    else:
        messages.success(request, gettext("Request accepted and applied to the plan."))
    return back
