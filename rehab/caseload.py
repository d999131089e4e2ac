"""The caseload page's rows, built as plain values (issue #6, Performance).

selectors.caseload_listing reads every athlete of the caseload once, as narrow values (no model instances), with
their open alerts, and sorts, filters and counts them; the page's 50 rows take their values from it, and their
care teams in one more query. Everything the template prints is worked out here once. A row (a frozen dataclass)
and its HTML are a pure function of what it is drawn from, so `caseload_rows` keeps the last few thousand in memory
and works a row out and renders it again only when something shown in it changed: rendering 50 rows through the
template engine cost as much as the queries.
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal import alert_words
from portal.models import Alert, CareTeamMember
from rehab.charts import PainTrend, pain_trend, sparkline
from rehab.codes import Action
from rehab.compliance import band
from rehab.models import phase_label as rehab_phase_label
from rehab.selectors_caseload import QUIET_DAYS, CaseloadListing
from rehab.status import SERIOUS_RISK
from rehab.wording import pain_trend_sentence

ACTION_LABELS = {
    Action.ADVANCE: _("Ready to advance"),
    Action.HOLD: _("Hold"),
    Action.REGRESS: _("Step back"),
    Action.STOP_AND_REFER: _("Stop and refer"),
}


@dataclass(frozen=True)
class CaseloadRow:
    pk: int
    url: str
    name: str
    action: str
    action_label: str
    phase: str  # "Phase 2: Walk/jog", or "" without an active plan
    last_log: str  # "today", "yesterday", "4 days ago", "1 Nov", or "" when nothing is logged
    quiet: bool  # on a plan for QUIET_DAYS days or more, and nothing logged for as long
    alert_severity: str
    stripe: (
        str  # the row's coloured edge: the worst open alert, or "urgent" for a stop-and-refer or step back
    )
    alert_label: str
    alert_message: str
    alert_more: int  # open alerts besides the one shown
    spark_values: tuple[int | None, ...]  # peak pain per day, last 14 days
    last_pain: str  # "3/10" or "–"
    compliance: int | None
    compliance_band: str
    has_login: bool
    clinic: str  # shown to superusers only (empty otherwise)
    next_review: date | None
    review_state: str  # "overdue", "due" (today) or ""
    care_team: tuple[str, ...]  # "A. Patel", the primary clinician first

    @property
    def spark(self) -> str:
        """The sparkline as SVG, drawn from numbers only (nothing typed by a person goes into it)."""
        return sparkline(self.spark_values, sentence=pain_trend_sentence)

    @property
    def pain_trend(self) -> PainTrend | None:
        """The sparkline in numbers, for the words beside it."""
        return pain_trend(self.spark_values)

    @cached_property
    def html(self) -> SafeString:
        return row_html(self)


ROW_TEMPLATE = "portal/caseload_row.html"
ROW_CACHE_SIZE = 4096  # rows of about 2 KB with their HTML: under 10 MB per worker


@lru_cache(maxsize=ROW_CACHE_SIZE)
def _remembered_row(fields, values, alerts, care_team, today, language) -> CaseloadRow:
    row = _row(fields, values, alerts, care_team, today, language)
    row.html  # noqa: B018 — rendered now, so the remembered row carries its HTML
    return row


def row_html(row: CaseloadRow) -> SafeString:
    """One caseload row's HTML (escaped by the template)."""
    return mark_safe(render_to_string(ROW_TEMPLATE, {"row": row}))  # noqa: S308 — rendered with escaping


def compliance_band(percent: int | None) -> str:
    """The badge's band (rehab.compliance.band); empty without a percentage, where the row shows a dash."""
    return "" if percent is None else band(percent)


def phase_label(order: int | None, name: str | None) -> str:
    """PlanPhase.label from the two columns; empty without a phase."""
    return "" if name is None else rehab_phase_label(order, name)


def last_log_words(last_log: date | None, today: date) -> str:
    if last_log is None:
        return ""
    days = (today - last_log).days
    if days <= 0:
        return gettext("today")
    if days == 1:
        return gettext("yesterday")
    if days < 14:
        return ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}
    return date_format(last_log, gettext("j M"))


def review_state(next_review: date | None, today: date) -> str:
    if next_review is None or next_review > today:
        return ""
    return "due" if next_review == today else "overdue"


def _stripe(severity: str, risk: int | None) -> str:
    """The row's coloured edge: as the risk order ranks it (selectors.caseload_query), a stop-and-refer or
    step-back status counts as an urgent alert even before (or without) one."""
    if (risk or 0) >= SERIOUS_RISK and Alert.SEVERITY_RANK.get(severity, 0) < Alert.SEVERITY_RANK["urgent"]:
        return "urgent"
    return severity


