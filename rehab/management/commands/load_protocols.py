import hashlib
import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

from library.models import Exercise
from rehab.models import PhaseExerciseTemplate, PhaseTemplate, PlanTemplate
from triage.models import Condition

DATA = Path(__file__).resolve().parents[2] / "data" / "protocols.json"


class Command(BaseCommand):
    help = (
        "Load the shipped protocol templates from rehab/data/protocols.json. Safe to run again: changed "
        "templates are updated, unchanged ones are left alone, clinics' own templates and assigned plans are "
        "never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA)

    def handle(self, *args, file: Path, **options):
        try:
            templates = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        if not Condition.objects.exists():
            call_command("load_conditions", verbosity=0)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with transaction.atomic():
            for data in templates:
                counts[self.load_one(data)] += 1
        self.stdout.write(
            f"Protocols: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged."
        )

    def load_one(self, data: dict) -> str:
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        template = PlanTemplate.objects.filter(clinic=None, slug=data["slug"]).first()
        if template is not None and template.data_hash == digest:
            return "unchanged"
        outcome = "created" if template is None else "updated"
        template = template or PlanTemplate(slug=data["slug"])
        low, high = data.get("duration_weeks") or (None, None)
        template.name, template.summary = data["name"], data.get("summary", "")
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
            phase = PhaseTemplate(template=template, order=order, **phase_fields(phase_data))
            phase.full_clean()
            phase.save()
            rows = []
            for position, row in enumerate(phase_data["exercises"], start=1):
                dosage = {k: v for k, v in row.items() if k != "exercise"}
                rows.append(PhaseExerciseTemplate(phase=phase, exercise=exercises[row["exercise"]], order=position,
                                                  **dosage))  # fmt: skip
            for row in rows:
                row.full_clean(exclude=["phase"])
            PhaseExerciseTemplate.objects.bulk_create(rows)
        return outcome


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
