"""The exercise text each language has its own copy of (django-modeltranslation): `name_en_gb`, `name_es`, …
beside `name`. Reading `exercise.name` gives the active language's text, or the English one while it has none
(MODELTRANSLATION_FALLBACK_LANGUAGES). The shipped catalog's Spanish comes from library/data/exercises_es.json
(`manage.py load_library`); a clinic's own exercise is written in its author's language."""

from modeltranslation.translator import TranslationOptions, register

from library.models import Exercise

TRANSLATED_FIELDS = ("name", "aliases", "steps", "cues", "mistakes", "avoid_when", "dosage_note")


@register(Exercise)
class ExerciseTranslation(TranslationOptions):
    fields = TRANSLATED_FIELDS
