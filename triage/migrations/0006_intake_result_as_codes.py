"""Stored results become codes: each English sentence an intake kept is mapped back to the code that says it
(triage/records.py), so the pages can show it in the reader's language. A sentence that does not match the engine's
English word for word stays as it was stored and is shown as stored. Going back puts the English in again."""

from django.db import migrations

from triage import records


def to_codes(apps, schema_editor):
    Intake = apps.get_model("triage", "Intake")
    changed = []
    for intake in Intake.objects.only("pk", "result").iterator(chunk_size=500):
        if records.is_english(intake.result):
            intake.result = records.from_english(intake.result)
            changed.append(intake)
    Intake.objects.bulk_update(changed, ["result"], batch_size=500)


def to_english(apps, schema_editor):
    Intake = apps.get_model("triage", "Intake")
    changed = []
    for intake in Intake.objects.only("pk", "result").iterator(chunk_size=500):
        if isinstance(intake.result, dict) and isinstance(intake.result.get("advice"), dict):
            intake.result = records.to_english(intake.result)
            changed.append(intake)
    Intake.objects.bulk_update(changed, ["result"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("triage", "0005_translatable_names")]

    operations = [migrations.RunPython(to_codes, to_english)]
