from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, pgettext

from library.translation import localized
from outcomes.criteria import Results
from outcomes.selectors import results_for, results_for_many
from portal.models import Alert
from rehab import charts
from rehab.compliance import Compliance, Prescription, weekly
from rehab.criteria import clearance_dates, has_criteria
from rehab.models import DailyLog, PhaseChange, Plan, PlanExercise, PlanPhase, PlanTemplate, RedFlag
from rehab.progression import RED_FLAG_LABELS, LogDay
from rehab.status import STOP_ALERT_KINDS, Snapshot, snapshot
from triage.models import Intake

RED_FLAGS = tuple(RedFlag.values)
# Bone stress injuries must stay pain-free (DOMAIN.md section 6): any pain holds the plan.
PAIN_FREE_CONDITIONS = ("stress_fracture",)


def get_plan_for_user(user, pk) -> Plan:
    """The plan `pk` if `user` may see it, else Http404."""
    return get_object_or_404(
        Plan.objects.visible_to(user).select_related(
            "athlete__user", "athlete__clinic", "current_phase", "template"
        ),
        pk=pk,
    )


def plan_phases(plan: Plan) -> list[PlanPhase]:
    """All phases of a plan with their exercises, in two queries whatever the number of exercises."""
    exercises = PlanExercise.objects.select_related("exercise").order_by("order", "pk")
    return list(
        plan.phases.select_related("cleared_by").prefetch_related(Prefetch("exercises", queryset=exercises))
    )


def plan_history(plan: Plan):
    return PhaseChange.objects.filter(plan=plan).select_related("from_phase", "to_phase", "by")


def current_plan_for(athlete) -> Plan | None:
    """The athlete's active plan, else their most recent paused or completed one."""
    plans = (
        Plan.objects.filter(athlete=athlete)
        .exclude(status=Plan.Status.CANCELLED)
        .select_related("current_phase", "template")
    )
    return plans.filter(status=Plan.Status.ACTIVE).first() or plans.order_by("-start_date", "-pk").first()


def templates_for_assign(user, athlete) -> tuple[list[PlanTemplate], list[PlanTemplate]]:
    """(suggested, others): templates for the condition a clinician confirmed on the athlete's latest intake first."""
    templates = list(PlanTemplate.objects.visible_to(user).filter(active=True).prefetch_related("conditions"))
    condition_id = latest_confirmed_condition_id(athlete)
    suggested = [
        t for t in templates if condition_id and any(c.pk == condition_id for c in t.conditions.all())
    ]
    others = [t for t in templates if t not in suggested]
    return suggested, others


def template_pain_free(template: PlanTemplate) -> bool:
    """The template is for a bone stress injury: its plans always keep the pain-free rule."""
    return template.conditions.filter(code__in=PAIN_FREE_CONDITIONS).exists()


def pain_free_default(athlete, template: PlanTemplate | None = None) -> bool:
    """Whether a new plan for `athlete` should keep the pain-free rule: its template is for a bone stress injury,
    or a clinician confirmed one on the athlete's latest reviewed intake."""
    if template is not None and template_pain_free(template):
        return True
    return _latest_confirmed(athlete, "confirmed_condition__code") in PAIN_FREE_CONDITIONS


def latest_confirmed_condition_id(athlete) -> int | None:
    return _latest_confirmed(athlete, "confirmed_condition_id")


def _latest_confirmed(athlete, field: str):
    """`field` of the condition a clinician confirmed on the athlete's latest reviewed intake (None: none)."""
    return (
        Intake.objects.filter(athlete=athlete, confirmed_condition__isnull=False)
        .order_by("-created")
        .values_list(field, flat=True)
        .first()
    )


LOG_DAY_FIELDS = (
    "athlete_id", "date", "run_minutes", "pain_during", "pain_after", "pain_next_morning", "sets_done",
    "distance_km", "walk_minutes", "jog_minutes", "session_rpe", "surface", "avg_cadence", "avg_heart_rate",
    "run_source", *RED_FLAGS,
)  # fmt: skip


