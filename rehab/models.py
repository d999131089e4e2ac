"""Plan templates (protocols) and the plans copied from them for one athlete.

A template is never referenced by a running plan's content: assigning copies every phase and exercise
(rehab.services.plan_assign), so tailoring a plan cannot change the template and vice versa.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from outcomes.codes import OutcomeError
from outcomes.criteria import parse as parse_criteria
from portal.permissions import scope_by_clinic, scope_catalog
from rehab import codes, wording
from rehab.coach import RUN_FIELDS, run_field_label
from rehab.criteria import error_text

PAIN_SCALE = [MinValueValidator(0), MaxValueValidator(5)]


class RunActivity(models.TextChoices):
    NONE = "none", _("No running")
    WALK = "walk", _("Walking")
    WALK_JOG = "walk_jog", _("Walk / jog intervals")
    JOG = "jog", _("Easy jogging")
    RUN = "run", _("Running")
    CROSS_TRAIN = "cross_train", _("Cross-training")


def phase_label(order: int, name: str) -> str:
    """ "Phase 2: Walk/jog", without repeating "Phase" when the name already starts with it: a phase's label
    (PhaseFields.label), and the caseload's, which reads the two columns without the row."""
    if name.lower().startswith(("phase", "fase")):
        return name
    return gettext("Phase %(number)s: %(name)s") % {"number": order, "name": name}


