"""`{% load coach %}`: the coach's part of a plan on the plan page and the timeline, read with a fixed number of
queries whatever the number of requests and changes.

- `{% coach_panel %}` (plan page): for the coach, the limits in words, the running and advance actions and
  their requests; for the clinician, the limits form and the pending requests with Accept / Decline.
- `{% coach_timeline %}` (timeline): the pending requests and the latest running changes.
- `{% coach_history plan history as rows %}`: the plan's phase changes and running changes, for its history.
"""

from datetime import timedelta

from django import template
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from portal.capabilities import Cap, can
from rehab import coach
from rehab.forms import PlanVersionForm
from rehab.forms_coach import CoachLimitsForm
from rehab.models import ChangeRequest, Plan, RunningChange
from rehab.services import coach as coach_services

register = template.Library()

RECENT_DAYS = 30  # decided requests stay on the plan page this long, for the coach to read the answer


def _requests(plan: Plan, phases, *, decided: bool) -> list[ChangeRequest]:
    """The plan's pending requests (and, with `decided`, those decided lately), each with its proposal in
    words (`rows`: (what, from, to)) and, for a phase change, `target` (the phase)."""
    wanted = Q(status=ChangeRequest.Status.PENDING)
    if decided:
        wanted |= Q(decided_at__gte=timezone.now() - timedelta(days=RECENT_DAYS))
    by_pk = {phase.pk: phase for phase in phases}
    rows = list(
        plan.change_requests.filter(wanted)
        .select_related("requested_by", "decided_by")
        .order_by("-status", "-created")[:20]  # pending first ("pending" > "declined" > "accepted")
    )
    for row in rows:
        row.target = by_pk.get(row.proposed.get("to_phase")) if row.kind == ChangeRequest.Kind.PHASE else None
        row.about = by_pk.get(row.phase_id)
        row.rows = [
            (gettext(coach.run_field_label(name)), row.current.get(name), value)
            for name, value in row.proposed.items()
            if name in coach.RUN_FIELDS
        ]
        if row.rows and row.about is not None:  # what it makes of the week, the limit a physio thinks in
            before = coach_services.running_of(row.about).replace(
                **{k: v for k, v in row.current.items() if k in coach.RUN_FIELDS}
            )
            weeks = (before.week_minutes, before.replace(**row.proposed).week_minutes)
            if weeks[0] != weeks[1]:
                row.rows.append((gettext("minutes a week"), *weeks))
    return rows


def _phases(context, plan: Plan) -> list:
    phases = context.get("phases")
    return list(phases) if phases is not None else list(plan.phases.all())


@register.inclusion_tag("rehab/coach_panel.html", takes_context=True)
def coach_panel(context) -> dict:
    user, plan = context["user"], context["plan"]
    athlete = plan.athlete
    phases = _phases(context, plan)
    limits = coach_services.limits_of(plan)
    coach_view = can(user, Cap.MANAGE_RUNNING, athlete) and not can(user, Cap.TAILOR_PLAN, athlete)
    decide = can(user, Cap.DECIDE_REQUEST, athlete)
    current = next((p for p in phases if p.pk == plan.current_phase_id), None)
    upcoming = next((p for p in phases if current is not None and p.order > current.order), None)
    data = {
        "user": user,
        "plan": plan,
        "limits": limits,
        "current": current,
        "upcoming": upcoming,
        "coach_view": coach_view,
        "decide": decide,
        "active": plan.status == Plan.Status.ACTIVE,
        "csrf_token": context.get("csrf_token"),
    }
    if coach_view:
        rec = context.get("rec")
        action = rec.action if rec is not None else ""
        situation = coach_services.advance_situation(plan, phases, engine_action=action, serious_alert=False)
        refusals = coach.check_advance(limits, situation)
        if not refusals:  # the alert query only when it is the last question left
            serious = coach_services.has_serious_alert(athlete.pk)
            situation = coach_services.advance_situation(
                plan, phases, engine_action=action, serious_alert=serious
            )
            refusals = coach.check_advance(limits, situation)
        data |= {
            "advance_refusals": refusals,
            "may_request": can(user, Cap.REQUEST_CHANGE, athlete),
            "clinician_name": coach_services.recipient_name(athlete),
            "requests": _requests(plan, phases, decided=True),
            "reason_form_id": "coach-advance-reason",
        }
    else:
        data["requests"] = _requests(plan, phases, decided=False) if decide else []
        # A finished plan's limits have nothing left to limit: completing or cancelling it closes the form.
        if can(user, Cap.TAILOR_PLAN, athlete) and plan.status not in (
            Plan.Status.CANCELLED,
            Plan.Status.COMPLETED,
        ):
            data["limits_form"] = CoachLimitsForm(plan=plan, phases=phases)
            data["version"] = PlanVersionForm(initial={"version": plan.version})
    return data


@register.inclusion_tag("rehab/coach_timeline.html", takes_context=True)
def coach_timeline(context) -> dict:
    user, plan = context["user"], context.get("plan")
    if plan is None:
        return {"plan": None}
    phases = _phases(context, plan)
    changes = list(
        RunningChange.objects.filter(plan=plan)
        .select_related("by", "phase", "request__requested_by")
        .order_by("-created", "-pk")[:5]
    )
    return {
        "user": user,
        "plan": plan,
        "requests": _requests(plan, phases, decided=False),
        "decide": can(user, Cap.DECIDE_REQUEST, plan.athlete),
        "changes": changes,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def coach_history(plan: Plan, phase_changes) -> list[tuple[str, object]]:
    """The plan's phase changes and running changes (the coach's, and accepted requests) in one list, newest
    first: ("phase", PhaseChange) or ("running", RunningChange)."""
    running = RunningChange.objects.filter(plan=plan).select_related("by", "phase", "request__requested_by")
    rows = [("phase", change) for change in phase_changes] + [("running", change) for change in running]
    return sorted(rows, key=lambda row: (row[1].created, row[0] == "running"), reverse=True)


@register.filter
def run_value(value) -> str:
    """A running value as a request or change shows it: empty is "not set"."""
    return gettext("not set") if value in (None, "") else str(value)


@register.filter
def refusal_text(refusal) -> str:
    """Why the coach may not make a change, in the reader's language."""
    return coach_services.refusal_text(refusal)
