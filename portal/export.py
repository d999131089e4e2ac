"""“Everything about me”: an athlete's records as one JSON file and one CSV per table, in a zip.

Plain code (no HTTP): the pages and the API wrap `export_zip`. The data is read with a fixed number of queries
whatever the number of logs (`export_data`), and only through the athlete's own relations, so nothing of
another athlete can slip in. Logins appear as an email and dates only: never a password hash, a token or an
invite token hash. People other than the athlete (clinicians) appear by name only, never with their address.
The audit trail about the athlete (who changed or viewed their records) and the login records under their
email addresses (logins, failed logins, lockout counters) are in it too: "everything stored about you".
Messages: the athlete's thread with the care team, never the staff notes beside it. Those are the clinicians'
notes to each other; the export goes to the athlete whoever starts it, so a request for them is answered by
the clinic, which reviews them first as any clinical note (README_TEXT says so).
"""

import csv
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify

from portal.audit import entry_model
from portal.models import Alert, Athlete, CareTeamMember, Message
from rehab.services import PHASE_FIELDS  # the prescription columns a plan copies from its template

FORMAT_VERSION = 1
JSON_NAME = "stride-clinic-data.json"


# --------------------------------------------------------------------------------------------- reading


def _load(athlete: Athlete) -> Athlete:
    """The athlete with every related row prefetched: 16 queries, however many logs there are."""
    from outcomes.models import QuestionnaireResponse, TestResult, Visit
    from rehab.models import DailyLog, ExerciseLog, PhaseChange, Plan, PlanExercise, PlanPhase
    from triage.models import Intake

    return (
        Athlete.objects.select_related("clinic", "user")
        .prefetch_related(
            Prefetch("care_team", queryset=CareTeamMember.objects.select_related("clinician__user")),
            "shoes",
            Prefetch(
                "intakes",
                queryset=Intake.objects.select_related("confirmed_condition", "reviewed_by").order_by(
                    "created", "pk"
                ),
            ),
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
            Prefetch(
                "daily_logs",
                queryset=DailyLog.objects.select_related("phase", "shoe").order_by("date"),
            ),
            Prefetch(
                "daily_logs__exercises",
                queryset=ExerciseLog.objects.select_related("exercise").order_by("pk"),
            ),
            Prefetch(
                "alerts", queryset=Alert.objects.select_related("resolved_by").order_by("created", "pk")
            ),
            "invites",
            Prefetch(
                "messages",
                queryset=Message.objects.filter(channel=Message.Channel.TEAM)
                .select_related("author")
                .order_by("created", "pk"),
                to_attr="team_messages",
            ),
            Prefetch(
                "questionnaire_responses",
                queryset=QuestionnaireResponse.objects.select_related("entered_by").order_by(
                    "started_at", "pk"
                ),
            ),
            Prefetch(
                "visits", queryset=Visit.objects.select_related("clinician__user").order_by("date", "pk")
            ),
            Prefetch("visits__test_results", queryset=TestResult.objects.order_by("test", "side")),
        )
        .get(pk=athlete.pk)
    )


