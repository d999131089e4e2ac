"""Reads that span tables, shaped so each page costs a fixed number of queries."""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from portal.models import Alert, Athlete
from rehab.models import RehabStatus
from rehab.status import SERIOUS_RISK

CASELOAD_FILTERS = {
    "": "All athletes",
    "attention": "Needs attention",
    "ready": "Ready to advance",
    "mine": "My athletes",
    "no_plan": "No active plan",
    "former": "Personal data deleted",
}

# Wide columns the caseload (page and API) never reads.
CASELOAD_UNREAD = [
    "rehab_status__reasons",
    *(f"rehab_status__phase__{name}" for name in ("goal", "pain_note", "run_note", "exit_criteria")),
]


def caseload_order(user, query: str = "", show: str = "") -> QuerySet[Athlete]:
    """The caseload's athletes for `user`, filtered, riskiest first: the most severe open alert (`alert_rank`,
    0 when none; a stop-and-refer or step-back status counts as an urgent one: `attention_rank`), then the rehab status's risk score (`risk`), then name. The page takes only the ids of one
    page from it (portal.caseload); the API adds the columns its rows need (athletes_for_list)."""
    worst = Alert.objects.open().by_severity().filter(athlete=OuterRef("pk"))
    athletes = Athlete.objects.visible_to(user).search(query)
    # Athletes whose personal data was deleted leave the caseload; the "former" filter still lists them.
    if show == "former":
        athletes = athletes.filter(anonymised_at__isnull=False)
    else:
        athletes = athletes.current()
    if show == "attention":
        serious = Alert.objects.open().filter(athlete=OuterRef("pk"), severity__in=["urgent", "emergency"])
        athletes = athletes.filter(Q(rehab_status__risk__gte=SERIOUS_RISK) | Exists(serious))
    elif show == "ready":
        athletes = athletes.filter(rehab_status__action="advance")
    elif show == "mine":
        athletes = athletes.filter(care_team__clinician__user=user)
    elif show == "no_plan":
        athletes = athletes.exclude(plans__status="active")
    # The risk as a subquery, not a join: one index lookup per athlete of the caseload. Joined, PostgreSQL's
    # planner reads the whole status table (every clinic's) into a hash: 2.5 ms instead of 1.3 at 10,000 athletes.
    risk = RehabStatus.objects.filter(athlete=OuterRef("pk")).values("risk")[:1]
    # A stop-and-refer or step-back status ranks with an urgent alert even before (or without) one, so such an
    # athlete never sorts below athletes whose only open alerts are notices.
    urgent = Alert.SEVERITY_RANK[Alert.Severity.URGENT]
    return athletes.annotate(
        alert_rank=Coalesce(Subquery(worst.values("severity_rank")[:1]), Value(0)),
        risk=Coalesce(Subquery(risk), Value(0)),
        attention_rank=Greatest(
            F("alert_rank"), Case(When(risk__gte=SERIOUS_RISK, then=Value(urgent)), default=Value(0))
        ),
    ).order_by("-attention_rank", "-risk", "last_name", "first_name", "pk")


def athletes_for_list(user, query: str = "", show: str = "") -> QuerySet[Athlete]:
    """The caseload as model rows (the API's): caseload_order plus, per athlete, `rehab_status` (with its plan
    and phase; None before the first status refresh), the most severe open alert's `alert_severity` and
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
    return (
        # Rows read only user_id, the phase's label and the status's numbers: the rest stays in the database.
        caseload_order(user, query, show)
        .select_related("clinic", "rehab_status__phase")
        .defer(*CASELOAD_UNREAD)
        .annotate(
            alert_severity=Subquery(worst.values("severity")[:1]),
            alert_message=Subquery(worst.values("message")[:1]),
            alert_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        )
    )
