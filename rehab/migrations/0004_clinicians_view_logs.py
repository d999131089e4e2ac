"""Clinicians may read their clinic's daily logs in the admin; logs are written by athletes only."""

from django.db import migrations

from portal.migration_helpers import grant_clinicians


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0003_daily_logs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_clinicians("rehab", ["view_dailylog", "view_exerciselog"])]
