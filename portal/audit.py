"""The audit trail: who changed or looked at an athlete's health records, and when (django-auditlog).

Changes are recorded by auditlog's model signals (before → after per field) for the models in AUDITED; reads
are recorded by the pages and API endpoints that show a record, through `record_access(user, obj)`, and by the
lists of records (API and admin) through `record_list_access(user, records)`. Every
entry is a `portal.AuditEntry` (auditlog's log entry plus the athlete and clinic it is about), so the clinic's
audit view and the anonymisation of an athlete filter on two indexed columns. What is and is not recorded:
docs/design.md, "Audit trail".
"""

from collections.abc import Iterable
from contextvars import ContextVar

from auditlog.cid import get_cid, set_cid
from auditlog.context import auditlog_disabled, set_extra_data
from auditlog.middleware import AuditlogMiddleware
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet

from portal.clientip import client_ip

# Model → the path from it to its Athlete ("" for the athlete itself), and the fields never recorded.
# `updated` columns change on every save and would turn each save into an entry of its own.
AUDITED: dict[str, dict] = {
    "portal.Athlete": {"athlete": "", "exclude_fields": ["updated"]},
    # A login: its email, name and active flag are recorded; never the password hash (not even masked,
    # auditlog's mask keeps half of the string) nor last_login, which changes at every login.
    "portal.User": {"athlete": None, "exclude_fields": ["password", "last_login"]},
    "portal.Alert": {"athlete": "athlete"},
    # Care-team messages (portal.care_messages): who wrote in which channel of whose thread, and when. Not the
    # text: a message is never edited, so the trail would only copy it (and the data export's trail would then
    # show the staff notes that the export leaves out). Read marks and email rows are not health records.
    "portal.Message": {"athlete": "athlete", "exclude_fields": ["body"]},
    # Who sent an athlete an invite link, and when (sent again after a mail outage: one entry each).
    "portal.Invite": {
        "athlete": "athlete",
        "exclude_fields": ["token_hash", "email_sent_at", "email_failed_at"],
    },
    # Who invited an athlete's own coach from outside the clinic, with whose consent, who accepted and who
    # removed them (portal.shared_care); never the invite's token.
    "portal.SharedCare": {"athlete": "athlete", "exclude_fields": ["token_hash"]},
    "triage.Intake": {"athlete": "athlete"},
    "rehab.Plan": {"athlete": "athlete", "exclude_fields": ["updated"]},
    "rehab.PlanPhase": {"athlete": "plan.athlete"},
    "rehab.PlanExercise": {"athlete": "phase.plan.athlete"},
    "rehab.PhaseChange": {"athlete": "plan.athlete"},
    "rehab.DailyLog": {"athlete": "athlete", "exclude_fields": ["updated"]},
    # When an athlete connected or disconnected Strava, and under which Strava account: never the tokens, nor
    # what changes with each refresh or import.
    "rehab.StravaConnection": {
        "athlete": "athlete",
        "exclude_fields": ["access_token", "refresh_token", "expires_at", "last_activity_at", "last_error"],
    },
    # rehab.ExerciseLog is not registered: rehab.services.log_save rewrites a day's rows with a bulk insert,
    # which sends no signals. The day's exercise sets are recorded on its DailyLog instead (exercise_sets_replaced).
    # rehab.RehabStatus is not registered either: it is a cache recomputed from the logs on every save.
    # Outcome measures (outcomes/): questionnaire rounds, clinic visits and the tests recorded at them.
    "outcomes.QuestionnaireResponse": {"athlete": "athlete"},
    "outcomes.Visit": {"athlete": "athlete"},
    "outcomes.TestResult": {"athlete": "visit.athlete"},
}

_request = ContextVar("audit_request", default=None)
_actor = ContextVar("audit_actor", default=None)
# athlete id → clinic id, for the length of one request (an athlete's clinic is read at most once per request).
_clinics = ContextVar("audit_clinics", default=None)


