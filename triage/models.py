"""The condition catalogue and the stored intakes (answers in, the engine's result out, a clinician's review)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.models import Athlete
from triage import engine
from triage.wording import URGENCY_LABELS

# The engine's urgency scale, most severe first, in words.
URGENCY_CHOICES = [(urgency.value, URGENCY_LABELS[urgency]) for urgency in reversed(engine.URGENCY_ORDER)]


class ConditionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from portal.permissions import scope_shared

        return scope_shared(self, user)


class Condition(models.Model):
    """One entry of the catalogue in triage.engine.CONDITIONS, copied here so records can point at it.

    The engine is the source of truth: `manage.py load_conditions` (and migration 0002) sync this table.
    """

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=120)
    presentation = models.TextField()
    default_urgency = models.CharField(max_length=10, choices=URGENCY_CHOICES)
    advice = models.TextField()
    source = models.CharField(max_length=200)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IntakeQuerySet(models.QuerySet):
    def visible_to(self, user):
        from portal.permissions import scope_by_clinic

        # An athlete's own coach from outside the clinic (shared care) does not see the intakes: their consent
        # covers the plan, logs, pain and alerts, not the symptoms and red flags told to the clinic.
        return scope_by_clinic(
            self, user, clinic_field="athlete__clinic", own_field="athlete__user", shared=False
        )

    def needing_review(self):
        return self.filter(reviewed_at__isnull=True, urgency__in=engine.URGENT_OR_WORSE)


class Intake(models.Model):
    """One completed hip check: what the athlete answered and what the engine made of it."""

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="intakes")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField()
    result = models.JSONField(help_text="The engine's output (Assessment.to_dict()).")
    # Copied from result["urgency"] so lists can filter and sort by it.
    urgency = models.CharField(max_length=10, choices=URGENCY_CHOICES, db_index=True)
    engine_version = models.CharField(max_length=20)
    created = models.DateTimeField(default=timezone.now)

    confirmed_condition = models.ForeignKey(
        Condition, null=True, blank=True, on_delete=models.PROTECT, related_name="intakes"
    )
    review_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["athlete", "-created"])]

    def __str__(self) -> str:
        return f"Hip check for {self.athlete} on {timezone.localtime(self.created):%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("triage:intake_detail", args=[self.pk])

    def get_review_url(self) -> str:
        return reverse("triage:intake_review", args=[self.pk])

    @property
    def stop_running(self) -> bool:
        return bool(self.result.get("stop_running"))

    @property
    def needs_review(self) -> bool:
        return self.reviewed_at is None and self.urgency in engine.URGENT_OR_WORSE

    @property
    def top_condition(self) -> dict | None:
        conditions = self.result.get("conditions") or []
        return conditions[0] if conditions else None

    @property
    def suggested_codes(self) -> list[str]:
        return [c["code"] for c in self.result.get("conditions") or []]
