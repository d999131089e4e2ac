"""People and clinics: who is who, and who may see whom (see portal/permissions.py)."""

import hashlib
import secrets
import zoneinfo
from datetime import time, timedelta
from uuid import uuid4

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import alert_words
from portal.audit import entry_fields, subject_of_entry
from portal.permissions import scope_by_clinic, scope_clinics
from portal.uploads import IMAGE_EXTENSIONS, validate_exercise_image


def validate_time_zone(value: str) -> None:
    """An IANA time zone name, e.g. Europe/Madrid."""
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as Europe/London or America/New_York."),
            params={"value": value},
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        # Login forms do not limit the length they pass on; a megabyte-long "email" would reach the database as
        # a LIKE pattern SQLite refuses to run (a 500). No login has an address longer than the column.
        if not isinstance(email, str) or len(email) > self.model._meta.get_field("email").max_length:
            raise self.model.DoesNotExist
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A login. People log in with their email address; there is no separate username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    # Set while the login is an outside member of any athlete's care team (portal.shared_care): scoping asks
    # for the athletes shared with it only then, so everyone else's pages cost no query more.
    has_shared_care = models.BooleanField(default=False, editable=False)
    # The language pages, emails and printouts speak to this person; blank: their clinic's (portal.languages).
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text=_("Blank: the clinic's language, or the browser's."),
    )  # fmt: skip

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def clinician_or_none(self):
        try:
            return self.clinician
        except Clinician.DoesNotExist:
            return None

    @property
    def athlete_or_none(self):
        try:
            return self.athlete
        except Athlete.DoesNotExist:
            return None


def clinic_logo_path(instance, filename: str) -> str:
    # Never the uploaded name: only known extensions are served (as for exercise pictures).
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in IMAGE_EXTENSIONS:
        extension = ".img"
    return f"clinics/{uuid4().hex}{extension.replace('.jpeg', '.jpg')}"


class ClinicQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_clinics(self, user)


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    # Shown to athletes wherever they are told to contact the clinic (after a worrying log, the printout).
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True, max_length=300)
    opening_hours = models.TextField(
        _("opening hours"), blank=True, max_length=300, help_text=_("e.g. Mon–Fri 8:00–18:00, Sat 9:00–12:00")
    )
    out_of_hours = models.TextField(
        _("out of hours"), blank=True, max_length=300,
        help_text=_("What to do when the clinic is closed, e.g. call NHS 111, or 999 in an emergency."),
    )  # fmt: skip
    # Re-encoded on upload like exercise pictures (portal.images); on athletes' pages, emails and the printout.
    logo = models.ImageField(
        _("logo"), upload_to=clinic_logo_path, blank=True, validators=[validate_exercise_image],
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )  # fmt: skip
    # Days, reminders, digests and the nightly refresh follow the clinic's clock (an athlete may have their own).
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone],
        help_text=_("Where the clinic is, e.g. Europe/London: days and emails follow its clock."),
    )  # fmt: skip
    # The language of its athletes' and clinicians' pages, emails and printouts unless a person chooses their own.
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text=_("Blank: each person's browser decides; emails and printouts then go out in English."),
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)

    objects = ClinicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")

    def __str__(self) -> str:
        return self.name


class ClinicianQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_clinic(self, user, clinic_field="clinic")


class Notify(models.TextChoices):
    IMMEDIATE = "immediate", _("Email me at once")
    DIGEST = "digest", _("In my daily digest")
    OFF = "off", _("No email")


class Clinician(models.Model):
    class Profession(models.TextChoices):
        PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
        COACH = "coach", _("Running coach")
        SPORTS_PHYSICIAN = "sports_physician", _("Sports physician")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clinicians")
    profession = models.CharField(
        _("profession"), max_length=20, choices=Profession.choices, default=Profession.PHYSIOTHERAPIST
    )
    # What a clinician may do follows from the profession and this flag (portal.capabilities, docs/roles.md).
    is_manager = models.BooleanField(
        _("clinic manager"),
        default=False,
        help_text=_("Manages the clinic's clinicians, details and protocols."),
    )
    # How this clinician hears of their athletes' alerts, per severity (portal.notifications).
    notify_emergency = models.CharField(
        _("emergency alerts"), max_length=10, choices=Notify.choices, default=Notify.IMMEDIATE
    )
    notify_urgent = models.CharField(
        _("urgent alerts"), max_length=10, choices=Notify.choices, default=Notify.IMMEDIATE
    )
    notify_notice = models.CharField(
        _("notices"), max_length=10, choices=Notify.choices, default=Notify.DIGEST
    )
    digest_time = models.TimeField(
        _("daily digest at"),
        default=time(7, 30),
        help_text=_("Clinic time. One email a day, only when there is news."),
    )

    objects = ClinicianQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("clinician")
        verbose_name_plural = _("clinicians")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_profession_display()})"

    @property
    def is_clinical(self) -> bool:
        """Physiotherapists and sports physicians hold the clinical capabilities; a running coach does not."""
        return self.profession != self.Profession.COACH


class AthleteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_clinic(self, user, clinic_field="clinic", own_field="user")

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        if "\x00" in text:  # no stored name holds a NUL byte, and PostgreSQL refuses one in a query (a 500)
            return self.none()
        query = Q()
        for word in text.split():
            query &= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        return self.filter(query)

    def current(self):
        """Athletes whose personal data has not been deleted (see portal.services.anonymise_athlete)."""
        return self.filter(anonymised_at__isnull=True)


class Athlete(models.Model):
    """A runner under care. The record can exist before the runner has a login (see Invite)."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other / prefer not to say")

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="athletes")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="athlete"
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Used to send the invite link and for the athlete's login.")
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    weekly_km = models.DecimalField(
        _("usual weekly distance (km)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        help_text=_("Your normal week before the pain started."),
    )
    years_running = models.PositiveSmallIntegerField(
        _("years running"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    goal_event = models.CharField(
        _("goal event"), max_length=120, blank=True, help_text=_("For example: Berlin Marathon")
    )
    goal_date = models.DateField(_("goal date"), null=True, blank=True)
    # The daily "log today" email (rehab.reminders): on for athletes with an active plan, at their local time.
    reminders = models.BooleanField(
        _("reminder emails"), default=True, help_text=_("A short email when today is not logged yet.")
    )
    reminder_time = models.TimeField(
        _("reminder time"),
        default=time(19, 0),
        help_text=_("The athlete's local time: their own time zone, else the clinic's."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone],
        help_text=_("Leave empty to follow the clinic's time zone."),
    )  # fmt: skip
    # Set by a clinician on the athlete's timeline; due and overdue reviews show in the caseload and the digest.
    next_review = models.DateField(
        _("next review"),
        null=True,
        blank=True,
        help_text=_("When the care team plans to review this athlete next."),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Set by portal.services.anonymise_athlete: the personal data is gone, the clinical numbers stay.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AthleteQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("athlete")
        verbose_name_plural = _("athletes")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "clinic", condition=~Q(email=""), name="athlete_email_unique_per_clinic"
            )
        ]
        indexes = [models.Index(fields=["clinic", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("athlete_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def age(self, today=None) -> int | None:
        if not self.date_of_birth:
            return None
        today = today or timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The athlete's own time zone, else their clinic's (reads athlete.clinic)."""
        return zoneinfo.ZoneInfo(self.time_zone or self.clinic.time_zone)

    @property
    def primary_clinician(self):
        for member in self.care_team.all():
            if member.is_primary:
                return member.clinician
        return None


class Shoe(models.Model):
    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="shoes")
    name = models.CharField(_("name"), max_length=80, help_text=_("Brand and model, e.g. Pegasus 41"))
    km = models.DecimalField(
        _("distance so far (km)"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(5000)],
    )
    retired = models.BooleanField(_("retired"), default=False)

    # Running shoes are usually replaced between 500 and 800 km (DOMAIN.md section 7).
    REPLACE_KM = 800

    class Meta:
        ordering = ["retired", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.km} km)"

    @property
    def needs_replacing(self) -> bool:
        return not self.retired and self.km >= self.REPLACE_KM


