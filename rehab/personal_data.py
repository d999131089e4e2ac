"""Rehab's part of an athlete's personal data (portal.data_registry): plans with their phases, exercises, phase
changes and the coach's changes and requests, daily logs, the stored status, the Strava connection, and the
printed programs and discharge reports made from the plans."""

from django.db.models import F, Prefetch

from portal.data_registry import PersonalData, Section, Table, name_of, pks, register, values, when
from portal.models import Download
from rehab.codes import RedFlag
from rehab.discharge import discharge_cache_evict
from rehab.models import (
    DOSAGE_FIELDS,
    DailyLog,
    ExerciseLog,
    PhaseChange,
    Plan,
    PlanExercise,
    PlanPhase,
    RehabStatus,
    StravaConnection,
)
from rehab.pdf import hep_cache_evict
from rehab.services import PHASE_FIELDS  # the prescription columns a plan copies from its template
from rehab.services.coach import coach_text_forget

EXPORTED_DOSAGE = ["order", *DOSAGE_FIELDS]  # a plan exercise's prescription, in the plan's order
LOG_FIELDS = [
    "run_minutes", "distance_km", "walk_minutes", "jog_minutes", "session_rpe", "surface", "avg_cadence",
    "avg_heart_rate", "elevation_gain_m", "run_source", "pain_during", "pain_after",
    "pain_next_morning", "pain_locations", "triggers", *(flag.value for flag in RedFlag), "sets_done", "notes",
]  # fmt: skip


def _prefetch() -> list:
    return [
        Prefetch(
            "plans",
            queryset=Plan.objects.select_related("template", "assigned_by", "current_phase").order_by(
                "start_date", "pk"
            ),
        ),
        Prefetch("plans__phases", queryset=PlanPhase.objects.order_by("order", "pk")),
        Prefetch(
            "plans__phases__exercises",
            queryset=PlanExercise.objects.select_related("exercise").order_by("order", "pk"),
        ),
        Prefetch(
            "plans__phase_changes",
            queryset=PhaseChange.objects.select_related("from_phase", "to_phase", "by").order_by(
                "created", "pk"
            ),
        ),
        Prefetch("daily_logs", queryset=DailyLog.objects.select_related("phase", "shoe").order_by("date")),
        Prefetch(
            "daily_logs__exercises", queryset=ExerciseLog.objects.select_related("exercise").order_by("pk")
        ),
    ]


def _phase(phase) -> dict:
    return {
        **values(phase, PHASE_FIELDS),
        "started_on": when(phase.started_on),
        "exercises": [
            {"exercise": row.exercise.name, **values(row, EXPORTED_DOSAGE), "dosage": row.dosage_text()}
            for row in phase.exercises.all()
        ],
    }


def _plan(plan) -> dict:
    return {
        "id": plan.pk,
        "name": plan.name,
        "goal": plan.goal,
        "status": plan.status,
        "start_date": when(plan.start_date),
        "template": plan.template.name if plan.template else None,
        "assigned_by": name_of(plan.assigned_by),
        "current_phase": plan.current_phase.order if plan.current_phase else None,
        "auto_advance": plan.auto_advance,
        "pain_free": plan.pain_free,
        "created": when(plan.created),
        "updated": when(plan.updated),
        "completed_at": when(plan.completed_at),
        "phases": [_phase(phase) for phase in plan.phases.all()],
        "phase_changes": [
            {
                "when": when(change.created),
                "kind": change.kind,
                "from_phase": change.from_phase.order if change.from_phase else None,
                "to_phase": change.to_phase.order,
                "by": name_of(change.by),
                "reason": change.reason_text,
            }
            for change in plan.phase_changes.all()
        ],
    }


