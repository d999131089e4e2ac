"""The conditions' sources become citations a clinician can look up (they were notes on where the rules came
from); rows already in the database take the engine's current wording."""

from django.db import migrations


def update_sources(apps, schema_editor):
    from triage import engine

    Condition = apps.get_model("triage", "Condition")
    for code, definition in engine.CONDITIONS.items():
        Condition.objects.filter(code=code).update(source=definition.source)


class Migration(migrations.Migration):
    dependencies = [("triage", "0003_clinicians_group")]

    operations = [migrations.RunPython(update_sources, migrations.RunPython.noop)]
