"""Every write to the exercise library: pages, admin, API and the loader all come through here."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from modeltranslation.utils import build_localized_fieldname, fallbacks

from library import caching
from library.models import DOSAGE_FIELDS, LIST_FIELDS, Exercise
from library.permissions import exercise_editable_by
from library.selectors import clinic_copy_of
from library.text import search_text_for
from library.translation import TRANSLATED_FIELDS
from portal import images
from portal.jobs import enqueue
from portal.models import Clinic
from portal.permissions import clinician_of

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "exercises.json"
# The catalog's text in another language, keyed by slug: library/data/exercises_es.json for "es".
TRANSLATIONS_PATH = CATALOG_PATH.parent / "exercises_{language}.json"
ENGLISH = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
OTHER_LANGUAGES = [code for code, _ in settings.LANGUAGES if code != ENGLISH]

# What clinicians may set on their exercises (pages, admin and API alike).
EDITABLE_FIELDS = [
    "name",
    "kind",
    "difficulty",
    "regions",
    "equipment",
    *LIST_FIELDS,
    *DOSAGE_FIELDS,
    "dosage_note",
    "image",
    "video_url",
    "source",
    "active",
]


def exercise_save(exercise: Exercise) -> Exercise:
    """Refresh the derived search text, validate everything and save; a new image is stored re-encoded
    (portal.images), and the printed programs that show a changed exercise are rendered again (a job)."""
    changed = exercise.pk is not None
    exercise.search_text = _search_text(exercise.__dict__)
    exercise.full_clean()
    if exercise.image and not exercise.image._committed:
        exercise.image = images.reencode(exercise.image)
    exercise.save()
    if changed:
        enqueue("rehab.prerender_exercises", [exercise.pk])
    return exercise


@transaction.atomic
def exercise_create(*, clinic: Clinic, by, **fields) -> Exercise:
    """A new exercise owned by `clinic`; its slug is made from the name and kept unique in the clinic."""
    clinician = clinician_of(by)
    if not (by.is_superuser or (clinician is not None and clinician.clinic_id == clinic.pk)):
        raise PermissionDenied("Only the clinic's clinicians can add exercises to it.")
    exercise = Exercise(clinic=clinic)
    _assign(exercise, fields)
    exercise.slug = _free_slug(clinic, exercise.name)
    return exercise_save(exercise)


@transaction.atomic
def exercise_update(*, exercise: Exercise, by, **fields) -> Exercise:
    """Change an exercise `by` may edit (their clinic's; the shipped catalog only for superusers)."""
    if not exercise_editable_by(by, exercise):
        raise PermissionDenied("You cannot change this exercise.")
    _assign(exercise, fields)
    return exercise_save(exercise)


@transaction.atomic
def exercise_copy_to_clinic(*, exercise: Exercise, clinic: Clinic, by) -> tuple[Exercise, bool]:
    """Copy a shipped exercise into `clinic` so it can be tailored; returns (copy, created).

    A clinic keeps one copy per shipped exercise: copying again returns the existing copy.
    """
    if not exercise.is_shipped:
        raise ValidationError("Only exercises from the shipped catalog can be copied into a clinic.")
    existing = clinic_copy_of(exercise, clinic.pk)
    if existing is not None:
        return existing, False
    fields = {name: getattr(exercise, name) for name in EDITABLE_FIELDS if name != "image"}
    fields.update({name: list(fields[name]) for name in [*LIST_FIELDS, "regions", "equipment"]})
    fields["active"] = True
    copy = exercise_create(clinic=clinic, by=by, **fields)
    copy.copied_from = exercise
    if exercise.image:
        with exercise.image.open("rb") as original:
            copy.image.save(Path(exercise.image.name).name, ContentFile(original.read()), save=False)
    copy.save(update_fields=["copied_from", "image"])
    return copy, True


def _assign(exercise: Exercise, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        # save_form_data gives files their form meaning: None keeps the current image, False clears it.
        Exercise._meta.get_field(name).save_form_data(exercise, value)


def _free_slug(clinic: Clinic, name: str) -> str:
    base = slugify(name)[:70].strip("-") or "exercise"
    taken = set(Exercise.objects.filter(clinic=clinic, slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


# The shipped catalog ------------------------------------------------------------------------------------

ENTRY_KEYS = {"slug", "name", "kind", "difficulty", "regions", "equipment", "dosage", "source", *LIST_FIELDS}
OPTIONAL_ENTRY_KEYS = {"video_url", "active"}
DOSAGE_KEYS = {*DOSAGE_FIELDS, "note"}


@dataclass
class CatalogLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0


def catalog_read(path: Path = CATALOG_PATH) -> list[dict]:
    with open(path, encoding="utf-8") as file:
        entries = json.load(file)
    if not isinstance(entries, list):
        raise ValidationError(f"{path}: expected a list of exercises.")
    return entries


def translations_read() -> dict[str, dict[str, dict]]:
    """{language: {slug: {field: text}}} from the shipped translation files (a language without one: empty)."""
    read = {}
    for language in OTHER_LANGUAGES:
        path = Path(str(TRANSLATIONS_PATH).format(language=language))
        if not path.exists():
            read[language] = {}
            continue
        with open(path, encoding="utf-8") as file:
            entries = json.load(file)
        if not isinstance(entries, dict):
            raise ValidationError(f"{path}: expected the exercises' texts by slug.")
        read[language] = entries
    return read


@transaction.atomic
def catalog_load(
    entries: list[dict], translations: dict[str, dict[str, dict]] | None = None
) -> CatalogLoadResult:
    """Create or update the shipped exercises (clinic empty) from catalog entries, matched by slug, with their
    texts in other languages from `translations` (translations_read; None leaves those texts as they are).

    Clinic exercises are never touched. Shipped exercises missing from `entries` are deactivated, not
    deleted, because plans may still use them. Running it twice changes nothing the second time.
    """
    result = CatalogLoadResult()
    existing = {exercise.slug: exercise for exercise in Exercise.objects.filter(clinic__isnull=True)}
    seen, updated = set(), []
    for entry in entries:
        values = _entry_values(entry, translations)
        slug = entry["slug"]
        if slug in seen:
            raise ValidationError(f"{slug}: listed twice in the catalog.")
        seen.add(slug)
        exercise = existing.get(slug)
        if exercise is None:
            exercise = Exercise(clinic=None, slug=slug, **values)
            result.created += 1
        else:
            changed = {name: value for name, value in values.items() if getattr(exercise, name) != value}
            if not changed:
                result.unchanged += 1
                continue
            for name, value in changed.items():
                setattr(exercise, name, value)
            result.updated += 1
            updated.append(exercise)
        try:
            with fallbacks(False):  # the English the file gives, not another language's in its place
                exercise.full_clean()
        except ValidationError as error:
            raise ValidationError(f"{slug}: {'; '.join(_messages(error))}") from error
        exercise.save()
    result.deactivated = (
        Exercise.objects.filter(clinic__isnull=True, active=True).exclude(slug__in=seen).update(active=False)
    )
    if result.deactivated:
        caching.library_changed()  # a queryset update sends no signal: the API's cached pages are outdated
    if updated:  # the printed programs that show them are rendered again (a job)
        enqueue("rehab.prerender_exercises", [exercise.pk for exercise in updated])
    return result


def _entry_values(entry: dict, translations: dict[str, dict[str, dict]] | None = None) -> dict:
    slug = entry.get("slug") if isinstance(entry, dict) else None
    if not slug:
        raise ValidationError(f"A catalog entry has no slug: {str(entry)[:80]}")
    missing = ENTRY_KEYS - set(entry)
    unknown = set(entry) - ENTRY_KEYS - OPTIONAL_ENTRY_KEYS
    dosage = entry.get("dosage") or {}
    unknown_dosage = set(dosage) - DOSAGE_KEYS
    if missing or unknown or unknown_dosage:
        problems = [
            f"missing {sorted(missing)}" if missing else "",
            f"unknown {sorted(unknown)}" if unknown else "",
        ]
        problems.append(f"unknown dosage keys {sorted(unknown_dosage)}" if unknown_dosage else "")
        raise ValidationError(f"{slug}: {', '.join(p for p in problems if p)}.")
    values = {
        "name": entry["name"],
        "kind": entry["kind"],
        "difficulty": entry["difficulty"],
        "regions": list(dict.fromkeys(entry["regions"])),
        "equipment": list(dict.fromkeys(entry["equipment"])),
        **{name: entry[name] for name in LIST_FIELDS},
        **{name: dosage.get(name) for name in DOSAGE_FIELDS},
        "dosage_note": dosage.get("note") or "",
        "source": entry["source"],
        "video_url": entry.get("video_url", ""),
        "active": entry.get("active", True),
    }
    values["per_side"] = bool(values["per_side"])
    # The catalog file is English; each text goes to its English column, and to its column in another
    # language from that language's file (None where it has none: the English is shown).
    for field in TRANSLATED_FIELDS:
        values[build_localized_fieldname(field, ENGLISH)] = values.pop(field)
    for language, texts in (translations or {}).items():
        text = texts.get(slug) or {}
        unknown = set(text) - set(TRANSLATED_FIELDS)
        if unknown:
            raise ValidationError(f"{slug}: unknown {sorted(unknown)} in its {language} texts.")
        for field in TRANSLATED_FIELDS:
            value = text.get(field) or None
            if value is not None and not _text_like(value, lines=field in LIST_FIELDS):
                raise ValidationError(
                    f"{slug}: {field} in its {language} texts must be "
                    f"{'a list of lines of text' if field in LIST_FIELDS else 'a text'}."
                )
            values[build_localized_fieldname(field, language)] = value
    values["search_text"] = _search_text(values)
    return values


def _text_like(value, *, lines: bool) -> bool:
    if lines:
        return isinstance(value, list) and all(isinstance(line, str) and line.strip() for line in value)
    return isinstance(value, str)


def _search_text(values: dict) -> str:
    """The search text of every language's name, aliases and cues, so a search finds an exercise in either."""
    languages = [ENGLISH, *OTHER_LANGUAGES]

    def texts(field):
        return [values.get(build_localized_fieldname(field, language)) for language in languages]

    names = [name for name in texts("name") if name]
    aliases = [alias for lines in texts("aliases") if lines for alias in lines]
    cues = [cue for lines in texts("cues") if lines for cue in lines]
    return search_text_for(name=" ".join(names), aliases=aliases, cues=cues)


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
    return error.messages
