"""The caseload page's rows, built as plain values (issue #6, Performance).

selectors.caseload_listing reads every athlete of the caseload once, as narrow values (no model instances), with
their open alerts, and sorts, filters and counts them; the page's 50 rows take their values from it, and their
care teams in one more query. Everything the template prints is worked out here once. Each row is a frozen dataclass, so its HTML is a pure function of its values: `row_html`
keeps the last few thousand in memory and renders a row again only when something shown in it changed.
Rendering 50 rows through the template engine cost as much as the queries.
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

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

    @property
    def html(self) -> SafeString:
        return row_html(self)


ROW_TEMPLATE = "portal/caseload_row.html"
ROW_CACHE_SIZE = 4096  # rows of about 1.5 KB: a few MB per worker


@lru_cache(maxsize=ROW_CACHE_SIZE)
def _row_html_cached(row: CaseloadRow, language: str | None) -> str:
    # The language is part of the key: the row's words (its column names, "quiet", "overdue") are translated.
    return render_to_string(ROW_TEMPLATE, {"row": row})


def row_html(row: CaseloadRow) -> SafeString:
    """One caseload row's HTML (escaped by the template). Remembered in production; in development (DEBUG) the
    template is read on every request, so a template edit shows at once."""
    if settings.DEBUG:
        return mark_safe(render_to_string(ROW_TEMPLATE, {"row": row}))  # noqa: S308 — rendered with escaping
    return mark_safe(_row_html_cached(row, translation.get_language()))  # noqa: S308 — rendered with escaping


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
    teams: dict[int, list[str]] = {}
    members = (
        CareTeamMember.objects.filter(athlete_id__in=ids)
        .order_by("athlete_id", "-is_primary", "clinician__user__last_name", "pk")
        .values_list("athlete_id", "clinician__user__first_name", "clinician__user__last_name")
    )
    for athlete_id, first, last in members:
        name = f"{first[:1]}. {last}" if first and last else (last or first or gettext("A clinician"))
        teams.setdefault(athlete_id, []).append(name)
    return {pk: tuple(names) for pk, names in teams.items()}


def caseload_rows(listing: CaseloadListing, ids: list[int], *, today: date) -> list[CaseloadRow]:
    """Rows for the athletes `ids` of `listing` (the page's, in its order): the values the listing read, and the
    care teams in one query."""
    if not ids:
        return []
    fields = listing.fields
    values = {pk: dict(zip(fields, listing.values[pk], strict=True)) for pk in ids if pk in listing.values}
    show_clinic = "clinic__name" in fields
    alerts: dict[int, list[tuple[str, str]]] = {}
    for pk in ids:
        # Most severe first, as Alert.objects.by_severity() (a stable sort: the latest first among equals).
        if pk in listing.open_alerts:
            alerts[pk] = sorted(
                listing.open_alerts[pk], key=lambda alert: -Alert.SEVERITY_RANK.get(alert[0], 0)
            )
    teams = _care_teams(ids)
    url_prefix = reverse("athlete_detail", args=[0])[: -len("0/")]
    severity_labels = dict(Alert.Severity.choices)
    rows = []
    for pk in ids:
        row = values.get(pk)
        if row is None:
            continue
        row_alerts = alerts.get(pk, ())
        worst_severity, worst_message = row_alerts[0] if row_alerts else ("", "")
        action = row["rehab_status__action"] or ""
        pain = row["rehab_status__last_pain"]
        compliance = row["rehab_status__compliance_7d"]
        phase = phase_label(row["rehab_status__phase__order"], row["phase_name_read"])
        last_log = row["rehab_status__last_log_date"]
        rows.append(
            CaseloadRow(
                pk=pk,
                url=f"{url_prefix}{pk}/",
                name=f"{row['first_name']} {row['last_name']}".strip(),
                action=action,
                action_label=str(ACTION_LABELS.get(action, "")),
                phase=phase,
                last_log=last_log_words(last_log, today),
                quiet=_quiet(phase, row["active_plan__start_date"], last_log, today),
                alert_severity=worst_severity,
                stripe=_stripe(worst_severity, row["rehab_status__risk"]),
                alert_label=str(severity_labels.get(worst_severity, "")),
                alert_message=worst_message,
                alert_more=max(0, len(row_alerts) - 1),
                spark_values=tuple(json.loads(row["spark_text"]) or ()) if row["spark_text"] else (),
                last_pain="–" if pain is None else f"{pain}/10",
                compliance=compliance,
                compliance_band=compliance_band(compliance),
                has_login=row["user_id"] is not None,
                clinic=row["clinic__name"] if show_clinic else "",
                next_review=row["next_review"],
                review_state=review_state(row["next_review"], today),
                care_team=teams.get(pk, ()),
            )
        )
    return rows
