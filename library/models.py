"""The exercise library: the shipped catalog (no clinic) plus each clinic's own exercises."""

from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from library import figures
from library.dosage import dosage_in_words
from library.fields import TagsField
from portal.models import Clinic
from portal.permissions import scope_catalog
from portal.uploads import IMAGE_EXTENSIONS, validate_exercise_image, validate_video_url


class Kind(models.TextChoices):
    STRENGTH = "strength", _("Strength")
    STRETCH = "stretch", _("Stretch")
    MOBILITY = "mobility", _("Mobility")
    WARM_UP = "warm_up", _("Warm-up")
    COOL_DOWN = "cool_down", _("Cool-down")
    ISOMETRIC = "isometric", _("Isometric hold")
    PLYOMETRIC = "plyometric", _("Plyometric")
    CROSS_TRAINING = "cross_training", _("Cross-training")
    RECOVERY = "recovery", _("Recovery")
    ASSESSMENT = "assessment", _("Self-test")


class Region(models.TextChoices):
    HIP_FRONT = "hip_front", _("Front of hip")
    HIP_SIDE = "hip_side", _("Side of hip")
    HIP_BACK = "hip_back", _("Back of hip")
    DEEP_HIP = "deep_hip", _("Deep hip")
    GROIN = "groin", _("Groin")
    GLUTES = "glutes", _("Glutes")
    HAMSTRINGS = "hamstrings", _("Hamstrings")
    QUADS = "quads", _("Quads")
    ITB = "itb", _("IT band")
    CORE = "core", _("Core")
    LOWER_BACK = "lower_back", _("Lower back")
    CALF = "calf", _("Calf")
    WHOLE_BODY = "whole_body", _("Whole body")


class Equipment(models.TextChoices):
    NONE = "none", _("No equipment")
    MAT = "mat", _("Mat")
    BAND = "band", _("Resistance band")
    WALL = "wall", _("Wall")
    CHAIR = "chair", _("Chair")
    STEP = "step", _("Step")
    FOAM_ROLLER = "foam_roller", _("Foam roller")
    DUMBBELL = "dumbbell", _("Dumbbell")
    KETTLEBELL = "kettlebell", _("Kettlebell")
    MEDICINE_BALL = "medicine_ball", _("Medicine ball")
    BIKE = "bike", _("Bike")
    POOL = "pool", _("Pool")
    ROWING_MACHINE = "rowing_machine", _("Rowing machine")
    ICE = "ice", _("Ice")


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MODERATE = 2, _("Moderate")
    HARD = 3, _("Hard")


# Dosage keys as they appear in library/data/exercises.json ("note" is stored as dosage_note).
DOSAGE_FIELDS = [
    "sets",
    "sets_max",
    "reps",
    "reps_max",
    "hold_seconds",
    "hold_seconds_max",
    "duration_minutes",
    "per_side",
    "times_per_day",
    "days_per_week",
]
LIST_FIELDS = ["aliases", "steps", "cues", "mistakes", "avoid_when"]
RANGES = [("sets", "sets_max"), ("reps", "reps_max"), ("hold_seconds", "hold_seconds_max")]


def exercise_image_path(instance, filename: str) -> str:
    # Never reuse the uploaded name: it may carry personal details, and only known extensions are served.
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in IMAGE_EXTENSIONS:
        extension = ".img"
    return f"library/{uuid4().hex}{extension.replace('.jpeg', '.jpg')}"


def _count(upper: int, label: str = "", **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label or None,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(upper)],
        **kwargs,
    )


class ExerciseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_catalog(self, user, clinic_field="clinic")

    def shipped(self):
        return self.filter(clinic__isnull=True)

    def active(self):
        return self.filter(active=True)


