"""Plan.pain_free: the bone-stress-injury rule, stored on the plan instead of read from its template each time.

Existing plans get it when their template is for a bone stress injury, or when a clinician confirmed a bone
stress injury on the athlete's latest reviewed intake (before, such a plan on another template went without it).
"""

from django.db import migrations, models

PAIN_FREE_CONDITIONS = ("stress_fracture",)  # rehab.selectors.PAIN_FREE_CONDITIONS when this was written


def set_pain_free(apps, schema_editor):
    Plan = apps.get_model("rehab", "Plan")
    Intake = apps.get_model("triage", "Intake")
    by_template = Plan.objects.filter(template__conditions__code__in=PAIN_FREE_CONDITIONS)
    by_template.update(pain_free=True)
    latest = {}
    intakes = Intake.objects.filter(confirmed_condition__isnull=False).order_by("created")
    for athlete_id, code in intakes.values_list("athlete_id", "confirmed_condition__code"):
        latest[athlete_id] = code
    athletes = [pk for pk, code in latest.items() if code in PAIN_FREE_CONDITIONS]
    for start in range(0, len(athletes), 500):
        Plan.objects.filter(athlete_id__in=athletes[start : start + 500]).update(pain_free=True)


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0005_plan_changed_by"),
        ("triage", "0003_clinicians_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="pain_free",
            field=models.BooleanField(
                default=False,
                help_text="For a bone stress injury: any pain, during, after or the next morning, holds the phase.",
                verbose_name="pain-free rule",
            ),
        ),
        migrations.RunPython(set_pain_free, migrations.RunPython.noop),
    ]
