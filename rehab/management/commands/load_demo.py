import logging
import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command, get_commands
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from portal import shared_care
from portal.care_messages import message_post
from portal.models import Athlete, CareTeamMember, Clinic, Clinician, Shoe
from portal.services import clinician_grant_access
from rehab.management.commands._demo_outcomes import DISCHARGED, load_demo_outcomes, load_discharged
from rehab.models import ChangeRequest, DailyLog, PhaseChange, Plan, PlanTemplate
from rehab.selectors import phase_on
from rehab.services import log_save, plan_assign, plan_move, status_refresh
from rehab.services.coach import coach_limits_set, request_create
from triage.models import Condition, Intake
from triage.services import intake_review, intake_submit

DEMO_DAYS = 21
DEMO_PASSWORD = "stride-demo"
# A phone number and email from the ranges set aside for examples (Ofcom's drama numbers, .example).
CLINIC = {
    "slug": "riverside",
    "name": "Riverside Running Physio",
    "phone": "020 7946 0321",
    "email": "care@riverside-physio.example",
    "address": "14 Riverside Walk\nLondon SE1 9AB",
    "opening_hours": "Mon–Fri 7:30–19:00, Sat 8:00–13:00",
    "out_of_hours": "Leave a message and we call back the next working day. Sudden severe pain, a fall, "
    "or you cannot put weight on the leg: call NHS 111, or 999 in an emergency.",
}
# Luis's club coach, outside the clinic: on his care team by his invite (portal.shared_care).
OUTSIDE_COACH = ("Cora Mensah", "cora@harriers.example", "Riverside Harriers")

CLINICIANS = [
    ("physio@demo.example", "Maya", "Okafor", Clinician.Profession.PHYSIOTHERAPIST),
    ("coach@demo.example", "Tom", "Reyes", Clinician.Profession.COACH),
]
ATHLETES = [
    {
        "email": "anna@demo.example",
        "review_in_days": 2,
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
        "story": "improving",
    },
    {
        "email": "luis@demo.example",
        "review_in_days": -1,
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
        "story": "flaring",
    },
    {
        "email": "sara@demo.example",
        "review_in_days": 7,
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
        "story": "silent",
    },
    {
        # A femoral neck bone stress injury, pain-free and past every criterion of the last no-running phase:
        # the plan waits for the physio's clearance before walk/jog starts.
        "email": "jade@demo.example",
        "first_name": "Jade",
        "last_name": "Okoye",
        "sex": "female",
        "date_of_birth": date(2002, 7, 19),
        "weekly_km": 55,
        "years_running": 6,
        "goal_event": "Autumn half marathon",
        "goal_date": date(2027, 9, 26),
        "shoes": [("Asics Novablast 4", 540)],
        "intake": {
            "age": 24,
            "sex": "female",
            "locations": ["groin_deep", "front"],
            "onset": "gradual",
            "duration_days": 18,
            "pain_running": 6,
            "pain_after": 5,
            "night_pain": True,
            "mileage_change_pct": 40,
            "hard_surfaces": True,
            "low_energy_risk": True,
            "running_focus": ["road", "long_distance"],
        },
        "condition": "stress_fracture",
        "protocol": "bone-stress-injury",
        "phase": 2,
        "moved_days_ago": 16,
        "story": "healing",
    },
]


@contextmanager
def _quiet_jobs():
    """The demo's three weeks of logs run a few hundred jobs in this process (without REDIS_URL): their log lines
    and the alert emails about made-up athletes would bury the demo logins printed at the end."""
    jobs_log = logging.getLogger("portal.jobs")
    level = jobs_log.level
    jobs_log.setLevel(logging.WARNING)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        jobs_log.setLevel(level)


