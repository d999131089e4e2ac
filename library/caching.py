"""The library API's first page, cached: it is the same for every user of a role in a clinic.

What a user sees of the library (portal.permissions.scope_catalog) and may edit (library.permissions) depends
only on whether they are a superuser, or on their clinic and whether they are its clinician (one who edits the
clinic's protocols, or one who reads them: a coach) or its athlete. The
key also holds the host (the page's links are absolute) and the query string, and a stamp that every change to an
exercise (its image and a clinic's own copies included) replaces, so no stale page is ever read.
"""

import hashlib
from uuid import uuid4

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from library.models import Exercise
from portal.capabilities import Cap, can
from portal.permissions import athlete_of, clinician_of
from portal.version import VERSION

FIRST_PAGE_SECONDS = 60 * 60
STAMP_KEY = "library:api:stamp"


def audience(user) -> str | None:
    """Who sees the same library as `user`; None for anyone without a role (they see nothing)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return "superuser"
    clinician = clinician_of(user)
    if clinician is not None:
        return f"clinician:{clinician.clinic_id}:{'edits' if can(user, Cap.EDIT_PROTOCOLS) else 'reads'}"
    athlete = athlete_of(user)
    return f"athlete:{athlete.clinic_id}" if athlete is not None else None


def first_page_key(request) -> str | None:
    """The cache key of this list request, or None when it is not a first page worth caching."""
    if request.query_params.get("page", "1") != "1":
        return None
    who = audience(request.user)
    if who is None:
        return None
    # Hashed: a query string may be long and hold any character, a cache key may not.
    request_digest = hashlib.sha256(
        f"{request.get_host()}|{request.accepted_media_type}|{request.META.get('QUERY_STRING', '')}".encode()
    ).hexdigest()
    # The release too: a new one may serialize exercises differently, and the cache outlives a deploy.
    return f"library:api:list:{VERSION}:{stamp()}:{who}:{request_digest}"


def stamp() -> str:
    value = cache.get(STAMP_KEY)
    if value is None:
        value = uuid4().hex
        cache.add(STAMP_KEY, value, None)
        value = cache.get(STAMP_KEY) or value
    return value


def library_changed() -> None:
    """Every cached page is outdated: the next request of each builds it again."""
    cache.set(STAMP_KEY, uuid4().hex, None)


@receiver(post_save, sender=Exercise)
@receiver(post_delete, sender=Exercise)
def _exercise_changed(sender, **kwargs) -> None:
    library_changed()
