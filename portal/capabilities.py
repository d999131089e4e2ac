"""What each role may do: the one table, and the one function every page, API endpoint and admin action asks.

Roles
- clinical: a physiotherapist or sports physician of the clinic (everything clinical);
- coach: a running coach of the clinic (the running part of a plan, within the limits the clinician sets on it);
- manager: a flag on a clinician (clinical or coach) that adds the clinic's own administration;
- superuser: everything staff may do, in every clinic.

Athletes are not in the table: they act on their own record only, which `portal.permissions` scopes.
`docs/roles.md` is this table in words; `tests/portal/test_capabilities.py` holds the two together.

Which athletes a clinician may act on is the scoping helpers' business (`Athlete.objects.visible_to`);
`can(user, cap, athlete)` asks both: the capability, and that the athlete is in the user's scope.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied

from portal.permissions import clinician_of, shared_athlete_ids


class Role(StrEnum):
    CLINICAL = "clinical"
    COACH = "coach"
    MANAGER = "manager"


class Cap(StrEnum):
    # Seeing
    VIEW_CASELOAD = "view_caseload"  # the caseload, athlete pages, plans, logs, pain trends, alerts
    PRINT_PROGRAM = "print_program"  # the printed home-exercise program
    # Athletes
    ADD_ATHLETE = "add_athlete"  # create an athlete record, send an invite
    EDIT_ATHLETE = "edit_athlete"  # profile details, care team, next review
    EXPORT_DATA = "export_data"  # download an athlete's personal data
    DELETE_DATA = "delete_data"  # delete (anonymise) an athlete's personal data
    # Clinical
    REVIEW_INTAKE = "review_intake"  # mark an intake reviewed, confirm a condition
    ASSIGN_PLAN = "assign_plan"  # assign, build from scratch, cancel a plan
    TAILOR_PLAN = "tailor_plan"  # exercises, dosages, pain rules, phases of a plan
    CHANGE_PHASE = "change_phase"  # advance, hold, step back, stop and refer without limits
    RECORD_CLEARANCE = "record_clearance"  # clearances and sign-offs that gate a phase
    RESOLVE_ALERT = "resolve_alert"  # resolve urgent and emergency alerts (notices: RESOLVE_NOTICE)
    DECIDE_REQUEST = "decide_request"  # accept or decline a coach's request
    # Running (a coach: within the plan's coach limits; rehab checks the limits)
    MANAGE_RUNNING = "manage_running"  # run prescription, sessions per week, distances, run notes
    ADVANCE_WITHIN_LIMITS = "advance_within_limits"  # advance a phase the clinician opened to the coach
    REQUEST_CHANGE = "request_change"  # propose a change outside the limits to the clinician
    RESOLVE_NOTICE = "resolve_notice"  # resolve notices (no log for days, compliance), never urgent alerts
    # Care team
    MESSAGE_TEAM = "message_team"  # the athlete's thread and the team's note channel
    # The clinic
    USE_ADMIN = "use_admin"  # the admin site
    EDIT_PROTOCOLS = "edit_protocols"  # the clinic's protocols (plan templates) and exercises
    MANAGE_CLINIC = "manage_clinic"  # the clinic's details and its clinicians


_CLINICAL = {
    Cap.VIEW_CASELOAD, Cap.PRINT_PROGRAM, Cap.ADD_ATHLETE, Cap.EDIT_ATHLETE, Cap.EXPORT_DATA, Cap.DELETE_DATA,
    Cap.REVIEW_INTAKE, Cap.ASSIGN_PLAN, Cap.TAILOR_PLAN, Cap.CHANGE_PHASE, Cap.RECORD_CLEARANCE,
    Cap.RESOLVE_ALERT, Cap.DECIDE_REQUEST, Cap.MANAGE_RUNNING, Cap.ADVANCE_WITHIN_LIMITS, Cap.RESOLVE_NOTICE,
    Cap.MESSAGE_TEAM, Cap.USE_ADMIN, Cap.EDIT_PROTOCOLS,
}  # fmt: skip
_COACH = {
    Cap.VIEW_CASELOAD, Cap.PRINT_PROGRAM, Cap.MANAGE_RUNNING, Cap.ADVANCE_WITHIN_LIMITS, Cap.REQUEST_CHANGE,
    Cap.RESOLVE_NOTICE, Cap.MESSAGE_TEAM,
}  # fmt: skip
_MANAGER = {Cap.USE_ADMIN, Cap.EDIT_PROTOCOLS, Cap.MANAGE_CLINIC, Cap.ADD_ATHLETE, Cap.EDIT_ATHLETE}

# The table: capability → the roles that hold it. A clinician's capabilities are their profession's role's
# plus, with the flag, the manager's. Superusers hold every capability except REQUEST_CHANGE (they decide).
TABLE: dict[Cap, frozenset[Role]] = {
    cap: frozenset(
        role
        for role, caps in ((Role.CLINICAL, _CLINICAL), (Role.COACH, _COACH), (Role.MANAGER, _MANAGER))
        if cap in caps
    )
    for cap in Cap
}


def roles_of(user) -> frozenset[Role]:
    """The roles a clinician holds (empty for athletes, anonymous and inactive users, and superusers)."""
    clinician = clinician_of(user)
    if clinician is None:
        return frozenset()
    roles = {Role.CLINICAL if clinician.is_clinical else Role.COACH}
    if clinician.is_manager:
        roles.add(Role.MANAGER)
    return frozenset(roles)


def _clinic_capabilities(user) -> frozenset[Cap]:
    roles = roles_of(user)
    return frozenset(cap for cap, holders in TABLE.items() if holders & roles)


# An outside care-team member (an athlete's own coach from a club: portal.shared_care) holds the coach's
# capabilities for the athletes shared with them, and only for them.
SHARED_CARE = frozenset(cap for cap, holders in TABLE.items() if Role.COACH in holders)


def capabilities_of(user) -> frozenset[Cap]:
    """Everything `user` may do somewhere: their clinic role's capabilities, plus the coach's where they are an
    outside care-team member."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(cap for cap in Cap if cap is not Cap.REQUEST_CHANGE)
    caps = _clinic_capabilities(user)
    if user.has_shared_care and shared_athlete_ids(user):
        caps |= SHARED_CARE
    return caps


