"""Writes for triage: syncing the condition catalogue, storing intakes, recording a clinician's review."""

from django.db import transaction
from django.utils import timezone

from portal.jobs import enqueue
from portal.models import Alert, Athlete
from portal.services import alert_raise, alert_resolve, check_athlete_editable
from triage import engine
from triage.models import Condition, Intake
from triage.wording import alert_message

ALERT_KIND = "triage"
CATALOGUE_FIELDS = ("name", "region", "presentation", "default_urgency", "advice", "source")


def conditions_sync(model=Condition) -> dict[str, int]:
    """Make the Condition table match engine.CONDITIONS; returns created / updated / unchanged counts.

    `model` lets the data migration pass its historical model. Rows the engine no longer knows are kept,
    because intakes may point at them.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {row.code: row for row in model.objects.all()}
    for code, definition in engine.CONDITIONS.items():
        values = {name: getattr(definition, name) for name in CATALOGUE_FIELDS}
        row = existing.get(code)
        if row is None:
            model.objects.create(code=code, **values)
            counts["created"] += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


@transaction.atomic
def intake_submit(*, athlete: Athlete, by, answers: dict, now=None) -> Intake:
    """Assess `answers` with the engine and store them with the result.

    Raises engine.InvalidAnswers (its `errors` map fields to messages) when the answers do not validate.
    An urgent or emergency result raises (or updates) the athlete's open triage alert for the care team.
    """
    check_athlete_editable(athlete)
    cleaned = engine.validate(answers)
    assessment = engine.assess(cleaned)
    intake = Intake(
        athlete=athlete,
        submitted_by=by,
        answers=cleaned,
        result=assessment.to_record(),
        urgency=assessment.urgency,
        engine_version=assessment.engine_version,
        created=now or timezone.now(),
    )
    intake.full_clean()
    intake.save()
    if assessment.stop_running:
        _raise_alert_for(intake, now=now)
    _status_out_of_date(athlete)
    return intake


def _status_out_of_date(athlete: Athlete) -> None:
    """An intake, or its review, can change the athlete's caseload status: recomputed after the commit."""
    enqueue("rehab.refresh_athletes", [athlete.pk], timezone.localdate().isoformat())


def _raise_alert_for(intake: Intake, now=None) -> Alert:
    return alert_raise(
        athlete=intake.athlete,
        kind=ALERT_KIND,
        severity=intake.urgency,
        message=alert_message(intake.result, intake.created),
        link=intake.get_review_url(),
        now=now,
    )


@transaction.atomic
def intake_review(*, intake: Intake, by, condition: Condition | None, notes: str = "", now=None) -> Intake:
    """Record a clinician's review: the condition they confirm (or none) and their notes.

    The athlete's open triage alert is resolved; if another urgent intake of theirs is still waiting, a
    fresh alert points at that one instead.
    """
    now = now or timezone.now()
    intake = Intake.objects.select_for_update().select_related("athlete").get(pk=intake.pk)
    check_athlete_editable(intake.athlete)
    intake.confirmed_condition = condition
    intake.review_notes = notes
    intake.reviewed_by = by
    intake.reviewed_at = now
    intake.full_clean()
    intake.save()
    _status_out_of_date(intake.athlete)

    if intake.urgency not in engine.URGENT_OR_WORSE:
        return intake  # only urgent intakes raise alerts
    athlete = intake.athlete
    open_alert = Alert.objects.open().filter(athlete=athlete, kind=ALERT_KIND).first()
    if open_alert is not None:
        alert_resolve(alert=open_alert, by=by, note=f"Intake {intake.pk} reviewed.", now=now)
    waiting = list(Intake.objects.filter(athlete=athlete).needing_review())
    if waiting:
        worst = max(waiting, key=lambda i: (engine.URGENCY_RANK[i.urgency], i.created, i.pk))
        _raise_alert_for(worst, now=now)
    return intake