def _when(value):
    """Dates and times as ISO 8601 (times in the site's time zone, with the offset)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _num(value):
    return float(value) if isinstance(value, Decimal) else value


def _name(user) -> str | None:
    """Someone else's name (a clinician's): never their email address."""
    if user is None:
        return None
    return user.get_full_name() or "A member of the clinic"


DOSAGE_FIELDS = [
    "order", "sets", "reps", "hold_seconds", "duration_minutes", "per_side", "times_per_day", "days_per_week",
    "note",
]  # fmt: skip
LOG_FIELDS = [
    "run_minutes", "distance_km", "walk_minutes", "jog_minutes", "session_rpe", "surface", "avg_cadence",
    "avg_heart_rate", "elevation_gain_m", "run_source", "pain_during", "pain_after",
    "pain_next_morning", "pain_locations", "triggers", "night_pain", "cannot_bear_weight", "swelling", "locking",
    "sets_done", "notes",
]  # fmt: skip


def _fields(obj, names) -> dict:
    return {name: _num(getattr(obj, name)) for name in names}


def _phase(phase) -> dict:
    return {
        **_fields(phase, PHASE_FIELDS),
        "started_on": _when(phase.started_on),
        "exercises": [
            {"exercise": row.exercise.name, **_fields(row, DOSAGE_FIELDS), "dosage": row.dosage_text()}
            for row in phase.exercises.all()
        ],
    }


def _plan(plan) -> dict:
    return {
        "id": plan.pk,
        "name": plan.name,
        "goal": plan.goal,
        "status": plan.status,
        "start_date": _when(plan.start_date),
        "template": plan.template.name if plan.template else None,
        "assigned_by": _name(plan.assigned_by),
        "current_phase": plan.current_phase.order if plan.current_phase else None,
        "auto_advance": plan.auto_advance,
        "pain_free": plan.pain_free,
        "created": _when(plan.created),
        "updated": _when(plan.updated),
        "phases": [_phase(phase) for phase in plan.phases.all()],
        "phase_changes": [
            {
                "when": _when(change.created),
                "kind": change.kind,
                "from_phase": change.from_phase.order if change.from_phase else None,
                "to_phase": change.to_phase.order,
                "by": _name(change.by),
                "reason": change.reason,
            }
            for change in plan.phase_changes.all()
        ],
    }


def _log(log) -> dict:
    return {
        "date": _when(log.date),
        "plan_id": log.plan_id,
        "phase": log.phase.order if log.phase else None,
        "shoe": log.shoe.name if log.shoe else None,
        **_fields(log, LOG_FIELDS),
        "run_started_at": _when(log.run_started_at),
        "created": _when(log.created),
        "updated": _when(log.updated),
        "exercises": [
            {"exercise": row.exercise.name, "done": row.done, "sets_done": row.sets_done}
            for row in log.exercises.all()
        ],
    }


def _intake(intake) -> dict:
    condition = intake.confirmed_condition
    return {
        "id": intake.pk,
        "created": _when(intake.created),
        "urgency": intake.urgency,
        "engine_version": intake.engine_version,
        "answers": intake.answers,
        "result": intake.result,
        "confirmed_condition": {"code": condition.code, "name": condition.name} if condition else None,
        "reviewed_at": _when(intake.reviewed_at),
        "reviewed_by": _name(intake.reviewed_by),
        "review_notes": intake.review_notes,
    }


AUDIT_ACTIONS = {
    "CREATE": "created",
    "UPDATE": "changed",
    "DELETE": "deleted",
    "ACCESS": "viewed",
}  # LogEntry.Action


def _questionnaire(response) -> dict:
    return {
        "id": response.pk,
        "questionnaire": response.instrument,
        "questionnaire_name": response.instrument_name,
        "version": response.instrument_version,
        "round": response.round,
        "started": _when(response.started_at),
        "completed": _when(response.completed_at),
        "answers": dict(response.answers),
        "activities_named": dict(response.item_labels),
        "total": response.total,
        "subscales": dict(response.subscales),
        "scored": response.valid,
        "entered_by": _name(response.entered_by),
    }


def _visit(visit) -> dict:
    return {
        "id": visit.pk,
        "date": _when(visit.date),
        "clinician": _name(visit.clinician.user) if visit.clinician else None,
        "notes": visit.notes,
        "tests": [
            {
                "test": result.test,
                "test_name": result.test_name,
                "side": result.side,
                "values": dict(result.values),
                "passed": result.passed,
                "side_to_side_pct": result.symmetry_pct,
            }
            for result in visit.test_results.all()
        ],
    }


def _audit_trail(athlete: Athlete) -> list[dict]:
    """The audit entries about the athlete and their records, and those of what their login did (one query).

    Clinicians appear by name; an IP address only on the athlete's own actions (a clinician's is theirs)."""
    AuditEntry = entry_model()
    actions = {getattr(AuditEntry.Action, name): said for name, said in AUDIT_ACTIONS.items()}
    query = Q(athlete_id=athlete.pk)
    if athlete.user_id:
        query |= Q(actor_id=athlete.user_id)
    entries = (
        AuditEntry.objects.filter(query).select_related("actor", "content_type").order_by("timestamp", "pk")
    )
    trail = []
    for entry in entries:
        own = athlete.user_id is not None and entry.actor_id == athlete.user_id
        model = entry.content_type.model_class() if entry.content_type_id else None
        trail.append(
            {
                "when": _when(entry.timestamp),
                "action": actions.get(entry.action, str(entry.action)),
                "record": str(model._meta.verbose_name) if model else None,
                "record_id": entry.object_pk,
                "by": "you" if own else _name(entry.actor),
                "changes": entry.changes if isinstance(entry.changes, dict) else {},
                "page": (entry.additional_data or {}).get("view")
                or (entry.additional_data or {}).get("event"),
                "ip_address": entry.remote_addr if own else None,
            }
        )
    return trail


def _login_records(emails: set[str]) -> list[dict]:
    """django-axes' records of logins, failed logins and lockout counters under the athlete's email addresses
    (three queries): the address they typed, the device's browser and the IP address, per attempt."""
    emails = {email for email in emails if email}
    if not emails or not apps.is_installed("axes"):
        return []
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    by_email = Q(pk__in=[])
    for email in emails:
        by_email |= Q(username__iexact=email)
    records = []
    for kind, model in (
        ("login", AccessLog),
        ("failed login", AccessFailureLog),
        ("lockout counter", AccessAttempt),
    ):
        for row in model.objects.filter(by_email).order_by("attempt_time", "pk"):
            records.append(
                {
                    "when": _when(row.attempt_time),
                    "kind": kind,
                    "email_typed": row.username,
                    "ip_address": row.ip_address,
                    "browser": row.user_agent,
                    "page": row.path_info,
                    "logged_out": _when(getattr(row, "logout_time", None)),
                    "failures": getattr(row, "failures_since_start", None),
                }
            )
    return sorted(records, key=lambda record: record["when"] or "")


