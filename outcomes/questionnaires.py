"""Questionnaires asked of athletes: a plan's schedules, what is due now, the rounds filled in, and their results.

Writes are keyword-only and atomic (`schedules_save`, `round_save`); reads are a fixed number of queries
(`due_for`, `results_for`). When a round is due is outcomes.schedule's pure rule; scoring is outcomes.scoring's,
reached through outcomes.services.response_save. Who may call what is the caller's check (portal.capabilities).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy

from outcomes import instruments, schedule, scoring, services
from outcomes.instruments import TOTAL, Instrument
from outcomes.models import InstrumentWording, QuestionnaireResponse, Schedule
from triage.models import Condition

PLAN_STATUSES = (schedule.ACTIVE, schedule.COMPLETED)  # the plans whose schedules can make a round due
NEEDS_WORDING = gettext_lazy("needs your licensed wording")
PSFS = "psfs"


# -------------------------------------------------------------------------------------------------- schedules


def plan_conditions(plan) -> list[str]:
    """The condition codes a plan treats: those a clinician confirmed on the athlete's hip checks, else those of
    the plan's protocol. Two queries at most."""
    confirmed = list(
        Condition.objects.filter(intakes__athlete_id=plan.athlete_id)
        .values_list("code", flat=True)
        .distinct()
    )
    if confirmed or plan.template_id is None:
        return confirmed
    return list(plan.template.conditions.values_list("code", flat=True))


def clinic_instruments(clinic, codes=None) -> dict[str, Instrument]:
    """The questionnaires as `clinic` can use them (with its licensed wording), limited to `codes` if given, the
    shipped wording in the active language. Asks the database only when one of them ships without wording."""
    shipped = instruments.shipped()
    wanted = [c for c in (shipped if codes is None else codes) if c in shipped]
    language = get_language()
    found = {code: instruments.in_language(shipped[code], language) for code in wanted}
    missing = [code for code, found_one in found.items() if not found_one.has_wording]
    if missing and clinic is not None:
        for row in InstrumentWording.objects.filter(clinic=clinic, instrument__in=missing):
            if row.instrument_version == found[row.instrument].version:
                found[row.instrument] = row.as_instrument()
    return found


@transaction.atomic
def schedules_save(*, plan, wanted: dict[str, dict], by) -> list[Schedule]:
    """Make the plan ask exactly the questionnaires in `wanted` (code → every_weeks, at_intake, at_discharge):
    new ones are added, kept ones updated, the others removed (their rounds already filled in stay).

    Raises ValidationError keyed by the questionnaire's code when it is unknown, when the clinic has no wording
    for it (it cannot be shown to the athlete) or when its timing is not valid.
    """
    available = clinic_instruments(plan.athlete.clinic, list(wanted))
    errors = {}
    for code in wanted:
        if code not in available:
            errors[code] = gettext("Unknown questionnaire.")
        elif not available[code].has_wording:
            errors[code] = gettext(
                "%(name)s needs your licensed wording before athletes can be asked it."
            ) % {"name": available[code].short_name}
    if errors:
        raise ValidationError(errors)
    existing = {row.instrument: row for row in plan.questionnaire_schedules.all()}
    plan.questionnaire_schedules.exclude(instrument__in=list(wanted)).delete()
    saved = []
    for code, timing in wanted.items():
        row = existing.get(code) or Schedule(plan=plan, instrument=code, created_by=by)
        row.every_weeks = timing.get("every_weeks") or None
        row.at_intake = bool(timing.get("at_intake"))
        row.at_discharge = bool(timing.get("at_discharge"))
        try:
            row.full_clean()
        except ValidationError as error:
            errors[code] = " ".join(error.messages)
            continue
        row.save()
        saved.append(row)
    if errors:
        raise ValidationError(errors)
    return saved


# -------------------------------------------------------------------------------------------------- what is due


@dataclass
class DueItem:
    schedule: Schedule
    instrument: Instrument
    due: schedule.Due
    draft: QuestionnaireResponse | None = None  # a round of it partly saved since it fell due

    @property
    def code(self) -> str:
        return self.instrument.code