def _log(log) -> dict:
    return {
        "date": when(log.date),
        "plan_id": log.plan_id,
        "phase": log.phase.order if log.phase else None,
        "shoe": log.shoe.name if log.shoe else None,
        **values(log, LOG_FIELDS),
        "run_started_at": when(log.run_started_at),
        "created": when(log.created),
        "updated": when(log.updated),
        "exercises": [
            {"exercise": row.exercise.name, "done": row.done, "sets_done": row.sets_done}
            for row in log.exercises.all()
        ],
    }


def _plans(athlete) -> list[dict]:
    return [_plan(plan) for plan in athlete.plans.all()]


def _daily_logs(athlete) -> list[dict]:
    return [_log(log) for log in athlete.daily_logs.all()]


def _plan_rows(data: dict) -> list[dict]:
    return [
        {key: value for key, value in plan.items() if key not in ("phases", "phase_changes")}
        for plan in data["plans"]
    ]


def _phase_rows(data: dict) -> list[dict]:
    return [
        {"plan_id": plan["id"], **{key: value for key, value in phase.items() if key != "exercises"}}
        for plan in data["plans"]
        for phase in plan["phases"]
    ]


def _plan_exercise_rows(data: dict) -> list[dict]:
    return [
        {"plan_id": plan["id"], "phase": phase["order"], **row}
        for plan in data["plans"]
        for phase in plan["phases"]
        for row in phase["exercises"]
    ]


def _phase_change_rows(data: dict) -> list[dict]:
    return [{"plan_id": plan["id"], **change} for plan in data["plans"] for change in plan["phase_changes"]]


def _log_rows(data: dict) -> list[dict]:
    return [{key: value for key, value in log.items() if key != "exercises"} for log in data["daily_logs"]]


def _exercise_log_rows(data: dict) -> list[dict]:
    return [{"date": log["date"], **row} for log in data["daily_logs"] for row in log["exercises"]]


STRAVA_COLUMNS = ["strava_athlete_id", "connected", "scope", "last_run_imported"]


def _strava(athlete) -> list[dict]:
    """The athlete's Strava connection, if any: never its tokens."""
    return [
        {
            "strava_athlete_id": connection.strava_athlete_id,
            "connected": when(connection.connected_at),
            "scope": connection.scope,
            "last_run_imported": when(connection.last_activity_at),
        }
        for connection in StravaConnection.objects.filter(athlete=athlete)
    ]


def _rows(athlete) -> dict[type, list]:
    return {
        Plan: pks(Plan.objects.filter(athlete=athlete)),
        PlanPhase: pks(PlanPhase.objects.filter(plan__athlete=athlete)),
        PlanExercise: pks(PlanExercise.objects.filter(phase__plan__athlete=athlete)),
        PhaseChange: pks(PhaseChange.objects.filter(plan__athlete=athlete)),
        DailyLog: pks(DailyLog.objects.filter(athlete=athlete)),
        ExerciseLog: pks(ExerciseLog.objects.filter(log__athlete=athlete)),
        RehabStatus: pks(RehabStatus.objects.filter(athlete=athlete)),
        StravaConnection: pks(StravaConnection.objects.filter(athlete=athlete)),
    }


def _forget(athlete) -> None:
    """Cached printed programs and discharge reports show the name, and so do batch prints with one of the
    athlete's plans: they would otherwise linger for up to a day."""
    plans = list(
        Plan.objects.filter(athlete=athlete).select_related("athlete", "template").prefetch_related("phases")
    )
    hep_cache_evict(plans)
    discharge_cache_evict(plans)
    plan_ids = {plan.pk for plan in plans}
    batches = Download.objects.filter(kind=Download.Kind.BATCH_PRINT).values_list("pk", "params")
    Download.objects.filter(
        pk__in=[pk for pk, params in batches if plan_ids & set(params.get("plans", []))]
    ).delete()


