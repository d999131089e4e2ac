"""The exercise text each language has its own copy of (django-modeltranslation): `name_en_gb`, `name_es`, …
beside `name`. Reading `exercise.name` gives the active language's text, or the English one while it has none
(MODELTRANSLATION_FALLBACK_LANGUAGES). The shipped catalog's Spanish comes from library/data/exercises_es.json
(`manage.py load_library`); a clinic's own exercise is written in its author's language."""

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname

from library.models import Exercise

TRANSLATED_FIELDS = ("name", "aliases", "steps", "cues", "mistakes", "avoid_when", "dosage_note")


@register(Exercise)
class ExerciseTranslation(TranslationOptions):
    fields = TRANSLATED_FIELDS


def localized(path: str):
    """A query expression for a translated short text reached through a relation (e.g. "exercise__name" from a plan's
    exercise), in the active language, else English, else the other: modeltranslation translates an exercise's
    own fields, not a lookup through another model, which would read the text as it was last saved."""
    codes = [code for code, _ in settings.LANGUAGES]
    active = get_language()
    order = [active] if active in codes else []
    order += [code for code in settings.MODELTRANSLATION_FALLBACK_LANGUAGES if code not in order]
    text = CharField()
    texts = [NullIf(F(build_localized_fieldname(path, code)), Value(""), output_field=text) for code in order]
    return Coalesce(*texts, F(path), output_field=text)
