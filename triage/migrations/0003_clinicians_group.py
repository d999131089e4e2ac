"""Clinicians read the condition catalogue and read / review their clinic's intakes in the admin."""

from django.db import migrations

from portal.migration_helpers import grant_clinicians

CLINICIAN_PERMISSIONS = ["view_condition", "view_intake", "change_intake"]


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_load_conditions"),
        ("portal", "0002_clinicians_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_clinicians("triage", CLINICIAN_PERMISSIONS)]
