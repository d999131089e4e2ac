"""The coach's part of a plan: the limits the clinician sets, running changes and advances within them, and
requests for anything else, which the clinician accepts (applied through the plan services) or declines.

The rules themselves are rehab.coach's. Every change here takes the plan's version like the other plan edits
(PlanChanged when the page was out of date). A pending request keeps one "coach_request" notice open for the
athlete (portal.services.alert_raise): it lists on the caseload and in the clinician's notice digest, and
closes when the last request is decided.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.jobs import enqueue
from portal.models import Alert, CareTeamMember, Clinician
from portal.services import alert_raise, alert_resolve
from rehab import coach, codes
from rehab.codes import AlertKind
from rehab.models import ChangeRequest, PhaseChange, Plan, PlanPhase, RunningChange
from rehab.services.plans import plan_advance, plan_editing, plan_move
from rehab.services.status import status_snapshots

NOTICE_KIND = AlertKind.COACH_REQUEST
SERIOUS = (Alert.Severity.URGENT, Alert.Severity.EMERGENCY)


class OutsideLimits(ValidationError):
    """The change is outside the limits the clinician set: `refusals` say why (rehab.coach.Refusal)."""

    def __init__(self, refusals: list[coach.Refusal]):
        self.refusals = refusals
        super().__init__([refusal_text(refusal) for refusal in refusals], code="outside_limits")


def refusal_text(refusal: coach.Refusal) -> str:
    """Why the coach may not make a change, in the active language (rehab.coach.MESSAGES, its words marked)."""
    params = dict(refusal.params)
    if "action" in params:
        params["action"] = gettext(params["action"])
    return gettext(coach.MESSAGES[refusal.code]).format(**params)


def limits_of(plan: Plan) -> coach.Limits:
    return coach.Limits(
        session_minutes=plan.coach_max_session_minutes,
        week_minutes=plan.coach_max_week_minutes,
        weekly_increase_pct=plan.coach_max_weekly_increase_pct,
        advance_to=plan.coach_advance_to,
    )


def running_of(phase: PlanPhase) -> coach.Running:
    return coach.Running(
        activity=phase.run_activity, **{name: getattr(phase, name) for name in coach.RUN_FIELDS}
    )


def advance_situation(plan: Plan, phases: list[PlanPhase], *, engine_action: str, serious_alert: bool):
    """rehab.coach's view of `plan` for a move on by one phase (`phases`: all of the plan's, in order)."""
    current = next((p for p in phases if p.pk == plan.current_phase_id), None)
    following = [p for p in phases if current is not None and p.order > current.order]
    upcoming = following[0] if following else None
    return coach.AdvanceSituation(
        plan_active=plan.status == Plan.Status.ACTIVE,
        next_order=upcoming.order if upcoming else None,
        next_waits_for_clearance=upcoming is not None and not upcoming.is_cleared,
        engine_action=engine_action,
        serious_alert=serious_alert,
    )


def recipient_name(athlete) -> str:
    """Whom a coach's request goes to, in words: the athlete's primary clinician, else "the clinician"."""
    member = (
        CareTeamMember.objects.filter(athlete=athlete, is_primary=True)
        .select_related("clinician__user")
        .first()
    )
    if member is None:
        return gettext("the clinician")
    user = member.clinician.user
    return user.get_full_name() or user.email


def has_serious_alert(athlete_id: int) -> bool:
    return Alert.objects.open().filter(athlete_id=athlete_id, severity__in=SERIOUS).exists()


LIMIT_FIELDS = (
    "coach_max_session_minutes", "coach_max_week_minutes", "coach_max_weekly_increase_pct", "coach_advance_to",
)  # fmt: skip


@transaction.atomic
def coach_limits_set(*, plan: Plan, by, seen: int | None, **limits) -> Plan:
    """Set what the coach may change without asking (LIMIT_FIELDS; None: not set). One new plan version.

    Raises ValidationError per field when only some running limits are given or the phase is not the plan's.
    """
    unknown = set(limits) - set(LIMIT_FIELDS)
    if unknown:
        raise ValueError(f"Not coach limits: {sorted(unknown)}")
    wanted = coach.Limits(
        session_minutes=limits.get("coach_max_session_minutes"),
        week_minutes=limits.get("coach_max_week_minutes"),
        weekly_increase_pct=limits.get("coach_max_weekly_increase_pct"),
        advance_to=limits.get("coach_advance_to"),
    )
    missing = wanted.validate()
    if missing:
        raise ValidationError(
            {name: gettext("Set all three running limits, or none (then the coach asks for every change).")
             for name in missing}
        )  # fmt: skip
    if wanted.advance_to is not None and not plan.phases.filter(order=wanted.advance_to).exists():
        raise ValidationError({"coach_advance_to": gettext("This plan has no phase of that number.")})
    with plan_editing(plan=plan, by=by, seen=seen):
        for name in LIMIT_FIELDS:
            setattr(plan, name, limits.get(name))
        plan.full_clean(exclude=[f.name for f in Plan._meta.fields if f.name not in LIMIT_FIELDS],
                        validate_constraints=False)  # fmt: skip
        plan.save(update_fields=[*LIMIT_FIELDS, "updated"])
    return plan


@transaction.atomic
def running_change(
    *,
    plan: Plan,
    by,
    seen: int | None,
    values: dict,
    reason: str,
    phase: PlanPhase | None = None,
    limited: bool = True,
    request: ChangeRequest | None = None,
) -> RunningChange:
    """Change the running of `phase` (the plan's current phase by default) to `values` (any of
    rehab.coach.RUN_FIELDS) and record it, with why, in the plan's history.

    `limited`: a coach's change, checked against the plan's limits (OutsideLimits when outside them); a
    clinician's (or an accepted request) is not. Raises ValidationError when nothing changes, PlanChanged when
    the plan is no longer at version `seen`.
    """
    unknown = set(values) - set(coach.RUN_FIELDS)
    if unknown:
        raise ValueError(f"Not running fields: {sorted(unknown)}")
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationError({"reason": gettext("Keep the reason to 500 characters.")})
    with plan_editing(plan=plan, by=by, seen=seen):
        phase_id = phase.pk if phase is not None else plan.current_phase_id
        phase = PlanPhase.objects.select_for_update().filter(pk=phase_id, plan=plan).first()
        if phase is None:
            raise ValidationError(gettext("That phase is no longer part of this plan."))
        current = running_of(phase)
        proposed = current.replace(**values)
        changed = coach.changed_fields(current, proposed)
        if not changed:
            raise ValidationError(gettext("Nothing was changed: the running is already as given."))
        if limited:
            if plan.status != Plan.Status.ACTIVE or phase.pk != plan.current_phase_id:
                raise ValidationError(
                    gettext("Only the current phase of an active plan can be changed here.")
                )
            week_ago = _week_ago(phase, current)
            refusals = coach.check_running(limits_of(plan), current, proposed, week_ago=week_ago)
            if refusals:
                raise OutsideLimits(refusals)
        for name, (_, after) in changed.items():
            setattr(phase, name, after)
        phase.full_clean(exclude=["plan"])
        phase.save(update_fields=list(changed))
        record = RunningChange.objects.create(
            plan=plan, phase=phase, by=by, reason=reason, request=request,
            before={name: before for name, (before, _) in changed.items()},
            after={name: after for name, (_, after) in changed.items()},
        )  # fmt: skip
    # The engine compares logged minutes with the prescription: the athlete's status is recomputed.
    enqueue("rehab.refresh_athletes", [plan.athlete_id], timezone.localdate().isoformat())
    return record


def _week_ago(phase: PlanPhase, current: coach.Running) -> int | None:
    """The phase's minutes a week before the coach's changes of the last 7 days (None: there were none)."""
    since = timezone.now() - timedelta(days=7)
    # A coach's own changes (a clinician's, and accepted requests, set a new prescription knowingly).
    recent = RunningChange.objects.filter(
        phase=phase,
        created__gte=since,
        request__isnull=True,
        by__clinician__profession=Clinician.Profession.COACH,
    )
    state = None
    for change in recent.order_by("-created", "-pk"):  # undone newest first
        state = (state or current).replace(
            **{k: v for k, v in change.before.items() if k in coach.RUN_FIELDS}
        )
    return None if state is None else state.week_minutes or 0


@transaction.atomic
def coach_advance(
    *, plan: Plan, by, seen: int | None, reason: str = "", today: date | None = None
) -> PhaseChange:
    """Move the plan on one phase within the limits the clinician set (OutsideLimits when it may not), reading
    the engine's advice and the athlete's alerts as they are now."""
    today = today or timezone.localdate()
    phases = list(plan.phases.all())
    _, snap = status_snapshots([plan.athlete], today)[plan.athlete_id]
    rec = snap.recommendation
    situation = advance_situation(
        plan,
        phases,
        engine_action=rec.action if rec else "",
        serious_alert=has_serious_alert(plan.athlete_id),
    )
    refusals = coach.check_advance(limits_of(plan), situation)
    if refusals:
        raise OutsideLimits(refusals)
    # plan_advance claims the version the page showed: the state read above is the one the page was built on.
    return plan_advance(plan=plan, by=by, reason=reason, today=today, seen=seen)


@transaction.atomic
def request_create(
    *, plan: Plan, by, kind: str, reason: str, proposed: dict | None = None, phase: PlanPhase | None = None
) -> ChangeRequest:
    """A coach's request to the clinician; the athlete's coach_request notice lists it.

    `proposed`: {"to_phase": <pk>} for a phase change, running fields for a running change, nothing for an
    exercise change (the reason says what). Raises ValidationError per field.
    """
    proposed = dict(proposed or {})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("Say what you propose and why: the clinician decides from this.")}
        )
    if kind not in ChangeRequest.Kind.values:
        raise ValidationError({"kind": gettext("Choose what the request is about.")})
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError(gettext("The plan is not active: talk to the clinician directly."))
    phase = phase or plan.current_phase
    current = {}
    if kind == ChangeRequest.Kind.PHASE:
        target = plan.phases.filter(pk=proposed.get("to_phase")).first()
        if target is None or target.pk == plan.current_phase_id:
            raise ValidationError({"to_phase": gettext("Choose the phase to move to.")})
        proposed = {"to_phase": target.pk}
        current = {"phase": plan.current_phase_id}
    elif kind == ChangeRequest.Kind.RUNNING:
        if set(proposed) - set(coach.RUN_FIELDS):
            raise ValueError(f"Not running fields: {sorted(set(proposed) - set(coach.RUN_FIELDS))}")
        if phase is None:
            raise ValidationError(gettext("The plan has no current phase."))
        now = running_of(phase)
        proposed = {
            name: after for name, (_, after) in coach.changed_fields(now, now.replace(**proposed)).items()
        }
        if not proposed:
            raise ValidationError(gettext("The running is already as proposed: there is nothing to ask for."))
        current = {name: getattr(now, name) for name in proposed}
    else:
        proposed = {}
    same = ChangeRequest.objects.pending().filter(plan=plan, kind=kind, reason=reason, requested_by=by)
    twin = next((r for r in same if r.proposed == proposed), None)
    if twin is not None:  # the same form sent twice
        return twin
    request = ChangeRequest(
        plan=plan, phase=phase, kind=kind, proposed=proposed, current=current, reason=reason, requested_by=by
    )
    request.full_clean()
    request.save()
    _notice_sync(plan, by=by)
    return request


@transaction.atomic
def request_accept(*, request: ChangeRequest, by, seen: int | None, today: date | None = None):
    """Accept a pending request and apply it through the plan services (PlanChanged when the clinician's page is
    out of date; ValidationError when it cannot be applied, e.g. the plan is already in that phase).

    Returns (request, applied): accepting a request that was decided already changes nothing (a second click).
    """
    request = ChangeRequest.objects.select_for_update().filter(pk=request.pk).first()
    if request is None:
        raise ValidationError(gettext("This request no longer exists."))
    if not request.is_pending:
        return request, False
    plan = Plan.objects.select_related("athlete", "current_phase").get(pk=request.plan_id)
    if request.kind == ChangeRequest.Kind.RUNNING:
        if request.phase_id is None:  # its phase was removed from the plan meanwhile
            raise ValidationError(
                gettext("That phase is no longer part of this plan: decline the request instead.")
            )
        running_change(plan=plan, by=by, seen=seen, values=request.proposed, reason=request.reason,
                       phase=request.phase, limited=False, request=request)  # fmt: skip
    elif request.kind == ChangeRequest.Kind.PHASE:
        target = plan.phases.filter(pk=request.proposed.get("to_phase")).first()
        if target is None:
            raise ValidationError(
                gettext("That phase is no longer part of this plan: decline the request instead.")
            )
        plan_move(plan=plan, to_phase=target, by=by, reason=request.reason, today=today, seen=seen)
    # An exercise change is the clinician's to make on the tailor page: accepting says it will be made.
    _decide(request, by=by, status=ChangeRequest.Status.ACCEPTED, note="")
    _notice_sync(plan, by=by)
    return request, True


@transaction.atomic
def request_decline(*, request: ChangeRequest, by, note: str = ""):
    """Decline a pending request, with an optional note for the coach. Returns (request, declined now)."""
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": gettext("Keep the note to 500 characters.")})
    request = ChangeRequest.objects.select_for_update().filter(pk=request.pk).first()
    if request is None:
        raise ValidationError(gettext("This request no longer exists."))
    if not request.is_pending:
        return request, False
    _decide(request, by=by, status=ChangeRequest.Status.DECLINED, note=note)
    _notice_sync(Plan.objects.select_related("athlete").get(pk=request.plan_id), by=by)
    return request, True


def _decide(request: ChangeRequest, *, by, status: str, note: str) -> None:
    request.status, request.decided_by, request.decided_at = status, by, timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


def _notice_sync(plan: Plan, *, by) -> None:
    """One open coach_request notice while the athlete has pending requests, none after."""
    pending = ChangeRequest.objects.pending().filter(plan__athlete_id=plan.athlete_id).count()
    if pending:
        alert_raise(athlete=plan.athlete, kind=NOTICE_KIND, severity=Alert.Severity.NOTICE,
                    code=codes.ALERT_COACH_REQUESTS, params={"count": pending},
                    link=plan.get_absolute_url())  # fmt: skip
        return
    alert = Alert.objects.open().filter(athlete_id=plan.athlete_id, kind=NOTICE_KIND).first()
    if alert is not None:
        alert_resolve(alert=alert, by=by, note_code=codes.CLOSED_COACH_DECIDED)


def coach_text_forget(athlete, *, by=None) -> None:
    """For personal data deletion (portal.privacy): the free text of the athlete's requests and running changes
    goes (it may name them), and pending requests are declined; what changed, who and when stay."""
    requests = ChangeRequest.objects.filter(plan__athlete=athlete)
    requests.pending().update(status=ChangeRequest.Status.DECLINED, decided_by=by, decided_at=timezone.now())
    requests.update(reason="", decision_note="")
    RunningChange.objects.filter(plan__athlete=athlete).exclude(reason="").update(reason="")
