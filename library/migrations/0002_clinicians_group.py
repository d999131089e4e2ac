"""Clinicians add, change and view exercises in the admin.

Rows are limited by ExerciseAdmin (shipped catalog plus their clinic's own; shipped rows read-only).
"""

from django.db import migrations

from portal.migration_helpers import grant_clinicians

CLINICIAN_PERMISSIONS = ["add_exercise", "change_exercise", "view_exercise"]


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
        ("portal", "0002_clinicians_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_clinicians("library", CLINICIAN_PERMISSIONS)]
