"""Reads that span tables, shaped so each page costs a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from library.translation import localized
from portal.models import Alert, Athlete, CareTeamMember
from portal.permissions import clinician_of
from rehab.codes import Action
from rehab.models import Plan, RehabStatus
from rehab.status import SERIOUS_RISK

CASELOAD_FILTERS = {  # the API's `show` (one at a time); the page combines the same filters (CaseloadFilters)
    "": _("All athletes"),
    "attention": _("Needs attention"),
    "ready": _("Ready to advance"),
    "mine": _("My athletes"),
    "no_plan": _("No active plan"),
    "former": _("Personal data deleted"),
}

# Wide columns the caseload (page and API) never reads.
CASELOAD_UNREAD = [
    "rehab_status__reasons",
    "rehab_status__phase__structured_criteria",
    *(
        f"rehab_status__phase__{name}"
        for field in ("goal", "pain_note", "run_note", "exit_criteria")
        for name in (field, *(build_localized_fieldname(field, language) for language in AVAILABLE_LANGUAGES))
    ),
]

QUIET_DAYS = (
    3  # "no log for 3+ days": the last log is at least this many days before today (or there is none)
)

# The page's on/off filters: name → label. Each is also counted (caseload_listing) for the filter bar.
CASELOAD_FLAGS = {
    "attention": _("Needs attention"),
    "mine": _("My athletes"),
    "quiet": lazy(lambda: gettext("No log for %(days)d+ days") % {"days": QUIET_DAYS}, str)(),
    "review_due": _("Review due"),
    "no_plan": _("No active plan"),
}

# Engine statuses, worst first: the status filter's options, and the status column's sort order.
STATUS_ORDER = {Action.STOP_AND_REFER: 4, Action.REGRESS: 3, Action.HOLD: 2, Action.ADVANCE: 1}

# Sortable columns: name → (heading, the direction a first click on it gives: the useful end first, in words).
CASELOAD_SORTS = {
    "name": (_("Athlete"), "asc", pgettext_lazy("sort", "A to Z")),
    "phase": (_("Phase"), "asc", pgettext_lazy("sort", "earliest first")),
    "status": (_("Status"), "desc", pgettext_lazy("sort", "most serious first")),
    "pain": (_("Last pain"), "desc", pgettext_lazy("sort", "highest first")),
    "compliance": (_("Plan done, 7 days"), "asc", pgettext_lazy("sort", "lowest first")),
    "last_log": (_("Last log"), "asc", pgettext_lazy("sort", "longest ago first")),
    "alerts": (_("Open alerts"), "desc", pgettext_lazy("sort", "most severe first")),
    "review": (_("Next review"), "asc", pgettext_lazy("sort", "soonest first")),
}


@dataclass(frozen=True)
class CaseloadFilters:
    """What the caseload shows and in which order: search words, filters that all apply together, and a sort
    (empty: the risk order). Built from the page's query string by rehab.forms_caseload, or from the API's
    single `show` (from_show)."""

    q: str = ""
    attention: bool = False
    mine: bool = False
    quiet: bool = False
    review_due: bool = False
    no_plan: bool = False
    former: bool = False
    phase: int | None = None
    status: str = ""  # an engine action (STATUS_ORDER), or "none": no status yet / no plan
    sort: str = ""  # a CASELOAD_SORTS key, "-" in front for descending; "" = riskiest first

    @classmethod
    def from_show(cls, query: str = "", show: str = "") -> "CaseloadFilters":
        if show == "ready":
            return cls(q=query, status=Action.ADVANCE)
        if show in {"attention", "mine", "no_plan", "former"}:
            return cls(q=query, **{show: True})
        return cls(q=query)


URGENT_RANK = Alert.SEVERITY_RANK[Alert.Severity.URGENT]


def _flag_conditions(user, today: date, *, names=CASELOAD_FLAGS) -> dict[str, Q]:
    """The on/off filters `names` as conditions on the rows of caseload_query: mostly on its annotations
    (`attention_rank`, `active_start`), so the list, its filters and its counts share the subqueries."""
    quiet_since = today - timedelta(days=QUIET_DAYS)
    conditions = {
        # An urgent or emergency alert open, or a stop-and-refer or step-back status (see caseload_query).
        "attention": Q(attention_rank__gte=URGENT_RANK),
        # On a plan for QUIET_DAYS days or more (a plan started yesterday is not "quiet"), and no log since.
        "quiet": Q(active_start__lte=quiet_since)
        & (Q(rehab_status__last_log_date__lte=quiet_since) | Q(rehab_status__last_log_date__isnull=True)),
        "review_due": Q(next_review__lte=today),
        "no_plan": Q(active_start__isnull=True),
    }
    if "mine" in names:  # the only one that needs a user (the API schema is built without one)
        conditions["mine"] = Q(
            Exists(CareTeamMember.objects.filter(athlete=OuterRef("pk"), clinician__user=user))
        )
    return {name: conditions[name] for name in names}


def _status_condition(status: str) -> Q:
    if status == "none":
        return Q(rehab_status__action="") | Q(rehab_status__isnull=True)
    return Q(rehab_status__action=status)


def caseload_base(user, filters: CaseloadFilters) -> QuerySet[Athlete]:
    """The athletes `user` may see that match the search words, current or (`former`) with deleted personal
    data: what the filters narrow and the counts count."""
    athletes = Athlete.objects.visible_to(user).search(filters.q)
    # Athletes whose personal data was deleted leave the caseload; the "former" filter lists only them.
    if filters.former:
        return athletes.filter(anonymised_at__isnull=False)
    return athletes.current()


def _sort_expressions(sort: str) -> list:
    descending = sort.startswith("-")
    key = sort.lstrip("-")

    def by(expression):
        expression = F(expression) if isinstance(expression, str) else expression
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)

    if key == "name":
        return [by("last_name"), by("first_name")]
    if key == "phase":
        return [by("rehab_status__phase__order")]
    if key == "status":
        ranks = [When(rehab_status__action=action, then=Value(rank)) for action, rank in STATUS_ORDER.items()]
        return [by(Case(*ranks, default=Value(None), output_field=IntegerField()))]
    if key == "pain":
        return [by("rehab_status__last_pain")]
    if key == "compliance":
        return [by("rehab_status__compliance_7d")]
    if key == "last_log":
        return [by("rehab_status__last_log_date")]
    if key == "alerts":
        return [by("alert_rank")]
    if key == "review":
        return [by("next_review")]
    return []


@dataclass(frozen=True)
class CaseloadListing:
    """What caseload_listing read: the athletes' ids in the page's order, the filter bar's counts, and what the
    rows show, for every athlete listed (rehab.caseload.caseload_rows takes the page's)."""

    ids: list[int]
    counts: dict
    # Athlete id → their open alerts as (severity, code, params as JSON text, message), the latest first: said
    # (portal.alert_words) only for the rows a page shows.
    open_alerts: dict[int, list[tuple[str, str, str, str]]]
    # Athlete id → the values of LISTING_FIELDS (and clinic__name for a superuser: `fields` names them).
    values: dict[int, tuple]
    fields: tuple[str, ...]


# One athlete as caseload_listing reads them: what its filters, counts and sort need (the first twelve, in the
# loop's order), then what a row shows besides.
LISTING_FIELDS = (
    "pk", "last_name", "first_name", "next_review", "rehab_status__phase__order", "rehab_status__action",
    "rehab_status__risk", "rehab_status__last_pain", "rehab_status__compliance_7d", "rehab_status__last_log_date",
    "active_plan__start_date", "own_place",
    "user_id", "phase_name_read", "spark_text",
)  # fmt: skip


def caseload_listing(user, filters: CaseloadFilters, today: date | None = None) -> CaseloadListing:
    """The caseload page's athletes in order, the filter bar's counts, and what their rows show (their open
    alerts included), from two plain queries.

    The counts: `total`, how many athletes the list shows; per on/off filter (`flags`), how many it would show
    with that filter on and the others as they are; per phase and per status, how many it would show with that
    one chosen instead.

    It reads every athlete matching the search (in name order, with their status's values, their active plan's
    start and whether the user is on their care team) and the open alerts, and works out the filters
    (`_row_flags`), the counts and the order here: the same rules as caseload_query's SQL, which the API uses
    (tests hold the two to each other). At a clinic's size (a few hundred athletes) reading those rows is cheaper
    than having the ORM build one query of subqueries, or a query per piece: most of a query's cost here is the
    ORM building its SQL. The sparkline's values come as text, decoded only for the rows a page shows."""
    today = today or timezone.localdate()
    # The athlete's active plan (at most one: rehab.Plan's constraint) and the user's own place on their care
    # team (at most one) as joins of the same query, not queries of their own.
    athletes = caseload_base(user, filters).annotate(
        active_plan=FilteredRelation("plans", condition=Q(plans__status=Plan.Status.ACTIVE)),
        spark_text=Cast("rehab_status__spark", TextField()),
    )
    clinician = clinician_of(user)
    if clinician is not None:
        athletes = athletes.annotate(
            own_place=FilteredRelation("care_team", condition=Q(care_team__clinician=clinician)),
        )
    fields = [*LISTING_FIELDS, "clinic__name"] if user.is_superuser else list(LISTING_FIELDS)
    fields[LISTING_FIELDS.index("own_place")] = "own_place__pk" if clinician is not None else "user_id"
    # phase_name_read: the phase's name in the reader's language (a lookup through the status reads the text as
    # last saved).
    athletes = athletes.annotate(phase_name_read=localized("rehab_status__phase__name"))
    rows = athletes.order_by("last_name", "first_name", "pk").values_list(*fields)
    alert_rank: dict[int, int] = {}
    open_alerts: dict[int, list[tuple[str, str, str, str]]] = {}
    # The parameters as their JSON text: decoded only when a row not drawn before says the alert.
    alerts = Alert.objects.visible_to(user).open().order_by("-updated", "-pk")
    for athlete_id, severity, message, code, params in alerts.annotate(
        params_text=Cast("params", TextField())
    ).values_list("athlete_id", "severity", "message", "code", "params_text"):
        alert_rank[athlete_id] = max(alert_rank.get(athlete_id, 0), Alert.SEVERITY_RANK[severity])
        open_alerts.setdefault(athlete_id, []).append((severity, code, params, message))

    names = tuple(CASELOAD_FLAGS)
    chosen = tuple(index for index, name in enumerate(names) if getattr(filters, name))
    column = filters.sort.lstrip("-")
    column_index = _LISTING_COLUMNS.index(column) if column else None
    descending = filters.sort.startswith("-")
    quiet_since = today - timedelta(days=QUIET_DAYS)
    listed = []
    flag_counts = [0] * len(names)
    phases: dict[int, int] = {}
    statuses: dict[str, int] = {}
    name_rank, previous_name = -1, None
    own = clinician is not None
    values: dict[int, tuple] = {}
    for row in rows:
        (
            pk,
            last_name,
            first_name,
            next_review,
            order,
            action,
            risk,
            pain,
            compliance,
            last_log,
            start,
            place,
        ) = row[:12]
        values[pk] = row
        if (last_name, first_name) != previous_name:  # equal names rank together, as in the SQL order
            name_rank, previous_name = name_rank + 1, (last_name, first_name)
        risk = risk or 0
        alerts = alert_rank.get(pk, 0)
        attention = URGENT_RANK if risk >= SERIOUS_RISK and alerts < URGENT_RANK else alerts
        holds = _row_flags(
            today, quiet_since, attention, start, last_log, next_review, own and place is not None
        )
        if chosen and not all(holds[index] for index in chosen):
            continue
        action = action or "none"
        phase_ok = filters.phase is None or order == filters.phase
        status_ok = not filters.status or action == filters.status
        if order is not None and status_ok:
            phases[order] = phases.get(order, 0) + 1
        if phase_ok:
            statuses[action] = statuses.get(action, 0) + 1
        if not (phase_ok and status_ok):
            continue
        for index, holds_here in enumerate(holds):
            if holds_here:
                flag_counts[index] += 1
        if column_index is None:
            listed.append(((-attention, -risk), pk))
            continue
        value = (name_rank, order, STATUS_ORDER.get(action), pain, compliance, last_log, alerts, next_review)[
            column_index
        ]
        if value is None:  # empty values last, whichever the direction
            listed.append(((1, 0, -attention, -risk), pk))
        else:
            listed.append(((0, _Reversed(value) if descending else value, -attention, -risk), pk))
    # caseload_query's ORDER BY: the chosen column, then the risk order (attention, then risk, most serious
    # first); the sort is stable and the rows came in name order, which breaks the remaining ties.
    listed.sort(key=lambda item: item[0])
    counts = {
        "flags": dict(zip(names, flag_counts, strict=True)),
        "phases": dict(sorted(phases.items())),
        "statuses": statuses,
        "total": len(listed),
    }
    return CaseloadListing([pk for _key, pk in listed], counts, open_alerts, values, tuple(fields))


# The sortable columns in the order of caseload_listing's per-row values.
_LISTING_COLUMNS = ("name", "phase", "status", "pain", "compliance", "last_log", "alerts", "review")


class _Reversed:
    """Sorts its value the other way round (for descending columns of any comparable type)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return other.value < self.value

    def __eq__(self, other):
        return self.value == other.value


def _row_flags(
    today: date,
    quiet_since: date,
    attention_rank: int,
    active_start: date | None,
    last_log: date | None,
    next_review,
    mine: bool,
) -> tuple[bool, ...]:
    """Which on/off filters hold for one athlete, in CASELOAD_FLAGS's order: the rules of _flag_conditions, in
    Python (`quiet_since`: QUIET_DAYS before `today`)."""
    return (
        attention_rank >= URGENT_RANK,  # attention
        bool(mine),  # mine
        active_start is not None
        and active_start <= quiet_since
        and (last_log is None or last_log <= quiet_since),  # quiet
        next_review is not None and next_review <= today,  # review_due
        active_start is None,  # no_plan
    )


def caseload_query(
    user, filters: CaseloadFilters, today: date | None = None, *, skip: str = ""
) -> QuerySet[Athlete]:
    """The caseload's athletes for `user`, filtered and sorted: by the chosen column (empty values last, then the
    risk order), else riskiest first: the most severe open alert (`alert_rank`, 0 when none; a stop-and-refer or
    step-back status counts as an urgent one: `attention_rank`), then the rehab status's risk score (`risk`), then
    name. Every filter that is on applies, but the phase and status ones when `skip` names them (caseload_listing
    applies those itself). The page takes only the ids from it (caseload_listing); the API adds the columns its
    rows need (athletes_for_list).

    Every filter is a subquery or the one-to-one status, never a join that could repeat a row."""
    today = today or timezone.localdate()
    worst = Alert.objects.open().by_severity().filter(athlete=OuterRef("pk"))
    # The risk as a subquery, not a join: one index lookup per athlete of the caseload. Joined, PostgreSQL's
    # planner reads the whole status table (every clinic's) into a hash: 2.5 ms instead of 1.3 at 10,000 athletes.
    risk = RehabStatus.objects.filter(athlete=OuterRef("pk")).values("risk")[:1]
    active = Plan.objects.filter(athlete=OuterRef("pk"), status=Plan.Status.ACTIVE).values("start_date")[:1]
    # A stop-and-refer or step-back status ranks with an urgent alert even before (or without) one, so such an
    # athlete never sorts below athletes whose only open alerts are notices.
    athletes = caseload_base(user, filters).annotate(
        alert_rank=Coalesce(Subquery(worst.values("severity_rank")[:1]), Value(0)),
        risk=Coalesce(Subquery(risk), Value(0)),
        attention_rank=Greatest(
            F("alert_rank"), Case(When(risk__gte=SERIOUS_RISK, then=Value(URGENT_RANK)), default=Value(0))
        ),
        active_start=Subquery(active),
    )
    chosen = [name for name in CASELOAD_FLAGS if getattr(filters, name)]
    for condition in _flag_conditions(user, today, names=chosen).values():
        athletes = athletes.filter(condition)
    if filters.phase is not None and "phase" not in skip:
        athletes = athletes.filter(rehab_status__phase__order=filters.phase)
    if filters.status and "status" not in skip:
        athletes = athletes.filter(_status_condition(filters.status))
    risk_order = ["-attention_rank", "-risk", "last_name", "first_name", "pk"]
    return athletes.order_by(*_sort_expressions(filters.sort), *risk_order)


def caseload_order(user, query: str = "", show: str = "") -> QuerySet[Athlete]:
    """The caseload with the API's single filter `show` (CASELOAD_FILTERS), riskiest first."""
    return caseload_query(user, CaseloadFilters.from_show(query, show))


def athletes_for_list(user, query: str = "", show: str = "") -> QuerySet[Athlete]:
    """The caseload as model rows (the API's): caseload_order plus, per athlete, `rehab_status` (with its plan
    and phase; None before the first status refresh), the most severe open alert's `alert_severity` and
    `alert_count` (open alerts of every kind): annotations, so no query per row.
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
            alert_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        )
    )
