"""A new database starts with the engine's condition catalogue; `manage.py load_conditions` keeps it in sync."""

from django.db import migrations


def load(apps, schema_editor):
    from triage.services import conditions_sync

    conditions_sync(apps.get_model("triage", "Condition"))


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
