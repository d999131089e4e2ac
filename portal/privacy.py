"""Deleting an athlete's personal data while keeping the clinic's numbers (`anonymise_athlete`).

What goes and what stays is listed in docs/design.md ("Data export and deletion"). In short: names, contact
details, the date of birth, free text written by or about the athlete, invites, the login's identity, tokens,
sessions and login-attempt records go; the clinical facts (pain scores, distances, dates, plans and their
phases, triage urgency and conditions, alert kinds) stay, attached to "Former athlete #<id>".

Here: the athlete's own row, their login and the audit trail. Each app's records (portal's own included) are
anonymised by the app's declaration in portal.data_registry, so this module names no app above portal.
"""

import json
import logging
from contextlib import contextmanager

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import data_registry
from portal.audit import entries_for_athlete
from portal.models import Athlete
from portal.tokens import logins_end

log = logging.getLogger(__name__)

ANONYMOUS_FIRST_NAME = "Former athlete"
SCRUBBED = "[deleted]"
# Closing note of the alerts still open when the data is deleted (no one is left to act on them).
ALERT_CLOSED_NOTE = "Closed automatically: the athlete's personal data was deleted."

# What the confirmation pages promise (keep in step with anonymise_athlete and docs/design.md).
REMOVED = [
    _("Name (the record becomes “Former athlete #<number>”), email address, date of birth and running goal."),
    _(
        "The login: it is switched off for good, its email address and name are replaced, its password can never "
        "be used, its API tokens are deleted and every session is ended. Failed-login records go too."
    ),
    _("Invite links, and the names of their shoes (the distances stay)."),
    _(
        "Free text written by or about them: daily-log notes, hip-check review notes, alert resolution notes, "
        "reasons given for phase changes and plan goals, clinic visit notes and the activities they named in "
        "questionnaires."
    ),
    _("Names, email addresses and free text in the audit trail about them (who did what and when stays)."),
    _("Their messages with the care team and the team's staff notes about them."),
    _("Their Strava connection and its keys (runs already imported stay in the daily logs)."),
]
KEPT = [
    _("Daily logs: dates, pain scores, run minutes and distance, triggers, red flags and exercise sets."),
    _("Hip checks: the answers, the urgency and the suggested and confirmed conditions."),
    _("Rehab plans with their phases, exercises and phase changes (ongoing plans are cancelled)."),
    _("Alerts (kind, severity, dates); open ones are closed. Sex, usual weekly distance and years running."),
    _(
        "Questionnaire answers and scores, and the tests recorded at clinic visits (dates, values, pass marks)."
    ),
    _("The care team and the clinic, so the clinic's counts and outcomes still add up."),
]

# Personal fields of the athlete and their login, as recorded in audit entries' before/after values (model
# label → fields); each app declares its own models' (portal.data_registry, `personal_fields`).
PERSONAL_FIELDS = {
    "portal.athlete": {
        "first_name",
        "last_name",
        "email",
        "date_of_birth",
        "goal_event",
        "goal_date",
        "user",
    },
    "portal.user": {"email", "first_name", "last_name", "password", "last_login"},
    "portal.apitoken": {"name", "key_hash", "key_start", "login_check"},
}


def personal_fields() -> dict[str, set[str]]:
    return PERSONAL_FIELDS | data_registry.personal_fields()


def anonymised_name(athlete_pk: int) -> tuple[str, str]:
    return ANONYMOUS_FIRST_NAME, f"#{athlete_pk}"


def anonymised_email(athlete_pk: int) -> str:
    return f"former-athlete-{athlete_pk}@anonymised.invalid"


@contextmanager
def _audit_paused():
    """No automatic audit entries while personal data is rewritten: they would copy it (before → after)."""
    if apps.is_installed("auditlog"):
        from auditlog.context import disable_auditlog

        with disable_auditlog():
            yield
    else:
        yield


def _is_plain_athlete_login(user) -> bool:
    """A login used only to be this athlete: never a clinician's, a staff member's or a superuser's."""
    return not (user.is_staff or user.is_superuser or user.clinician_or_none is not None)


