from portal.permissions import athlete_of, clinician_of
from portal.version import VERSION


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_clinician": clinician_of(user), "current_athlete": athlete_of(user)}


def version(request):
    """The running version, for the page footer (a bug report can say which release it saw)."""
    return {"stride_version": VERSION}
