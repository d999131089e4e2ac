from portal.permissions import athlete_of, clinician_of


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_clinician": clinician_of(user), "current_athlete": athlete_of(user)}
