"""Clinicians manage plans and their own clinic templates in the admin.

Rows are limited by the rehab admin classes (clinic scoping; shipped templates read-only).
"""

from django.db import migrations

from portal.migration_helpers import grant_clinicians

CLINICIAN_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("plantemplate", "phasetemplate", "phaseexercisetemplate", "plan", "planphase", "planexercise")
    for action in ("add", "change", "view", "delete")
    if not (model == "plan" and action in ("add", "delete"))
]


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0001_initial"),
        ("portal", "0002_clinicians_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_clinicians("rehab", CLINICIAN_PERMISSIONS)]