class CareTeamMember(models.Model):
    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="care_team")
    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="care_of")
    is_primary = models.BooleanField(_("primary clinician"), default=False)

    class Meta:
        ordering = ["-is_primary", "clinician__user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["athlete", "clinician"],
                name="care_team_unique_member",
                violation_error_message="This clinician is already on the athlete's care team.",
            ),
            models.UniqueConstraint(
                fields=["athlete"],
                condition=Q(is_primary=True),
                name="care_team_one_primary",
                violation_error_message="An athlete has one primary clinician: untick the current one first.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinician} → {self.athlete}"

    def clean(self):
        if self.athlete_id and self.clinician_id and self.athlete.clinic_id != self.clinician.clinic_id:
            raise ValidationError(
                {"clinician": _("Only clinicians of the athlete's clinic can join the care team.")}
            )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InviteQuerySet(models.QuerySet):
    def find(self, token: str):
        return self.filter(token_hash=_hash_token(token)).select_related("athlete").first()


class Invite(models.Model):
    """A one-time link that lets an athlete set a password. Only a hash of the token is stored."""

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    accepted = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)
    # What became of the email with the link (portal.tasks.mail): the athlete page tells the clinician when it
    # was not sent, so that they pass the link on themselves or send a new one.
    email_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_failed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = InviteQuerySet.as_manager()

    # An email neither sent nor given up on after this long is shown as "not sent" (the job queue was away).
    EMAIL_CONFIRM_MINUTES = 15

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invite for {self.email}"

    @classmethod
    def new(cls, *, athlete, email, created_by, now=None) -> tuple["Invite", str]:
        """An unsaved invite and its plain token (shown once, never stored)."""
        now = now or timezone.now()
        token = secrets.token_urlsafe(32)
        invite = cls(
            athlete=athlete,
            email=email,
            token_hash=_hash_token(token),
            created_by=created_by,
            created=now,
            expires=now + timedelta(days=settings.INVITE_VALID_DAYS),
        )
        return invite, token

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.accepted:
            return "accepted"
        if self.revoked:
            return "revoked"
        if now >= self.expires:
            return "expired"
        return "pending"

    def email_state(self, now=None) -> str:
        """ "sent", "sending" (a job has it) or "not_sent" (the mail server refused it, or no job confirmed it)."""
        if self.email_sent_at:
            return "sent"
        now = now or timezone.now()
        if self.email_failed_at or now - self.created > timedelta(minutes=self.EMAIL_CONFIRM_MINUTES):
            return "not_sent"
        return "sending"


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Alerts are for the care team; athletes see their own results on the pages that raised them.
        return scope_by_clinic(self, user, clinic_field="athlete__clinic")

    def open(self):
        return self.filter(resolved_at__isnull=True)

    def by_severity(self):
        """Most severe first, then the most recently raised."""
        return self.annotate(severity_rank=Alert.severity_rank_expression()).order_by(
            "-severity_rank", "-updated", "-pk"
        )


class Alert(models.Model):
    """Something the care team should look at (a red-flag intake, a worrying log).

    Services raise alerts with portal.services.alert_raise; an athlete has at most one open alert per kind,
    so raising the same kind again updates the open one instead of piling up duplicates.

    What it says is a `code` with its `params` (e.g. rehab's "alert_pain_spike" {day, pain, rise, baseline}),
    said in the reader's language at display time by the app that owns the code (portal.alert_words): `text`.
    `message` is the legacy field: the English sentence of alerts raised without a code (rows from before codes,
    raisers that still pass a sentence). New alerts with a code leave it empty; rows from before codes keep their
    sentence even when the migration (rehab 0020_reasons_to_codes) recognised it and gave them a code, and show
    it only when it has none.
    Likewise an alert closed by itself says why with `resolved_code`/`resolved_params`; a clinician's note is
    free text in `resolved_note`.
    """

    class Severity(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency")
        URGENT = "urgent", _("Urgent")
        NOTICE = "notice", _("Notice")

    SEVERITY_RANK = {Severity.NOTICE: 1, Severity.URGENT: 2, Severity.EMERGENCY: 3}

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="alerts")
    kind = models.SlugField(max_length=40, help_text="What raised it, e.g. “triage”.")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    code = models.CharField(
        max_length=40, blank=True, help_text="What it says, as a code (portal.alert_words)."
    )
    params = models.JSONField(default=dict, blank=True, help_text="The code's parameters.")
    message = models.CharField(
        max_length=300, blank=True, help_text="Legacy: the sentence of an alert without a code."
    )
    link = models.CharField(
        max_length=200, blank=True, help_text="A page on this site, e.g. /intake/12/review/"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now, help_text="When it was last raised.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_note = models.CharField(max_length=300, blank=True)
    resolved_code = models.CharField(
        max_length=40, blank=True, help_text="Why it closed by itself, as a code."
    )
    resolved_params = models.JSONField(default=dict, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-updated", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["athlete", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_athlete_and_kind",
                violation_error_message="This athlete already has an open alert of this kind.",
            )
        ]
        indexes = [models.Index(fields=["athlete", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.text}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def text(self) -> str:
        """What the alert says, in the active language (its message when it has no code)."""
        return alert_words.say(self.code, self.params, self.message)

    @property
    def resolved_text(self) -> str:
        """Why it was closed: the clinician's note, or the reason it closed by itself in the active language."""
        return alert_words.say(self.resolved_code, self.resolved_params, self.resolved_note)

    @classmethod
    def severity_rank_expression(cls, prefix: str = ""):
        """SQL for SEVERITY_RANK, so lists can sort by it."""
        field = f"{prefix}severity"
        return models.Case(
            *(
                models.When(**{field: value}, then=models.Value(rank))
                for value, rank in cls.SEVERITY_RANK.items()
            ),
            default=models.Value(0),
            output_field=models.IntegerField(),
        )


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The trail is the clinic's record of its staff and athletes: clinicians see their clinic's entries,
        # athletes none (they have their data export).
        return scope_by_clinic(self, user, clinic_field="clinic")


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        if kwargs.get("changes") is None and not force_log:
            return None  # nothing changed: no entry, and no query to find the athlete
        return super().log_create(instance, force_log=force_log, **entry_fields(instance, kwargs))


class AuditEntry(AbstractLogEntry):
    """One line of the audit trail (portal.audit): django-auditlog's log entry plus whose record it is about.

    `athlete` and `clinic` are plain indexed columns without a database constraint: the trail outlives the
    records it describes, and a clinic's or an athlete's entries are one index range on SQLite and PostgreSQL
    alike (a key inside the JSON `additional_data` could not be indexed portably).
    """

    athlete = models.ForeignKey(
        Athlete, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )  # fmt: skip
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )  # fmt: skip

    objects = AuditEntryManager()

    def save(self, *args, **kwargs):
        if self._state.adding and self.athlete_id is None and self.clinic_id is None:
            # Written directly (objects.create) rather than by auditlog: still find whose record it is about.
            self.athlete_id, self.clinic_id = subject_of_entry(self)
        super().save(*args, **kwargs)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["clinic", "-timestamp"], name="auditentry_clinic_time"),
            models.Index(fields=["athlete", "-timestamp"], name="auditentry_athlete_time"),
        ]