def plan_end(plan) -> date | None:
    """The day a completed plan was marked completed."""
    if plan.status == schedule.COMPLETED and plan.completed_at is not None:
        return timezone.localdate(plan.completed_at)
    return None


def _rounds(responses) -> list[schedule.Round]:
    return [
        schedule.Round(
            r.round,
            timezone.localdate(r.started_at),
            timezone.localdate(r.completed_at) if r.completed_at else None,
        )
        for r in responses
    ]


def athlete_responses(athlete, user=None) -> list[QuestionnaireResponse]:
    """Every round of every questionnaire the athlete has (partly) filled in, oldest first (those `user` may
    see, when given): one query, for `due_for` and `results_for` together."""
    rows = QuestionnaireResponse.objects if user is None else QuestionnaireResponse.objects.visible_to(user)
    rows = rows.filter(athlete=athlete)
    return list(rows.order_by("started_at", "pk"))


def current_schedules(athlete) -> list[Schedule]:
    """The schedules of the athlete's active plan and of plans completed (whose discharge round may be due)."""
    return list(
        Schedule.objects.filter(plan__athlete=athlete, plan__status__in=PLAN_STATUSES)
        .select_related("plan")
        .order_by("plan__start_date", "pk")
    )


def due_for(athlete, *, today: date | None = None, schedules=None, responses=None) -> list[DueItem]:
    """The questionnaires due now for `athlete`, from the schedules of their active plan (or one completed
    lately, for its discharge round), each with the round and any partly saved answers. Two queries (three when
    a scheduled questionnaire needs the clinic's licensed wording)."""
    today = today or timezone.localdate()
    schedules = current_schedules(athlete) if schedules is None else schedules
    if not schedules:
        return []
    if responses is None:
        responses = QuestionnaireResponse.objects.filter(
            athlete=athlete, instrument__in={s.instrument for s in schedules}
        ).order_by("started_at", "pk")
    by_instrument: dict[str, list[QuestionnaireResponse]] = {}
    for r in responses:
        by_instrument.setdefault(r.instrument, []).append(r)
    usable = clinic_instruments(athlete.clinic, {s.instrument for s in schedules})
    items: dict[str, DueItem] = {}
    for row in schedules:
        found = usable.get(row.instrument)
        if found is None or not found.has_wording or row.instrument in items:
            continue
        plan = row.plan
        since_start = [
            r
            for r in by_instrument.get(row.instrument, [])
            if timezone.localdate(r.started_at) >= plan.start_date
        ]
        due = schedule.due_round(
            at_intake=row.at_intake,
            every_weeks=row.every_weeks,
            at_discharge=row.at_discharge,
            start=plan.start_date,
            end=plan_end(plan),
            status=plan.status,
            rounds=_rounds(since_start),
            today=today,
        )
        if due is None:
            continue
        draft = next(
            (
                r
                for r in reversed(since_start)
                if r.completed_at is None and timezone.localdate(r.started_at) >= due.since
            ),
            None,
        )
        items[row.instrument] = DueItem(row, found, due, draft)
    return list(items.values())


def due_item(athlete, code: str, *, today: date | None = None) -> DueItem | None:
    return next((item for item in due_for(athlete, today=today) if item.code == code), None)


# -------------------------------------------------------------------------------------------------- filling in


def psfs_activities(athlete) -> dict[str, str]:
    """The activities the athlete named at their first PSFS round (item code → name); empty before it."""
    first = (
        QuestionnaireResponse.objects.filter(athlete=athlete, instrument=PSFS)
        .completed()
        .exclude(item_labels={})
        .order_by("completed_at", "pk")
        .first()
    )
    return dict(first.item_labels) if first else {}