def _forget_login_attempts(email: str) -> None:
    if apps.is_installed("axes") and email:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=email).delete()


def _anonymise_login(athlete: Athlete, user) -> None:
    email = user.email
    logins_end(user)  # its API tokens and every session
    _forget_login_attempts(email)
    if not _is_plain_athlete_login(user):
        # A staff login that was also linked to this athlete keeps working as staff; it stops being the athlete.
        athlete.user = None
        return
    if user.email == anonymised_email(athlete.pk) and not user.is_active and not user.has_usable_password():
        return  # done by an earlier run
    user.email = anonymised_email(athlete.pk)
    user.first_name, user.last_name = anonymised_name(athlete.pk)
    user.set_unusable_password()
    user.is_active = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _related_rows(athlete: Athlete) -> dict[type, list]:
    """Every row that belongs to `athlete`, by model (for the audit scrub): theirs, their login's and what each
    app declares."""
    rows = {Athlete: [athlete.pk]}
    for declaration in data_registry.declarations():
        rows |= declaration.rows(athlete)
    rows[get_user_model()] = [athlete.user_id] if athlete.user_id else []
    return rows


def _audit_entries_of(athlete: Athlete, rows: dict[type, list]):
    """The athlete's audit entries: portal.audit's selection and every entry about a row of theirs (found by
    content type and primary key)."""
    from auditlog import get_logentry_model

    LogEntry = get_logentry_model()
    query = Q(pk__in=[])
    for model, pks in rows.items():
        if pks:
            content_type = ContentType.objects.get_for_model(model)
            query |= Q(content_type=content_type, object_pk__in=[str(pk) for pk in pks])
    entries = LogEntry.objects.filter(query)
    more = entries_for_athlete(athlete)
    if isinstance(more, QuerySet) and more.model is LogEntry:
        return entries | more
    return entries | LogEntry.objects.filter(pk__in=[entry.pk for entry in more])


def _scrub_changes(changes, personal: set[str]):
    if not isinstance(changes, dict):
        return changes
    return {
        field: ([SCRUBBED for _ in value] if isinstance(value, list) else SCRUBBED)
        if field in personal
        else value
        for field, value in changes.items()
    }


def scrub_audit_entries(athlete: Athlete, *, user=None, emails=(), rows: dict | None = None) -> int:
    """Remove personal values from the audit entries about `athlete` (auditlog's LogEntry).

    Kept: who acted (the actor), when, the action and the object's type and id; field names and non-personal
    before/after values (pain scores, dates, statuses). Removed: the personal fields' values, the object's
    printed name, the serialized copy of the object, free-form extra data, and, for what the athlete did
    themselves, their IP address and email. Returns how many entries were changed. Without auditlog: 0.

    `rows` (model → primary keys, from before rows were deleted) defaults to the athlete's rows now.
    """
    if not apps.is_installed("auditlog"):
        return 0
    from auditlog import get_logentry_model

    LogEntry = get_logentry_model()
    entries = _audit_entries_of(athlete, rows if rows is not None else _related_rows(athlete))
    if user is not None:
        entries = entries | LogEntry.objects.filter(actor=user)
    emails = {email.lower() for email in emails if email}
    if emails:
        email_query = Q(pk__in=[])
        for email in emails:
            email_query |= Q(actor_email__iexact=email)
        entries = entries | LogEntry.objects.filter(email_query)
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    fields = personal_fields()
    changed = 0
    with _audit_paused():
        for entry in list(entries.distinct()):
            label = labels.get(entry.content_type_id, "")
            personal = fields.get(label, set())
            own_action = (user is not None and entry.actor_id == user.pk) or (
                entry.actor_email and entry.actor_email.lower() in emails
            )
            updates = {
                "object_repr": _repr(label, entry.object_pk, athlete),
                "changes": _scrub_changes(entry.changes, personal),
                "changes_text": "",
                "serialized_data": None,
                "additional_data": _kept_extra(entry.additional_data),
            }
            if own_action:
                updates |= {"remote_addr": None, "remote_port": None, "actor_email": None}
            if any(getattr(entry, name) != value for name, value in updates.items()):
                LogEntry.objects.filter(pk=entry.pk).update(**updates)
                changed += 1
    return changed


