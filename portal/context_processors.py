from functools import cached_property

from portal import care_messages
from portal.permissions import athlete_of, clinician_of, is_clinic_staff
from portal.version import VERSION


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_clinician": clinician_of(user),
        "current_athlete": athlete_of(user),
        "clinic_staff": is_clinic_staff(user),
        "unread_messages": UnreadMessages(user),
    }


class UnreadMessages:
    """The navigation's unread-message count, read (one query) only if a template asks for it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def total(self) -> int:
        return care_messages.unread_total(self.user)


def version(request):
    """The running version, for the page footer (a bug report can say which release it saw)."""
    return {"stride_version": VERSION}