def log_days(athlete_ids, start: date, end: date) -> dict[int, list[LogDay]]:
    """The athletes' logs from `start` to `end` as plain LogDays, oldest first, in one query."""
    days: dict[int, list[LogDay]] = {pk: [] for pk in athlete_ids}
    rows = (
        DailyLog.objects.filter(athlete_id__in=list(athlete_ids), date__range=(start, end))
        .order_by("date")
        .values_list(*LOG_DAY_FIELDS)
    )
    for (athlete_id, day, run, during, after, morning, sets, km, walk, jog, rpe, surface, cadence, heart, source,
         *flags) in rows:  # fmt: skip
        days[athlete_id].append(
            LogDay(
                date=day,
                run_minutes=run,
                pain_during=during,
                pain_after=after,
                pain_next_morning=morning,
                sets_done=sets,
                distance_km=float(km) if km is not None else None,
                walk_minutes=walk,
                jog_minutes=jog,
                session_rpe=rpe,
                surface=surface,
                avg_cadence=cadence,
                avg_heart_rate=heart,
                run_source=source,
                red_flags=tuple(flag for flag, on in zip(RED_FLAGS, flags, strict=True) if on),
            )
        )
    return days


def plan_exercises() -> QuerySet[PlanExercise]:
    """Planned exercises in their order, each with `exercise_name` (and the slug and uploaded picture that
    pick its thumbnail): its library entry's fields, read in the same query without loading the entry (whose
    instructions are JSON decoded row by row for nothing)."""
    return PlanExercise.objects.order_by("order", "pk").annotate(
        exercise_name=localized("exercise__name"),  # in the reader's language
        exercise_kind=F("exercise__kind"),
        exercise_slug=F("exercise__slug"),
        exercise_image=F("exercise__image"),
    )


def active_plans(athlete_ids, *, exercise_names: bool = False) -> dict[int, Plan]:
    """Active plans by athlete, with the current phase and its exercises (in their order; as plan_exercises()
    when `exercise_names`): 2 queries."""
    exercises = (
        plan_exercises()
        if exercise_names
        else PlanExercise.objects.order_by("order", "pk").annotate(exercise_kind=F("exercise__kind"))
    )
    plans = (
        Plan.objects.filter(athlete_id__in=list(athlete_ids), status=Plan.Status.ACTIVE)
        .select_related("current_phase", "template")
        .prefetch_related(Prefetch("current_phase__exercises", queryset=exercises))
    )
    return {plan.athlete_id: plan for plan in plans}


STATUS_WINDOW_DAYS = 28  # the logs a status is computed from: the 28 days to today


class DaysRead:
    """Athletes' days as the status engine and the log save read them: their active plans (with the current
    phase and its exercises: active_plans), their logs of the STATUS_WINDOW_DAYS days to `today` (log_days) and
    the day of each one's oldest red flag still waiting for a clinician (red_flags_waiting).

    Each part is read once, for all the athletes, when it is first used: a page that has read the plan for its
    form hands the same DaysRead to the save (services.log_save), the status job reads every athlete's in a
    fixed number of queries (services.status_snapshots). `plans` seeds the plans already read another way (the
    plan page's, with every phase), `alerts` the athletes' open alerts when the caller has them (no query then
    for the red flags); `exercise_names`: the exercises as plan_exercises() reads them, for a form."""

    def __init__(self, athlete_ids, today: date, *, exercise_names: bool = False, plans=None, alerts=None):
        self.athlete_ids = list(athlete_ids)
        self.today = today
        self.exercise_names = exercise_names
        self._alerts = alerts
        if plans is not None:
            self.plans = plans

    @cached_property
    def plans(self) -> dict[int, Plan]:
        return active_plans(self.athlete_ids, exercise_names=self.exercise_names)

    @cached_property
    def logs(self) -> dict[int, list[LogDay]]:
        start = self.today - timedelta(days=STATUS_WINDOW_DAYS - 1)
        return log_days(self.athlete_ids, start, self.today)

    @cached_property
    def waiting(self) -> dict[int, date]:
        return red_flags_waiting(self.athlete_ids, alerts=self._alerts)

    def plan(self, athlete_id: int) -> Plan | None:
        return self.plans.get(athlete_id)