def _repr(label: str, object_pk: str, athlete: Athlete) -> str:
    if label == "portal.athlete" and object_pk == str(athlete.pk):
        return " ".join(anonymised_name(athlete.pk))
    try:
        name = apps.get_model(label)._meta.verbose_name
    except (LookupError, ValueError):
        name = "record"
    return f"{str(name).capitalize()} #{object_pk}"


def _kept_extra(data):
    """The entry's extra data without anything free-form: only which page it came from and what happened."""
    if not isinstance(data, dict):
        return None
    kept = {key: value for key, value in data.items() if key in ("view", "event")}
    return kept or None


def _admin_change_message(message: str) -> str:
    """The admin's change message without the names of the records it mentions (added/changed/deleted rows of
    an inline are named by their text); the field names stay. Old free-text messages go entirely."""
    try:
        items = json.loads(message) if message else []
    except ValueError:
        return ""
    if not isinstance(items, list):
        return ""
    for item in items:
        for detail in item.values() if isinstance(item, dict) else []:
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = SCRUBBED
    return json.dumps(items)


def scrub_admin_history(athlete: Athlete, *, rows: dict) -> int:
    """Remove names from the admin's history (its "Recent actions" box) of `athlete`'s rows: each entry's
    printed name becomes "Former athlete #<id>" or "Daily log #<id>"… and its message loses the records'
    names. Who acted, when, and on which record stay. Returns how many entries changed."""
    if not apps.is_installed("django.contrib.admin"):
        return 0
    from django.contrib.admin.models import LogEntry

    query = Q(pk__in=[])
    for model, pks in rows.items():
        content_type = ContentType.objects.get_for_model(model)
        if pks:
            query |= Q(content_type=content_type, object_id__in=[str(pk) for pk in pks])
        if athlete.full_name.strip():
            # Rows deleted earlier (a log deleted in the admin) are no longer among `rows`: their entries still
            # carry the athlete's name.
            query |= Q(content_type=content_type, object_repr__icontains=athlete.full_name.strip())
    changed = 0
    for entry in LogEntry.objects.filter(query).select_related("content_type"):
        label = f"{entry.content_type.app_label}.{entry.content_type.model}"
        updates = {
            "object_repr": _repr(label, entry.object_id, athlete),
            "change_message": _admin_change_message(entry.change_message),
        }
        if any(getattr(entry, name) != value for name, value in updates.items()):
            LogEntry.objects.filter(pk=entry.pk).update(**updates)
            changed += 1
    return changed


def _record(athlete: Athlete, *, by, now, event: str, action: str = "UPDATE", changes=None) -> None:
    """One audit entry saying who did `event` to the athlete's data and when; nothing personal in it."""
    if not apps.is_installed("auditlog"):
        return
    from auditlog import get_logentry_model

    LogEntry = get_logentry_model()
    actor = by if getattr(by, "pk", None) else None
    fields = {
        "action": getattr(LogEntry.Action, action),
        "changes": changes or {},
        "actor": actor,
        "actor_email": getattr(actor, "email", None),
        "additional_data": {"event": event},
        "timestamp": now,
    }
    if any(field.name == "athlete" for field in LogEntry._meta.fields):  # portal.AuditEntry
        fields |= {"athlete_id": athlete.pk, "clinic_id": athlete.clinic_id}
    LogEntry.objects.log_create(athlete, force_log=True, **fields)


def _record_anonymisation(athlete: Athlete, *, by, now) -> None:
    _record(athlete, by=by, now=now, event="personal data deleted",
            changes={"anonymised_at": ["None", now.isoformat()]})  # fmt: skip


