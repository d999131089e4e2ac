"""Reads that span tables, shaped so each page costs a fixed number of queries."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.models import Alert, Athlete, CareTeamMember


def athletes_for_list(user, query: str = "") -> QuerySet[Athlete]:
    """The caseload: athletes with open alerts first (emergency, then urgent…), then by name.

    Each athlete carries its most severe open alert as `alert_rank` (0 when none), `alert_severity` and
    `alert_message`, and `alert_count` (open alerts of every kind): annotations, so no query per row.
    """
    primaries = CareTeamMember.objects.filter(is_primary=True).select_related("clinician__user")
    worst = Alert.objects.open().by_severity().filter(athlete=OuterRef("pk"))
    count = (
        Alert.objects.open()
        .filter(athlete=OuterRef("pk"))
        .order_by()
        .values("athlete")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Athlete.objects.visible_to(user)
        .search(query)
        .select_related("clinic", "user")
        .annotate(
            alert_rank=Coalesce(Subquery(worst.values("severity_rank")[:1]), Value(0)),
            alert_severity=Subquery(worst.values("severity")[:1]),
            alert_message=Subquery(worst.values("message")[:1]),
            alert_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        )
        .order_by("-alert_rank", "last_name", "first_name", "pk")
        .prefetch_related(Prefetch("care_team", queryset=primaries))
    )