@dataclass(frozen=True)
class PhasePlace:
    """Where a plan's current phase sits: first or last, and whether the next one waits for a clearance."""

    is_first: bool
    is_last: bool
    next_needs_clearance: bool


def red_flags_waiting(athlete_ids, *, alerts=None) -> dict[int, date]:
    """The day of each athlete's oldest open red-flag alert (status.STOP_ALERT_KINDS: no clinician has answered
    it yet): one query, none when the caller has the athletes' open `alerts` already."""
    if alerts is None:
        alerts = Alert.objects.open().filter(athlete_id__in=list(athlete_ids), kind__in=STOP_ALERT_KINDS)
        alerts = alerts.only("athlete_id", "kind", "created")
    waiting: dict[int, date] = {}
    for alert in alerts:
        if alert.kind in STOP_ALERT_KINDS:
            day = timezone.localdate(alert.created)
            waiting[alert.athlete_id] = min(day, waiting.get(alert.athlete_id, day))
    return waiting


def phase_places(plans) -> dict[int, PhasePlace]:
    """For each plan (with its `current_phase`), where that phase sits among the plan's phases: one query."""
    plans = [plan for plan in plans if plan.current_phase is not None]
    rows = (
        PlanPhase.objects.filter(plan_id__in=[plan.pk for plan in plans])
        .order_by("plan_id", "order", "pk")
        .values_list("plan_id", "order", "requires_clearance", "cleared_at")
    )
    phases: dict[int, list[tuple]] = {}
    for plan_id, *rest in rows:
        phases.setdefault(plan_id, []).append(tuple(rest))
    places = {}
    for plan in plans:
        current = plan.current_phase.order
        orders = phases.get(plan.pk, [])
        following = [row for row in orders if row[0] > current]
        nxt = following[0] if following else None
        places[plan.pk] = PhasePlace(
            is_first=not any(row[0] < current for row in orders),
            is_last=nxt is None,
            next_needs_clearance=bool(nxt and nxt[1] and nxt[2] is None),
        )
    return places


def plan_schedule(plan: Plan, phases: list[PlanPhase], changes) -> list[tuple[date, Prescription]]:
    """Which phase's prescription applied from which day, from the plan's phase history (oldest first)."""
    by_pk = {phase.pk: phase for phase in phases}
    schedule = []
    for change in sorted(changes, key=lambda c: (c.created, c.pk)):
        phase = by_pk.get(change.to_phase_id)
        if phase is None:
            continue
        day = plan.start_date if change.kind == PhaseChange.Kind.START else timezone.localdate(change.created)
        schedule.append((day, Prescription.from_phase(phase, phase.exercises.all())))
    schedule.sort(key=lambda item: item[0])
    return schedule


def days_of(athlete, start: date, end: date) -> list[LogDay]:
    return log_days([athlete.pk], start, end)[athlete.pk]