def _quiet(phase: str, plan_start: date | None, last_log: date | None, today: date) -> bool:
    """On a plan for QUIET_DAYS days or more, and nothing logged for as long (the "no log" filter's rule)."""
    if not phase or plan_start is None or (today - plan_start).days < QUIET_DAYS:
        return False
    return last_log is None or (today - last_log).days >= QUIET_DAYS


def _care_teams(ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Each athlete's care team as short names ("A. Patel"), the primary clinician first: one query."""
    teams: dict[int, list[tuple]] = {}
    # Ordered here, not by the database: an ORDER BY across the joins cost more than sorting a few rows.
    members = (
        CareTeamMember.objects.filter(athlete_id__in=ids)
        .order_by()
        .values_list(
            "athlete_id", "is_primary", "pk", "clinician__user__first_name", "clinician__user__last_name"
        )
    )
    for athlete_id, primary, pk, first, last in members:
        name = f"{first[:1]}. {last}" if first and last else (last or first or gettext("A clinician"))
        teams.setdefault(athlete_id, []).append((not primary, last, pk, name))
    return {pk: tuple(member[-1] for member in sorted(members)) for pk, members in teams.items()}


def caseload_rows(listing: CaseloadListing, ids: list[int], *, today: date) -> list[CaseloadRow]:
    """Rows for the athletes `ids` of `listing` (the page's, in its order): the values the listing read, and the
    care teams in one query.

    A row is a pure function of what it is drawn from (the listing's values, the open alerts, the care team, the
    day and the language), so in production `_remembered_row` keeps the last few thousand, HTML included: a page
    works out and renders only the rows where something shown changed."""
    if not ids:
        return []
    fields = listing.fields
    teams = _care_teams(ids)
    language = translation.get_language()
    build = _row if settings.DEBUG else _remembered_row  # DEBUG: a template edit shows at once
    rows = []
    for pk in ids:
        values = listing.values.get(pk)
        if values is None:
            continue
        alerts = listing.open_alerts.get(pk, ())
        if len(alerts) > 1:  # most severe first, as Alert.objects.by_severity() (stable: the latest first)
            alerts = sorted(alerts, key=lambda alert: -Alert.SEVERITY_RANK.get(alert[0], 0))
        rows.append(build(fields, values, tuple(alerts), teams.get(pk, ()), today, language))
    return rows


def _row(
    fields: tuple[str, ...],
    values: tuple,
    alerts: tuple[tuple[str, str, str, str], ...],
    care_team: tuple[str, ...],
    today: date,
    language: str | None,
) -> CaseloadRow:
    """One row from the listing's values (named by `fields`), its open alerts (most severe first), its care team,
    the day and the language (active when this runs: `language` is for the cache's key)."""
    row = dict(zip(fields, values, strict=True))
    pk = row["pk"]
    worst_severity, worst_message = "", ""
    if alerts:  # the row names its most severe alert only
        worst_severity, code, params, message = alerts[0]
        worst_message = alert_words.say(code, json.loads(params) if params else {}, message)
    action = row["rehab_status__action"] or ""
    pain = row["rehab_status__last_pain"]
    compliance = row["rehab_status__compliance_7d"]
    phase = phase_label(row["rehab_status__phase__order"], row["phase_name_read"])
    last_log = row["rehab_status__last_log_date"]
    return CaseloadRow(
        pk=pk,
        url=reverse("athlete_detail", args=[pk]),
        name=f"{row['first_name']} {row['last_name']}".strip(),
        action=action,
        action_label=str(ACTION_LABELS.get(action, "")),
        phase=phase,
        last_log=last_log_words(last_log, today),
        quiet=_quiet(phase, row["active_plan__start_date"], last_log, today),
        alert_severity=worst_severity,
        stripe=_stripe(worst_severity, row["rehab_status__risk"]),
        alert_label=str(dict(Alert.Severity.choices).get(worst_severity, "")),
        alert_message=worst_message,
        alert_more=max(0, len(alerts) - 1),
        spark_values=tuple(json.loads(row["spark_text"]) or ()) if row["spark_text"] else (),
        last_pain="–" if pain is None else f"{pain}/10",
        compliance=compliance,
        compliance_band=compliance_band(compliance),
        has_login=row["user_id"] is not None,
        clinic=row.get("clinic__name") or "",
        next_review=row["next_review"],
        review_state=review_state(row["next_review"], today),
        care_team=care_team,
    )
