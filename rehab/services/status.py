"""The caseload status: each athlete's snapshot computed, stored (RehabStatus) and the alerts it calls for.

`status_refresh` is the one way statuses are written: by the nightly job (rehab.tasks.status.refresh_tick, or
`manage.py rehab_refresh`), after a plan change (its job) and, for one athlete, after a log (rehab.services.logs.
after_log). Pages and API reads only read what it stored.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.models import Alert
from portal.services import alert_raise, alert_resolve
from rehab import selectors
from rehab.compliance import Prescription
from rehab.criteria import reasons_json
from rehab.models import Action, Plan, RehabStatus
from rehab.status import STATE_ALERT_KINDS, AlertDue, Snapshot, snapshot, stale_alerts, time_alerts

STATUS_FIELDS = [
    "as_of", "plan", "phase", "last_log_date", "last_pain", "pain_baseline", "pain_trend", "compliance_7d",
    "action", "reasons", "km_7d", "km_change_pct", "acwr", "spark", "risk",
]  # fmt: skip
# Resolved alerts of these kinds are not raised again for a week: the clinician has seen the pattern.
TIME_ALERT_COOLDOWN_DAYS = 7


def _schedule(plan: Plan | None) -> list[tuple[date, Prescription]]:
    if plan is None or plan.current_phase is None:
        return []
    phase = plan.current_phase
    return [(phase.started_on or plan.start_date, Prescription.from_phase(phase, phase.exercises.all()))]


def status_snapshots(
    athletes, today: date, *, read: selectors.DaysRead | None = None
) -> dict[int, tuple[Plan | None, Snapshot]]:
    """Each athlete's Snapshot as of `today`, with their active plan: four queries whatever their number, and
    a fifth when some are to advance or step back (where does their phase sit in the plan?). Three more when
    some athletes' current phase has measured exit criteria (their questionnaires, tests and clearances, read
    once for all of them: rehab.selectors.results_for_plans).

    Their plans, logs and waiting red flags come from `read` (selectors.DaysRead) when the caller holds one for
    the same athletes and day; what it has read already is not read again.
    """
    ids = [athlete.pk for athlete in athletes]
    read = read if read is not None else selectors.DaysRead(ids, today)
    plans, logs, waiting = read.plans, read.logs, read.waiting
    results = selectors.results_for_plans({pk: plans.get(pk) for pk in ids})

    def snap(pk: int, *, place: selectors.PhasePlace | None = None) -> Snapshot:
        plan = plans.get(pk)
        phase = plan.current_phase if plan else None
        return snapshot(
            logs=logs[pk],
            today=today,
            phase=phase,
            schedule=_schedule(plan),
            pain_free=bool(plan and plan.pain_free),
            is_first=bool(place and place.is_first),
            is_last=bool(place and place.is_last),
            next_needs_clearance=bool(place and place.next_needs_clearance),
            red_flag_waiting_since=waiting.get(pk),
            plan_start=(phase.started_on or plan.start_date) if phase else None,
            results=results.get(pk),
        )

    result = {pk: (plans.get(pk), snap(pk)) for pk in ids}
    # Only advice to advance or step back depends on where the phase sits in its plan (the last one: consider
    # completing; the next one needs a clearance: hold; the first one: nothing to step back to), so the plans'
    # phases are read only for those athletes.
    moving = {
        pk: plan
        for pk, (plan, s) in result.items()
        if plan and s.recommendation and s.recommendation.action in (Action.ADVANCE, Action.REGRESS)
    }
    if moving:
        places = selectors.phase_places(moving.values())
        for pk, plan in moving.items():
            place = places.get(plan.pk)
            if place is not None and (place.is_first or place.is_last or place.next_needs_clearance):
                result[pk] = (plan, snap(pk, place=place))
    return result


def status_row(athlete_id: int, plan: Plan | None, snap: Snapshot) -> RehabStatus:
    """The RehabStatus row (unsaved) for an athlete's snapshot: what the caseload sorts and shows."""
    rec = snap.recommendation
    return RehabStatus(
        athlete_id=athlete_id,
        as_of=snap.today,
        plan=plan,
        phase=plan.current_phase if plan else None,
        last_log_date=snap.last_log_date,
        last_pain=snap.last_pain,
        pain_baseline=snap.baseline,
        pain_trend=snap.trend,
        compliance_7d=snap.compliance.percent if snap.compliance else None,
        action=rec.action if rec else "",
        reasons=reasons_json(rec.reasons) if rec else [],
        km_7d=snap.load.km_7d,
        km_change_pct=snap.load.change_pct,
        acwr=snap.load.acwr,
        spark=snap.spark,
        risk=snap.risk,
    )


def status_refresh(athletes, *, today: date | None = None, raise_alerts: bool = True) -> int:
    """Recompute the caseload status of `athletes`, and raise the alerts time brings (no logs, low compliance).

    Run for every athlete once a day (rehab.tasks.status.refresh_tick, `manage.py rehab_refresh`) and after plan
    changes (rehab.tasks.refresh_athletes).
    """
    today = today or timezone.localdate()
    athletes = list(athletes)
    snaps = status_snapshots(athletes, today)
    RehabStatus.objects.bulk_create(
        [status_row(pk, plan, snap) for pk, (plan, snap) in snaps.items()],
        update_conflicts=True,
        unique_fields=["athlete"],
        update_fields=STATUS_FIELDS,
    )
    _close_stale(snaps)
    if raise_alerts:
        by_pk = {athlete.pk: athlete for athlete in athletes}
        due = {pk: time_alerts(snap) for pk, (plan, snap) in snaps.items() if plan is not None}
        _raise_new(by_pk, {pk: alerts for pk, alerts in due.items() if alerts}, today)
    return len(snaps)


def _close_stale(snaps: dict[int, tuple[Plan | None, Snapshot]], open_alerts=None) -> None:
    """Close the open alerts whose condition the new status no longer meets (e.g. "ready to advance" once the
    engine says hold), each with the reason. `open_alerts`: the athletes' open alerts when the caller has them."""
    if open_alerts is None:
        open_alerts = list(
            Alert.objects.open().filter(athlete_id__in=list(snaps), kind__in=STATE_ALERT_KINDS)
        )
    by_athlete: dict[int, dict[str, Alert]] = {}
    for alert in open_alerts:
        by_athlete.setdefault(alert.athlete_id, {})[alert.kind] = alert
    for pk, kinds in by_athlete.items():
        plan, snap = snaps[pk]
        for kind, why in stale_alerts(snap if plan is not None else None, kinds).items():
            alert_resolve(alert=kinds[kind], by=None, note_code=why.code, note_params=why.params)


def _raise_new(athletes: dict, due: dict[int, list[AlertDue]], today: date) -> None:
    """Raise `due` alerts unless one of the kind is open or was resolved less than a week ago."""
    if not due:
        return
    since = timezone.now() - timedelta(days=TIME_ALERT_COOLDOWN_DAYS)
    seen = set(
        Alert.objects.filter(
            athlete_id__in=list(due), kind__in={a.kind for alerts in due.values() for a in alerts}
        )
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
        .values_list("athlete_id", "kind")
    )
    for pk, alerts in due.items():
        for alert in alerts:
            if (pk, alert.kind) not in seen:
                with transaction.atomic():
                    alert_raise(
                        athlete=athletes[pk], kind=alert.kind, severity=alert.severity, code=alert.reason.code,
                        params=alert.reason.params, link=reverse("rehab:timeline", args=[pk]),
                    )  # fmt: skip