class Command(BaseCommand):
    help = (
        "Create the demo clinic: one physiotherapist, one coach and five athletes with logins (one discharged). "
        "Safe to run again: existing records are kept, nothing is created twice."
    )

    def handle(self, *args, **options):
        # Content catalogs (exercise library, conditions, protocols) come with the demo when installed.
        for command in ("load_library", "load_conditions", "load_protocols"):
            if command in get_commands():
                call_command(command, verbosity=options["verbosity"])
        with _quiet_jobs():
            created = self.load()
        self.stdout.write(self.style.SUCCESS(f"Demo clinic ready ({created} new records)."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, first, last, profession in CLINICIANS:
            self.stdout.write(f"  {profession.label:<16} {first} {last:<10} {email}")
        for athlete in ATHLETES:
            self.stdout.write(
                f"  {'Athlete':<16} {athlete['first_name']} {athlete['last_name']:<10} {athlete['email']}"
            )
        self.stdout.write(
            f"  {'Athlete':<16} {DISCHARGED['first_name']} {DISCHARGED['last_name']:<10} {DISCHARGED['email']}"
            "  (discharged: her discharge report is on My plan)"
        )
        name, email, club = OUTSIDE_COACH
        self.stdout.write(f"  {'Luis’s own coach':<16} {name:<15} {email}  ({club}: sees Luis only)")

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

        clinic, new = Clinic.objects.get_or_create(slug=CLINIC["slug"], defaults=CLINIC)
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
            care = {key: data.pop(key) for key in ("intake", "condition", "protocol", "phase", "story")}
            care["moved_days_ago"] = data.pop("moved_days_ago", 12)
            # A review planned relative to the day the demo is loaded: one overdue, one soon, one next week.
            review = data.pop("review_in_days", None)
            if review is not None:
                data["next_review"] = timezone.localdate() + timedelta(days=review)
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
        # Outcome measures (issue #22): a baseline and a follow-up for each, and Priya's completed plan.
        created += load_discharged(clinic, physio, coach, user_for, _backdate)
        demo_athletes = Athlete.objects.filter(clinic=clinic, email__in=[a["email"] for a in ATHLETES])
        created += load_demo_outcomes(demo_athletes, physio, timezone.localdate())
        created += self.load_coach_part(physio.user, coach.user)
        created += self.load_messages(physio.user, coach.user)
        created += self.load_shared_care()
        return created

    # ---- Shared care (issue #21): Luis invited his club coach, who accepted with a login of her own.
    def load_shared_care(self) -> int:
        luis = Athlete.objects.filter(email="luis@demo.example").select_related("user", "clinic").first()
        name, email, club = OUTSIDE_COACH
        if luis is None or luis.user is None or luis.shared_care.filter(email=email).exists():
            return 0
        row, _link = shared_care.invite(athlete=luis, name=name, email=email, organisation=club, by=luis.user)
        coach = get_user_model().objects.filter(email=email).first()
        if coach is None:
            first, _space, last = name.partition(" ")
            coach = get_user_model().objects.create_user(
                email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
            )
        shared_care.accept_as(row=row, user=coach)
        return 2

    # ---- Messages on the care team (issue #21): Anna's thread with Maya and Tom, and their staff notes about her.
    def load_messages(self, physio, coach) -> int:
        anna = Athlete.objects.filter(email="anna@demo.example").select_related("user").first()
        if anna is None or anna.user is None or anna.messages.exists():
            return 0
        now = timezone.now()
        exchange = [
            (anna.user, "team", 47, "Hi Maya, the deep ache in my groin came back after sitting at my desk all "
             "afternoon. This morning's run felt fine (2/10). Should I skip tomorrow's session?"),
            (physio, "team", 46, "Thanks for telling me, Anna. An ache after long sitting is common with this "
             "kind of hip problem: stand up and move every 30 to 40 minutes. Keep tomorrow's run as planned "
             "while the pain stays at 3/10 or below, and log how it went."),
            (anna.user, "team", 45, "Will do, thank you! I'll set a timer at work."),
            (physio, "staff", 26, "Tom, Anna's sitting pain is flaring a little. Please keep her runs flat and "
             "on soft ground this week, no hills."),
            (coach, "staff", 25, "Noted. I'll move Thursday's run to the park loop and keep it at 25 minutes."),
            (coach, "team", 3, "Hi Anna, Tom here. Thursday's run moves to the flat park loop: 25 minutes easy, "
             "chatting pace. Tell me how the hip feels afterwards."),
        ]  # fmt: skip
        for author, channel, hours_ago, body in exchange:
            message_post(
                athlete=anna, author=author, channel=channel, body=body, now=now - timedelta(hours=hours_ago)
            )
        return len(exchange)

    # ---- The coach's part of a plan (issue #21): limits on Anna's plan, and one request waiting for the physio.
    def load_coach_part(self, physio, coach) -> int:

        plan = Plan.objects.filter(athlete__email="anna@demo.example", status=Plan.Status.ACTIVE).first()
        if plan is None or ChangeRequest.objects.filter(plan=plan).exists():
            return 0
        coach_limits_set(plan=plan, by=physio, seen=None, coach_max_session_minutes=35, coach_max_week_minutes=120,
                         coach_max_weekly_increase_pct=10, coach_advance_to=3)  # fmt: skip
        sessions = (plan.current_phase.sessions_per_week or 2) + 1
        request_create(plan=plan, by=coach, kind=ChangeRequest.Kind.RUNNING, proposed={"sessions_per_week": sessions},
                       reason="Anna has run pain-free for two weeks and asks for one more easy session a week.")  # fmt: skip
        return 2

    def load_care(self, athlete, by, *, intake, condition, protocol, phase, story, moved_days_ago) -> int:
        """A reviewed intake and an active plan at `phase`, so the demo shows the whole loop."""
        created = 0
        if not Intake.objects.filter(athlete=athlete).exists():
            submitted = intake_submit(athlete=athlete, by=athlete.user, answers=intake)
            intake_review(intake=submitted, by=by, condition=Condition.objects.get(code=condition),
                          notes="Findings match; start the matching rehab programme.")  # fmt: skip
            created += 1
        template = PlanTemplate.objects.filter(clinic=None, slug=protocol).first()
        if template is not None and not Plan.objects.filter(athlete=athlete).exists():
            today = timezone.localdate()
            start = today - timedelta(days=DEMO_DAYS + 3)
            plan = plan_assign(athlete=athlete, template=template, by=by, start=start,
                               goal=f"Back to training for {athlete.goal_event}")  # fmt: skip
            _backdate(plan.phase_changes.get(), start)
            target = plan.phases.filter(order=phase).first()
            if target is not None and phase > 1:
                moved = today - timedelta(days=moved_days_ago)
                change = plan_move(plan=plan, to_phase=target, by=by, today=moved,
                                   reason="Three sessions within the allowance; settled by the next morning.")  # fmt: skip
                _backdate(change, moved)
            created += 1
            created += demo_logs(athlete, story, today)
        return created


def _backdate(change, day) -> None:
    """Demo history: the phase change happened on `day`, not when the demo was loaded."""
    moment = timezone.make_aware(datetime.combine(day, time(9, 0)))
    PhaseChange.objects.filter(pk=change.pk).update(created=moment)


def demo_logs(athlete, story: str, today) -> int:
    """Three weeks of logs telling `story`: "improving", "flaring" (pain rising, an open alert), "silent"
    (logged for two weeks, then stopped) or "healing" (pain-free cross-training and exercises every day). Saved through the same service as the log page, day by day."""

    if DailyLog.objects.filter(athlete=athlete).exists():
        return 0
    rng = random.Random(f"{athlete.email}-{story}")
    plan = Plan.objects.select_related("current_phase").get(athlete=athlete, status=Plan.Status.ACTIVE)
    shoe = athlete.shoes.filter(retired=False).order_by("-km").first()
    last = DEMO_DAYS if story != "silent" else DEMO_DAYS - 6
    count = 0
    for n in range(last):
        day = today - timedelta(days=DEMO_DAYS - n)
        share = n / DEMO_DAYS  # 0 at the start, towards 1 at the end
        if story == "improving":
            pain = max(0, round(4 - 4 * share + rng.uniform(-0.6, 0.6)))
            morning, done, km = max(0, pain - 2), 0.9, 3.0 + 2 * share
        elif story == "flaring":
            pain = round(2 + (5 * (share - 0.6) / 0.4 if share > 0.6 else 0) + rng.uniform(-0.4, 0.4))
            morning, done, km = max(0, pain - 1), 0.75, 4.0 + 5 * share
        elif story == "healing":
            pain, morning, done, km = 0, 0, 1.0, 0.0
        else:
            pain = round(1.5 + rng.uniform(-0.6, 0.6))
            morning, done, km = 1, 0.5, 0.0
        pain = min(pain, 6)
        phase = phase_on(plan, day)
        run_day = n % 2 == 0
        rows = list(phase.exercises.all()) if phase else []
        sets = {
            row.pk: (row.sets or 1) * (row.times_per_day or 1) if rng.random() < done else 0 for row in rows
        }
        data = {
            "pain_during": pain if run_day else max(0, pain - 1),
            "pain_after": max(0, pain - 1) if run_day else max(0, pain - 2),
            "pain_next_morning": morning,
        }
        if (
            story == "healing"
            and phase is not None
            and phase.run_activity == "cross_train"
            and n % 7 in (0, 2, 4, 5)
        ):
            data["run_minutes"] = phase.run_minutes or 30  # the bike or the pool
        elif run_day and phase is not None and phase.run_activity not in ("none", "cross_train"):
            data |= {"run_minutes": phase.run_minutes or 20, "distance_km": Decimal(f"{km:.1f}") if km else None,
                     "shoe": shoe if km else None}  # fmt: skip
        log_save(athlete=athlete, day=day, data=data, sets=sets, today=day)
        count += 1
    status_refresh([athlete], today=today)
    return count