@dataclass
class AthleteState:
    """An athlete's plan, recent logs and status as of a day: what "Today", the timeline and the API read."""

    plan: Plan | None
    phases: list[PlanPhase]
    changes: list[PhaseChange]
    phase: PlanPhase | None
    logs: list[LogDay]
    schedule: list[tuple[date, Prescription]]
    snap: Snapshot
    shoes: list
    start: date  # the first day worth showing: the plan's start (at most 180 days back), else 4 weeks back
    red_flag_since: date | None = None  # the day of the oldest red-flag alert still open (red_flags_waiting)

    @property
    def active(self) -> bool:
        return self.plan is not None and self.plan.status == Plan.Status.ACTIVE

    @property
    def rows(self) -> list[PlanExercise]:
        return list(self.phase.exercises.all()) if self.phase else []

    @property
    def by_date(self) -> dict[date, LogDay]:
        return {log.date: log for log in self.logs}

    @property
    def today_log(self) -> LogDay | None:
        return self.by_date.get(self.snap.today)

    @property
    def needs_morning(self) -> bool:
        """Yesterday's next-morning pain is still missing."""
        yesterday = self.by_date.get(self.snap.today - timedelta(days=1))
        return yesterday is None or yesterday.pain_next_morning is None

    @property
    def weeks(self) -> list[Compliance]:
        """Compliance per calendar week since `start` (up to today once logged, else yesterday)."""
        if self.plan is None:
            return []
        last = self.snap.today if self.today_log else self.snap.today - timedelta(days=1)
        return weekly(self.schedule, self.logs, max(self.start, self.plan.start_date), last)


def athlete_state(athlete, today: date) -> AthleteState:
    """Read an athlete's state in a fixed number of queries, whatever the number of logs or phases."""
    plan = current_plan_for(athlete)
    phases, changes = [], []
    if plan is not None:
        phases = plan_phases(plan)
        changes = list(PhaseChange.objects.filter(plan=plan).select_related("to_phase", "by"))
    start = min(plan.start_date, today) if plan else today - timedelta(days=27)
    start = max(start, today - timedelta(days=180))
    logs = days_of(athlete, start - timedelta(days=27), today)
    phase = next((p for p in phases if plan and p.pk == plan.current_phase_id), None)
    active = plan is not None and plan.status == Plan.Status.ACTIVE
    schedule = plan_schedule(plan, phases, changes) if plan else []
    shoes = list(athlete.shoes.filter(retired=False))
    red_flag_since = red_flags_waiting([athlete.pk]).get(athlete.pk)
    index = next((i for i, p in enumerate(phases) if phase is not None and p.pk == phase.pk), None)
    following = phases[index + 1] if index is not None and index + 1 < len(phases) else None
    results = None
    if active and has_criteria(phase):
        # The phase's measured exit criteria read the athlete's questionnaires and clinic tests: two queries.
        results = results_for(athlete, clearances=clearance_dates(phases))
    snap = snapshot(
        logs=logs,
        today=today,
        phase=phase if active else None,
        schedule=schedule,
        pain_free=bool(active and plan.pain_free),
        is_first=index == 0,
        is_last=bool(phases and phase and phase.pk == phases[-1].pk),
        next_needs_clearance=bool(following and not following.is_cleared),
        red_flag_waiting_since=red_flag_since if active else None,
        plan_start=(phase.started_on or plan.start_date) if phase else None,
        shoes=shoes,
        results=results,
    )
    return AthleteState(plan, phases, changes, phase, logs, schedule, snap, shoes, start, red_flag_since)


def phase_on(plan: Plan | None, day: date) -> PlanPhase | None:
    """The phase the plan was in on `day` (its current phase for today and for days since it started)."""
    if plan is None or plan.current_phase is None:
        return None
    current = plan.current_phase
    if current.started_on is None or day >= current.started_on:
        return current
    change = (
        PhaseChange.objects.filter(plan=plan, to_phase__started_on__lte=day)
        .select_related("to_phase")
        .order_by("-to_phase__started_on", "-created")
        .first()
    )
    return change.to_phase if change else current


def phase_for_log(plan: Plan | None, log: DailyLog | None, day: date) -> PlanPhase | None:
    """The phase whose exercises a log form lists: the one already logged, else the plan's phase on `day`.

    `plan` is the athlete's active plan from `active_plans(..., exercise_names=True)` (or None): when the phase
    is its current one, as on most days, the exercises it already holds are used and nothing is read.
    """
    current = plan.current_phase if plan is not None else None
    wanted = log.phase_id if log is not None and log.phase_id else None
    if wanted is None:
        phase = phase_on(plan, day)
        if phase is None:
            return None
        wanted = phase.pk
    if current is not None and wanted == current.pk:
        return current
    return (
        PlanPhase.objects.prefetch_related(Prefetch("exercises", plan_exercises())).filter(pk=wanted).first()
    )


