from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from rehab.models import PhaseChange, Plan, PlanExercise, PlanPhase, PlanTemplate


def get_plan_for_user(user, pk) -> Plan:
    """The plan `pk` if `user` may see it, else Http404."""
    return get_object_or_404(Plan.objects.visible_to(user).select_related("athlete", "current_phase"), pk=pk)


def plan_phases(plan: Plan) -> list[PlanPhase]:
    """All phases of a plan with their exercises, in two queries whatever the number of exercises."""
    exercises = PlanExercise.objects.select_related("exercise").order_by("order", "pk")
    return list(plan.phases.prefetch_related(Prefetch("exercises", queryset=exercises)))


def plan_history(plan: Plan):
    return PhaseChange.objects.filter(plan=plan).select_related("from_phase", "to_phase", "by")


def current_plan_for(athlete) -> Plan | None:
    """The athlete's active plan, else their most recent paused or completed one."""
    plans = (
        Plan.objects.filter(athlete=athlete)
        .exclude(status=Plan.Status.CANCELLED)
        .select_related("current_phase")
    )
    return plans.filter(status=Plan.Status.ACTIVE).first() or plans.order_by("-start_date", "-pk").first()


def templates_for_assign(user, athlete) -> tuple[list[PlanTemplate], list[PlanTemplate]]:
    """(suggested, others): templates for the condition a clinician confirmed on the athlete's latest intake first."""
    templates = list(PlanTemplate.objects.visible_to(user).filter(active=True).prefetch_related("conditions"))
    condition_id = latest_confirmed_condition_id(athlete)
    suggested = [
        t for t in templates if condition_id and any(c.pk == condition_id for c in t.conditions.all())
    ]
    others = [t for t in templates if t not in suggested]
    return suggested, others


def latest_confirmed_condition_id(athlete) -> int | None:
    from triage.models import Intake

    return (
        Intake.objects.filter(athlete=athlete, confirmed_condition__isnull=False)
        .order_by("-created")
        .values_list("confirmed_condition_id", flat=True)
        .first()
    )