@transaction.atomic
def anonymise_athlete(athlete: Athlete, *, by, now=None) -> Athlete:
    """Delete `athlete`'s personal data, keep the clinical numbers; see the module docstring.

    Atomic, and idempotent: on an athlete already anonymised it scrubs again (harmless) but keeps the first
    date and author and records nothing new.
    """
    now = now or timezone.now()
    by_user = by if getattr(by, "pk", None) else None
    athlete = Athlete.objects.select_for_update(of=("self",)).select_related("user").get(pk=athlete.pk)
    first_time = athlete.anonymised_at is None
    user = athlete.user
    emails = {athlete.email, user.email if user else "", *athlete.invites.values_list("email", flat=True)}
    rows = _related_rows(athlete)  # before invites are deleted: their audit entries are scrubbed too
    declarations = data_registry.declarations()
    # Every run, not only the first: a program printed since the first run shows no name, but an earlier failure
    # to reach the cache must not leave one for good.
    for declaration in declarations:
        declaration.forget(athlete)
    with _audit_paused():
        if user is not None:
            _anonymise_login(athlete, user)
        first_name, last_name = anonymised_name(athlete.pk)
        scrubbed = {"first_name": first_name, "last_name": last_name, "email": "", "date_of_birth": None,
                    "goal_event": "", "goal_date": None}  # fmt: skip
        if first_time:
            scrubbed |= {"anonymised_at": now, "anonymised_by": by_user}
        changed = first_time or any(getattr(athlete, name) != value for name, value in scrubbed.items())
        for name, value in scrubbed.items():
            setattr(athlete, name, value)
        unlinked = user is not None and athlete.user is None  # a staff login, see _anonymise_login
        if changed or unlinked:
            athlete.save()
        for declaration in declarations:
            declaration.anonymise(athlete, by=by_user, now=now)
    for email in emails:  # the login's, the contact address and the invites': attempts may have used any
        _forget_login_attempts(email)
    scrub_audit_entries(athlete, user=user, emails=emails, rows=rows)
    scrub_admin_history(athlete, rows=rows)
    if first_time:
        _record_anonymisation(athlete, by=by, now=now)
        log.info("athlete %s: personal data deleted by user %s", athlete.pk, getattr(by, "pk", None))
    return athlete


@transaction.atomic
def athlete_delete(athlete: Athlete, *, by, now=None) -> None:
    """Delete `athlete` and every record of theirs for good (the admin's Delete), and their login if it is only
    theirs.

    First the same scrub as anonymise_athlete (audit trail, the admin's history, cached programs, prepared
    files, login records, sessions and tokens), so that nothing the rows leave behind names them; then the rows,
    without the audit trail copying each one; then one audit entry saying who deleted the athlete and when.
    """
    now = now or timezone.now()
    athlete = anonymise_athlete(athlete, by=by, now=now)
    _record(athlete, by=by, now=now, event="athlete deleted", action="DELETE")
    login = athlete.user if athlete.user_id and _is_plain_athlete_login(athlete.user) else None
    with _audit_paused():
        athlete.delete()
        if login is not None:
            login.delete()
    log.info("athlete %s deleted by user %s", athlete.pk, getattr(by, "pk", None))


@transaction.atomic
def login_delete(user, *, by, now=None) -> None:
    """Delete a login (the admin's Delete on a user). An athlete's login is the athlete: their personal data
    is deleted first, as anonymise_athlete does (their clinical records stay, anonymous). Other logins (staff)
    are deleted as they are: the audit trail keeps who did what."""
    now = now or timezone.now()
    athlete = Athlete.objects.filter(user=user).first()
    if athlete is None:
        user.delete()
        return
    athlete = anonymise_athlete(athlete, by=by, now=now)
    _record(athlete, by=by, now=now, event="login deleted", action="DELETE")
    with _audit_paused():
        get_user_model().objects.filter(pk=user.pk).delete()
    log.info("athlete %s: login deleted by user %s", athlete.pk, getattr(by, "pk", None))
