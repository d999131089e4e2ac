"""The condition catalogue and the stored intakes (answers in, the engine's result out, a clinician's review)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.models import Athlete
from portal.permissions import scope_by_clinic, scope_shared
from triage import engine
from triage.wording import URGENCY_LABELS, catalogue_name, condition_name

# The engine's urgency scale, most severe first, in words.
URGENCY_CHOICES = [(urgency.value, URGENCY_LABELS[urgency]) for urgency in reversed(engine.URGENCY_ORDER)]


class ConditionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_shared(self, user)


class Condition(models.Model):
    """One entry of the catalogue in triage.engine.CONDITIONS, copied here so records can point at it.

    The engine is the source of truth: `manage.py load_conditions` (and migration 0002) sync this table.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    region = models.CharField(_("region"), max_length=120)
    presentation = models.TextField(_("typical presentation"))
    default_urgency = models.CharField(_("default urgency"), max_length=10, choices=URGENCY_CHOICES)
    advice = models.TextField(_("advice"))
    source = models.CharField(_("source"), max_length=200)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (the engine's, translated, while the row still matches it)."""
        return catalogue_name(self.code, self.name)


class IntakeQuerySet(models.QuerySet):
    def visible_to(self, user):
        # An athlete's own coach from outside the clinic (shared care) does not see the intakes: their consent
        # covers the plan, logs, pain and alerts, not the symptoms and red flags told to the clinic.
        return scope_by_clinic(
            self, user, clinic_field="athlete__clinic", own_field="athlete__user", shared=False
        )

    def needing_review(self):
        return self.filter(reviewed_at__isnull=True, urgency__in=engine.URGENT_OR_WORSE)


class Intake(models.Model):
    """One completed hip check: what the athlete answered and what the engine made of it."""

    athlete = models.ForeignKey(
        Athlete, verbose_name=_("athlete"), on_delete=models.CASCADE, related_name="intakes"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answers = models.JSONField(_("answers"))
    result = models.JSONField(
        _("result"),
        help_text=_("The engine's result as codes (Assessment.to_record()), put into words when shown."),
    )
    # Copied from result["urgency"] so lists can filter and sort by it.
    urgency = models.CharField(_("urgency"), max_length=10, choices=URGENCY_CHOICES, db_index=True)
    engine_version = models.CharField(_("engine version"), max_length=20)
    created = models.DateTimeField(_("created"), default=timezone.now)

    confirmed_condition = models.ForeignKey(
        Condition,
        verbose_name=_("confirmed condition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intakes",
    )
    review_notes = models.TextField(_("review notes"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["athlete", "-created"])]
        verbose_name = _("hip check")
        verbose_name_plural = _("hip checks")

    def __str__(self) -> str:
        return _("Hip check for %(athlete)s on %(day)s") % {
            "athlete": self.athlete,
            "day": date_format(timezone.localtime(self.created), "d M Y"),
        }

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
        """The leading suggestion: its code, score and name (in the reader's language)."""
        conditions = self.result.get("conditions") or []
        if not conditions:
            return None
        top = conditions[0]
        return {
            "code": top["code"],
            "score": top.get("score"),
            "name": condition_name(top["code"], top.get("name")),
        }

    @property
    def suggested_codes(self) -> list[str]:
        return [c["code"] for c in self.result.get("conditions") or []]