def export_data(athlete: Athlete, *, now=None) -> dict:
    """Everything stored about `athlete`, nested, as JSON-ready values (see README_TEXT for the fields)."""
    now = now or timezone.now()
    athlete = _load(athlete)
    user = athlete.user
    return {
        "export": {
            "format": "stride-clinic-athlete-export",
            "version": FORMAT_VERSION,
            "exported_at": _when(now),
            "athlete_id": athlete.pk,
        },
        "profile": {
            "first_name": athlete.first_name,
            "last_name": athlete.last_name,
            "email": athlete.email,
            "date_of_birth": _when(athlete.date_of_birth),
            "sex": athlete.sex,
            "weekly_km": _num(athlete.weekly_km),
            "years_running": athlete.years_running,
            "goal_event": athlete.goal_event,
            "goal_date": _when(athlete.goal_date),
            "created": _when(athlete.created),
            "updated": _when(athlete.updated),
            "personal_data_deleted": _when(athlete.anonymised_at),
        },
        "login": (
            {
                "email": user.email,
                "date_joined": _when(user.date_joined),
                "last_login": _when(user.last_login),
            }
            if user is not None
            else None
        ),
        "clinic": {"name": athlete.clinic.name},
        "care_team": [
            {
                "name": _name(member.clinician.user),
                "profession": member.clinician.get_profession_display(),
                "primary": member.is_primary,
            }
            for member in athlete.care_team.all()
        ],
        "shoes": [
            {"name": shoe.name, "km": _num(shoe.km), "retired": shoe.retired} for shoe in athlete.shoes.all()
        ],
        "intakes": [_intake(intake) for intake in athlete.intakes.all()],
        "plans": [_plan(plan) for plan in athlete.plans.all()],
        "daily_logs": [_log(log) for log in athlete.daily_logs.all()],
        "alerts": [
            {
                "kind": alert.kind,
                "severity": alert.severity,
                "message": alert.message,
                "created": _when(alert.created),
                "updated": _when(alert.updated),
                "resolved_at": _when(alert.resolved_at),
                "resolved_by": _name(alert.resolved_by),
                "resolved_note": alert.resolved_note,
            }
            for alert in athlete.alerts.all()
        ],
        "invites": [
            {
                "email": invite.email,
                "sent": _when(invite.created),
                "expires": _when(invite.expires),
                "accepted": _when(invite.accepted),
                "revoked": _when(invite.revoked),
            }
            for invite in athlete.invites.all()
        ],
        "messages": [
            {
                "when": _when(message.created),
                "channel": message.channel,
                "from": "you" if user is not None and message.author_id == user.pk else _name(message.author),
                "message": message.body,
            }
            for message in athlete.team_messages
        ],
        "questionnaires": [_questionnaire(response) for response in athlete.questionnaire_responses.all()],
        "visits": [_visit(visit) for visit in athlete.visits.all()],
        "audit_trail": _audit_trail(athlete),
        "login_records": _login_records({athlete.email, user.email if user else ""}),
        "signed_in_devices": _devices(user),
        "strava": _strava(athlete),
    }


