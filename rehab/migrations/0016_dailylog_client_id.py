from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0015_structured_exit_criteria"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailylog",
            name="client_id",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
    ]
