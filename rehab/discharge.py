"""The discharge report: a completed plan on one or two pages, for the athlete and the clinician who referred them.

`report_for(plan)` reads everything the report shows in one selector (a fixed number of queries, whatever the
plan's length) and returns a plain `Report` dataclass: dates, condition, the phases with how long each lasted
(from the phase history), the first and the latest questionnaire round of each questionnaire (the discharge round counts when it is
completed in the weeks after the plan) with the change
and whether it matters (outcomes.scoring.change_in), the first and the latest result of each objective test, the
average pain week by week (daily logs: the day's worst pain) and what to keep doing (the last phase's exercises,
running and advice). `render_discharge(report)` lays it out with WeasyPrint the way rehab.pdf prints the home
exercise program (same fonts, stylesheet approach and URL fetcher: a printout never reaches the network).

`discharge_pdf(plan)` reuses a cached copy while nothing it shows has changed: the cache key is the plan's id and
the entry carries a stamp made from the report's own data, the plan's version and the layout, so a new round, a
test, a log or an edit of the plan renders again. `discharge_prerender` fills the cache ahead of the download
(the job enqueued when a plan is completed: rehab/tasks/discharge.py).

The end of a plan is the day it was completed (the plan's last change: completing it is one); a plan not yet
completed is reported up to today as a progress report, for its clinicians only (rehab.views_discharge).
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from statistics import mean

from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop, ngettext, override

from outcomes import catalog, instruments, schedule, scoring
from outcomes import wording as outcome_words
from outcomes.instruments import TOTAL
from outcomes.models import QuestionnaireResponse, TestResult
from outcomes.wording import SCALE_NAMES
from portal.languages import language_of_person
from portal.models import CareTeamMember
from rehab import pdf, wording
from rehab.models import DailyLog, PhaseChange, Plan, PlanExercise
from triage.models import Intake

TEMPLATE = "rehab/discharge.html"
CACHE_SECONDS = (
    7 * 24 * 60 * 60
)  # the stamp carries everything shown, so only memory limits how long it lives
# Questionnaires and tests recorded this long before the plan started count as its baseline (intake is often a
# few days before the plan is assigned).
BASELINE_DAYS_BEFORE = 30
PAIN_MAX = 10

# In English here (marked for the catalog): translated where shown, in the athlete's language (context_for).
NO_PROMS = gettext_noop(
    "No questionnaires were completed during this plan, so there is no before-and-after score to compare."
)
ONE_PROM_ROUND = gettext_noop("Only one round was completed, so there is no later score to compare with yet.")
NO_TESTS = gettext_noop("No clinic tests were recorded during this plan.")
ONE_TEST = gettext_noop("Measured once only: there is no later result to compare with.")
NO_PAIN = gettext_noop("No daily pain was logged during this plan.")
NO_PHASES = gettext_noop("The plan's phase history is empty.")


@dataclass(frozen=True)
class PhaseStint:
    """A stretch of the plan spent in one phase (a phase stepped back into appears again)."""

    order: int
    name: str
    start: date
    end: date
    days: int
    again: bool = False


@dataclass(frozen=True)
class ScaleChange:
    label: str
    baseline: float | None
    final: float | None
    difference: float | None
    improved: bool | None
    meaningful: bool | None


@dataclass(frozen=True)
class PromResult:
    code: str
    name: str
    direction: str  # "higher is better" / "lower is better"
    score_range: str  # "0–10"
    baseline_on: date
    final_on: date | None
    threshold: str  # what change matters, in words ("" when none is established)
    scales: tuple[ScaleChange, ...]
    activities: tuple[ScaleChange, ...] = ()  # PSFS: the activities the athlete named


@dataclass(frozen=True)
class TestChange:
    name: str
    side: str  # "Left", "Right", "" (not sided, or both sides in one result)
    first_on: date
    first: str
    first_passed: bool | None
    last_on: date | None
    last: str
    last_passed: bool | None
    pass_mark: str  # "" when the test has none


@dataclass(frozen=True)
class PainWeek:
    number: int
    start: date
    average: float | None
    days_logged: int


@dataclass(frozen=True)
class KeepExercise:
    name: str
    dosage: str  # with the clinician's note (PlanExercise.dosage_text)


@dataclass(frozen=True)
class Report:
    plan_id: int
    version: int
    completed: bool
    athlete: str
    clinic: str
    clinic_reach: str  # "020 7946 0321 · care@riverside.example"
    clinic_contact: str
    clinician: str
    plan_name: str
    goal: str
    condition: str
    start: date
    end: date
    total_days: int
    phases: tuple[PhaseStint, ...]
    proms: tuple[PromResult, ...]
    tests: tuple[TestChange, ...]
    pain_weeks: tuple[PainWeek, ...]
    pain_summary: str
    keep_phase: str
    keep_exercises: tuple[KeepExercise, ...]
    keep_running: str
    keep_advice: tuple[str, ...]

    @property
    def weeks(self) -> str:
        weeks, days = divmod(self.total_days, 7)
        day_words = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        if not weeks:
            return day_words
        week_words = ngettext("%(count)d week", "%(count)d weeks", weeks) % {"count": weeks}
        return f"{week_words} {day_words}" if days else week_words


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


# The selector


def end_of(plan: Plan, today: date | None = None) -> date:
    """The plan's last day: the day it was marked completed, else today."""
    today = today or timezone.localdate()
    if plan.status == Plan.Status.COMPLETED and plan.completed_at is not None:
        return min(timezone.localdate(plan.completed_at), today)
    return today