def _devices(user) -> list[dict]:
    """The login's signed-in devices (portal.devices): the browser and system in words, and when."""
    if user is None:
        return []
    from portal.models import SignedInDevice

    return [
        {
            "device": device.device,
            "kept_signed_in": device.kept_signed_in,
            "signed_in": _when(device.created),
            "last_seen": _when(device.last_seen),
            "expires": _when(device.expires),
        }
        for device in SignedInDevice.objects.filter(user=user).order_by("created", "pk")
    ]


def _strava(athlete: Athlete) -> list[dict]:
    """The athlete's Strava connection, if any (rehab.StravaConnection): never its tokens."""
    connection = apps.get_model("rehab", "StravaConnection").objects.filter(athlete=athlete).first()
    if connection is None:
        return []
    return [
        {
            "strava_athlete_id": connection.strava_athlete_id,
            "connected": _when(connection.connected_at),
            "scope": connection.scope,
            "last_run_imported": _when(connection.last_activity_at),
        }
    ]


# --------------------------------------------------------------------------------------------- tables


def _flat(value):
    """A JSON value as one CSV cell: lists joined with "; ", objects as JSON."""
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _answer_rows(intake: dict) -> list[dict]:
    rows = []
    for question, answer in sorted(intake["answers"].items()):
        if isinstance(answer, dict):  # the self-tests: one row each
            for test, outcome in sorted(answer.items()):
                rows.append({"intake_id": intake["id"], "question": f"{question}.{test}", "answer": outcome})
        else:
            rows.append({"intake_id": intake["id"], "question": question, "answer": _flat(answer)})
    return rows


def export_tables(data: dict) -> dict[str, list[dict]]:
    """The nested export as flat tables (file name → rows), the same values as the JSON file."""
    profile = {**data["profile"], "clinic": data["clinic"]["name"]}
    if data["login"]:
        profile |= {f"login_{key}": value for key, value in data["login"].items()}
    intakes, answers = [], []
    for intake in data["intakes"]:
        result = intake["result"] or {}
        condition = intake["confirmed_condition"]
        intakes.append(
            {
                "id": intake["id"],
                "created": intake["created"],
                "urgency": intake["urgency"],
                "stop_running": result.get("stop_running"),
                "red_flags": "; ".join(flag.get("message", "") for flag in result.get("red_flags") or []),
                "suggested_conditions": "; ".join(c.get("name", "") for c in result.get("conditions") or []),
                "advice": result.get("advice"),
                "confirmed_condition": condition["name"] if condition else None,
                "reviewed_at": intake["reviewed_at"],
                "reviewed_by": intake["reviewed_by"],
                "review_notes": intake["review_notes"],
                "engine_version": intake["engine_version"],
            }
        )
        answers.extend(_answer_rows(intake))
    plans, phases, plan_exercises, changes = [], [], [], []
    for plan in data["plans"]:
        plans.append({key: value for key, value in plan.items() if key not in ("phases", "phase_changes")})
        for phase in plan["phases"]:
            phases.append({"plan_id": plan["id"], **{k: v for k, v in phase.items() if k != "exercises"}})
            plan_exercises.extend(
                {"plan_id": plan["id"], "phase": phase["order"], **row} for row in phase["exercises"]
            )
        changes.extend({"plan_id": plan["id"], **change} for change in plan["phase_changes"])
    logs, exercise_logs = [], []
    for log in data["daily_logs"]:
        logs.append({key: value for key, value in log.items() if key != "exercises"})
        exercise_logs.extend({"date": log["date"], **row} for row in log["exercises"])
    questionnaires = [
        {key: value for key, value in row.items() if key not in ("answers", "activities_named")}
        for row in data["questionnaires"]
    ]
    questionnaire_answers = [
        {
            "questionnaire_id": row["id"],
            "item": item,
            "answer": answer,
            "activity_named": row["activities_named"].get(item, ""),
        }
        for row in data["questionnaires"]
        for item, answer in row["answers"].items()
    ]
    visits = [{key: value for key, value in row.items() if key != "tests"} for row in data["visits"]]
    visit_tests = [
        {"visit_id": row["id"], "date": row["date"], **test}
        for row in data["visits"]
        for test in row["tests"]
    ]
    return {
        "profile.csv": [profile],
        "care_team.csv": data["care_team"],
        "shoes.csv": data["shoes"],
        "intakes.csv": intakes,
        "intake_answers.csv": answers,
        "plans.csv": plans,
        "plan_phases.csv": phases,
        "plan_exercises.csv": plan_exercises,
        "phase_changes.csv": changes,
        "daily_logs.csv": logs,
        "exercise_logs.csv": exercise_logs,
        "alerts.csv": data["alerts"],
        "invites.csv": data["invites"],
        "messages.csv": data["messages"],
        "questionnaires.csv": questionnaires,
        "questionnaire_answers.csv": questionnaire_answers,
        "visits.csv": visits,
        "visit_tests.csv": visit_tests,
        "audit_trail.csv": data["audit_trail"],
        "login_records.csv": data["login_records"],
        "signed_in_devices.csv": data.get("signed_in_devices", []),
        "strava.csv": data.get("strava", []),
    }