class AlertEmail(models.Model):
    """One alert told to one clinician at one severity, at once or in a digest: the row that makes it exactly
    once.

    Written in the same transaction as the email is sent (portal.notifications): never two emails for one
    alert, clinician and severity, whichever task, retry or sweep gets there first.
    """

    class Channel(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediate email")
        DIGEST = "digest", _("Daily digest")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="emails")
    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="alert_emails")
    # The alert's severity when it was told: an alert that becomes more serious (an urgent red flag, then an
    # emergency one the next day) is news, and is told again at its new severity — once.
    severity = models.CharField(max_length=10, choices=Alert.Severity.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "clinician", "severity"], name="alert_email_once_per_severity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.clinician_id} about alert {self.alert_id}"


class DigestSent(models.Model):
    """A clinician's daily digest for one clinic day: at most one."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField()
    alerts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinician", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest for {self.day} to {self.clinician_id}"


class Download(models.Model):
    """A file made by a background job for one user (a batch print, a data export), kept for a day.

    Its bytes live in the database so that every web process can serve it; the download page shows
    "preparing" until the job has finished.
    """

    class Kind(models.TextChoices):
        BATCH_PRINT = "batch_print", _("Printed programs")
        EXPORT = "export", _("Data export")

    class Status(models.TextChoices):
        PENDING = "pending", _("Preparing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="downloads")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    athlete = models.ForeignKey(Athlete, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["owner", "-created"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class ApiTokenQuerySet(models.QuerySet):
    def find(self, key: str):
        return self.filter(key_hash=_hash_token(key)).select_related("user").first()


class ApiToken(models.Model):
    """A key for the API (`Authorization: Token <key>`), one per "get a token" request, listed to its owner.

    Only a hash of the key is stored. A token works for API_TOKEN_DAYS, until its owner revokes it, and only
    while its login is unchanged: `login_check` fingerprints the password and the role it was issued to
    (portal.tokens), so a password change or reset, or the loss of the clinician or athlete role, ends it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What uses it, e.g. “Clinic dashboard”.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_start = models.CharField(
        max_length=8, editable=False, help_text="The first characters, to recognise it."
    )
    login_check = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "-created"])]

    def __str__(self) -> str:
        return f"{self.name or 'API token'} ({self.key_start}…)"

    hash_key = staticmethod(_hash_token)

    @property
    def expires(self):
        return self.created + timedelta(days=settings.API_TOKEN_DAYS)


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Athletes read their own thread with the care team, never the team's notes about them (nor does
        # anyone, about themselves).
        messages = scope_by_clinic(self, user, clinic_field="athlete__clinic", own_field="athlete__user")
        if getattr(user, "is_authenticated", False) and not user.is_superuser:
            messages = messages.exclude(channel=Message.Channel.STAFF, athlete__user=user)
        return messages