def report_for(plan: Plan, *, today: date | None = None) -> Report:
    """Everything the discharge report shows, read in a fixed number of queries (nine)."""
    plan = (
        Plan.objects.select_related("athlete__clinic", "template", "assigned_by")
        .prefetch_related(
            Prefetch(
                "phases__exercises",
                queryset=PlanExercise.objects.select_related("exercise").order_by("order", "pk"),
            )
        )
        .get(pk=plan.pk)
    )
    athlete = plan.athlete
    start, end = plan.start_date, max(end_of(plan, today), plan.start_date)
    phases = sorted(plan.phases.all(), key=lambda p: (p.order, p.pk))
    changes = list(
        PhaseChange.objects.filter(plan=plan).exclude(kind=PhaseChange.Kind.CANCEL).order_by("created", "pk")
    )
    since = start - timedelta(days=BASELINE_DAYS_BEFORE)
    # The discharge round is asked once the plan is completed, for a few weeks (outcomes.schedule): it counts.
    during = Q(completed_at__date__lte=end)
    discharged = Q(
        round=QuestionnaireResponse.Round.DISCHARGE,
        completed_at__date__lte=end + timedelta(days=schedule.DISCHARGE_DAYS),
    )
    responses = list(
        QuestionnaireResponse.objects.filter(
            during | discharged, athlete=athlete, completed_at__date__gte=since
        )
        .completed()
        .order_by("completed_at", "pk")
    )
    results = list(
        TestResult.objects.filter(visit__athlete=athlete, visit__date__range=(since, end))
        .select_related("visit")
        .order_by("visit__date", "visit__pk", "pk")
    )
    logs = list(
        DailyLog.objects.filter(athlete=athlete, date__range=(start, end))
        .order_by("date")
        .values_list("date", "pain_during", "pain_after", "pain_next_morning")
    )
    last = next((p for p in phases if p.pk == plan.current_phase_id), phases[-1] if phases else None)
    weeks = pain_weeks(logs, start, end)
    return Report(
        plan_id=plan.pk,
        version=plan.version,
        completed=plan.status == Plan.Status.COMPLETED,
        athlete=athlete.full_name,
        clinic=athlete.clinic.name,
        clinic_reach=" · ".join(
            part for part in (athlete.clinic.phone.strip(), athlete.clinic.email.strip()) if part
        ),
        clinic_contact=pdf.clinic_contact(athlete.clinic),
        clinician=_clinician(plan),
        plan_name=plan.name,
        goal=plan.goal,
        condition=_condition(plan),
        start=start,
        end=end,
        total_days=(end - start).days + 1,
        phases=phase_stints(changes, {p.pk: p for p in phases}, start, end),
        proms=prom_results(responses),
        tests=test_changes(results),
        pain_weeks=weeks,
        pain_summary=pain_summary(weeks),
        keep_phase=last.label if last else "",
        keep_exercises=tuple(
            KeepExercise(row.exercise.name, row.dosage_text()) for row in last.exercises.all()
        )
        if last
        else (),
        keep_running=wording.run_main_text(last) if last and last.run_activity != "none" else "",
        keep_advice=_advice(plan, last),
    )