# Columns of tables that may be empty, so an empty file still says what it would hold.
EMPTY_HEADERS = {
    "care_team.csv": ["name", "profession", "primary"],
    "shoes.csv": ["name", "km", "retired"],
    "intakes.csv": ["id", "created", "urgency", "stop_running", "red_flags", "suggested_conditions", "advice",
                    "confirmed_condition", "reviewed_at", "reviewed_by", "review_notes", "engine_version"],
    "intake_answers.csv": ["intake_id", "question", "answer"],
    "plans.csv": ["id", "name", "goal", "status", "start_date", "template", "assigned_by", "current_phase",
                  "auto_advance", "pain_free", "created", "updated"],
    "plan_phases.csv": ["plan_id", *PHASE_FIELDS, "started_on"],
    "plan_exercises.csv": ["plan_id", "phase", "exercise", *DOSAGE_FIELDS, "dosage"],
    "phase_changes.csv": ["plan_id", "when", "kind", "from_phase", "to_phase", "by", "reason"],
    "daily_logs.csv": ["date", "plan_id", "phase", "shoe", *LOG_FIELDS, "run_started_at", "created", "updated"],
    "exercise_logs.csv": ["date", "exercise", "done", "sets_done"],
    "alerts.csv": ["kind", "severity", "message", "created", "updated", "resolved_at", "resolved_by",
                   "resolved_note"],
    "invites.csv": ["email", "sent", "expires", "accepted", "revoked"],
    "messages.csv": ["when", "channel", "from", "message"],
    "questionnaires.csv": ["id", "questionnaire", "questionnaire_name", "version", "round", "started", "completed",
                           "total", "subscales", "scored", "entered_by"],
    "questionnaire_answers.csv": ["questionnaire_id", "item", "answer", "activity_named"],
    "visits.csv": ["id", "date", "clinician", "notes"],
    "visit_tests.csv": ["visit_id", "date", "test", "test_name", "side", "values", "passed", "side_to_side_pct"],
    "audit_trail.csv": ["when", "action", "record", "record_id", "by", "changes", "page", "ip_address"],
    "login_records.csv": ["when", "kind", "email_typed", "ip_address", "browser", "page", "logged_out", "failures"],
    "signed_in_devices.csv": ["device", "kept_signed_in", "signed_in", "last_seen", "expires"],
    "strava.csv": ["strava_athlete_id", "connected", "scope", "last_run_imported"],
}  # fmt: skip


def _cell(value):
    value = _flat(value)
    if value is None:
        return ""
    # A text cell starting like a formula is run by spreadsheet programs: make it plain text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[dict], header: list[str] | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read accents right."""
    header = list(rows[0]) if rows else list(header or [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in header])
    return out.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------------------------- the zip

