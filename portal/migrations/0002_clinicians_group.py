"""The "Clinicians" group: what physiotherapists and coaches may do in the admin.

Row-level limits (their own clinic only) are applied by the admin classes through portal.permissions;
these are the model-level permissions. Later apps grant their own models in their own migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    config = apps.get_app_config("portal")
    config.models_module = True  # the migration state's app stub has none; create_permissions checks it
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Clinicians")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="portal", codename__in=CLINICIAN_PERMISSIONS)
    )


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Clinicians").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