@transaction.atomic
def round_save(
    *, athlete, item: DueItem, answers: dict, item_labels: dict | None, complete: bool, by
) -> QuestionnaireResponse:
    """Save the athlete's answers to the round `item` says is due: into its partly saved round, or a new one;
    `complete` scores it (outcomes.services.response_save). The athlete's row is locked meanwhile, so that a
    double submit finds the first one's round instead of starting a second."""
    type(athlete).objects.select_for_update().filter(pk=athlete.pk).first()
    draft = (
        QuestionnaireResponse.objects.filter(
            athlete=athlete,
            instrument=item.code,
            completed_at__isnull=True,
            started_at__date__gte=item.due.since,
        )
        .order_by("-started_at", "-pk")
        .first()
    )
    return services.response_save(
        athlete=athlete,
        instrument=item.code,
        answers=answers,
        round=item.due.round,
        item_labels=item_labels,
        complete=complete,
        by=by,
        response=draft,
    )


# -------------------------------------------------------------------------------------------------- results


@dataclass
class ScaleResult:
    code: str  # "total" or a subscale's code
    name: str
    value: float | None
    change: scoring.Change | None  # since the baseline; None on the baseline itself


@dataclass
class RoundResult:
    response: QuestionnaireResponse
    scales: list[ScaleResult]

    @property
    def main(self) -> ScaleResult | None:
        return self.scales[0] if self.scales else None


@dataclass
class InstrumentResults:
    instrument: Instrument
    rounds: list[RoundResult] = field(default_factory=list)  # oldest first; the first is the baseline

    @property
    def baseline(self) -> RoundResult | None:
        return self.rounds[0] if self.rounds else None

    @property
    def latest(self) -> RoundResult | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def code(self) -> str:
        return self.instrument.code

    def trend(self) -> list[tuple[date, float | None]]:
        """The main score per round, for a chart."""
        return [
            (timezone.localdate(r.response.completed_at), r.main.value if r.main else None)
            for r in self.rounds
        ]


def _scale_codes(instrument: Instrument) -> list[tuple[str, str]]:
    scales = [(TOTAL, "Score")] if instrument.total_rule is not None else []
    return scales + [(sub.code, sub.name) for sub in instrument.subscales]


def results_for(athlete, *, responses=None) -> list[InstrumentResults]:
    """Every questionnaire the athlete has completed, each with its rounds oldest first and, per scale, the
    change since the first round (the baseline) with whether it matters. One query (none given `responses`)."""
    shipped = instruments.shipped()
    if responses is None:
        responses = QuestionnaireResponse.objects.filter(athlete=athlete).completed()
    done = sorted((r for r in responses if r.completed_at is not None), key=lambda r: (r.completed_at, r.pk))
    by_code: dict[str, InstrumentResults] = {}
    for r in done:
        if r.instrument not in shipped:
            continue
        found = by_code.setdefault(r.instrument, InstrumentResults(shipped[r.instrument]))
        baseline = found.baseline
        scales = []
        for code, name in _scale_codes(found.instrument):
            value = r.total if code == TOTAL else r.subscales.get(code)
            change = None
            if baseline is not None:
                before = next(s.value for s in baseline.scales if s.code == code)
                change = scoring.change_in(found.instrument, before, value, code)
            scales.append(ScaleResult(code, name, value, change))
        found.rounds.append(RoundResult(r, scales))
    return sorted(by_code.values(), key=lambda result: result.instrument.short_name)


# -------------------------------------------------------------------------------------------------- for the athlete

DOUBLE_SUBMIT_SECONDS = 120


@transaction.atomic
def round_enter(
    *, athlete, instrument: Instrument, round: str, answers: dict, item_labels: dict | None, by
) -> tuple[QuestionnaireResponse, bool]:
    """A clinician enters a completed round for the athlete (a paper form, or asked in clinic); `entered_by` keeps
    who. The same answers entered by the same person moments ago are that round, not a second one (a double
    submit). Returns the round and whether it was created."""
    type(athlete).objects.select_for_update().filter(pk=athlete.pk).first()
    since = timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS)
    for recent in QuestionnaireResponse.objects.filter(
        athlete=athlete, instrument=instrument.code, entered_by=by, completed_at__gte=since
    ):
        if recent.answers == {k: v for k, v in answers.items() if v is not None} and recent.round == round:
            return recent, False
    response = services.response_save(
        athlete=athlete, instrument=instrument.code, answers=answers, round=round, item_labels=item_labels,
        complete=True, by=by,
    )  # fmt: skip
    return response, True
