"""Clinicians see and resolve their clinic's alerts in the admin (rows are limited by ClinicScopedAdmin)."""

from django.db import migrations

from portal.migration_helpers import grant_clinicians

CLINICIAN_PERMISSIONS = ["view_alert", "change_alert"]


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_alert")]

    operations = [grant_clinicians("portal", CLINICIAN_PERMISSIONS)]
