"""Outcome measures stored per athlete: questionnaire rounds, clinic visits and the tests recorded at them.

Questionnaires and tests themselves are data (outcomes/instruments/, outcomes/catalog.py); rows keep the
instrument's code and version and the test's code. Scores, pass/fail and the side-to-side percentage are worked
out by the pure modules when a row is saved through outcomes/services.py and stored with their reasons (codes),
so reads never recompute them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outcomes import catalog, instruments, wording
from outcomes.codes import OutcomeError
from outcomes.schedule import MAX_EVERY_WEEKS
from outcomes.scoring import clean_answers
from portal.permissions import athlete_of, clinician_of, scope_by_clinic


class Side(models.TextChoices):
    LEFT = catalog.LEFT, _("Left")
    RIGHT = catalog.RIGHT, _("Right")
    NONE = catalog.NONE, _("Not sided")


class QuestionnaireResponseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_clinic(self, user, clinic_field="athlete__clinic", own_field="athlete__user")

    def completed(self):
        return self.filter(completed_at__isnull=False)


class QuestionnaireResponse(models.Model):
    """One round of one questionnaire for one athlete; saved partly while it is being filled in."""

    class Round(models.TextChoices):
        INTAKE = "intake", _("Intake")
        FOLLOW_UP = "follow_up", _("Follow-up")
        DISCHARGE = "discharge", _("Discharge")

    athlete = models.ForeignKey(
        "portal.Athlete", on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    instrument = models.CharField(max_length=20, help_text=_("The questionnaire's code, e.g. “ihot12”."))
    instrument_version = models.CharField(max_length=20)
    round = models.CharField(max_length=10, choices=Round.choices, default=Round.FOLLOW_UP)
    answers = models.JSONField(
        default=dict, blank=True, help_text=_("Item code → answer; unanswered items absent.")
    )
    item_labels = models.JSONField(
        default=dict, blank=True, help_text=_("Names the athlete gave (PSFS activities), by item code.")
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty while only partly saved."))
    total = models.FloatField(null=True, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    valid = models.BooleanField(
        default=False, help_text=_("Every score the questionnaire reports was computed.")
    )
    reasons = models.JSONField(
        default=list, blank=True, help_text=_("Scoring reasons as codes with parameters.")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = QuestionnaireResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["athlete", "instrument", "completed_at"], name="outcomes_response_trend")
        ]

    def __str__(self) -> str:
        return f"{self.instrument_name} ({self.get_round_display()})"

    @property
    def instrument_name(self) -> str:
        # The instrument list lives in files and may change without a migration, so the field has no choices.
        return wording.instrument_name(self.instrument)

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    def clean(self):
        try:
            instrument = instruments.load(self.instrument)
        except KeyError:
            raise ValidationError({"instrument": "Unknown questionnaire."}) from None
        try:
            clean_answers(instrument, self.answers)
        except OutcomeError as error:
            raise ValidationError({"answers": str(error)}) from None
        if not isinstance(self.item_labels, dict) or set(self.item_labels) - set(instrument.item_codes):
            raise ValidationError({"item_labels": "Names must be given by item code."})


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Clinical notes and findings are the care team's; the athlete sees them in the discharge report.
        return scope_by_clinic(self, user, clinic_field="athlete__clinic")


class Visit(models.Model):
    """An athlete seen in clinic: when, by whom, free notes, and the tests recorded."""

    athlete = models.ForeignKey("portal.Athlete", on_delete=models.CASCADE, related_name="visits")
    clinician = models.ForeignKey(
        "portal.Clinician", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    date = models.DateField(default=timezone.localdate)
    notes = models.TextField(blank=True, max_length=5000)
    created = models.DateTimeField(default=timezone.now)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["athlete", "date"], name="outcomes_visit_athlete_date")]

    def __str__(self) -> str:
        return f"Visit on {self.date:%d %b %Y}"


class TestResultQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_clinic(self, user, clinic_field="visit__athlete__clinic")


class TestResult(models.Model):
    """One objective test recorded at a visit, for one side (or both, for strength); see outcomes/catalog.py."""

    __test__ = False  # pytest: a model, not a test class

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="test_results")
    test = models.CharField(max_length=40, help_text=_("The test's code, e.g. “single_leg_squat”."))
    side = models.CharField(
        max_length=5,
        choices=Side.choices,
        default=Side.NONE,
        help_text=_("For strength on both sides: the affected leg, or “not sided”."),
    )
    values = models.JSONField(
        default=dict, help_text=_('Measure code → value, e.g. {"reps": 10, "pain": 1}.')
    )
    passed = models.BooleanField(null=True, blank=True, help_text=_("Empty when the test has no pass mark."))
    symmetry_pct = models.FloatField(_("side-to-side %"), null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)

    objects = TestResultQuerySet.as_manager()

    class Meta:
        ordering = ["visit", "test", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "test", "side"],
                name="outcomes_one_result_per_test_side_visit",
                violation_error_message="This test is already recorded for that side at this visit.",
            )
        ]

    def __str__(self) -> str:
        side = "" if self.side == Side.NONE else f", {self.get_side_display().lower()}"
        return f"{self.test_name}{side}"

    @property
    def test_name(self) -> str:
        return wording.test_name(self.test)

    def clean(self):
        try:
            catalog.clean_values(catalog.get(self.test), self.side, self.values)
        except OutcomeError as error:
            raise ValidationError({"values": str(error)}) from None


class InstrumentWordingQuerySet(models.QuerySet):
    def visible_to(self, user):
        # A clinic's licensed wording: its staff, and its athletes (who answer the questionnaire).
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        person = clinician_of(user) or athlete_of(user)
        return self.filter(clinic_id=person.clinic_id) if person is not None else self.none()


class InstrumentWording(models.Model):
    """A clinic's licensed wording for a questionnaire that ships with its scoring only (manage.py
    import_questionnaire). The scoring stays the shipped one; only the texts come from here."""

    clinic = models.ForeignKey(
        "portal.Clinic", on_delete=models.CASCADE, related_name="questionnaire_wordings"
    )
    instrument = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=20)
    texts = models.JSONField(help_text=_("Item code → the licensed wording."))
    instructions = models.TextField(blank=True)
    answer_labels = models.JSONField(default=dict, blank=True, help_text=_("Answer value → its label."))
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InstrumentWordingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument"],
                name="outcomes_one_wording_per_clinic_instrument",
                violation_error_message="This clinic already has wording for this questionnaire.",
            )
        ]

    def __str__(self) -> str:
        return f"{wording.instrument_name(self.instrument)} wording ({self.instrument_version})"

    def as_instrument(self) -> instruments.Instrument:
        return instruments.with_wording(
            instruments.load(self.instrument),
            self.texts,
            instructions=self.instructions,
            anchors=self.answer_labels,
        )


class ScheduleQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Which questionnaires a plan asks, and when: the athlete's clinic, and the athlete (their own).
        return scope_by_clinic(
            self, user, clinic_field="plan__athlete__clinic", own_field="plan__athlete__user"
        )


class Schedule(models.Model):
    """One questionnaire a clinician asks of a plan's athlete: at intake, every N weeks, at discharge.

    Which round is due when is outcomes.schedule.due_round's business; `reminded` keeps the round last emailed
    about (its key, e.g. "follow_up:2"), so each due round gets at most one reminder.
    """

    plan = models.ForeignKey("rehab.Plan", on_delete=models.CASCADE, related_name="questionnaire_schedules")
    instrument = models.CharField(max_length=20, help_text=_("The questionnaire's code, e.g. “psfs”."))
    every_weeks = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EVERY_WEEKS)],
        help_text=_("Empty: no follow-up rounds."),
    )
    at_intake = models.BooleanField(default=True)
    at_discharge = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    reminded = models.CharField(max_length=20, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "instrument"],
                name="outcomes_one_schedule_per_plan_instrument",
                violation_error_message="This plan already asks this questionnaire.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_name} for {self.plan}"

    @property
    def instrument_name(self) -> str:
        return wording.instrument_name(self.instrument)

    def clean(self):
        if self.instrument not in instruments.shipped():
            raise ValidationError({"instrument": "Unknown questionnaire."})
        if not (self.at_intake or self.at_discharge or self.every_weeks):
            raise ValidationError(
                "Ask the questionnaire at least once: at intake, every few weeks or at discharge."
            )
