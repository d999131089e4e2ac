"""Helpers for data migrations. Keep them stable: old migrations import them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICIANS_GROUP = "Clinicians"


def grant_clinicians(app_label: str, codenames: list[str]) -> migrations.RunPython:
    """A migration operation giving the Clinicians group `codenames` of `app_label` (and taking them back)."""

    def permissions(apps):
        Permission = apps.get_model("auth", "Permission")
        return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)

    def grant(apps, schema_editor):
        config = apps.get_app_config(app_label)
        # The migration state's app stub has no models module, which create_permissions insists on.
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
        group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=CLINICIANS_GROUP)
        group.permissions.add(*permissions(apps))

    def revoke(apps, schema_editor):
        for group in apps.get_model("auth", "Group").objects.filter(name=CLINICIANS_GROUP):
            group.permissions.remove(*permissions(apps))

    return migrations.RunPython(grant, revoke)
