"""The one place that decides who may see which records.

Athletes see only their own records, clinicians only their clinic's, superusers everything.
Views, the admin, the API and PDFs all go through these helpers, and so do the models' `visible_to` querysets:
this module sits below portal.models and reaches the two models it reads through Django's app registry.
"""

from functools import wraps

from django.apps import apps
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


def is_clinic_staff(user) -> bool:
    """A superuser or a clinic's clinician (physio or coach): someone who works on athletes' records rather than
    on their own. Pages, the API and templates ask this one question instead of spelling it out."""
    return bool(getattr(user, "is_superuser", False)) or clinician_of(user) is not None


def is_care_team(user) -> bool:
    """Clinic staff (is_clinic_staff) or an outside care-team member (an athlete's own coach: portal.shared_care)."""
    return is_clinic_staff(user) or bool(shared_athlete_ids(user))


def scope_by_clinic(
    qs: QuerySet, user, *, clinic_field: str, own_field: str | None = None, shared: bool = True
) -> QuerySet:
    """Filter `qs` to what `user` may see.

    clinic_field: lookup path from the model to its Clinic (e.g. "athlete__clinic").
    own_field: lookup path from the model to the athlete's User (e.g. "athlete__user"); without it
    athletes see nothing of this model.
    shared: an outside care-team member (portal.shared_care) also sees the records of the athletes shared
    with them, whatever else they are, when the model leads to an athlete (`_athlete_path`); False for records
    the athlete's consent does not cover (their intakes: symptoms and red flags are for the clinic).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    shared = _shared_condition(qs, user, clinic_field) if shared else None
    clinician = clinician_of(user)
    if clinician is not None:
        mine = Q(**{clinic_field: clinician.clinic_id})
        return qs.filter(mine if shared is None else mine | shared)
    if own_field is not None and athlete_of(user) is not None:
        own = Q(**{own_field: user})
        return qs.filter(own if shared is None else own | shared)
    if shared is not None:
        return qs.filter(shared)
    return qs.none()


def _athlete_path(qs: QuerySet, clinic_field: str) -> str | None:
    """The lookup path from the model to its Athlete, read from the path to its clinic: "athlete__clinic" →
    "athlete", the Athlete model's own "clinic" → "pk"; None for models that lead to no athlete (clinicians)."""
    if clinic_field == "clinic":
        return "pk" if qs.model._meta.label == "portal.Athlete" else None
    head, _sep, tail = clinic_field.rpartition("__")
    if tail == "clinic" and (head == "athlete" or head.endswith("__athlete")):
        return head
    return None


def _shared_condition(qs: QuerySet, user, clinic_field: str) -> Q | None:
    """The records of the athletes shared with `user` as an outside care-team member; None for everyone else,
    who are nearly everyone (no query then), and for models that lead to no athlete."""
    if not user.has_shared_care:
        return None
    path = _athlete_path(qs, clinic_field)
    if path is None:
        return None
    return Q(**{f"{path}__in": shared_athlete_ids(user)})


def shared_athlete_ids(user) -> frozenset[int]:
    """The athletes shared with `user` as an outside care-team member (portal.shared_care): read once per
    request, kept on the user object of that request; removal shows at the next request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.has_shared_care:
        return frozenset()
    cached = user.__dict__.get("_shared_athlete_ids")
    if cached is None:
        cached = frozenset(
            apps.get_model("portal", "SharedCare")
            .objects.active()
            .filter(user=user, athlete__anonymised_at__isnull=True)
            .values_list("athlete_id", flat=True)
        )
        user.__dict__["_shared_athlete_ids"] = cached
    return cached


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
    return get_object_or_404(apps.get_model("portal", "Athlete").objects.visible_to(user), pk=pk)


def clinician_required(view):
    """For pages only clinicians, outside care-team members (an athlete's own coach: they see only the athletes
    shared with them) and superusers use. Put it after @login_required."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_care_team(request.user):
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
    if is_clinic_staff(user) or athlete_of(user) is not None:
        return qs
    return qs.none()
