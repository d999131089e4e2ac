"""Plans: assign a template, edit, move between phases, pause or complete, record clearances, act on the engine.

Every change takes the plan's row lock and bumps its version (`_claim`); a change that makes the athlete's
status out of date enqueues its recomputation (`_plan_changed` → the `rehab.refresh_athletes` job), it never
recomputes it here. Every new version (and a new plan) enqueues the render of its printed program.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop
from modeltranslation.utils import build_localized_fieldname

from portal.jobs import enqueue
from portal.models import Alert
from portal.services import alert_resolve, check_athlete_editable
from rehab import codes, selectors
from rehab import models as rehab_models
from rehab.codes import AlertKind, Reason, reason
from rehab.criteria import reason_text, reasons_json
from rehab.models import (
    Action,
    PhaseChange,
    PhaseExerciseTemplate,
    PhaseTemplate,
    Plan,
    PlanExercise,
    PlanPhase,
    PlanTemplate,
)
from rehab.services.status import status_snapshots
from rehab.translation import every_language

PHASE_FIELDS = list(rehab_models.PHASE_FIELDS)
DOSAGE_FIELDS = ["order", "exercise_id", *rehab_models.DOSAGE_FIELDS]  # a planned exercise's copied columns


# English here (marked for the catalog), translated where raised.
ACTIVE_PLAN_EXISTS = gettext_noop(
    "This athlete already has an active plan. Complete, pause or cancel it first."
)


def _copy(source, target_cls, fields, **extra):
    # A protocol's text goes over in every language it is written in, not only the one active now.
    names = [*fields, *every_language(fields)]
    return target_cls(**{name: getattr(source, name) for name in names}, **extra)


@transaction.atomic
def plan_assign(
    *,
    athlete,
    template: PlanTemplate,
    by,
    start: date,
    goal: str = "",
    name: str = "",
    pain_free: bool | None = None,
) -> Plan:
    """Copy `template` into a new active plan for `athlete`, starting in its first phase.

    `pain_free` (any pain holds the phase) defaults to selectors.pain_free_default; a bone stress injury
    template always keeps it.

    Raises ValidationError if the athlete already has an active plan or the template has no phases.
    """
    check_athlete_editable(athlete)
    if Plan.objects.filter(athlete=athlete, status=Plan.Status.ACTIVE).exists():
        raise ValidationError(gettext(ACTIVE_PLAN_EXISTS))
    phases = list(template.phases.prefetch_related("exercises"))
    if not phases:
        raise ValidationError(gettext("This template has no phases yet."))
    if pain_free is None:
        pain_free = selectors.pain_free_default(athlete, template)
    elif not pain_free:
        pain_free = selectors.template_pain_free(template)
    plan = Plan(athlete=athlete, template=template, name=name or template.name, goal=goal, start_date=start,
                assigned_by=by, pain_free=pain_free)  # fmt: skip
    plan.full_clean()
    plan.save()
    copies = PlanPhase.objects.bulk_create(_copy(p, PlanPhase, PHASE_FIELDS, plan=plan) for p in phases)
    PlanExercise.objects.bulk_create(
        _copy(ex, PlanExercise, DOSAGE_FIELDS, phase=copy)
        for source, copy in zip(phases, copies, strict=True)
        for ex in source.exercises.all()
    )
    first = copies[0]
    first.started_on = start
    first.save(update_fields=["started_on"])
    plan.current_phase = first
    plan.save(update_fields=["current_phase"])
    PhaseChange.objects.create(plan=plan, to_phase=first, kind=PhaseChange.Kind.START, by=by,
                               **_reason_fields(reason(codes.PLAN_ASSIGNED, template=template.name)))  # fmt: skip
    _plan_changed(plan, by=by)
    enqueue("rehab.prerender_plan", plan.pk)
    return plan


BLANK_PHASES_MAX = 12


@transaction.atomic
def plan_start_blank(
    *,
    athlete,
    by,
    start: date,
    name: str,
    phases: int = 1,
    goal: str = "",
    pain_free: bool | None = None,
) -> Plan:
    """A new active plan for `athlete` with no protocol behind it: `phases` empty phases ("Phase 1", …) for
    the clinician to tailor, starting in the first.

    The phases hold the engine's defaults (at least 7 days, pain up to 2/10 during and after, settled by the
    next morning, no running) until they are tailored. Raises ValidationError as plan_assign does.
    """
    check_athlete_editable(athlete)
    if Plan.objects.filter(athlete=athlete, status=Plan.Status.ACTIVE).exists():
        raise ValidationError(gettext(ACTIVE_PLAN_EXISTS))
    if not 1 <= phases <= BLANK_PHASES_MAX:
        raise ValidationError(
            {"phases": gettext("Choose from 1 to %(max)s phases.") % {"max": BLANK_PHASES_MAX}}
        )
    if pain_free is None:
        pain_free = selectors.pain_free_default(athlete)
    plan = Plan(athlete=athlete, template=None, name=name.strip(), goal=goal, start_date=start, assigned_by=by,
                pain_free=pain_free)  # fmt: skip
    plan.full_clean()
    plan.save()
    copies = PlanPhase.objects.bulk_create(
        PlanPhase(plan=plan, order=n, name=f"Phase {n}") for n in range(1, phases + 1)
    )
    first = copies[0]
    first.started_on = start
    first.save(update_fields=["started_on"])
    plan.current_phase = first
    plan.save(update_fields=["current_phase"])
    PhaseChange.objects.create(plan=plan, to_phase=first, kind=PhaseChange.Kind.START, by=by,
                               **_reason_fields(reason(codes.PLAN_STARTED_BLANK)))  # fmt: skip
    _plan_changed(plan, by=by)
    enqueue("rehab.prerender_plan", plan.pk)
    return plan


class PlanChanged(Exception):
    """The plan was saved by someone else after the caller read it at version `seen`: nothing was changed.

    `plan` is the plan as it is now (its version, when it changed and `changed_by`).
    """

    def __init__(self, plan: Plan, *, seen: int):
        self.plan, self.seen = plan, seen
        super().__init__(self.summary())

    def _at(self) -> str:
        when = timezone.localtime(self.plan.updated)
        if when.date() == timezone.localdate():
            return date_format(when, "H:i")
        return gettext("%(time)s on %(day)s") % {
            "time": date_format(when, "H:i"),
            "day": date_format(when, "j F"),
        }

    def _who(self) -> str:
        who = self.plan.changed_by
        return (who.get_full_name() or who.email) if who is not None else ""

    def summary(self) -> str:
        """For programs and logs: "This plan was changed at 14:05 by Maya Okafor"."""
        who = self._who()
        return f"This plan was changed at {self._at()}" + (f" by {who}" if who else "")

    def describe(self, viewer=None) -> str:
        """For the person whose save was refused: "Someone else changed this plan at 14:05 (by Maya Okafor)"."""
        who = self.plan.changed_by
        if who is None:  # an automatic change (auto-advance after a log) or a deleted login
            return gettext("This plan was changed at %(at)s") % {"at": self._at()}
        if viewer is not None and who.pk == viewer.pk:
            return gettext("You changed this plan at %(at)s in another tab or window") % {"at": self._at()}
        return gettext("Someone else changed this plan at %(at)s (by %(name)s)") % {
            "at": self._at(),
            "name": self._who(),
        }


PLAN_GONE = gettext_noop("This plan no longer exists.")


def _bump(plan: Plan, *, by) -> None:
    """A new version of the plan: +1, when and who. Takes the row lock until the transaction ends."""
    now = timezone.now()
    if not Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated=now, changed_by=by):
        raise ValidationError(gettext(PLAN_GONE))
    plan.version = Plan.objects.filter(pk=plan.pk).values_list("version", flat=True).get()
    plan.updated, plan.changed_by = now, by
    enqueue("rehab.prerender_plan", plan.pk)


def _claim(plan: Plan, *, by, seen: int | None) -> None:
    """Start one change of `plan` (inside a transaction): its version goes up once, its row stays locked.

    With `seen` (the version the user's page or request was built from), refuse with PlanChanged when the
    plan is no longer at that version: the conditional UPDATE waits for a concurrent change to commit and then
    matches nothing, so of two simultaneous saves of the same version exactly one goes through. Without `seen`
    (no check: automatic moves, API clients that send no version) the plan is re-read under the lock so the
    change applies to its current state.
    """
    check_athlete_editable(plan.athlete)
    if seen is None:
        _bump(plan, by=by)
        plan.refresh_from_db(from_queryset=Plan.objects.select_related("athlete", "current_phase"))
        return
    now = timezone.now()
    claimed = Plan.objects.filter(pk=plan.pk, version=seen).update(
        version=F("version") + 1, updated=now, changed_by=by
    )
    if not claimed:
        current = Plan.objects.select_related("changed_by").filter(pk=plan.pk).first()
        if current is None:
            raise ValidationError(gettext(PLAN_GONE))
        raise PlanChanged(current, seen=seen)
    plan.version, plan.updated, plan.changed_by = seen + 1, now, by
    enqueue("rehab.prerender_plan", plan.pk)


@contextmanager
def plan_editing(*, plan: Plan, by, seen: int | None) -> Iterator[Plan]:
    """One edit of the plan's content (e.g. the tailor form's phase and exercises, saved inside the block).

    Raises PlanChanged before the block runs when the plan is no longer at version `seen`; an exception in the
    block rolls the whole edit back, version included.
    """
    with transaction.atomic():
        _claim(plan, by=by, seen=seen)
        yield plan


@transaction.atomic
def plan_move(
    *,
    plan: Plan,
    to_phase: PlanPhase,
    by,
    reason: str | Reason = "",
    today: date | None = None,
    seen: int | None = None,
) -> PhaseChange:
    """Move `plan` to `to_phase` and record why. The kind (advance / regress / jump) follows from the order.

    `seen`: the plan version the caller's page showed; PlanChanged if the plan changed since (here and below).
    """
    _claim(plan, by=by, seen=seen)
    return _move(plan, to_phase, by=by, reason=reason, today=today)


def _reason_fields(why: str | Reason) -> dict:
    """A PhaseChange's why: a clinician's words as text, the engine's and the services' as a code."""
    if isinstance(why, Reason):
        return {"reason": "", "reason_code": why.code, "reason_params": dict(why.params)}
    return {"reason": why}


def _move(plan: Plan, to_phase: PlanPhase, *, by, reason: str | Reason, today: date | None) -> PhaseChange:
    if to_phase.plan_id != plan.pk:
        raise ValidationError(gettext("That phase belongs to another plan."))
    current = plan.current_phase
    if current is not None and current.pk == to_phase.pk:
        raise ValidationError(gettext("The plan is already in that phase."))
    # Moving forward enters (or passes) every phase up to the target: none of them may be waiting for a clearance.
    passed = (
        plan.phases.filter(order__gt=current.order, order__lte=to_phase.order)
        if current is not None and to_phase.order > current.order
        else PlanPhase.objects.filter(pk=to_phase.pk)
    )
    waiting = passed.filter(requires_clearance=True, cleared_at__isnull=True).order_by("order").first()
    if waiting is not None:
        raise ValidationError(
            gettext(
                "“%(name)s” needs a clinician's clearance before it starts: record it first (on the plan page, in "
                "that phase, or on the timeline)."
            )
            % {"name": waiting.name}
        )
    if current is None or abs(to_phase.order - current.order) > 1:
        kind = PhaseChange.Kind.JUMP
    elif to_phase.order > current.order:
        kind = PhaseChange.Kind.ADVANCE
    else:
        kind = PhaseChange.Kind.REGRESS
    today = today or date.today()
    to_phase.started_on = today
    to_phase.save(update_fields=["started_on"])
    plan.current_phase = to_phase
    plan.save(update_fields=["current_phase", "updated"])
    change = PhaseChange.objects.create(plan=plan, from_phase=current, to_phase=to_phase, kind=kind, by=by,
                                        **_reason_fields(reason))  # fmt: skip
    _plan_changed(plan, by=by, today=today)
    return change


def _neighbour(plan: Plan, step: int) -> PlanPhase:
    current = plan.current_phase
    phases = list(plan.phases.all())
    index = next((i for i, p in enumerate(phases) if current and p.pk == current.pk), None)
    target = None if index is None else index + step
    if target is None or not 0 <= target < len(phases):
        raise ValidationError(
            gettext("This is the last phase.") if step > 0 else gettext("This is the first phase.")
        )
    return phases[target]


@transaction.atomic
def plan_advance(
    *, plan: Plan, by, reason: str | Reason = "", today: date | None = None, seen: int | None = None
) -> PhaseChange:
    _claim(plan, by=by, seen=seen)
    return _move(plan, _neighbour(plan, +1), by=by, reason=reason, today=today)


@transaction.atomic
def plan_regress(
    *, plan: Plan, by, reason: str = "", today: date | None = None, seen: int | None = None
) -> PhaseChange:
    _claim(plan, by=by, seen=seen)
    return _move(plan, _neighbour(plan, -1), by=by, reason=reason, today=today)


def plan_touch(plan: Plan, *, by=None) -> None:
    """Record a change made outside these services (the admin's forms): a new version, when and by whom.

    Its printed program is rendered again. Callers that must not overwrite a newer version lock the row and
    compare versions first (rehab.admin.PlanVersionFormMixin).
    """
    _bump(plan, by=by)


PLAN_EDITABLE_FIELDS = ("name", "goal", "auto_advance", "pain_free")


@transaction.atomic
def plan_update(*, plan: Plan, by, seen: int | None = None, status: str | None = None, **changes) -> Plan:
    """Change a plan's name, goal, auto-advance, pain-free rule and status as one change (one new version).

    Raises PlanChanged when the plan is no longer at version `seen`, ValidationError({"status": …}) when the
    status change is refused.
    """
    unknown = set(changes) - set(PLAN_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable plan fields: {sorted(unknown)}")
    _claim(plan, by=by, seen=seen)
    if changes:
        for name, value in changes.items():
            setattr(plan, name, value)
        plan.save(update_fields=[*changes, "updated"])
    if status is not None and status != plan.status:
        try:
            _set_status(plan, status, by=by)
        except ValidationError as error:
            raise ValidationError({"status": error.messages}) from None
    return plan


@transaction.atomic
def template_duplicate(*, template: PlanTemplate, clinic, name: str = "") -> PlanTemplate:
    """A clinic-owned copy of `template`, with its phases and exercises, for the clinic to adapt."""
    base = f"{template.slug}-copy"
    slug, n = base, 1
    while PlanTemplate.objects.filter(clinic=clinic, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    copy = PlanTemplate.objects.create(
        clinic=clinic, slug=slug, name=name or f"{template.name} (copy)",
        **{column: getattr(template, column) for column in every_language(["summary"])},
        duration_weeks_min=template.duration_weeks_min, duration_weeks_max=template.duration_weeks_max,
    )  # fmt: skip
    copy.conditions.set(template.conditions.all())
    phases = list(template.phases.prefetch_related("exercises"))
    copies = PhaseTemplate.objects.bulk_create(
        _copy(p, PhaseTemplate, PHASE_FIELDS, template=copy) for p in phases
    )
    PhaseExerciseTemplate.objects.bulk_create(
        _copy(ex, PhaseExerciseTemplate, DOSAGE_FIELDS, phase=c)
        for p, c in zip(phases, copies, strict=True)
        for ex in p.exercises.all()
    )
    return copy


@transaction.atomic
def plan_set_status(*, plan: Plan, status: str, by, seen: int | None = None) -> Plan:
    """Pause, resume or complete a plan (plan_cancel cancels one). Only one plan per athlete can be active."""
    _claim(plan, by=by, seen=seen)
    return _set_status(plan, status, by=by)


def _set_status(plan: Plan, status: str, *, by) -> Plan:
    if status not in Plan.Status.values:
        raise ValidationError(gettext("Unknown plan status."))
    if status == Plan.Status.ACTIVE and (
        Plan.objects.filter(athlete=plan.athlete, status=Plan.Status.ACTIVE).exclude(pk=plan.pk).exists()
    ):
        raise ValidationError(gettext(ACTIVE_PLAN_EXISTS))
    if status == Plan.Status.CANCELLED:
        raise ValidationError(
            gettext(
                "A plan is cancelled with a reason: use “Cancel plan” on the plan page (the API: its cancel action)."
            )
        )
    was_completed = plan.status == Plan.Status.COMPLETED
    plan.status = status
    fields = ["status", "updated", "completed_at"]
    if status == Plan.Status.COMPLETED:
        if not was_completed or plan.completed_at is None:  # marked completed again: the first day stands
            plan.completed_at = timezone.now()
    else:
        plan.completed_at = None
    if plan.cancelled_at is not None:  # a cancelled plan made active again: no longer cancelled
        plan.cancel_reason, plan.cancelled_at, plan.cancelled_by = "", None, None
        fields += ["cancel_reason", "cancelled_at", "cancelled_by"]
    plan.save(update_fields=fields)
    _plan_changed(plan, by=by)
    if status == Plan.Status.COMPLETED:
        enqueue("rehab.discharge_report", plan.pk)  # its discharge report, ready before the first download
    return plan


CANCELLABLE = (Plan.Status.ACTIVE, Plan.Status.PAUSED)


@transaction.atomic
def plan_cancel(*, plan: Plan, by, reason: str, seen: int | None = None) -> Plan:
    """Cancel an active or paused plan, saying why: the athlete no longer sees it, and the reason, who and when
    are kept on the plan and in its phase history.

    Raises ValidationError({"reason": …}) without a reason, ValidationError when the plan is completed or
    cancelled already, PlanChanged when the plan is no longer at version `seen`.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("Say why the plan is cancelled: it is kept in the plan's history.")}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": gettext("Keep the reason to 500 characters.")})
    _claim(plan, by=by, seen=seen)
    plan.refresh_from_db(fields=["status", "current_phase"])
    if plan.status not in CANCELLABLE:
        raise ValidationError(
            gettext("This plan is %(status)s: it cannot be cancelled.")
            % {"status": plan.get_status_display().lower()}
        )
    plan.status = Plan.Status.CANCELLED
    plan.cancel_reason, plan.cancelled_at, plan.cancelled_by = reason, timezone.now(), by
    plan.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by", "updated"])
    phase = plan.current_phase or plan.phases.order_by("order").first()
    if phase is not None:
        PhaseChange.objects.create(plan=plan, from_phase=phase, to_phase=phase, kind=PhaseChange.Kind.CANCEL,
                                   by=by, reason=reason)  # fmt: skip
    _plan_changed(plan, by=by)
    return plan