README_TEXT = """\
Your data from Stride Clinic
============================

Exported on {exported_at} for {name} ({clinic}).

This archive holds everything Stride Clinic stores about you: your profile, your care team, your shoes,
your hip checks with the answers you gave and the result you were shown, your rehab plans with every phase,
exercise and phase change, your daily logs, the alerts and notes your care team recorded about you, your
messages with your care team, your questionnaires and clinic visits with their tests, the audit trail of who looked at or changed your records, and the records of logins to your account.
Clinicians appear by name only. Passwords and login tokens are never exported.

Files
-----
{json_name}
    Everything in one file, nested (the most complete view; the CSV files below hold the same values).
profile.csv          Your profile, your clinic and your login's email address and dates.
care_team.csv        The clinicians looking after you (name, profession, primary clinician).
shoes.csv            Your shoes and the distance on each.
intakes.csv          One row per hip check: urgency, red flags, suggested and confirmed conditions, advice,
                     your clinician's review.
intake_answers.csv   Every answer of every hip check (intake_id links to intakes.csv; self-tests appear as
                     tests.<name>).
plans.csv            Your rehab plans.
plan_phases.csv      Each phase of each plan (plan_id links to plans.csv): pain rule and run prescription.
plan_exercises.csv   The exercises of each phase and their dosage.
phase_changes.csv    When each plan moved between phases, who moved it and why.
daily_logs.csv       One row per logged day: running, pain, triggers, red flags, notes; for a run, its effort
                     (session_rpe, 0 = rest to 10 = maximal), surface, cadence (steps a minute), average heart
                     rate (beats a minute) and climb (metres), and for a run imported from a watch's file, the
                     file's kind (run_source) and when the run started.
exercise_logs.csv    The exercises done on each logged day.
alerts.csv           Alerts your care team received about you, and how they were resolved.
invites.csv          Invite links sent to you (the links themselves are not kept).
messages.csv         Your messages with your care team: when, who wrote (you, or a clinician by name) and the
                     text. The care team's staff notes to each other are not in this file: ask your clinic
                     for them, and a clinician will review them with you.
questionnaires.csv   Questionnaires you filled in (or your clinician entered for you): which one, the round
                     (intake, follow_up, discharge), when, the score and the part scores (subscales).
questionnaire_answers.csv
                     Every answer (questionnaire_id links to questionnaires.csv), with the activity you named
                     where the questionnaire asks for one (PSFS).
visits.csv           Your visits to the clinic: the date, the clinician and their notes.
visit_tests.csv      The tests recorded at each visit (visit_id links to visits.csv): the side, the values
                     (pain out of 10, counts, seconds, degrees, strength in N or kg), whether it passed and,
                     for strength, your affected leg's strength as a percentage of the other's.
audit_trail.csv      The audit trail: each time someone created, changed, deleted or viewed one of your
                     records (or you did), who (clinicians by name) and when; changes as before and after.
login_records.csv    Logins, failed logins and lockout counters under your email address: when, the
                     address typed, the IP address and the browser.
signed_in_devices.csv  The devices where you are signed in: the browser and system in words (for example
                     "Chrome on Android"), whether you asked to stay signed in there, and when it was last used.
strava.csv           Your Strava connection, if you made one: your Strava athlete number, when you connected,
                     what you allowed us to read (scope) and when a run was last imported. Not the keys
                     (tokens) Strava gave us, which are never exported.

Units and formats
-----------------
- Dates are ISO 8601 (YYYY-MM-DD); times are ISO 8601 in the clinic's time zone with the UTC offset.
- Distances are kilometres (km); durations minutes; hold times seconds; incline and caps percent.
- Pain is scored 0 (no pain) to 10 (worst imaginable). A plan phase's pain limits use the same scale.
- Lists inside a CSV cell are separated by "; ". CSV files are UTF-8; text that starts with =, +, - or @
  is prefixed with an apostrophe so spreadsheet programs do not run it as a formula.
- Codes (urgency, plan status, kinds of alerts and phase changes, run activity) are the app's stable codes,
  e.g. urgency: emergency, urgent, routine, self_care.

Questions about your data, or a request to delete it: ask your clinic ({clinic}).
"""


def export_filename(athlete: Athlete, day: date) -> str:
    name = slugify(athlete.full_name) or f"athlete-{athlete.pk}"
    return f"stride-clinic-{name}-{day.isoformat()}.zip"


def export_zip(athlete: Athlete, *, now=None) -> bytes:
    """The zip: README.txt, the JSON file and one CSV per table."""
    now = now or timezone.now()
    data = export_data(athlete, now=now)
    stamp = timezone.localtime(now).timetuple()[:6]
    files = {
        "README.txt": README_TEXT.format(
            exported_at=data["export"]["exported_at"],
            name=f"{data['profile']['first_name']} {data['profile']['last_name']}".strip(),
            clinic=data["clinic"]["name"],
            json_name=JSON_NAME,
        ).encode(),
        JSON_NAME: json.dumps(data, ensure_ascii=False, indent=2).encode(),
    }
    for name, rows in export_tables(data).items():
        files[name] = to_csv(rows, EMPTY_HEADERS.get(name))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