def _clinician(plan: Plan) -> str:
    primary = (
        CareTeamMember.objects.filter(athlete=plan.athlete, is_primary=True)
        .select_related("clinician__user")
        .first()
    )
    if primary is not None:
        user = primary.clinician.user
        name = user.get_full_name() or user.email
        return f"{name}, {primary.clinician.get_profession_display().lower()}"
    if plan.assigned_by is not None:
        return plan.assigned_by.get_full_name() or plan.assigned_by.email
    return ""


def _condition(plan: Plan) -> str:
    """The condition a clinician confirmed on the athlete's latest reviewed intake (named in the active
    language), else the protocol's name."""
    intake = (
        Intake.objects.filter(athlete=plan.athlete, confirmed_condition__isnull=False)
        .select_related("confirmed_condition")
        .order_by("-created")
        .first()
    )
    if intake is not None:
        return intake.confirmed_condition.display_name
    return plan.template.name if plan.template is not None else ""


def _advice(plan: Plan, last) -> tuple[str, ...]:
    """The last phase's own advice (its pain rule and notes) and, for every plan, what to do if pain returns."""
    lines = []
    if last is not None:
        if last.run_note:
            lines.append(last.run_note)
        lines.append(
            gettext(
                "Any pain during or after activity, or pain still there the next morning, is a sign to ease back "
                "for a few days: do less, not nothing."
            )
            if plan.pain_free
            else gettext(
                "Pain above %(pain)s/10, or pain still there the next morning, is a sign to ease back for a few "
                "days: do less, not nothing."
            )
            % {"pain": last.max_pain_after}
        )
        if last.pain_note:
            lines.append(last.pain_note)
    lines.append(
        gettext(
            "If the old pain comes back and does not settle within two weeks of easing back, contact the clinic."
        )
    )
    return tuple(lines)


def phase_stints(changes, phases: dict, start: date, end: date) -> tuple[PhaseStint, ...]:
    """The phases in the order the plan went through them, each with its first and last day and its length.

    A phase starts on the day of the change that entered it (the plan's start for the first) and ends the day
    before the next change, or on the plan's last day.
    """
    entered = []
    for change in changes:
        phase = phases.get(change.to_phase_id)
        if phase is None:
            continue
        first = change.kind == PhaseChange.Kind.START
        day = start if first else timezone.localdate(change.created)
        entered.append((min(max(day, start), end), not first, change.created, change.pk, phase))
    # The start first (it may have been recorded after a back-dated move), then in the order they happened.
    entered = [(day, phase) for day, _, _, _, phase in sorted(entered, key=lambda row: row[:4])]
    stints, seen = [], set()
    for index, (day, phase) in enumerate(entered):
        following = entered[index + 1][0] if index + 1 < len(entered) else None
        last = end if following is None else max(day, following - timedelta(days=1))
        if following is not None and following == day:
            continue  # left on the day it was entered: no time spent in it
        stints.append(
            PhaseStint(phase.order, phase.label, day, last, (last - day).days + 1, again=phase.pk in seen)
        )
        seen.add(phase.pk)
    return tuple(stints)