TEMPLATE_NAME_TAKEN = gettext_noop("Your clinic already has a protocol called “{name}”. Choose another name.")


@transaction.atomic
def plan_save_as_template(*, plan: Plan, clinic, name: str, by=None) -> PlanTemplate:
    """A new protocol of `clinic` with the plan's phases and exercises as they are now (its clearances and
    dates are not copied). It is the clinic's own: other clinics never see it.

    Raises ValidationError({"name": …}) when the clinic already has a protocol of that name, or a shipped
    one has it (both would be listed side by side when assigning).
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("Give the protocol a name.")})
    taken = PlanTemplate.objects.filter(Q(clinic=clinic) | Q(clinic__isnull=True), name__iexact=name)
    if taken.exists():
        raise ValidationError({"name": gettext(TEMPLATE_NAME_TAKEN).format(name=name)})
    if plan.athlete.clinic_id != clinic.pk:
        raise ValidationError(gettext("This plan belongs to another clinic."))
    base = slugify(name)[:70] or "protocol"
    slug, n = base, 1
    while PlanTemplate.objects.filter(clinic=clinic, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    phases = list(plan.phases.prefetch_related("exercises"))
    if not phases:
        raise ValidationError(gettext("This plan has no phases to save."))
    source = plan.template
    # Nothing about the athlete goes into a clinic protocol: not the plan's goal (their own words), and no
    # phase or exercise text that names them (the source protocol's text, where there is one, stands in).
    template = PlanTemplate(
        clinic=clinic, slug=slug, name=name,
        **{column: getattr(source, column) if source is not None else "" for column in every_language(["summary"])},
        duration_weeks_min=source.duration_weeks_min if source is not None else None,
        duration_weeks_max=source.duration_weeks_max if source is not None else None,
    )  # fmt: skip
    template.full_clean()
    template.save()
    if source is not None:
        template.conditions.set(source.conditions.all())
    names_athlete = _mentions_athlete(plan)
    originals = (
        {p.order: p for p in source.phases.prefetch_related("exercises")} if source is not None else {}
    )
    copies = PhaseTemplate.objects.bulk_create(
        _without_athlete(_copy(p, PhaseTemplate, PHASE_FIELDS, template=template), originals.get(p.order),
                         PHASE_TEXT_FIELDS, names_athlete)
        for p in phases
    )  # fmt: skip
    PhaseExerciseTemplate.objects.bulk_create(
        _without_athlete(
            _copy(ex, PhaseExerciseTemplate, DOSAGE_FIELDS, phase=c),
            _same_exercise(originals.get(p.order), ex), ("note",), names_athlete,
        )
        for p, c in zip(phases, copies, strict=True)
        for ex in p.exercises.all()
    )  # fmt: skip
    return template


# A phase's free text, which tailoring may have written for one athlete.
PHASE_TEXT_FIELDS = ("name", "goal", "pain_note", "run_note", "exit_criteria")


def _mentions_athlete(plan: Plan):
    """A test of whether a text names the plan's athlete or repeats what is theirs: their first or last name
    (as a word, capitalised as written), their email address, goal event or the plan's goal."""
    athlete = plan.athlete
    names = [n.strip() for n in (athlete.first_name, athlete.last_name) if len(n.strip()) >= 2]
    phrases = [
        p.strip().lower() for p in (athlete.email, athlete.goal_event, plan.goal) if len(p.strip()) >= 3
    ]
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b") if names else None

    def mentions(text: str) -> bool:
        if not text:
            return False
        if pattern is not None and pattern.search(text):
            return True
        lowered = text.lower()
        return any(phrase in lowered for phrase in phrases)

    return mentions


