"""Reads for triage pages: the gate for one intake, and short intake lists."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from triage.models import Intake


def get_intake_for_user(user, pk) -> Intake:
    """The intake `pk` if `user` may see it, else Http404 (never reveal that it exists)."""
    intakes = Intake.objects.visible_to(user).select_related(
        "athlete__clinic", "submitted_by", "reviewed_by", "confirmed_condition"
    )
    return get_object_or_404(intakes, pk=pk)


def intakes_for_athlete(athlete, user, limit: int = 5) -> QuerySet[Intake]:
    """The athlete's latest intakes that `user` may see (an outside coach sees none), newest first."""
    return (
        Intake.objects.visible_to(user).filter(athlete=athlete).select_related("confirmed_condition")[:limit]
    )
