"""The demo's outcome measures (issue #22), used by load_demo: each demo athlete's questionnaires and clinic tests
at the start of their plan and at one follow-up, and Priya, discharged a week ago after a hamstring plan, whose
discharge report is fully filled in. Everything is saved through the same services as the pages
(outcomes.services, rehab.services), dated inside each plan's own dates. Safe to run again: an athlete who has
questionnaires or visits already is left alone.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from outcomes import questionnaires, services
from outcomes.models import QuestionnaireResponse, Visit
from portal.models import Athlete, CareTeamMember
from rehab.models import Plan, PlanTemplate
from rehab.selectors import phase_on
from rehab.services import log_save, plan_assign, plan_move, plan_set_status, status_refresh
from triage.models import Condition, Intake
from triage.services import intake_review, intake_submit

FOLLOW_UP_DAYS_AGO = 4
# Per demo athlete: the affected side, NPRS and PSFS at baseline → follow-up, single-leg squat (reps, pain) per
# side and hip abduction strength (left, right in N) at the two visits. The numbers follow each athlete's story.
OUTCOMES = {
    "anna@demo.example": {  # outer hip, improving
        "side": "right",
        "nprs": (5, 2),
        "psfs": (["Running 10 km", "Lying on my right side", "Climbing stairs"], (3, 2, 5), (6, 6, 8)),
        "squat": {"left": ((12, 0), (12, 0)), "right": ((6, 4), (10, 2))},
        "hhd": ((212, 164), (215, 191)),
    },
    "luis@demo.example": {  # front of the hip, flaring with the sprint work
        "side": "left",
        "nprs": (3, 5),
        "psfs": (["Sprinting", "Running uphill", "Kicking a ball"], (4, 5, 3), (4, 4, 3)),
        "squat": {"left": ((10, 2), (9, 3)), "right": ((12, 0), (12, 0))},
        "hhd": ((226, 238), (229, 240)),
    },
    "sara@demo.example": {  # deep hip, stopped logging
        "side": "right",
        "nprs": (4, 3),
        "psfs": (["Trail running downhill", "Sitting through a film", "Deep squat"], (5, 4, 3), (6, 5, 3)),
        "squat": {"left": ((12, 0), (12, 0)), "right": ((8, 3), (10, 2))},
        "hhd": ((190, 171), (192, 178)),
        "follow_up_days_ago": 9,
    },
    "jade@demo.example": {  # femoral neck bone stress, healing and pain-free: no hopping tests
        "side": "left",
        "nprs": (5, 0),
        "psfs": (["Walking 30 minutes", "Running", "Climbing stairs"], (3, 0, 4), (9, 0, 10)),
        "squat": {"left": ((5, 3), (12, 0)), "right": ((12, 0), (12, 0))},
        "hhd": ((150, 188), (181, 192)),
    },
}

# Discharged a week ago after ten weeks on the back-of-hip protocol.
DISCHARGED = {
    "email": "priya@demo.example",
    "first_name": "Priya",
    "last_name": "Shah",
    "sex": "female",
    "date_of_birth": date(1990, 11, 8),
    "weekly_km": 50,
    "years_running": 9,
    "goal_event": "Berlin Half Marathon",
    "goal_date": date(2027, 4, 4),
}
DISCHARGED_INTAKE = {
    "age": 36,
    "sex": "female",
    "locations": ["buttock"],
    "onset": "gradual",
    "duration_days": 60,
    "pain_running": 4,
    "pain_after": 3,
    "worse_sitting": True,
    "running_focus": ["sprint"],
    "tests": {"leg_swing": "no_pain"},
}
DISCHARGED_CARE = {
    "condition": "proximal_hamstring_tendinopathy",
    "protocol": "back-of-hip-piriformis-hamstring",
    "started_days_ago": 70,
    "moves": ((2, 16), (3, 47)),  # phase, days after the start
    "completed_days_ago": 7,
}
DISCHARGED_OUTCOMES = {
    "side": "left",
    "nprs": (5, 1),
    "psfs": (["Sitting at work", "Running hills", "Running 15 km"], (3, 2, 4), (9, 8, 8)),
    "squat": {"left": ((7, 4), (12, 0)), "right": ((12, 0), (12, 0))},
    "hhd": ((168, 205), (201, 209)),
}


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load_outcomes(athlete, clinician, data: dict, *, baseline: date, follow_up: date) -> int:
    """NPRS and PSFS (with the athlete's own activities) and a visit with the tests, at both dates."""
    if (
        QuestionnaireResponse.objects.filter(athlete=athlete).exists()
        or Visit.objects.filter(athlete=athlete).exists()
    ):
        return 0
    names, first_psfs, later_psfs = data["psfs"]
    labels = {f"activity_{n}": name for n, name in enumerate(names, start=1)}
    created = 0
    rounds = (
        (baseline, 0, QuestionnaireResponse.Round.INTAKE, first_psfs, "Baseline assessment."),
        (follow_up, 1, QuestionnaireResponse.Round.FOLLOW_UP, later_psfs, "Review of progress."),
    )
    for day, index, round_, psfs, note in rounds:
        services.response_save(athlete=athlete, instrument="nprs", answers={"pain": data["nprs"][index]},
                               round=round_, complete=True, now=_at(day))  # fmt: skip
        services.response_save(
            athlete=athlete, instrument="psfs", round=round_, complete=True, now=_at(day, 11), item_labels=labels,
            answers={code: value for code, value in zip(labels, psfs, strict=True)},
        )  # fmt: skip
        visit = services.visit_save(athlete=athlete, clinician=clinician, on=day, notes=note)
        for side, results in data["squat"].items():
            reps, pain = results[index]
            services.visit_test_save(visit=visit, test="single_leg_squat", side=side,
                                     values={"reps": reps, "pain": pain})  # fmt: skip
        left, right = data["hhd"][index]
        services.visit_test_save(visit=visit, test="hhd_hip_abduction", side=data["side"],
                                 values={"left": left, "right": right, "unit": "N"})  # fmt: skip
        created += 3
    return created


# What each demo plan asks (the plan page's Questionnaires): the two rounds loaded above are its intake and a
# follow-up, so the plan page, the timeline and Today agree; Priya's discharge round is due after her completion.
ASKED = {code: {"every_weeks": 4, "at_intake": True, "at_discharge": True} for code in ("nprs", "psfs")}


def ask_questionnaires(plan, clinician) -> int:
    """The plan asks NPRS and PSFS every four weeks, at the start and at discharge (unless it asks some already)."""
    if plan.questionnaire_schedules.exists():
        return 0
    return len(questionnaires.schedules_save(plan=plan, wanted=ASKED, by=clinician.user))


def load_demo_outcomes(athletes, clinician, today: date) -> int:
    """The four demo athletes' baseline (their plan's first day) and follow-up (a few days ago)."""
    created = 0
    for athlete in athletes:
        data = OUTCOMES.get(athlete.email)
        plan = Plan.objects.filter(athlete=athlete).order_by("start_date").first()
        if data is None or plan is None:
            continue
        follow_up = today - timedelta(days=data.get("follow_up_days_ago", FOLLOW_UP_DAYS_AGO))
        created += load_outcomes(athlete, clinician, data, baseline=plan.start_date, follow_up=follow_up)
        created += ask_questionnaires(plan, clinician)
    return created


def load_discharged(clinic, physio, coach, user_for, backdate) -> int:
    """Priya: ten weeks on the back-of-hip protocol, through its three phases, completed a week ago."""
    data = dict(DISCHARGED)
    user = user_for(data["email"], data["first_name"], data["last_name"])
    athlete, new = Athlete.objects.get_or_create(
        clinic=clinic, email=data["email"], defaults={**data, "user": user}
    )
    created = int(new)
    for clinician, primary in ((physio, True), (coach, False)):
        _, new = CareTeamMember.objects.get_or_create(
            athlete=athlete, clinician=clinician, defaults={"is_primary": primary}
        )
        created += new
    care = DISCHARGED_CARE
    today = timezone.localdate()
    start = today - timedelta(days=care["started_days_ago"])
    if not Intake.objects.filter(athlete=athlete).exists():
        submitted = intake_submit(athlete=athlete, by=user, answers=DISCHARGED_INTAKE)
        intake_review(intake=submitted, by=physio.user, condition=Condition.objects.get(code=care["condition"]),
                      notes="Deep buttock pain on sitting and speed work: proximal hamstring tendinopathy.")  # fmt: skip
        created += 1
    template = PlanTemplate.objects.filter(clinic=None, slug=care["protocol"]).first()
    if template is None or Plan.objects.filter(athlete=athlete).exists():
        return created
    plan = plan_assign(athlete=athlete, template=template, by=physio.user, start=start,
                       goal=f"Back to training for the {athlete.goal_event}")  # fmt: skip
    backdate(plan.phase_changes.get(), start)
    for order, after in care["moves"]:
        day = start + timedelta(days=after)
        change = plan_move(plan=plan, to_phase=plan.phases.get(order=order), by=physio.user, today=day,
                           reason="Every exit criterion met; settled by the next morning.")  # fmt: skip
        backdate(change, day)
    end = today - timedelta(days=care["completed_days_ago"])
    follow_up = end - timedelta(days=2)
    created += load_outcomes(athlete, physio, DISCHARGED_OUTCOMES, baseline=start, follow_up=follow_up)
    created += ask_questionnaires(plan, physio)
    created += _discharged_logs(athlete, plan, start, end, log_save)
    plan = Plan.objects.select_related("athlete", "current_phase").get(pk=plan.pk)
    plan_set_status(plan=plan, status=Plan.Status.COMPLETED, by=physio.user)
    # Completed on its last day, not when the demo was loaded (the report's end date is the completion).
    Plan.objects.filter(pk=plan.pk).update(updated=_at(end, 17), completed_at=_at(end, 17))
    status_refresh([athlete], today=today)
    return created + 1


def _discharged_logs(athlete, plan, start: date, end: date, log_save) -> int:
    """Every other day: pain easing from 4/10 to 0–1/10 over the ten weeks, the exercises done."""
    days = (end - start).days
    count = 0
    for n in range(0, days + 1, 2):
        day = start + timedelta(days=n)
        share = n / days
        pain = max(0, round(4 - 4.2 * share + (0.6 if n % 6 == 0 else 0)))
        phase = phase_on(plan, day)
        rows = list(phase.exercises.all()) if phase else []
        data = {"pain_during": pain, "pain_after": max(0, pain - 1), "pain_next_morning": max(0, pain - 2)}
        if phase is not None and phase.run_activity not in ("none", "cross_train") and n % 4 == 0:
            data["run_minutes"] = phase.run_minutes or 20
        log_save(athlete=athlete, day=day, data=data, sets={row.pk: row.sets or 1 for row in rows}, today=day)
        count += 1
    return count