class Exercise(models.Model):
    """One exercise, stretch, drill, self-test or recovery technique with its default dosage.

    Rows without a clinic are the shipped catalog (library/data/exercises.json, `manage.py load_library`),
    seen by everyone and changed only by the loader or a superuser. Rows with a clinic belong to it alone.
    """

    clinic = models.ForeignKey(
        Clinic,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exercises",
        verbose_name=_("clinic"),
        help_text=_("Empty for the shipped catalog, which every clinic sees."),
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies", editable=False
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, help_text=_("Other names people search for.")
    )
    regions = TagsField(
        _("regions"), tag_choices=Region.choices, help_text=_("Where the athlete should feel it.")
    )
    equipment = TagsField(_("equipment"), tag_choices=Equipment.choices)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.EASY
    )
    steps = models.JSONField(
        _("steps"), default=list, help_text=_("Instructions in order, one step per line.")
    )
    cues = models.JSONField(
        _("cues"), default=list, blank=True, help_text=_("Short reminders while doing it.")
    )
    mistakes = models.JSONField(_("common mistakes"), default=list, blank=True)
    avoid_when = models.JSONField(
        _("avoid when"),
        default=list,
        blank=True,
        help_text=_("When not to do it, or when to stop and ask a clinician."),
    )

    sets = _count(20, _("sets"))
    sets_max = _count(20, _("sets (up to)"))
    reps = _count(200, _("reps"))
    reps_max = _count(200, _("reps (up to)"))
    hold_seconds = _count(900, _("hold (seconds)"))
    hold_seconds_max = _count(900, _("hold up to (seconds)"))
    duration_minutes = _count(240, _("duration (minutes)"))
    per_side = models.BooleanField(_("each side"), default=False)
    times_per_day = _count(24, _("times per day"))
    days_per_week = _count(7, _("days per week"))
    dosage_note = models.CharField(_("dosage note"), max_length=500, blank=True)

    image = models.ImageField(
        upload_to=exercise_image_path,
        blank=True,
        validators=[validate_exercise_image],
        verbose_name=_("image"),
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )
    video_url = models.URLField(_("video link"), max_length=300, blank=True, validators=[validate_video_url])
    source = models.CharField(_("source"), max_length=300, blank=True)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive exercises stay in existing plans but are not offered any more."),
    )
    # Folded name, aliases and cues (library.text), kept up to date by library.services and the loader.
    search_text = models.TextField(blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(clinic__isnull=True),
                name="exercise_slug_unique_shipped",
                violation_error_message=_("The shipped catalog already has an exercise with this slug."),
            ),
            models.UniqueConstraint(
                fields=["clinic", "slug"],
                name="exercise_slug_unique_per_clinic",
                violation_error_message=_("Your clinic already has an exercise with this slug."),
            ),
        ]
        # Named: django-modeltranslation adds one per language ("-es"), which must stay within 30 characters.
        indexes = [models.Index(fields=["active", "name"], name="exercise_active_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("library:exercise_detail", args=[self.pk])

    @property
    def figure_url(self) -> str:
        """The drawn start and end positions for this exercise's slug, or "" when none is drawn.

        A clinic's copy keeps the shipped slug, so it keeps the drawing; its own uploaded picture wins
        wherever the include shows one (templates/library/exercise_figure.html).
        """
        if not figures.has_figure(self.slug):
            return ""
        return reverse("library:exercise_figure", args=[self.slug])

    @property
    def is_shipped(self) -> bool:
        return self.clinic_id is None

    def clean(self):
        errors = {}
        for field in LIST_FIELDS:
            value = getattr(self, field)
            if not isinstance(value, list) or not all(
                isinstance(item, str) and item.strip() for item in value
            ):
                errors[field] = gettext("Give a list of lines of text, without empty lines.")
        if not errors.get("steps") and not self.steps:
            errors["steps"] = gettext("Add at least one step, so the athlete can do it alone.")
        for low, high in RANGES:
            low_value, high_value = getattr(self, low), getattr(self, high)
            if high_value is not None and low_value is None:
                errors[high] = gettext("Fill in “%(field)s” too, or leave this empty.") % {
                    "field": self._meta.get_field(low).verbose_name
                }
            elif high_value is not None and high_value < low_value:
                errors[high] = gettext("Must be at least %(low)s.") % {"low": low_value}
        if errors:
            raise ValidationError(errors)

    # Shown as labels on cards and pages.
    def get_region_labels(self) -> list[str]:
        return [Region(code).label if code in Region.values else code for code in self.regions]

    def get_equipment_labels(self) -> list[str]:
        return [Equipment(code).label if code in Equipment.values else code for code in self.equipment]

    def dosage_text(self) -> str:
        """The default dosage in words, e.g. "2–3 sets × 8–10 reps, each side · 2 days a week".

        Falls back to the dosage note, then to "As tolerated", so it is never empty. The note is shown
        on its own on the exercise page, so it is not repeated after the numbers.
        """
        return dosage_in_words(self, fallback=self.dosage_note or gettext("As tolerated"))
