"""Which language the product speaks to a person (issue #25).

A person's own choice (User.language) wins; without one, their clinic's (Clinic.language: an athlete's clinic,
a clinician's); without either, a page follows the browser (Django's LocaleMiddleware) and an email or a printout
goes out in LANGUAGE_CODE. Pages, emails and the printed program all ask `language_of`, so a runner who chose
Spanish gets Spanish everywhere, whoever prints their program.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def language_of(user) -> str | None:
    """The language chosen for `user` (a User, or None), or None when nobody chose one. The user's athlete and
    clinician rows come with the user (portal.auth), so this costs no query on a page."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.language:
        return user.language
    for role in ("athlete", "clinician"):
        person = getattr(user, role, None)  # None also when the one-to-one row does not exist
        if person is not None and person.clinic.language:
            return person.clinic.language
    return None


def language_for(user) -> str:
    """The language of something sent to `user` (an email, a printout): theirs, or LANGUAGE_CODE."""
    return language_of(user) or settings.LANGUAGE_CODE


def language_of_person(person) -> str:
    """The language of an email or printout for an athlete or a clinician (a row with a login, perhaps none yet,
    and a clinic): theirs, else their clinic's, else LANGUAGE_CODE. Costs no query when the login and clinic
    came with the row."""
    user = person.user if person.user_id else None
    return (user.language if user is not None else "") or person.clinic.language or settings.LANGUAGE_CODE


def override_for(user):
    """`with override_for(user):` renders an email in the recipient's language (a login)."""
    return translation.override(language_for(user))


def override_for_person(person):
    """`with override_for_person(athlete):` renders an email or printout in an athlete's or clinician's
    language, whether or not they have a login yet."""
    return translation.override(language_of_person(person))
