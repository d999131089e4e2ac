from datetime import date

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command, get_commands
from django.db import transaction

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
        return created