def prom_results(responses) -> tuple[PromResult, ...]:
    """Per questionnaire (in the order first completed): its first round against its latest."""
    rounds = defaultdict(list)
    for response in responses:
        rounds[response.instrument].append(response)
    found = []
    for code, rows in rounds.items():
        try:
            instrument = instruments.load(code)
        except KeyError:
            continue
        first, latest = rows[0], rows[-1] if len(rows) > 1 else None
        scales = []
        if instrument.total_rule is not None:
            scales.append(_scale_change(instrument, "Score", first.total, latest and latest.total, TOTAL))
        for sub in instrument.subscales:
            scales.append(
                _scale_change(
                    instrument,
                    sub.name or SCALE_NAMES.get(sub.code, sub.code),
                    first.subscales.get(sub.code),
                    latest.subscales.get(sub.code) if latest else None,
                    sub.code,
                )
            )
        activities = []
        for item in instrument.items:
            label = first.item_labels.get(item.code)
            if label and item.code in first.answers:
                after = latest.answers.get(item.code) if latest else None
                change = scoring.change_in(instrument, first.answers[item.code], after, "__item__")
                activities.append(
                    ScaleChange(
                        label, first.answers[item.code], after, change.difference, change.improved, None
                    )
                )
        found.append(
            PromResult(
                code=code,
                name=f"{instrument.name} ({instrument.short_name})",
                direction=gettext("higher is better")
                if instrument.higher_is_better
                else gettext("lower is better"),
                score_range=f"{instrument.score_min:g}–{instrument.score_max:g}",
                baseline_on=timezone.localdate(first.completed_at),
                final_on=timezone.localdate(latest.completed_at) if latest else None,
                threshold=_threshold(instrument),
                scales=tuple(scales),
                activities=tuple(activities),
            )
        )
    return tuple(found)


def _scale_change(instrument, label, baseline, final, scale) -> ScaleChange:
    change = scoring.change_in(instrument, baseline, final, scale)
    return ScaleChange(label, baseline, final, change.difference, change.improved, change.meaningful)


def _threshold(instrument) -> str:
    rule = instrument.change
    if rule.points is None and rule.percent is None:
        return gettext("No change that matters has been established for this questionnaire.")
    parts = []
    if rule.points is not None:
        parts.append(gettext("%(points)s points") % {"points": f"{rule.points:g}"})
    if rule.percent is not None:
        parts.append(gettext("%(percent)s %% of the first score") % {"percent": f"{rule.percent:g}"})
    return gettext("A change of %(size)s or more matters.") % {"size": gettext(" or ").join(parts)}


SIDE_NAMES = {catalog.LEFT: gettext_lazy("Left"), catalog.RIGHT: gettext_lazy("Right")}


def test_changes(results) -> tuple[TestChange, ...]:
    """Per test and side (in catalog order): the first result against the latest."""
    grouped = defaultdict(list)
    for result in results:
        grouped[(result.test, result.side)].append(result)
    order = {test.code: n for n, test in enumerate(catalog.TESTS)}
    found = []
    for (code, side), rows in sorted(grouped.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1])):
        test = catalog.BY_CODE.get(code)
        if test is None:
            continue
        first, latest = rows[0], rows[-1] if len(rows) > 1 else None
        found.append(
            TestChange(
                name=outcome_words.test_name(test.code),
                side="" if test.sides == catalog.PAIRED else str(SIDE_NAMES.get(side, "")),
                first_on=first.visit.date,
                first=result_text(test, first),
                first_passed=first.passed,
                last_on=latest.visit.date if latest else None,
                last=result_text(test, latest) if latest else "",
                last_passed=latest.passed if latest else None,
                pass_mark=pass_mark(test),
            )
        )
    return tuple(found)