def register_models() -> None:
    """Connect auditlog to the health-record models (called once, from PortalConfig.ready)."""
    for label, options in AUDITED.items():
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        # Only the model's own columns: auditlog would otherwise list every reverse relation of a new record.
        excluded = set(options.get("exclude_fields", []))
        fields = [field.name for field in model._meta.concrete_fields if field.name not in excluded]
        auditlog.register(model, include_fields=fields)


def entry_model():
    # Through Django's app registry, as auditlog's get_logentry_model does: portal.models builds on this module
    # (AuditEntry's manager fills its athlete and clinic here), so it cannot import the models back.
    return apps.get_model("portal", "AuditEntry")


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware (client address, correlation id, actor) that also keeps the request at hand.

    auditlog reads `request.user` when the request arrives, before Django REST framework has authenticated a
    token: API changes would have no actor. Entries therefore take their actor from the request when they are
    written (DRF sets the authenticated user on the underlying request).
    """

    @staticmethod
    def _get_remote_addr(request) -> str | None:
        # auditlog takes the first X-Forwarded-For entry, which any client can forge (and a value that is not an
        # address would fail to save on PostgreSQL): the address the throttles and the login lockout use instead.
        return client_ip(request)

    def __call__(self, request):
        set_cid(request)
        tokens = (_request.set(request), _clinics.set({}))
        try:
            with set_extra_data(context_data=self.get_extra_data(request)):
                return self.get_response(request)
        finally:
            _clinics.reset(tokens[1])
            _request.reset(tokens[0])


def _current_actor():
    actor = _actor.get()
    if actor is not None:
        return actor
    request = _request.get()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def _clinics_cache() -> dict:
    cache = _clinics.get()
    return cache if cache is not None else {}


def _remember(athlete) -> tuple[int, int]:
    cache = _clinics.get()
    if cache is not None:
        cache[athlete.pk] = athlete.clinic_id
    return athlete.pk, athlete.clinic_id


def subject_of(instance: Model) -> tuple[int | None, int | None]:
    """(athlete id, clinic id) of an audited record, following foreign keys already loaded where possible."""
    label = instance._meta.label
    if label == "portal.User":
        return _subject_of_login(instance)
    path = AUDITED.get(label, {}).get("athlete")
    if path is None:
        return None, None
    hops = path.split(".") if path else []
    obj = instance
    for index, hop in enumerate(hops):
        field = obj._meta.get_field(hop)
        if field.is_cached(obj):
            obj = getattr(obj, hop)
            if obj is None:
                return None, None
            continue
        related_id = getattr(obj, field.attname)
        if related_id is None:
            return None, None
        rest = hops[index + 1 :]
        if not rest:
            clinic_id = _clinics_cache().get(related_id)
            if clinic_id is not None:
                return related_id, clinic_id
            # Load the athlete itself rather than its clinic alone: the entry's text (str(instance)) needs it too.
            try:
                obj = getattr(obj, hop)
            except ObjectDoesNotExist:
                return related_id, None
            break
        athlete = "__".join(rest)
        row = (
            field.related_model._base_manager.filter(pk=related_id)
            .values_list(athlete, f"{athlete}__clinic")
            .first()
        )
        return row if row is not None else (None, None)
    return _remember(obj)


def subject_of_entry(entry) -> tuple[int | None, int | None]:
    """(athlete id, clinic id) of the record an entry names, if it still exists."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    if model is None or model._meta.label not in AUDITED or not entry.object_pk:
        return None, None
    instance = model._base_manager.filter(pk=entry.object_pk).first()
    return subject_of(instance) if instance is not None else (None, None)


