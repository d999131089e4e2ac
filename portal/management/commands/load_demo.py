from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command, get_commands
from django.db import transaction
from django.utils import timezone

from portal.models import Athlete, CareTeamMember, Clinic, Clinician, Shoe
from portal.services import clinician_grant_access

DEMO_PASSWORD = "stride-demo"
CLINIC = {"slug": "riverside", "name": "Riverside Running Physio"}
CLINICIANS = [
    ("physio@demo.example", "Maya", "Okafor", Clinician.Profession.PHYSIOTHERAPIST),
    ("coach@demo.example", "Tom", "Reyes", Clinician.Profession.COACH),
]
ATHLETES = [
    {
        "email": "anna@demo.example",
        "first_name": "Anna",
        "last_name": "Berg",
        "sex": "female",
        "date_of_birth": date(1982, 4, 12),
        "weekly_km": 45,
        "years_running": 12,
        "goal_event": "Copenhagen Marathon",
        "goal_date": date(2027, 5, 9),
        "shoes": [("Brooks Ghost 16", 640), ("Saucony Endorphin Speed 4", 210)],
        "intake": {
            "age": 44,
            "sex": "female",
            "locations": ["side"],
            "onset": "gradual",
            "duration_days": 21,
            "pain_running": 4,
            "pain_after": 3,
            "worse_lying_on_side": True,
            "mileage_change_pct": 25,
            "tests": {"resisted_clamshell": "pain", "leg_swing": "no_pain"},
        },
        "condition": "greater_trochanteric_pain",
        "protocol": "outer-hip-trochanteric",
        "phase": 2,
    },
    {
        "email": "luis@demo.example",
        "first_name": "Luis",
        "last_name": "Moreno",
        "sex": "male",
        "date_of_birth": date(1996, 9, 3),
        "weekly_km": 30,
        "years_running": 4,
        "goal_event": "City 10K",
        "goal_date": date(2027, 3, 21),
        "shoes": [("Nike Pegasus 41", 820)],
        "intake": {
            "age": 30,
            "sex": "male",
            "locations": ["front"],
            "onset": "sudden",
            "duration_days": 10,
            "pain_running": 3,
            "pain_after": 2,
            "pain_lifting_knee": True,
            "running_focus": ["sprint"],
            "tests": {"leg_swing": "pain"},
        },
        "condition": "hip_flexor_strain",
        "protocol": "return-to-run-4-phase",
        "phase": 3,
    },
    {
        "email": "sara@demo.example",
        "first_name": "Sara",
        "last_name": "Lindqvist",
        "sex": "female",
        "date_of_birth": date(2001, 1, 27),
        "weekly_km": 60,
        "years_running": 8,
        "goal_event": "Trail half marathon",
        "goal_date": date(2027, 6, 14),
        "shoes": [("Hoka Speedgoat 6", 310)],
        "intake": {
            "age": 25,
            "sex": "female",
            "locations": ["groin_deep"],
            "onset": "gradual",
            "duration_days": 30,
            "pain_running": 3,
            "pain_after": 2,
            "clicking_running": True,
            "worse_sitting": True,
            "running_focus": ["long_distance", "trail"],
            "tests": {"seated_rotation": "pain"},
        },
        "condition": "labral_tear",
        "protocol": "deep-hip-labral-impingement",
        "phase": 1,
    },
]


class Command(BaseCommand):
    help = (
        "Create the demo clinic: one physiotherapist, one coach and three athletes with logins. "
        "Safe to run again: existing records are kept, nothing is created twice."
    )

    def handle(self, *args, **options):
        # Content catalogs (exercise library, conditions, protocols) come with the demo when installed.
        for command in ("load_library", "load_conditions", "load_protocols"):
            if command in get_commands():
                call_command(command, verbosity=options["verbosity"])
        created = self.load()
        self.stdout.write(self.style.SUCCESS(f"Demo clinic ready ({created} new records)."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, first, last, profession in CLINICIANS:
            self.stdout.write(f"  {profession.label:<16} {first} {last:<10} {email}")
        for athlete in ATHLETES:
            self.stdout.write(
                f"  {'Athlete':<16} {athlete['first_name']} {athlete['last_name']:<10} {athlete['email']}"
            )

    @transaction.atomic
    def load(self) -> int:
        created = 0
        User = get_user_model()

        def user_for(email, first, last):
            nonlocal created
            user, new = User.objects.get_or_create(
                email=email, defaults={"first_name": first, "last_name": last}
            )
            if new:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created += 1
            return user

        clinic, new = Clinic.objects.get_or_create(slug=CLINIC["slug"], defaults={"name": CLINIC["name"]})
        created += new
        clinicians = []
        for email, first, last, profession in CLINICIANS:
            user = user_for(email, first, last)
            clinician, new = Clinician.objects.get_or_create(
                user=user, defaults={"clinic": clinic, "profession": profession}
            )
            created += new
            clinician_grant_access(user)
            clinicians.append(clinician)
        physio, coach = clinicians
        for data in ATHLETES:
            data = dict(data)
            shoes = data.pop("shoes")
            care = {key: data.pop(key) for key in ("intake", "condition", "protocol", "phase")}
            user = user_for(data["email"], data["first_name"], data["last_name"])
            athlete, new = Athlete.objects.get_or_create(
                clinic=clinic, email=data["email"], defaults={**data, "user": user}
            )
            created += new
            for clinician, primary in ((physio, True), (coach, False)):
                _, new = CareTeamMember.objects.get_or_create(
                    athlete=athlete, clinician=clinician, defaults={"is_primary": primary}
                )
                created += new
            for name, km in shoes:
                _, new = Shoe.objects.get_or_create(athlete=athlete, name=name, defaults={"km": km})
                created += new
            created += self.load_care(athlete, physio.user, **care)
        return created

    def load_care(self, athlete, by, *, intake, condition, protocol, phase) -> int:
        """A reviewed intake and an active plan at `phase`, so the demo shows the whole loop."""
        from rehab.models import Plan, PlanTemplate
        from rehab.services import plan_assign, plan_move
        from triage.models import Condition, Intake
        from triage.services import intake_review, intake_submit

        created = 0
        if not Intake.objects.filter(athlete=athlete).exists():
            submitted = intake_submit(athlete=athlete, by=athlete.user, answers=intake)
            intake_review(intake=submitted, by=by, condition=Condition.objects.get(code=condition),
                          notes="Findings match; start the matching rehab programme.")  # fmt: skip
            created += 1
        template = PlanTemplate.objects.filter(clinic=None, slug=protocol).first()
        if template is not None and not Plan.objects.filter(athlete=athlete).exists():
            start = timezone.localdate() - timedelta(days=7 * phase)
            plan = plan_assign(athlete=athlete, template=template, by=by, start=start,
                               goal=f"Back to training for {athlete.goal_event}")  # fmt: skip
            target = plan.phases.filter(order=phase).first()
            if target is not None and phase > 1:
                plan_move(plan=plan, to_phase=target, by=by, reason="Pain-free sessions in the last week.",
                          today=timezone.localdate() - timedelta(days=3))  # fmt: skip
            created += 1
        return created