class Message(models.Model):
    """One short message in an athlete's thread (portal.care_messages): the thread with the athlete and their
    care team ("team"), or the care team's notes beside it, which the athlete never sees ("staff")."""

    class Channel(models.TextChoices):
        TEAM = "team", _("With the athlete")
        STAFF = "staff", _("Staff notes")

    BODY_MAX = 2000

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.TEAM)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField("message", max_length=BODY_MAX)
    created = models.DateTimeField(default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        indexes = [
            models.Index(fields=["athlete", "channel", "created"], name="message_thread_time"),
            models.Index(fields=["author", "created"], name="message_author_time"),
        ]

    def __str__(self) -> str:
        return f"Message #{self.pk} ({self.get_channel_display()})"


class MessageRead(models.Model):
    """How far one person has read one channel of an athlete's thread: a message is read by them when it is
    no newer than `last_read_at`. One row per person and channel (not one per message), so an unread count is
    one indexed comparison."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Message.Channel.choices)
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "athlete", "channel"], name="message_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.athlete_id}/{self.channel} up to {self.last_read_at}"


class MessageEmail(models.Model):
    """When one person was last emailed about new messages in an athlete's thread: the row that batches the
    emails to one per person and thread per quarter of an hour (portal.care_messages)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "athlete"], name="message_email_one_row")]

    def __str__(self) -> str:
        return f"Message email to {self.user_id} about {self.athlete_id} at {self.sent_at}"


class SharedCareQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The athlete sees who is on their team, the clinic its athletes' outside members, and an outside
        # member their own memberships.
        scoped = scope_by_clinic(self, user, clinic_field="athlete__clinic", own_field="athlete__user")
        if getattr(user, "is_authenticated", False) and user.is_active:
            scoped = scoped | self.filter(user=user)
        return scoped

    def find(self, token: str):
        return self.filter(token_hash=_hash_token(token)).select_related("athlete__clinic").first()

    def active(self):
        return self.filter(accepted_at__isnull=False, removed_at__isnull=True)

    def open(self):
        """Invited or accepted, and not removed (expired invites included: `state()` tells them apart)."""
        return self.filter(removed_at__isnull=True)


class SharedCare(models.Model):
    """An athlete's own coach from outside the clinic (a club's, a private one), on the athlete's care team by
    the athlete's consent (portal.shared_care, issue #21).

    The row is the invite until it is accepted, then the membership: the coach's login (new, or one they
    already have, even another clinic's) sees only this athlete, with the coach's capabilities
    (portal.capabilities). Removing it (the athlete or the clinic) takes effect at the coach's next request.
    Only a hash of the invite's token is stored."""

    class Consent(models.TextChoices):
        ATHLETE = "athlete", "The athlete invited them"
        RECORDED = "recorded", "A clinician recorded the athlete's consent"

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="shared_care")
    name = models.CharField("coach's name", max_length=120)
    email = models.EmailField("coach's email")
    organisation = models.CharField(
        "club or organisation", max_length=120, blank=True, help_text="For example: Riverside Running Club"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="shared_care"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    consent = models.CharField(max_length=10, choices=Consent.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SharedCareQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "shared care member"
        constraints = [
            models.UniqueConstraint(
                "athlete",
                Lower("email"),
                condition=Q(removed_at__isnull=True),
                name="shared_care_one_open_per_email",
                violation_error_message="This coach is already invited to the athlete's care team.",
            )
        ]
        indexes = [models.Index(fields=["user", "removed_at"], name="shared_care_user")]

    def __str__(self) -> str:
        return f"{self.name} → {self.athlete}"

    def state(self, now=None) -> str:
        if self.removed_at:
            return "removed"
        if self.accepted_at:
            return "active"
        if (now or timezone.now()) >= self.expires:
            return "expired"
        return "pending"


class SignedInDevice(models.Model):
    """One sign-in of a login on a device (portal.devices): recorded at login, listed on the athlete's profile
    where it can be signed out. The session key is never stored, only its SHA-256."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    key_hash = models.CharField(max_length=64, unique=True)
    device = models.CharField(
        max_length=80, help_text="The browser and system in words, e.g. “Chrome on Android”."
    )
    kept_signed_in = models.BooleanField(default=False)
    created = models.DateTimeField()
    last_seen = models.DateTimeField(help_text="Updated at most once a day.")
    expires = models.DateTimeField(help_text="When the session ends if the device is not used again.")

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = "signed-in device"
        indexes = [models.Index(fields=["user", "expires"], name="device_user_expires")]

    def __str__(self) -> str:
        return f"{self.device} ({self.user})"