def _subject_of_login(user) -> tuple[int | None, int | None]:
    if user.pk is None:
        return None, None
    athlete = (
        apps.get_model("portal", "Athlete")
        ._base_manager.filter(user_id=user.pk)
        .values_list("pk", "clinic_id")
        .first()
    )
    if athlete is not None:
        return athlete
    # A clinician's login: the entry belongs to their clinic, about no athlete.
    return None, apps.get_model("portal", "Clinician").objects.filter(user_id=user.pk).values_list(
        "clinic_id", flat=True
    ).first()


def _view_name() -> str | None:
    match = getattr(_request.get(), "resolver_match", None)
    return match.view_name if match is not None else None


def entry_fields(instance: Model, fields: dict) -> dict:
    """Fill in what auditlog does not know: the athlete and clinic, the actor (also for API tokens), the page."""
    athlete_id, clinic_id = subject_of(instance)
    fields.setdefault("athlete_id", athlete_id)
    fields.setdefault("clinic_id", clinic_id)
    actor = _current_actor()
    if actor is not None:
        fields.setdefault("actor", actor)
        fields.setdefault("actor_email", actor.email)
    view = _view_name()
    if view:
        fields.setdefault("additional_data", {"view": view})
    return fields


def _disabled() -> bool:
    """Inside auditlog's `disable_auditlog()`: nothing is recorded, reads included."""
    return auditlog_disabled.get()


def record_access(user, obj: Model | None) -> None:
    """Record that `user` viewed `obj`, one of the audited health records (other models are ignored)."""
    if obj is None or obj.pk is None or not getattr(user, "is_authenticated", False) or _disabled():
        return
    token = _actor.set(user)
    try:
        accessed.send(sender=type(obj), instance=obj)
    finally:
        _actor.reset(token)


# Query-string parameters never written to the trail: whatever could work as a password (an invite or reset
# token, an API key) if someone put it in a list's address. Matched anywhere in the name, in any case.
SECRET_PARAMETERS = ("token", "key", "password", "secret", "uidb64", "signature", "auth")
QUERY_RECORDED_MAX = 500  # characters of the filters kept per entry


def recorded_query(request) -> str:
    """The request's query string as the trail keeps it: secret-looking parameters left out, at most
    QUERY_RECORDED_MAX characters."""
    if request is None:
        return ""
    kept = request.GET.copy()
    for name in list(kept):
        if any(word in name.lower() for word in SECRET_PARAMETERS):
            del kept[name]
    return kept.urlencode()[:QUERY_RECORDED_MAX]