def result_text(test: catalog.ObjectiveTest, result) -> str:
    """A recorded result in words, e.g. "8 reps, pain 3/10" or "left 182 N, right 221 N: 82 %"."""
    values = result.values
    if test.sides == catalog.PAIRED:
        unit = values.get("unit", "")
        text = gettext("left %(left)s %(unit)s, right %(right)s %(unit)s") % {
            "left": _number(values.get("left")),
            "right": _number(values.get("right")),
            "unit": unit,
        }
        if result.symmetry_pct is not None:
            text += f": {result.symmetry_pct:g} %"
        return text
    parts = []
    for measure in test.measures:
        if measure.code not in values:
            continue
        value = values[measure.code]
        if measure.code == "pain":
            parts.append(gettext("pain %(pain)s/10") % {"pain": _number(value)})
        elif measure.choices:
            parts.append(outcome_words.choice_label(value))
        elif measure.unit == "°":
            parts.append(f"{outcome_words.measure_label(measure).lower()} {_number(value)}°")
        else:
            parts.append(f"{_number(value)} {outcome_words.unit_text(measure.unit)}".strip())
    return ", ".join(parts)


def pass_mark(test: catalog.ObjectiveTest) -> str:
    rule = test.pass_rule
    if rule is None:
        return ""
    if rule.kind == "negative":
        return gettext("negative")
    if rule.kind == "symmetry":
        return gettext("side-to-side at least %(pct)s %%") % {"pct": f"{rule.min_pct:g}"}
    parts = []
    if rule.count_measure:
        parts.append(
            gettext("at least %(count)s %(unit)s")
            % {
                "count": f"{rule.min_count:g}",
                "unit": outcome_words.unit_text(test.measure(rule.count_measure).unit),
            }
        )
    parts.append(gettext("pain at most %(pain)s/10") % {"pain": rule.max_pain})
    return ", ".join(parts)


def pain_weeks(logs, start: date, end: date) -> tuple[PainWeek, ...]:
    """The average of each logged day's worst pain (during, after, next morning), week by week of the plan
    (weeks without a log are kept, as gaps, except a last part-week)."""
    worst = defaultdict(list)
    for day, *pains in logs:
        values = [v for v in pains if v is not None]
        if values:
            worst[(day - start).days // 7].append(max(values))
    count = (end - start).days // 7 + 1
    if (end - start).days % 7 < 6 and not worst[count - 1]:
        count -= 1  # a last part-week without a log: no empty column at the end of the chart
    return tuple(
        PainWeek(
            n + 1,
            start + timedelta(days=7 * n),
            round(mean(worst[n]), 1) if worst[n] else None,
            len(worst[n]),
        )
        for n in range(count)
    )


def pain_summary(weeks: tuple[PainWeek, ...]) -> str:
    logged = [week for week in weeks if week.average is not None]
    if not logged:
        return gettext(NO_PAIN)
    first, last = logged[0], logged[-1]
    numbers = {"first": f"{first.average:g}", "last": f"{last.average:g}", "week": first.number,
               "last_week": last.number}  # fmt: skip
    if first is last:
        return gettext("Average pain in week %(week)s: %(first)s/10 (the only week logged).") % numbers
    if last.average < first.average:
        return (
            gettext(
                "Average pain fell from %(first)s/10 in week %(week)s to %(last)s/10 in week %(last_week)s."
            )
            % numbers
        )
    if last.average > first.average:
        return (
            gettext(
                "Average pain rose from %(first)s/10 in week %(week)s to %(last)s/10 in week %(last_week)s."
            )
            % numbers
        )
    return gettext("Average pain stayed at %(first)s/10 from week %(week)s to week %(last_week)s.") % numbers


# The chart

CHART_W, CHART_H, CHART_LEFT, CHART_BOTTOM = 460, 96, 26, 16
BAR = "#0f766e"
AXIS = "#4b5563"


def pain_chart(weeks: tuple[PainWeek, ...]) -> str:
    """The weekly averages as a small SVG bar chart (a week without logs is left empty), as a data: URL."""
    if not any(week.average is not None for week in weeks):
        return ""
    plot_w, plot_h = CHART_W - CHART_LEFT - 4, CHART_H - CHART_BOTTOM - 6
    slot = plot_w / len(weeks)
    bar = min(28.0, slot * 0.7)
    parts = []
    for level in (0, 2, 5, 10):
        y = 6 + plot_h - level * plot_h / PAIN_MAX
        parts.append(
            f'<line x1="{CHART_LEFT}" x2="{CHART_W - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c7ced6" '
            f'stroke-width="0.6"/><text x="{CHART_LEFT - 5}" y="{y + 3:.1f}" text-anchor="end">{level}</text>'
        )
    step = max(1, len(weeks) // 12)
    for index, week in enumerate(weeks):
        x = CHART_LEFT + slot * index + (slot - bar) / 2
        if week.average is not None:
            height = max(1.0, week.average * plot_h / PAIN_MAX)
            y = 6 + plot_h - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{BAR}"/>'
            )
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle">{week.average:g}</text>'
            )
        if index % step == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{CHART_H - 5}" text-anchor="middle">W{week.number}</text>'
            )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H}" '
        f'viewBox="0 0 {CHART_W} {CHART_H}" font-family="Source Sans 3, sans-serif" font-size="8" '
        f'fill="{AXIS}">{"".join(parts)}</svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# Rendering and caching


