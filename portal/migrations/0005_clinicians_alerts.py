"""Clinicians see and resolve their clinic's alerts in the admin (rows are limited by ClinicScopedAdmin)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICIAN_PERMISSIONS = ["view_alert", "change_alert"]


def grant(apps, schema_editor):
    config = apps.get_app_config("portal")
    config.models_module = True  # see 0002: the migration state's app stub has no models module
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Clinicians")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="portal", codename__in=CLINICIAN_PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Clinicians"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="portal", codename__in=CLINICIAN_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_alert")]

    operations = [migrations.RunPython(grant, revoke)]
