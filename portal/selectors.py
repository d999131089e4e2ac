"""Reads that span tables, shaped so each page costs a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from portal.models import Athlete, CareTeamMember


def athletes_for_list(user, query: str = "") -> QuerySet[Athlete]:
    primaries = CareTeamMember.objects.filter(is_primary=True).select_related("clinician__user")
    return (
        Athlete.objects.visible_to(user)
        .search(query)
        .select_related("clinic", "user")
        .prefetch_related(Prefetch("care_team", queryset=primaries))
    )