def _anonymise(athlete, *, by, now) -> None:
    DailyLog.objects.filter(athlete=athlete).exclude(notes="").update(notes="")
    PhaseChange.objects.filter(plan__athlete=athlete).exclude(reason="", reason_code="").update(
        reason="", reason_code="", reason_params={}
    )
    coach_text_forget(athlete, by=by)
    StravaConnection.objects.filter(
        athlete=athlete
    ).delete()  # its tokens too; imported runs stay in the logs
    for plan in Plan.objects.filter(athlete=athlete).select_related("template"):
        name = plan.template.name if plan.template is not None else plan.name
        ongoing = plan.status in (Plan.Status.ACTIVE, Plan.Status.PAUSED)
        if plan.goal or name != plan.name or ongoing:
            Plan.objects.filter(pk=plan.pk).update(
                goal="",
                name=name,
                status=Plan.Status.CANCELLED if ongoing else plan.status,
                version=F("version") + 1,
            )


register(
    PersonalData(
        app_label="rehab",
        models={
            "rehab.Plan": "kept with phases, exercises and phase changes; goal and reasons blanked, ongoing cancelled",
            "rehab.DailyLog": "kept (dates, pain, running, exercises); the notes are blanked",
            "rehab.RehabStatus": "kept: the stored status holds no free text",
            "rehab.ReminderSent": "kept: which reminder went out on which day, nothing personal",
            "rehab.StravaConnection": "deleted with its tokens; the runs already imported stay in the daily logs",
        },
        prefetch=_prefetch,
        sections=(
            Section("plans", 70, _plans, (
                Table("plans.csv", _plan_rows,
                      ["id", "name", "goal", "status", "start_date", "template", "assigned_by", "current_phase",
                       "auto_advance", "pain_free", "created", "updated"],
                      "plans.csv            Your rehab plans.\n"),
                Table("plan_phases.csv", _phase_rows, ["plan_id", *PHASE_FIELDS, "started_on"],
                      "plan_phases.csv      Each phase of each plan (plan_id links to plans.csv): pain rule and run prescription.\n"),
                Table("plan_exercises.csv", _plan_exercise_rows, ["plan_id", "phase", "exercise", *EXPORTED_DOSAGE, "dosage"],
                      "plan_exercises.csv   The exercises of each phase and their dosage.\n"),
                Table("phase_changes.csv", _phase_change_rows,
                      ["plan_id", "when", "kind", "from_phase", "to_phase", "by", "reason"],
                      "phase_changes.csv    When each plan moved between phases, who moved it and why.\n"),
            )),
            Section("daily_logs", 80, _daily_logs, (
                Table("daily_logs.csv", _log_rows,
                      ["date", "plan_id", "phase", "shoe", *LOG_FIELDS, "run_started_at", "created", "updated"],
                      "daily_logs.csv       One row per logged day: running, pain, triggers, red flags, notes; for a run, its effort\n"
                      "                     (session_rpe, 0 = rest to 10 = maximal), surface, cadence (steps a minute), average heart\n"
                      "                     rate (beats a minute) and climb (metres), and for a run imported from a watch's file, the\n"
                      "                     file's kind (run_source) and when the run started.\n"),
                Table("exercise_logs.csv", _exercise_log_rows, ["date", "exercise", "done", "sets_done"],
                      "exercise_logs.csv    The exercises done on each logged day.\n"),
            )),
            Section("strava", 170, _strava, (
                Table("strava.csv", lambda data: data["strava"], STRAVA_COLUMNS,
                      "strava.csv           Your Strava connection, if you made one: your Strava athlete number, when you connected,\n"
                      "                     what you allowed us to read (scope) and when a run was last imported. Not the keys\n"
                      "                     (tokens) Strava gave us, which are never exported.\n"),
            )),
        ),
        rows=_rows,
        personal_fields={
            "rehab.dailylog": {"notes"},
            "rehab.plan": {"goal", "name"},
            "rehab.phasechange": {"reason", "reason_params"},
            "rehab.changerequest": {"reason", "decision_note"},
            "rehab.runningchange": {"reason"},
            "rehab.stravaconnection": {"strava_athlete_id"},
        },
        forget=_forget,
        anonymise=_anonymise,
    )
)  # fmt: skip
