import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction
from modeltranslation.utils import build_localized_fieldname

from library.models import Exercise
from rehab.models import PhaseExerciseTemplate, PhaseTemplate, PlanTemplate
from triage.models import Condition

DATA = Path(__file__).resolve().parents[2] / "data" / "protocols.json"
# The protocols' text in another language, keyed by slug: rehab/data/protocols_es.json for "es".
TRANSLATIONS = "protocols_{language}.json"
ENGLISH = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
OTHER_LANGUAGES = [code for code, _ in settings.LANGUAGES if code != ENGLISH]


class Command(BaseCommand):
    help = (
        "Load the shipped protocol templates from rehab/data/protocols.json, their Spanish from "
        "protocols_es.json beside it. Safe to run again: changed "
        "templates are updated, unchanged ones are left alone, clinics' own templates and assigned plans are "
        "never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA)

    def handle(self, *args, file: Path, **options):
        try:
            templates = json.loads(file.read_text(encoding="utf-8"))
            translations = translations_read(file.parent)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        if not Condition.objects.exists():
            call_command("load_conditions", verbosity=0)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with transaction.atomic():
            for data in templates:
                texts = {
                    language: entries.get(data["slug"]) or {} for language, entries in translations.items()
                }
                counts[self.load_one(data, texts)] += 1
        self.stdout.write(
            f"Protocols: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged."
        )

    def load_one(self, data: dict, texts: dict[str, dict]) -> str:
        """Create or update one template; `texts` is its text in each other language ({language: {...}})."""
        hashed = data if not any(texts.values()) else {"protocol": data, "languages": texts}
        digest = hashlib.sha256(json.dumps(hashed, sort_keys=True).encode()).hexdigest()
        template = PlanTemplate.objects.filter(clinic=None, slug=data["slug"]).first()
        if template is not None and template.data_hash == digest:
            return "unchanged"
        outcome = "created" if template is None else "updated"
        template = template or PlanTemplate(slug=data["slug"])
        low, high = data.get("duration_weeks") or (None, None)
        columns = {"name": data["name"], "summary": data.get("summary", "")}
        for language, text in texts.items():
            _check_keys(data["slug"], language, text, {"name", "summary", "phases"})
            if len(text.get("phases", [])) not in (0, len(data["phases"])):
                raise CommandError(f"{data['slug']}: its {language} text has a different number of phases.")
        for field, english in columns.items():
            setattr(template, build_localized_fieldname(field, ENGLISH), english)
            for language, text in texts.items():
                setattr(template, build_localized_fieldname(field, language), text.get(field) or None)
        template.duration_weeks_min, template.duration_weeks_max = low, high
        template.active, template.data_hash = True, digest
        template.full_clean()
        template.save()

        codes = set(data.get("conditions", []))
        conditions = list(Condition.objects.filter(code__in=codes))
        if missing := codes - {c.code for c in conditions}:
            raise CommandError(f"{data['slug']}: unknown condition codes {sorted(missing)}")
        template.conditions.set(conditions)

        slugs = {row["exercise"] for phase in data["phases"] for row in phase["exercises"]}
        exercises = {e.slug: e for e in Exercise.objects.filter(clinic=None, slug__in=slugs)}
        if missing := slugs - exercises.keys():
            raise CommandError(
                f"{data['slug']}: unknown exercise slugs {sorted(missing)} (run load_library first)"
            )

        template.phases.all().delete()
        for order, phase_data in enumerate(data["phases"], start=1):
            phase_texts = {
                lang: (text.get("phases") or [{}] * order)[order - 1] for lang, text in texts.items()
            }
            listed = {row["exercise"] for row in phase_data["exercises"]}
            for language, text in phase_texts.items():
                _check_keys(data["slug"], language, text, {*PHASE_TEXTS, "exercises"})
                if stray := set(text.get("exercises") or {}) - listed:
                    raise CommandError(
                        f"{data['slug']} phase {order}: {language} notes for exercises it does not list: "
                        f"{sorted(stray)}"
                    )
            fields = phase_fields(phase_data)
            phase = PhaseTemplate(
                template=template, order=order, **localized(fields, PHASE_TEXTS, phase_texts)
            )
            phase.full_clean()
            phase.save()
            rows = []
            for position, row in enumerate(phase_data["exercises"], start=1):
                dosage = {k: v for k, v in row.items() if k != "exercise"}
                notes = {lang: {"note": (text.get("exercises") or {}).get(row["exercise"])}
                         for lang, text in phase_texts.items()}  # fmt: skip
                dosage = localized({"note": "", **dosage}, ("note",), notes)
                rows.append(PhaseExerciseTemplate(phase=phase, exercise=exercises[row["exercise"]], order=position,
                                                  **dosage))  # fmt: skip
            for row in rows:
                row.full_clean(exclude=["phase"])
            PhaseExerciseTemplate.objects.bulk_create(rows)
        return outcome


# A phase's text: its columns, and its keys in the other languages' files (beside "exercises": {slug: note}).
PHASE_TEXTS = ("name", "goal", "exit_criteria", "pain_note", "run_note")


def translations_read(folder: Path) -> dict[str, dict]:
    """{language: {slug: texts}} from the translation files beside the protocols (a language without one: empty)."""
    read = {}
    for language in OTHER_LANGUAGES:
        path = folder / TRANSLATIONS.format(language=language)
        entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(entries, dict):
            raise ValueError(f"{path}: expected the protocols' texts by slug.")
        read[language] = entries
    return read


def localized(fields: dict, texts, translations: dict[str, dict]) -> dict:
    """`fields` with each of `texts` as its English column, and its column in each other language from
    `translations` ({language: {field: text}}; None where a language has none: the English is shown)."""
    values = dict(fields)
    for field in texts:
        values[build_localized_fieldname(field, ENGLISH)] = values.pop(field)
        for language, text in translations.items():
            value = text.get(field) or None
            if value is not None and not isinstance(value, str):
                raise CommandError(f"{field} in the {language} text must be a text, not {value!r}.")
            values[build_localized_fieldname(field, language)] = value
    return values


def _check_keys(slug: str, language: str, text, known: set) -> None:
    if not isinstance(text, dict) or set(text) - known:
        unknown = sorted(set(text) - known) if isinstance(text, dict) else text
        raise CommandError(f"{slug}: unknown {unknown} in its {language} text.")


def phase_fields(data: dict) -> dict:
    pain, run = data.get("pain_rule", {}), data.get("run", {})
    return {
        "name": data["name"],
        "goal": data.get("goal", ""),
        "min_days": data.get("min_days", 7),
        "exit_criteria": data.get("exit_criteria", ""),
        "structured_criteria": data.get("criteria", []),
        "max_pain_during": pain.get("max_during", 2),
        "max_pain_after": pain.get("max_after", 2),
        "must_settle_by_morning": pain.get("must_settle_by_morning", True),
        "next_day_pain_allowed": pain.get("next_day_pain_allowed", False),
        "pain_note": pain.get("note", ""),
        "run_activity": run.get("activity", "none"),
        "run_minutes": run.get("minutes"),
        "sessions_per_week": run.get("sessions_per_week"),
        "walk_minutes": run.get("walk_minutes"),
        "jog_minutes": run.get("jog_minutes"),
        "incline_pct": run.get("incline_pct"),
        "weekly_increase_cap_pct": run.get("weekly_increase_cap_pct"),
        "run_note": run.get("note", ""),
        "run_steps": run.get("steps", []),
        "requires_clearance": data.get("requires_clearance", False),
    }