def can(user, cap: Cap | str, athlete=None) -> bool:
    """Whether `user` holds `cap` — and, given an athlete, whether they hold it for that athlete: as a
    clinician of the athlete's clinic, or as an outside member of the athlete's care team (coach's only)."""
    cap = Cap(cap)
    if cap not in capabilities_of(user):
        return False
    if athlete is None or user.is_superuser:
        return True
    clinician = clinician_of(user)
    if clinician is not None and athlete.clinic_id == clinician.clinic_id:
        return cap in _clinic_capabilities(user)
    return cap in SHARED_CARE and athlete.pk in shared_athlete_ids(user)


def resolve_capability(alert) -> Cap:
    """What resolving `alert` takes: a notice (no log for days, compliance) RESOLVE_NOTICE, any other alert
    RESOLVE_ALERT."""
    return Cap.RESOLVE_NOTICE if alert.severity == "notice" else Cap.RESOLVE_ALERT


def require(user, cap: Cap | str, athlete=None) -> None:
    """PermissionDenied (403) unless `can(user, cap, athlete)`."""
    if not can(user, cap, athlete):
        raise PermissionDenied


def narrow_to_own_clinic(user, cap: Cap) -> None:
    """After a check without an athlete: when `cap` is not one an outside care-team member holds, this request
    works on the user's own clinic only. Another clinic's physio who coaches one of ours holds TAILOR_PLAN at
    home, not here: the athletes shared with them drop out of this request's scoping (portal.permissions), so
    the view's lookup answers 404 for them."""
    if cap not in SHARED_CARE and getattr(user, "has_shared_care", False):
        user.__dict__["_shared_athlete_ids"] = frozenset()


def capability_required(cap: Cap | str):
    """For views a capability opens (put it after @login_required); the athlete check stays in the view (its
    scoped lookup: see narrow_to_own_clinic)."""
    cap = Cap(cap)

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require(request.user, cap)
            narrow_to_own_clinic(request.user, cap)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