def record_list_access(user, records: Iterable[Model]) -> int:
    """Record a list of health records that `user` was shown: one "viewed" entry per athlete on the page, each
    naming the list, its filters (`recorded_query`), how many rows and athletes the page held; one INSERT in all.

    An entry per listed record would bury the trail, and a single entry for the whole page would be missing
    from each athlete's own trail (and their data export): this tells the clinic whose records `user` saw, in
    which list, and when. The entries of one request share auditlog's correlation id (cid).
    """
    if not getattr(user, "is_authenticated", False) or _disabled():
        return 0
    Athlete = apps.get_model("portal", "Athlete")
    records = list(records)
    athlete_ids = {_athlete_id_of(record) for record in records} - {None}
    if not athlete_ids:
        return 0
    # The athletes the list loaded with its rows (select_related) are not read again.
    athletes = {athlete.pk: athlete for athlete in map(_loaded_athlete, records) if athlete is not None}
    missing = athlete_ids - set(athletes)
    if missing:
        athletes |= {
            athlete.pk: athlete
            for athlete in Athlete._base_manager.filter(pk__in=missing).only(
                "first_name", "last_name", "clinic"
            )
        }
    AuditEntry = entry_model()
    content_type = ContentType.objects.get_for_model(Athlete)
    details = {
        "view": _view_name(),
        "query": recorded_query(_request.get()),
        "rows": len(records),
        "athletes": len(athlete_ids),
    }
    entries = [
        AuditEntry(
            content_type=content_type,
            object_pk=str(athlete.pk),
            object_id=athlete.pk,
            object_repr=str(athlete),
            action=AuditEntry.Action.ACCESS,
            actor=user,
            actor_email=user.email,
            athlete_id=athlete.pk,
            clinic_id=athlete.clinic_id,
            additional_data=details,
            remote_addr=_remote_addr(),
            cid=get_cid(),
        )
        for athlete in sorted(athletes.values(), key=lambda athlete: athlete.pk)
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def _loaded_athlete(record: Model):
    """The record's athlete when it is the athlete or was loaded with it, else None."""
    if record._meta.label == "portal.Athlete":
        return record
    if AUDITED.get(record._meta.label, {}).get("athlete") == "athlete":
        field = record._meta.get_field("athlete")
        if field.is_cached(record):
            return record.athlete
    return None


def _athlete_id_of(record: Model) -> int | None:
    if AUDITED.get(record._meta.label, {}).get("athlete") == "athlete":
        return record.athlete_id  # no need to load the athlete: one query below reads them all
    return subject_of(record)[0]


class AccessLoggedMixin:
    """For API viewsets of health records (put it first in the bases): reading one records a "viewed" entry;
    a list page records one entry per athlete whose records it shows (record_list_access; set
    `audit_lists = False` to skip)."""

    audit_lists = True

    def retrieve(self, request, *args, **kwargs):
        from rest_framework.response import Response

        instance = self.get_object()
        record_access(request.user, instance)
        return Response(self.get_serializer(instance).data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.audit_lists and page is not None and getattr(self, "action", None) == "list":
            record_list_access(self.request.user, page)
        return page


def _remote_addr() -> str | None:
    request = _request.get()
    return AuditMiddleware._get_remote_addr(request) if request is not None else None


def save_changed(old: Model, new: Model, *, force: bool = False) -> bool:
    """Save `new`, a record read from the database as `old` and changed since, with auditlog's "changed" entry.

    auditlog reads the row again before every save to find what changed; the caller already holds what was
    read (`old`, a copy taken before the changes), so the save and its entry cost one query fewer. When no
    field differs, nothing is written (a double submit), unless `force` (something stored with the record
    changed: its `updated` time moves on). Used on the daily log, saved on every submit. True when saved.
    """
    from auditlog.context import disable_auditlog
    from auditlog.diff import model_instance_diff
    from django.conf import settings

    fields = [field.attname for field in new._meta.concrete_fields if not getattr(field, "auto_now", False)]
    if not force and all(getattr(old, name) == getattr(new, name) for name in fields):
        return False
    recording = not _disabled()
    with disable_auditlog():
        new.save()
    if recording:
        changes = model_instance_diff(old, new, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES)
        if changes:
            AuditEntry = entry_model()
            AuditEntry.objects.log_create(new, action=AuditEntry.Action.UPDATE, changes=changes)
    return True


def _exercise_sets(sets: list[tuple[str, int]]) -> str:
    return "; ".join(f"{name}: {done} set{'s' if done != 1 else ''}" if done else f"{name}: not done"
                     for name, done in sets)  # fmt: skip


def exercise_sets_replaced(log, *, before: list[tuple[str, int]], after: list[tuple[str, int]]) -> None:
    """After a wholesale rewrite of a daily log's exercise rows: one "exercise_sets" before → after entry on the log.

    `before` and `after` are (exercise name, sets done) in the rows' order. The rows are rewritten with bulk
    operations, which send no model signals, so auditlog would see nothing.
    """
    if _disabled():
        return
    before_text, after_text = _exercise_sets(before), _exercise_sets(after)
    if before_text != after_text:
        AuditEntry = entry_model()
        AuditEntry.objects.log_create(
            log, action=AuditEntry.Action.UPDATE, changes={"exercise_sets": [before_text, after_text]}
        )


def entries_for_athlete(athlete) -> QuerySet:
    """Every audit entry about `athlete` (changes and views of their records, and of their login)."""
    return entry_model().objects.filter(athlete_id=athlete.pk)
