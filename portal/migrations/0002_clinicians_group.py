"""The "Clinicians" group: what physiotherapists and coaches may do in the admin.

Row-level limits (their own clinic only) are applied by the admin classes through portal.permissions;
these are the model-level permissions. Later apps grant their own models in their own migrations.
"""

from django.db import migrations

from portal.migration_helpers import grant_clinicians

CLINICIAN_PERMISSIONS = [
    "view_clinic",
    "view_clinician",
    "add_athlete",
    "change_athlete",
    "view_athlete",
    "add_shoe",
    "change_shoe",
    "delete_shoe",
    "view_shoe",
    "add_careteammember",
    "change_careteammember",
    "delete_careteammember",
    "view_careteammember",
    "view_invite",
]


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_clinicians("portal", CLINICIAN_PERMISSIONS)]
