"""When a plan was marked completed, kept on the plan (it was read from `updated`, which any later change moves).
Plans completed before this migration take their last change as the day they were completed, as the discharge
report and the questionnaire schedule read it until now."""

from django.db import migrations, models
from django.db.models import F


def completed_when_last_changed(apps, schema_editor):
    Plan = apps.get_model("rehab", "Plan")
    Plan.objects.filter(status="completed", completed_at__isnull=True).update(completed_at=F("updated"))


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0020_reasons_to_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="completed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="completed at"),
        ),
        migrations.RunPython(completed_when_last_changed, migrations.RunPython.noop),
    ]
