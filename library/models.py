"""The exercise library: the shipped catalog (no clinic) plus each clinic's own exercises."""

from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from library import figures
from library.dosage import dosage_in_words
from library.fields import TagsField
from portal.models import Clinic
from portal.uploads import IMAGE_EXTENSIONS, validate_exercise_image, validate_video_url


class Kind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    STRETCH = "stretch", "Stretch"
    MOBILITY = "mobility", "Mobility"
    WARM_UP = "warm_up", "Warm-up"
    COOL_DOWN = "cool_down", "Cool-down"
    ISOMETRIC = "isometric", "Isometric hold"
    PLYOMETRIC = "plyometric", "Plyometric"
    CROSS_TRAINING = "cross_training", "Cross-training"
    RECOVERY = "recovery", "Recovery"
    ASSESSMENT = "assessment", "Self-test"


class Region(models.TextChoices):
    HIP_FRONT = "hip_front", "Front of hip"
    HIP_SIDE = "hip_side", "Side of hip"
    HIP_BACK = "hip_back", "Back of hip"
    DEEP_HIP = "deep_hip", "Deep hip"
    GROIN = "groin", "Groin"
    GLUTES = "glutes", "Glutes"
    HAMSTRINGS = "hamstrings", "Hamstrings"
    QUADS = "quads", "Quads"
    ITB = "itb", "IT band"
    CORE = "core", "Core"
    LOWER_BACK = "lower_back", "Lower back"
    CALF = "calf", "Calf"
    WHOLE_BODY = "whole_body", "Whole body"


class Equipment(models.TextChoices):
    NONE = "none", "No equipment"
    MAT = "mat", "Mat"
    BAND = "band", "Resistance band"
    WALL = "wall", "Wall"
    CHAIR = "chair", "Chair"
    STEP = "step", "Step"
    FOAM_ROLLER = "foam_roller", "Foam roller"
    DUMBBELL = "dumbbell", "Dumbbell"
    KETTLEBELL = "kettlebell", "Kettlebell"
    MEDICINE_BALL = "medicine_ball", "Medicine ball"
    BIKE = "bike", "Bike"
    POOL = "pool", "Pool"
    ROWING_MACHINE = "rowing_machine", "Rowing machine"
    ICE = "ice", "Ice"


class Difficulty(models.IntegerChoices):
    EASY = 1, "Easy"
    MODERATE = 2, "Moderate"
    HARD = 3, "Hard"


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
        from portal.permissions import scope_catalog

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
        help_text="Empty for the shipped catalog, which every clinic sees.",
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies", editable=False
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names people search for.")
    regions = TagsField(tag_choices=Region.choices, help_text="Where the athlete should feel it.")
    equipment = TagsField(tag_choices=Equipment.choices)
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices, default=Difficulty.EASY)
    steps = models.JSONField(default=list, help_text="Instructions in order, one step per line.")
    cues = models.JSONField(default=list, blank=True, help_text="Short reminders while doing it.")
    mistakes = models.JSONField("common mistakes", default=list, blank=True)
    avoid_when = models.JSONField(
        default=list, blank=True, help_text="When not to do it, or when to stop and ask a clinician."
    )

    sets = _count(20)
    sets_max = _count(20, "sets (up to)")
    reps = _count(200)
    reps_max = _count(200, "reps (up to)")
    hold_seconds = _count(900, "hold (seconds)")
    hold_seconds_max = _count(900, "hold up to (seconds)")
    duration_minutes = _count(240, "duration (minutes)")
    per_side = models.BooleanField("each side", default=False)
    times_per_day = _count(24)
    days_per_week = _count(7)
    dosage_note = models.CharField(max_length=500, blank=True)

    image = models.ImageField(
        upload_to=exercise_image_path,
        blank=True,
        validators=[validate_exercise_image],
        help_text="PNG, JPEG or WebP, at most 5 MB.",
    )
    video_url = models.URLField("video link", max_length=300, blank=True, validators=[validate_video_url])
    source = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(
        default=True, help_text="Inactive exercises stay in existing plans but are not offered any more."
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
                violation_error_message="The shipped catalog already has an exercise with this slug.",
            ),
            models.UniqueConstraint(
                fields=["clinic", "slug"],
                name="exercise_slug_unique_per_clinic",
                violation_error_message="Your clinic already has an exercise with this slug.",
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
                errors[field] = "Give a list of lines of text, without empty lines."
        if not errors.get("steps") and not self.steps:
            errors["steps"] = "Add at least one step, so the athlete can do it alone."
        for low, high in RANGES:
            low_value, high_value = getattr(self, low), getattr(self, high)
            if high_value is not None and low_value is None:
                errors[high] = f"Fill in “{self._meta.get_field(low).verbose_name}” too, or leave this empty."
            elif high_value is not None and high_value < low_value:
                errors[high] = f"Must be at least {low_value}."
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
