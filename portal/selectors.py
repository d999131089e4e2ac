"""Reads that span tables, shaped so each page costs a fixed number of queries."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.models import Alert, Athlete

CASELOAD_FILTERS = {
    "": "All athletes",
    "attention": "Needs attention",
    "ready": "Ready to advance",
    "mine": "My athletes",
    "no_plan": "No active plan",
}

# Wide columns the caseload (page and API) never reads.
CASELOAD_UNREAD = [
    "rehab_status__reasons",
    *(f"rehab_status__phase__{name}" for name in ("goal", "pain_note", "run_note", "exit_criteria")),
]


def athletes_for_list(user, query: str = "", show: str = "") -> QuerySet[Athlete]:
    """The caseload, riskiest first: open alerts by severity, then the rehab status's risk score, then name.

    Rows carry `rehab_status` (with its plan and phase; None before the first status refresh).
    Each athlete carries its most severe open alert as `alert_rank` (0 when none), `alert_severity` and
    `alert_message`, and `alert_count` (open alerts of every kind): annotations, so no query per row.
    """
    worst = Alert.objects.open().by_severity().filter(athlete=OuterRef("pk"))
    count = (
        Alert.objects.open()
        .filter(athlete=OuterRef("pk"))
        .order_by()
        .values("athlete")
        .annotate(n=Count("pk"))
        .values("n")
    )
    athletes = Athlete.objects.visible_to(user).search(query)
    if show == "attention":
        athletes = athletes.filter(
            Q(rehab_status__action__in=["stop_and_refer", "regress"])
            | Q(alerts__resolved_at__isnull=True, alerts__severity__in=["urgent", "emergency"])
        ).distinct()
    elif show == "ready":
        athletes = athletes.filter(rehab_status__action="advance")
    elif show == "mine":
        athletes = athletes.filter(care_team__clinician__user=user)
    elif show == "no_plan":
        athletes = athletes.exclude(plans__status="active")
    return (
        # Rows read only user_id, the phase's label and the status's numbers: the rest stays in the database
        # (the sort runs over every athlete of the clinic, so narrow rows matter; bench/bench_caseload.py).
        athletes.select_related("clinic", "rehab_status__phase")
        .defer(*CASELOAD_UNREAD)
        .annotate(
            alert_rank=Coalesce(Subquery(worst.values("severity_rank")[:1]), Value(0)),
            alert_severity=Subquery(worst.values("severity")[:1]),
            alert_message=Subquery(worst.values("message")[:1]),
            alert_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        )
        .annotate(risk=Coalesce("rehab_status__risk", Value(0)))
        .order_by("-alert_rank", "-risk", "last_name", "first_name", "pk")
    )


def stale_status_ids(user, today) -> list[int]:
    """Athletes in `user`'s scope whose caseload status is missing or older than today."""
    return list(
        Athlete.objects.visible_to(user)
        .filter(Q(rehab_status__isnull=True) | Q(rehab_status__as_of__lt=today))
        .values_list("pk", flat=True)
    )
