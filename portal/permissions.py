"""The one place that decides who may see which records.

Athletes see only their own records, clinicians only their clinic's, superusers everything.
Views, the admin, the API and PDFs all go through these helpers.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from portal.migration_helpers import CLINICIANS_GROUP  # noqa: F401  (re-exported: one name for the group)


def clinician_of(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.clinician_or_none


def athlete_of(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.athlete_or_none


def scope_by_clinic(qs: QuerySet, user, *, clinic_field: str, own_field: str | None = None) -> QuerySet:
    """Filter `qs` to what `user` may see.

    clinic_field: lookup path from the model to its Clinic (e.g. "athlete__clinic").
    own_field: lookup path from the model to the athlete's User (e.g. "athlete__user"); without it
    athletes see nothing of this model.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    clinician = clinician_of(user)
    if clinician is not None:
        return qs.filter(**{clinic_field: clinician.clinic_id})
    if own_field is not None and athlete_of(user) is not None:
        return qs.filter(**{own_field: user})
    return qs.none()


def scope_clinics(qs: QuerySet, user) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    clinician = clinician_of(user)
    if clinician is not None:
        return qs.filter(pk=clinician.clinic_id)
    athlete = athlete_of(user)
    if athlete is not None:
        return qs.filter(pk=athlete.clinic_id)
    return qs.none()


def get_athlete_for_user(user, pk):
    """The athlete `pk` if `user` may see it, else Http404 (never reveal that it exists)."""
    from portal.models import Athlete

    return get_object_or_404(Athlete.objects.visible_to(user), pk=pk)


def clinician_required(view):
    """For pages only clinicians (and superusers) use. Put it after @login_required."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_superuser or clinician_of(request.user) is not None):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def athlete_required(view):
    """For pages about the logged-in athlete's own record. Put it after @login_required."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if athlete_of(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def scope_catalog(qs: QuerySet, user, *, clinic_field: str = "clinic") -> QuerySet:
    """Filter a catalog (rows shared by all clinics when `clinic_field` is empty) to what `user` may see.

    Superuser → all rows; clinician or athlete → the shared rows plus their own clinic's rows;
    anyone else (anonymous, inactive, a login without a role) → nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    person = clinician_of(user) or athlete_of(user)
    if person is None:
        return qs.none()
    return qs.filter(Q(**{f"{clinic_field}__isnull": True}) | Q(**{clinic_field: person.clinic_id}))


def scope_shared(qs: QuerySet, user) -> QuerySet:
    """A catalogue every role reads whole (the triage conditions); anyone without a role sees nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser or clinician_of(user) is not None or athlete_of(user) is not None:
        return qs
    return qs.none()