def _same_exercise(phase: PhaseTemplate | None, row):
    """The source protocol phase's row for the same exercise, if it has one."""
    if phase is None:
        return None
    return next((ex for ex in phase.exercises.all() if ex.exercise_id == row.exercise_id), None)


def _without_athlete(copy, original, fields, mentions):
    """`copy` with each text field that names the athlete, in any language, replaced by the source protocol's
    (when that one is clean) or emptied; a phase name falls back to "Phase N"."""
    for name in fields:
        for column in every_language([name]):
            if mentions(getattr(copy, column) or ""):
                fallback = getattr(original, column, "") if original is not None else ""
                if mentions(fallback or ""):
                    fallback = ""
                if column == build_localized_fieldname(name, settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
                    fallback = fallback or (f"Phase {copy.order}" if name == "name" else "")
                else:
                    fallback = fallback or None  # no text in that language: the English is shown
                setattr(copy, column, fallback)
    return copy


def _plan_changed(plan: Plan, *, by, today: date | None = None) -> None:
    """After a phase move or status change: the readiness alert is answered, and the athlete's status is
    recomputed once the change commits (a job: a plan move never runs the status engine itself)."""
    alert = Alert.objects.open().filter(athlete_id=plan.athlete_id, kind=AlertKind.READY_TO_ADVANCE).first()
    if alert is not None:
        alert_resolve(alert=alert, by=by, note_code=codes.CLOSED_PLAN_CHANGED)
    enqueue("rehab.refresh_athletes", [plan.athlete_id], (today or timezone.localdate()).isoformat())


@transaction.atomic
def recommendation_apply(
    *, plan: Plan, action: str, by, today: date | None = None, seen: int | None = None
) -> PhaseChange | None:
    """Act on the progression engine's advice for `plan` in one step; the reasons go into the phase history.

    advance and regress move the plan; stop_and_refer pauses it. Refuses when the advice changed meanwhile,
    and (PlanChanged) when the plan is no longer at version `seen`.
    """
    today = today or timezone.localdate()
    _claim(plan, by=by, seen=seen)
    _, snap = status_snapshots([plan.athlete], today)[plan.athlete_id]
    rec = snap.recommendation
    if rec is not None and rec.action == Action.HOLD and action != Action.HOLD:
        raise ValidationError(
            gettext("The progression engine now says hold, so there is nothing to apply: %(reason)s")
            % {"reason": reason_text(rec.reasons[0])}
        )
    if rec is None or rec.action != action:
        raise ValidationError(
            gettext("The recommendation has changed since the page was loaded. Look again.")
        )
    why = reason(codes.PHASE_RECOMMENDED, reasons=reasons_json(rec.reasons))
    change = None
    if action == Action.ADVANCE:
        change = _move(plan, _neighbour(plan, +1), by=by, reason=why, today=today)
    elif action == Action.REGRESS:
        change = _move(plan, _neighbour(plan, -1), by=by, reason=why, today=today)
    elif action == Action.STOP_AND_REFER:
        _set_status(plan, Plan.Status.PAUSED, by=by)
    else:
        raise ValidationError(gettext("Holding needs no action."))
    answered = Alert.objects.open().filter(athlete_id=plan.athlete_id, kind__in=ANSWERED_BY[action])
    for alert in answered:
        alert_resolve(
            alert=alert, by=by, note_code=codes.CLOSED_ANSWERED, note_params={"action": str(action)}
        )
    return change


# The alerts a clinician answers by applying the engine's advice (advancing answers "ready to advance" through
# _plan_changed). Pausing for a referral answers the pain spike, but not the red flag itself (status.STOP_ALERT_KINDS):
# that waits until a clinician has been in touch and resolves it with a note, and until then the athlete's Today
# page keeps saying what to do.
ANSWERED_BY = {
    Action.ADVANCE: (),
    Action.REGRESS: (AlertKind.PAIN_SPIKE,),
    Action.STOP_AND_REFER: (AlertKind.PAIN_SPIKE,),
}


@transaction.atomic
def phase_clear(
    *, plan: Plan, phase: PlanPhase, by, imaging: bool, note: str = "", seen: int | None = None
) -> PlanPhase:
    """Record the clinician's clearance for `phase` to start (who, when, whether imaging was done, a note).

    Raises ValidationError when the phase needs none or has one already, PlanChanged as the other plan edits.
    """
    _claim(plan, by=by, seen=seen)
    if phase.plan_id != plan.pk:
        raise ValidationError(gettext("That phase belongs to another plan."))
    phase = PlanPhase.objects.select_for_update().get(pk=phase.pk)
    if not phase.requires_clearance:
        raise ValidationError(gettext("“%(name)s” needs no clearance.") % {"name": phase.name})
    if phase.cleared_at is not None:
        raise ValidationError(gettext("“%(name)s” was cleared already.") % {"name": phase.name})
    phase.cleared_by, phase.cleared_at = by, timezone.now()
    phase.cleared_on_imaging, phase.clearance_note = imaging, note
    phase.full_clean(exclude=["plan"])
    phase.save(update_fields=["cleared_by", "cleared_at", "cleared_on_imaging", "clearance_note"])
    alert = Alert.objects.open().filter(athlete_id=plan.athlete_id, kind=AlertKind.CLEARANCE_DUE).first()
    if alert is not None:
        alert_resolve(alert=alert, by=by, note_code=codes.CLOSED_CLEARED, note_params={"phase": phase.name})
    _plan_changed(plan, by=by)
    return phase
