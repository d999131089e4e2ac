"""Clinicians manage plans and their own clinic templates in the admin.

Rows are limited by the rehab admin classes (clinic scoping; shipped templates read-only).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICIAN_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("plantemplate", "phasetemplate", "phaseexercisetemplate", "plan", "planphase", "planexercise")
    for action in ("add", "change", "view", "delete")
    if not (model == "plan" and action in ("add", "delete"))
]


def grant(apps, schema_editor):
    config = apps.get_app_config("rehab")
    config.models_module = True  # see portal/0002: the migration state's app stub has no models module
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Clinicians")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="rehab", codename__in=CLINICIAN_PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Clinicians"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="rehab", codename__in=CLINICIAN_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0001_initial"),
        ("portal", "0002_clinicians_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
