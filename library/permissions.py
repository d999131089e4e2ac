"""Gates for single exercises, built on the catalog scoping in portal.permissions."""

from django.shortcuts import get_object_or_404

from library.models import Exercise
from portal.capabilities import Cap, can
from portal.permissions import clinician_of


def get_exercise_for_user(user, pk) -> Exercise:
    """The exercise `pk` if `user` may see it, else Http404 (another clinic's exercises are never revealed)."""
    return get_object_or_404(Exercise.objects.visible_to(user).select_related("clinic", "copied_from"), pk=pk)


def exercise_editable_by(user, exercise: Exercise) -> bool:
    """Those who edit the clinic's protocols change its own exercises; the shipped catalog is for superusers."""
    if not can(user, Cap.EDIT_PROTOCOLS):
        return False
    if user.is_superuser:
        return True
    clinician = clinician_of(user)
    return (
        clinician is not None and exercise.clinic_id is not None and exercise.clinic_id == clinician.clinic_id
    )


def can_add_exercises(user) -> bool:
    return can(user, Cap.EDIT_PROTOCOLS)