def discharge_filename(report: Report) -> str:
    return f"discharge-report-{slugify(report.athlete) or 'athlete'}-{report.end.isoformat()}.pdf"


def context_for(report: Report) -> dict:
    return {
        "report": report,
        "pain_chart": pain_chart(report.pain_weeks),
        "texts": {
            "no_proms": gettext(NO_PROMS),
            "one_prom_round": gettext(ONE_PROM_ROUND),
            "no_tests": gettext(NO_TESTS),
            "one_test": gettext(ONE_TEST),
            "no_phases": gettext(NO_PHASES),
        },
    }


def render_discharge(report: Report) -> bytes:
    """The report as PDF bytes. Always renders; see discharge_pdf."""
    html = render_to_string(TEMPLATE, context_for(report))
    with pdf.collector_paused():
        return pdf._document(html).write_pdf()


_LAYOUT: str | None = None


def _layout_digest() -> str:
    global _LAYOUT
    if _LAYOUT is None:
        template = Path(get_template(TEMPLATE).origin.name).read_bytes()
        sources = [
            Path(__file__).read_bytes(),
            Path(wording.__file__).read_bytes(),
            pdf.STYLESHEET.read_bytes(),
        ]
        _LAYOUT = hashlib.sha256(b"".join([template, *sources])).hexdigest()[:12]
    return _LAYOUT


def cache_key(plan_id: int) -> str:
    """One entry per plan: an outdated report is replaced, and deleting the athlete's data finds it."""
    return f"discharge:{plan_id}"


def cache_stamp(report: Report) -> str:
    """Changes with anything the report shows (its data), the plan's version, the layout and the language."""
    digest = hashlib.sha256(f"{report!r}|{_layout_digest()}|{get_language()}".encode()).hexdigest()[:20]
    return f"{report.version}:{digest}"


def _cached(report: Report) -> tuple[str, bytes | None]:
    stamp = cache_stamp(report)
    entry = cache.get(cache_key(report.plan_id))
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == stamp:
        return stamp, entry[1]
    return stamp, None


def discharge_pdf(plan: Plan) -> tuple[Report, bytes]:
    """The report and its PDF, rendered once and then served from the cache until something shown changes. In the
    athlete's language, whoever prints it (portal.languages)."""
    with override(language_of_person(plan.athlete)):
        report = report_for(plan)
        stamp, data = _cached(report)
        if data is None:
            data = render_discharge(report)
            cache.set(cache_key(report.plan_id), (stamp, data), CACHE_SECONDS)
    return report, data


def discharge_prerender(plan: Plan) -> bool:
    """Put the plan's report in the cache unless it is there already. True when it rendered."""
    with override(language_of_person(plan.athlete)):
        report = report_for(plan)
        stamp, data = _cached(report)
        if data is not None:
            return False
        cache.set(cache_key(report.plan_id), (stamp, render_discharge(report)), CACHE_SECONDS)
    return True


def discharge_cache_evict(plans) -> None:
    """Forget the cached reports of `plans` (their athlete's personal data is being deleted)."""
    keys = [cache_key(plan.pk) for plan in plans]
    if keys:
        cache.delete_many(keys)
