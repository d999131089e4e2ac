"""The protocol text each language has its own copy of (django-modeltranslation, as library.translation does for
exercises): a template's name and summary, each phase's name, goal, notes and exit criteria, and each exercise
row's note, on the shipped templates and on the plans copied from them, so an assigned plan keeps both languages.
Reading `phase.goal` gives the active language's text, or the English one while it has none
(MODELTRANSLATION_FALLBACK_LANGUAGES). The shipped protocols' Spanish comes from rehab/data/protocols_es.json
(`manage.py load_protocols`); a clinic's own text is written in its author's language."""

from django.conf import settings
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname

from rehab.models import PhaseExerciseTemplate, PhaseTemplate, PlanExercise, PlanPhase, PlanTemplate

TEMPLATE_TEXT_FIELDS = ("name", "summary")
PHASE_TEXT_FIELDS = ("name", "goal", "pain_note", "run_note", "exit_criteria")
DOSAGE_TEXT_FIELDS = ("note",)


@register(PlanTemplate)
class PlanTemplateTranslation(TranslationOptions):
    fields = TEMPLATE_TEXT_FIELDS


@register(PhaseTemplate)
class PhaseTemplateTranslation(TranslationOptions):
    fields = PHASE_TEXT_FIELDS


@register(PlanPhase)
class PlanPhaseTranslation(TranslationOptions):
    fields = PHASE_TEXT_FIELDS


@register(PhaseExerciseTemplate)
class PhaseExerciseTemplateTranslation(TranslationOptions):
    fields = DOSAGE_TEXT_FIELDS


@register(PlanExercise)
class PlanExerciseTranslation(TranslationOptions):
    fields = DOSAGE_TEXT_FIELDS


def every_language(fields) -> list[str]:
    """Each translated field among `fields` as its columns in every language ("name" → "name_en_gb", "name_es"):
    what a copy from a template to a plan (or to another template) carries besides `fields`, so the copy keeps
    every language and not only the one active while copying."""
    translated = {*TEMPLATE_TEXT_FIELDS, *PHASE_TEXT_FIELDS, *DOSAGE_TEXT_FIELDS}
    codes = [code for code, _ in settings.LANGUAGES]
    return [build_localized_fieldname(name, code) for name in fields if name in translated for code in codes]