# The pain lines' names, as rehab.charts.PAIN_SERIES gives them in English (marked here for the catalog).
SERIES_WORDS = {
    "pain_during": gettext_noop("During"),
    "pain_after": gettext_noop("After"),
    "pain_next_morning": gettext_noop("Next morning"),
}


def chart_words() -> charts.ChartWords:
    """The timeline chart's words in the active language, its dates in the catalog's short format."""
    return charts.ChartWords(
        title=gettext("Pain and distance per day, %(start)s to %(end)s"),
        nothing=gettext("Nothing logged in these %(span)s days."),
        logged=gettext("%(count)s of %(span)s days logged."),
        latest=gettext("Latest pain (%(day)s): %(pains)s out of 10."),
        highest=gettext("Highest pain %(peak)s out of 10 (%(which)s, %(day)s)."),
        distance=gettext("%(km)s km run in all."),
        table=gettext("Each day's values are in the table after the chart."),
        phase_change=gettext("phase change"),
        series={name: gettext(label) for name, label in SERIES_WORDS.items()},
        day=lambda day: date_format(day, pgettext("short date in a chart", "d M")),
    )


def timeline_data(athlete, today: date) -> dict:
    """The clinician's timeline of an athlete: chart, weekly compliance, load and the engine's advice."""
    state = athlete_state(athlete, today)
    markers = [
        charts.Marker(
            state.plan.start_date if c.kind == PhaseChange.Kind.START else timezone.localdate(c.created),
            pgettext("phase number on the chart", "P%(number)s") % {"number": c.to_phase.order},
        )
        for c in state.changes
    ]
    shown = [log for log in state.logs if log.date >= state.start]
    return {
        "plan": state.plan,
        "phase": state.phase,
        "phases": state.phases,
        "changes": state.changes,
        "snap": state.snap,
        "chart": charts.timeline(shown, state.start, today, markers=markers, words=chart_words()),
        "chart_days": charts.timeline_days(shown, state.start, today, markers=markers)[::-1],  # newest first
        "weeks": state.weeks,
        "recent": [(log, [RED_FLAG_LABELS.get(f, f) for f in log.red_flags]) for log in reversed(shown)][:14],
        "start": state.start,
        "clearance_phase": clearance_phase(state.phases, state.phase),
    }


def clearance_phase(phases: list[PlanPhase], current: PlanPhase | None) -> PlanPhase | None:
    """The current or next phase that still waits for a clinician's clearance, if any."""
    if current is None:
        return None
    return next(
        (p for p in phases if p.order >= current.order and p.requires_clearance and p.cleared_at is None),
        None,
    )


def athlete_summary(athlete, today: date) -> AthleteState:
    """The API's per-athlete summary: the same state as the athlete's "Today" page."""
    return athlete_state(athlete, today)


def results_for_plans(plans: dict) -> dict[int, Results]:
    """athlete id → Results, for the athletes in `plans` (athlete id → active plan) whose current phase has
    measured exit criteria: three queries whatever their number, none when no phase has any."""
    wanted = {pk: plan for pk, plan in plans.items() if plan is not None and has_criteria(plan.current_phase)}
    if not wanted:
        return {}
    by_plan: dict[int, list] = {}
    for plan_id, cleared_at in PlanPhase.objects.filter(
        plan_id__in=[plan.pk for plan in wanted.values()], cleared_at__isnull=False
    ).values_list("plan_id", "cleared_at"):
        by_plan.setdefault(plan_id, []).append(timezone.localdate(cleared_at))
    clearances = {pk: by_plan.get(plan.pk, []) for pk, plan in wanted.items()}
    return results_for_many(wanted, clearances=clearances)