class PhaseFields(models.Model):
    """What a phase prescribes: its goal, pain rule, run prescription and exit criteria."""

    order = models.PositiveSmallIntegerField(_("phase number"), default=1)
    name = models.CharField(max_length=120)
    goal = models.CharField(max_length=300, blank=True)
    min_days = models.PositiveSmallIntegerField(
        _("minimum days in the phase"), default=7, validators=[MaxValueValidator(365)]
    )
    # Pain rule (DOMAIN.md section 6: never above 5/10 in any phase).
    max_pain_during = models.PositiveSmallIntegerField(
        _("most pain during (0–10)"), default=2, validators=PAIN_SCALE
    )
    max_pain_after = models.PositiveSmallIntegerField(
        _("most pain afterwards (0–10)"), default=2, validators=PAIN_SCALE
    )
    must_settle_by_morning = models.BooleanField(_("must settle by next morning"), default=True)
    next_day_pain_allowed = models.BooleanField(_("next-day pain allowed"), default=False)
    pain_note = models.CharField(_("note on pain for the athlete"), max_length=300, blank=True)
    # Run prescription.
    run_activity = models.CharField(
        _("running"), max_length=12, choices=RunActivity.choices, default=RunActivity.NONE
    )
    run_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), null=True, blank=True, validators=[MaxValueValidator(300)]
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions a week"), null=True, blank=True, validators=[MaxValueValidator(14)]
    )
    walk_minutes = models.PositiveSmallIntegerField(
        _("walk (minutes)"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    jog_minutes = models.PositiveSmallIntegerField(
        _("jog (minutes)"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    incline_pct = models.DecimalField(
        _("incline (%)"),
        null=True,
        blank=True,
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    weekly_increase_cap_pct = models.PositiveSmallIntegerField(
        _("weekly increase at most (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    run_note = models.CharField(_("note on running for the athlete"), max_length=300, blank=True)
    # A graded walk/jog ladder inside the phase: [{"jog": 1, "walk": 3}, {"jog": 2, "walk": 2}, ...], each step
    # repeated until a session stays within the allowance; the phase is done once the last step is.
    run_steps = models.JSONField(_("walk/jog steps"), default=list, blank=True)
    exit_criteria = models.TextField(_("ready to move on when"), blank=True)
    # Measurable exit criteria the progression engine checks (outcomes.criteria: questionnaire scores, clinic
    # tests, strength symmetry, a clearance), beside the free text above. Empty: the pain rules alone decide.
    structured_criteria = models.JSONField(
        _("measured exit criteria"),
        default=list,
        blank=True,
        help_text=_(
            "Questionnaire scores and clinic tests that must be met, each recorded in this phase, before "
            "the engine advises moving on."
        ),
    )
    requires_clearance = models.BooleanField(
        _("needs clinician clearance"),
        default=False,
        help_text=_(
            "The plan cannot move into this phase until a clinician records a clearance (bone stress "
            "injury: the first running phase). Automatic advance never crosses it."
        ),
    )

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def clean(self):
        super().clean()
        if self.run_steps in (None, ""):
            self.run_steps = []  # an emptied field in a form: no ladder
        steps = self.run_steps
        good = isinstance(steps, list) and all(
            isinstance(step, dict)
            and set(step) <= {"jog", "walk"}
            and all(isinstance(step.get(k), int) and not isinstance(step.get(k), bool) and 0 <= step[k] <= 60
                    for k in ("jog", "walk"))
            for step in steps
        )  # fmt: skip
        if not good:
            raise ValidationError(
                {"run_steps": 'A list of steps such as [{"jog": 1, "walk": 3}, {"jog": 2, "walk": 2}]: whole '
                 "minutes from 0 to 60."}
            )  # fmt: skip
        if self.structured_criteria in (None, ""):
            self.structured_criteria = []
        try:
            parse_criteria(self.structured_criteria)
        except OutcomeError as error:
            raise ValidationError({"structured_criteria": error_text(error)}) from None

    @property
    def is_cleared(self) -> bool:
        """No clearance needed, or one recorded (phase templates have none to record)."""
        return not self.requires_clearance or getattr(self, "cleared_at", None) is not None

    @property
    def bare_name(self) -> str:
        """The name without a leading "Phase 2:" (shipped protocols number their phases in the name): for
        headings that put the number in front themselves ("Phase 2 of 4: walk/jog intervals")."""
        match = re.match(rf"phase\s*{self.order}\b\s*[:.–-]?\s*", self.name, re.IGNORECASE)
        return self.name[match.end() :] if match else self.name

    @property
    def label(self) -> str:
        return phase_label(self.order, self.name)

    def run_text(self) -> str:
        """The run prescription in words, e.g. "Walk 3 min / jog 1 min for 20 min, 3 times a week"."""
        return wording.run_text(self)

    def pain_text(self) -> str:
        """The pain rule in words, e.g. "Up to 2/10 during is OK; it must settle by tomorrow morning"."""
        return wording.pain_text(self)


class DosageFields(models.Model):
    order = models.PositiveSmallIntegerField(_("position"), default=1)
    sets = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(20)])
    reps = models.PositiveSmallIntegerField(
        _("reps per set"), null=True, blank=True, validators=[MaxValueValidator(200)]
    )
    hold_seconds = models.PositiveSmallIntegerField(
        _("hold (seconds)"), null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("time (minutes)"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    per_side = models.BooleanField(_("each side"), default=False)
    times_per_day = models.PositiveSmallIntegerField(
        _("times a day"), null=True, blank=True, validators=[MaxValueValidator(12)]
    )
    days_per_week = models.PositiveSmallIntegerField(
        _("days a week"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    note = models.CharField(_("note for the athlete"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def dosage_text(self) -> str:
        return wording.dosage_text(self)


# A phase's own fields (PhaseFields), in the order copies, the phase form and the API list them.
PHASE_FIELDS = (
    "order", "name", "goal", "min_days", "max_pain_during", "max_pain_after", "must_settle_by_morning",
    "next_day_pain_allowed", "pain_note", "run_activity", "run_minutes", "sessions_per_week", "walk_minutes",
    "jog_minutes", "incline_pct", "weekly_increase_cap_pct", "run_note", "run_steps", "exit_criteria",
    "requires_clearance", "structured_criteria",
)  # fmt: skip
# A dose (DosageFields) without its position in the phase: what protocols, plans, the API and exports copy.
DOSAGE_FIELDS = tuple(field.name for field in DosageFields._meta.fields if field.name != "order")


class PlanTemplateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_catalog(self, user)


class PlanTemplate(models.Model):
    """A protocol. Shipped templates have no clinic; clinics may add or duplicate their own."""

    clinic = models.ForeignKey(
        "portal.Clinic", null=True, blank=True, on_delete=models.CASCADE, related_name="plan_templates"
    )
    slug = models.SlugField(
        _("short name for links"), max_length=80,
        help_text=_("Made from the name: lower-case letters, numbers and hyphens, used in web addresses."),
    )  # fmt: skip
    name = models.CharField(max_length=150)
    summary = models.TextField(blank=True)
    conditions = models.ManyToManyField("triage.Condition", blank=True, related_name="plan_templates")
    duration_weeks_min = models.PositiveSmallIntegerField(_("shortest length (weeks)"), null=True, blank=True)
    duration_weeks_max = models.PositiveSmallIntegerField(_("longest length (weeks)"), null=True, blank=True)
    active = models.BooleanField(default=True)
    data_hash = models.CharField(max_length=64, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = PlanTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # the product's word for a plan template
        verbose_name, verbose_name_plural = _("protocol"), _("protocols")
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(clinic__isnull=True), name="plantemplate_shipped_slug_unique"
            ),
            models.UniqueConstraint(fields=["clinic", "slug"], name="plantemplate_clinic_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shipped(self) -> bool:
        return self.clinic_id is None


class PhaseTemplate(PhaseFields):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="phases")

    class Meta(PhaseFields.Meta):
        verbose_name, verbose_name_plural = _("phase"), _("phases")
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="phasetemplate_order_unique")
        ]


class PhaseExerciseTemplate(DosageFields):
    phase = models.ForeignKey(PhaseTemplate, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.ForeignKey("library.Exercise", on_delete=models.PROTECT, related_name="+")

    class Meta(DosageFields.Meta):
        verbose_name, verbose_name_plural = _("exercise"), _("exercises")

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dosage_text()})"


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_clinic(self, user, clinic_field="athlete__clinic", own_field="athlete__user")


class Plan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    athlete = models.ForeignKey("portal.Athlete", on_delete=models.CASCADE, related_name="plans")
    template = models.ForeignKey(
        PlanTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans",
        verbose_name=_("protocol"),
    )  # fmt: skip
    name = models.CharField(max_length=150)
    goal = models.CharField(max_length=300, blank=True)
    start_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    current_phase = models.ForeignKey(
        "PlanPhase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    auto_advance = models.BooleanField(
        default=False,
        help_text=_("Move to the next phase automatically when the progression rules allow it."),
    )
    pain_free = models.BooleanField(
        _("pain-free rule"),
        default=False,
        help_text=_(
            "For a bone stress injury: any pain, during, after or the next morning, holds the phase."
        ),
    )
    # Bumped once by every change to the plan (rehab.services._claim): keys the cached PDF, and a save that
    # names an older version is refused (no lost updates when two clinicians edit the same plan).
    version = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Who made the latest change (empty: assigned or changed automatically)."),
    )  # fmt: skip
    # When the plan was marked completed (rehab.services.plan_set_status; emptied if it is made active again): the
    # discharge report's last day and the start of the discharge questionnaire round. Not `updated`, which any
    # later change to the plan moves.
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    # Why and when the plan was cancelled (rehab.services.plan_cancel; the phase history keeps it too).
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # What the athlete's running coach may change without asking (rehab.coach): all three running limits or
    # none (none: the coach proposes every running change as a request), and the last phase they may advance to.
    coach_max_session_minutes = models.PositiveSmallIntegerField(
        _("coach: longest session (minutes)"), null=True, blank=True, validators=[MaxValueValidator(300)]
    )
    coach_max_week_minutes = models.PositiveSmallIntegerField(
        _("coach: most running a week (minutes)"), null=True, blank=True, validators=[MaxValueValidator(2000)]
    )
    coach_max_weekly_increase_pct = models.PositiveSmallIntegerField(
        _("coach: weekly increase at most (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    coach_advance_to = models.PositiveSmallIntegerField(
        _("coach may advance up to phase"), null=True, blank=True, validators=[MaxValueValidator(99)],
        help_text=_("Empty: only a clinician moves the plan between phases."),
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["athlete"],
                condition=Q(status="active"),
                name="plan_one_active_per_athlete",
                violation_error_message="This athlete already has an active plan. Complete, pause or cancel it first.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.athlete}"

    def get_absolute_url(self) -> str:
        return reverse("rehab:plan_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The plan's name for its athlete, in the active language: a plan still named after its protocol (as
        assigning names it) reads the protocol's name in that language; a name the clinician gave reads as given.
        Read the plan with its template (select_related) where a page shows it."""
        template = self.template
        if template is not None and self.name in {
            getattr(template, build_localized_fieldname("name", code), None)
            for code, _name in settings.LANGUAGES
        }:
            return template.name
        return self.name

    def day_number(self, today) -> int:
        return (today - self.start_date).days + 1


class PlanPhase(PhaseFields):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    started_on = models.DateField(null=True, blank=True)
    # The clearance a `requires_clearance` phase needs before it starts (rehab.services.phase_clear).
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_on_imaging = models.BooleanField(_("imaging done"), null=True, blank=True)
    clearance_note = models.CharField(max_length=500, blank=True)

    class Meta(PhaseFields.Meta):
        verbose_name, verbose_name_plural = _("phase"), _("phases")
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="planphase_order_unique")]


class PlanExercise(DosageFields):
    phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.ForeignKey("library.Exercise", on_delete=models.PROTECT, related_name="+")

    class Meta(DosageFields.Meta):
        verbose_name, verbose_name_plural = _("exercise"), _("exercises")

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dosage_text()})"


class PhaseChange(models.Model):
    """A plan's move between phases (or its start, or cancellation), who made it and why.

    Why: a clinician's own words in `reason` (free text, kept as written); the engine's and the services' in
    `reason_code` with `reason_params` (rehab.codes, e.g. "phase_recommended" with the engine's reasons), said in
    the reader's language by `reason_text`. Rows from before codes keep their sentence in `reason` (a migration
    turned the ones it recognised into codes).
    """

    class Kind(models.TextChoices):
        START = "start", _("Plan started")
        ADVANCE = "advance", _("Advanced")
        REGRESS = "regress", _("Stepped back")
        JUMP = "jump", _("Moved")
        CANCEL = "cancel", _("Plan cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.ForeignKey(
        PlanPhase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.to_phase.name}"

    @property
    def reason_text(self) -> str:
        """Why, in the active language: the code said, or the clinician's words as written."""
        if self.reason_code:
            return wording.reason_text(self.reason_code, self.reason_params)
        return self.reason


PAIN_0_10 = [MinValueValidator(0), MaxValueValidator(10)]


class RedFlag(models.TextChoices):
    """What a daily log can report that stops the plan (rehab.codes.RedFlag), in the log form's words.

    The labels stay English here (exports, the API, the care team's pages); they are marked for the catalog and
    the log page shows them in the athlete's language (rehab.forms.DailyLogForm)."""

    NIGHT_PAIN = codes.RedFlag.NIGHT_PAIN.value, gettext_noop("Pain woke me at night or hurts at rest")
    CANNOT_BEAR_WEIGHT = (
        codes.RedFlag.CANNOT_BEAR_WEIGHT.value,
        gettext_noop("I can't put my full weight on the leg"),
    )
    SWELLING = codes.RedFlag.SWELLING.value, gettext_noop("Visible swelling or bruising")
    LOCKING = codes.RedFlag.LOCKING.value, gettext_noop("The hip locks, catches or gives way")
    NUMBNESS = codes.RedFlag.NUMBNESS.value, gettext_noop("Numbness or tingling in the leg")
    FEVER_UNWELL = codes.RedFlag.FEVER_UNWELL.value, gettext_noop("A fever, or feeling generally unwell")
    SADDLE_BLADDER_BOWEL = (
        codes.RedFlag.SADDLE_BLADDER_BOWEL.value,
        gettext_noop(
            "Numbness between the legs or around the bottom, or a new change in bladder or bowel control"
        ),
    )


class Trigger(models.TextChoices):
    RUNNING = "running", gettext_noop("Running")
    HILLS = "hills", gettext_noop("Hills")
    SPEED = "speed", gettext_noop("Speed work")
    STAIRS = "stairs", gettext_noop("Stairs")
    SITTING = "sitting", gettext_noop("Sitting long")
    LYING = "lying", gettext_noop("Lying on that side")
    GETTING_UP = "getting_up", gettext_noop("Getting up / first steps")
    EXERCISES = "exercises", gettext_noop("The exercises")


class DailyLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_clinic(self, user, clinic_field="athlete__clinic", own_field="athlete__user")


class DailyLog(models.Model):
    """One day of an athlete's rehab: what they did and how much it hurt. One row per athlete and date.

    `pain_next_morning` belongs to this day's activity but is entered the following morning. A run imported from
    a watch's file (rehab.services.runs) fills the run part and keeps when the run started, so that importing the
    same file again changes nothing.
    """

    class Surface(models.TextChoices):
        ROAD = "road", gettext_noop("Road")
        TRAIL = "trail", gettext_noop("Trail")
        TREADMILL = "treadmill", gettext_noop("Treadmill")
        TRACK = "track", gettext_noop("Track")

    class RunSource(models.TextChoices):
        GPX = "gpx", _("GPX file")
        TCX = "tcx", _("TCX file")
        FIT = "fit", _("FIT file")
        STRAVA = "strava", "Strava"

    # Plausible ranges of a run's readings (a watch's glitch outside them is left out on import).
    HEART_RATE, CADENCE, MAX_CLIMB = (30, 230), (60, 250), 10_000

    athlete = models.ForeignKey("portal.Athlete", on_delete=models.CASCADE, related_name="daily_logs")
    date = models.DateField()
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs")
    phase = models.ForeignKey(PlanPhase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    run_minutes = models.PositiveSmallIntegerField(
        _("run / walk minutes"), null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    distance_km = models.DecimalField(
        _("distance (km)"),
        null=True,
        blank=True,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(250)],
    )
    walk_minutes = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(60)])
    jog_minutes = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(60)])
    shoe = models.ForeignKey(
        "portal.Shoe",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="logs",
        help_text=_("The distance is added to this shoe's total."),
    )
    session_rpe = models.PositiveSmallIntegerField(
        _("session effort (RPE 0–10)"),
        null=True,
        blank=True,
        validators=PAIN_0_10,
        help_text=_("How hard was the session? 0 = rest, 10 = maximal."),
    )
    surface = models.CharField(max_length=10, choices=Surface.choices, blank=True)
    avg_cadence = models.PositiveSmallIntegerField(
        _("average cadence (steps/min)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(CADENCE[0]), MaxValueValidator(CADENCE[1])],
    )
    avg_heart_rate = models.PositiveSmallIntegerField(
        _("average heart rate (beats/min)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(HEART_RATE[0]), MaxValueValidator(HEART_RATE[1])],
    )
    elevation_gain_m = models.PositiveIntegerField(
        _("elevation gain (m)"), null=True, blank=True, validators=[MaxValueValidator(MAX_CLIMB)]
    )
    # The imported runs' start times (the first, and each as ISO text): the same file imported twice is seen.
    run_started_at = models.DateTimeField(_("run started at"), null=True, blank=True)
    run_source = models.CharField(max_length=6, choices=RunSource.choices, blank=True)
    run_starts = models.JSONField(default=list, blank=True, editable=False)
    pain_during = models.PositiveSmallIntegerField(
        _("pain during (0–10)"), null=True, blank=True, validators=PAIN_0_10
    )
    pain_after = models.PositiveSmallIntegerField(
        _("pain after (0–10)"), null=True, blank=True, validators=PAIN_0_10
    )
    pain_next_morning = models.PositiveSmallIntegerField(
        _("pain the next morning (0–10)"), null=True, blank=True, validators=PAIN_0_10
    )
    pain_locations = models.JSONField(default=list, blank=True)
    triggers = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    sets_done = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text=_("Exercise sets done that day (the sum of its exercise logs).")
    )
    night_pain = models.BooleanField(RedFlag.NIGHT_PAIN.label, default=False)
    cannot_bear_weight = models.BooleanField(RedFlag.CANNOT_BEAR_WEIGHT.label, default=False)
    swelling = models.BooleanField(RedFlag.SWELLING.label, default=False)
    locking = models.BooleanField(RedFlag.LOCKING.label, default=False)
    numbness = models.BooleanField(RedFlag.NUMBNESS.label, default=False)
    fever_unwell = models.BooleanField(RedFlag.FEVER_UNWELL.label, default=False)
    saddle_bladder_bowel = models.BooleanField(RedFlag.SADDLE_BLADDER_BOWEL.label, default=False)
    # The id the athlete's phone gave the log it saved while offline (rehab.views_offline): the same copy sent
    # again is recognised and changes nothing. Empty for logs saved online.
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DailyLogQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["athlete", "date"],
                name="dailylog_one_per_athlete_and_date",
                violation_error_message="There is already a log for this day.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.athlete} — {self.date:%Y-%m-%d}"

    @property
    def red_flags(self) -> list[str]:
        return [flag for flag in RedFlag.values if getattr(self, flag)]


# What an athlete reports in a daily log: what log_save accepts (with a watch file's run: RUN_IMPORT_FIELDS), and
# what the API reads and writes.
REPORTED_LOG_FIELDS = (
    "run_minutes", "distance_km", "walk_minutes", "jog_minutes", "shoe", "session_rpe", "surface", "avg_cadence",
    "pain_during", "pain_after", "pain_next_morning", "pain_locations", "triggers", "notes", *RedFlag.values,
)  # fmt: skip


class ExerciseLog(models.Model):
    """Whether a planned exercise was done on a logged day, and how many sets."""

    log = models.ForeignKey(DailyLog, on_delete=models.CASCADE, related_name="exercises")
    plan_exercise = models.ForeignKey(
        PlanExercise, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    exercise = models.ForeignKey("library.Exercise", on_delete=models.PROTECT, related_name="+")
    done = models.BooleanField(default=False)
    sets_done = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(50)])

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["log", "plan_exercise"], name="exerciselog_one_per_planned_row")
        ]

    def __str__(self) -> str:
        return f"{self.exercise}: {self.sets_done} sets"


class Action(models.TextChoices):
    """What the progression engine recommends (rehab.codes.Action), in words."""

    ADVANCE = codes.Action.ADVANCE.value, _("Advance")
    HOLD = codes.Action.HOLD.value, _("Hold")
    REGRESS = codes.Action.REGRESS.value, _("Step back")
    STOP_AND_REFER = codes.Action.STOP_AND_REFER.value, _("Stop and refer")


class RehabStatus(models.Model):
    """An athlete's rehab at a glance, recomputed when they log and once a day (rehab.services.status_refresh).

    Kept so the caseload sorts and pages hundreds of athletes from one table instead of re-reading every log.
    """

    athlete = models.OneToOneField(
        "portal.Athlete", primary_key=True, on_delete=models.CASCADE, related_name="rehab_status"
    )
    as_of = models.DateField()
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phase = models.ForeignKey(PlanPhase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_log_date = models.DateField(null=True, blank=True)
    last_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_baseline = models.FloatField(null=True, blank=True)
    pain_trend = models.FloatField(null=True, blank=True, help_text=_("7-day mean minus the 7 days before."))
    compliance_7d = models.PositiveSmallIntegerField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices, blank=True)
    # The engine's reasons, each {"code", "params"} (rehab.codes; rehab.wording.say says them). Rows from before
    # codes may hold a sentence the migration did not recognise: it is shown as stored.
    reasons = models.JSONField(default=list, blank=True)
    km_7d = models.FloatField(null=True, blank=True)
    km_change_pct = models.IntegerField(null=True, blank=True)
    acwr = models.FloatField(_("acute:chronic ratio"), null=True, blank=True)
    spark = models.JSONField(default=list, blank=True, help_text=_("Peak pain per day, last 14 days."))
    risk = models.IntegerField(default=0, db_index=True)

    class Meta:
        verbose_name_plural = _("rehab statuses")

    def __str__(self) -> str:
        return f"{self.athlete} as of {self.as_of}"


class ReminderSent(models.Model):
    """One reminder email to an athlete for one local day and kind: the row that makes it exactly once
    (rehab.reminders writes it in the transaction that sends the email)."""

    class Kind(models.TextChoices):
        LOG_TODAY = "log_today", _("Log today")
        SILENT = "silent", _("We haven't heard from you")

    athlete = models.ForeignKey("portal.Athlete", on_delete=models.CASCADE, related_name="reminders_sent")
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["athlete", "day", "kind"], name="reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.day}"


class RunningChange(models.Model):
    """A change of a phase's running made through the coach's form (rehab.services.coach): what it was, what it
    became, who and why. An accepted request's change is recorded here too, with the request.

    `before` and `after` hold the fields that changed (rehab.coach.RUN_FIELDS), e.g. {"sessions_per_week": 3}.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="running_changes")
    phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="running_changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.CharField(max_length=500, blank=True)
    request = models.ForeignKey(
        "ChangeRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="running_changes"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"Running of {self.phase.name} changed"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) per changed field, in the form's order."""
        return [
            (gettext(run_field_label(name)), self.before.get(name), self.after.get(name))
            for name in RUN_FIELDS
            if name in self.after
        ]


class ChangeRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Between the care team's staff: athletes see the plan as it is, not what was proposed.
        return scope_by_clinic(self, user, clinic_field="plan__athlete__clinic")

    def pending(self):
        return self.filter(status=ChangeRequest.Status.PENDING)


class ChangeRequest(models.Model):
    """A coach's proposal outside the limits the clinician set on the plan, for the clinician to accept or
    decline (rehab.services.coach). `proposed` holds the values: {"to_phase": <phase pk>} for a phase change,
    the running fields for a running change ({"sessions_per_week": 4}), {} for an exercise change (the reason
    says what)."""

    class Kind(models.TextChoices):
        PHASE = "phase", _("Phase change")
        RUNNING = "running", _("Running change")
        EXERCISE = "exercise", _("Exercise change")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="change_requests")
    phase = models.ForeignKey(
        PlanPhase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The phase the request is about (a phase change: the phase the plan was in)."),
    )  # fmt: skip
    kind = models.CharField(max_length=10, choices=Kind.choices)
    proposed = models.JSONField(_("proposed values"), default=dict, blank=True)
    # The running as it was when the request was made, to show "3 → 4 sessions a week".
    current = models.JSONField(default=dict, blank=True, editable=False)
    reason = models.CharField(max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.plan.name}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class StravaConnection(models.Model):
    """An athlete's Strava account, connected by them (rehab.services.strava): new runs there are imported into
    their logs. The tokens are Strava's keys to the athlete's activities: they are never shown (admin, API, data
    export, audit trail, logs), and disconnecting deletes the row with them. The access token lasts six hours
    and is refreshed with the refresh token, which Strava replaces at each refresh."""

    athlete = models.OneToOneField("portal.Athlete", on_delete=models.CASCADE, related_name="strava")
    strava_athlete_id = models.BigIntegerField("Strava athlete id", unique=True)
    access_token = models.CharField(max_length=255, editable=False)
    refresh_token = models.CharField(max_length=255, editable=False)
    expires_at = models.DateTimeField("access token expires at")
    scope = models.CharField(max_length=200, help_text=_("What the athlete allowed, as Strava granted it."))
    connected_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(_("last run imported at"), null=True, blank=True)
    # Strava refused the tokens (the athlete revoked the app there): imports stop until they connect again.
    needs_reconnect = models.BooleanField(default=False)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Strava athlete {self.strava_athlete_id}"

    def __repr__(self) -> str:  # never the tokens, whoever prints the object
        return f"<StravaConnection {self.pk}: athlete {self.athlete_id}, Strava athlete {self.strava_athlete_id}>"
