from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.models import Athlete, CareTeamMember, Clinic, Clinician, Shoe
from portal.services import clinician_grant_access

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")


class ClinicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinician
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    profession = Clinician.Profession.PHYSIOTHERAPIST

    @factory.post_generation
    def access(obj, create, extracted, **kwargs):
        if create:
            clinician_grant_access(obj.user)


class AthleteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Athlete

    clinic = factory.SubFactory(ClinicFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"runner{n}@example.com")
    sex = Athlete.Sex.FEMALE
    weekly_km = 40
    years_running = 5


class AthleteWithLoginFactory(AthleteFactory):
    user = factory.SubFactory(
        UserFactory,
        email=factory.SelfAttribute("..email"),
        first_name=factory.SelfAttribute("..first_name"),
        last_name=factory.SelfAttribute("..last_name"),
    )


class ShoeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shoe

    athlete = factory.SubFactory(AthleteFactory)
    name = factory.Iterator(["Ghost 16", "Pegasus 41", "Clifton 9"])
    km = 150


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    athlete = factory.SubFactory(AthleteFactory)
    clinician = factory.SubFactory(ClinicianFactory, clinic=factory.SelfAttribute("..athlete.clinic"))
    is_primary = True


def _assess(answers: dict) -> dict:
    from triage.engine import assess

    return assess(answers).to_record()


class IntakeFactory(factory.django.DjangoModelFactory):
    """A stored intake with the engine's real result (as codes, the way it is stored). It raises no alert: use
    triage.services for that."""

    class Meta:
        model = "triage.Intake"

    athlete = factory.SubFactory(AthleteWithLoginFactory)
    submitted_by = factory.SelfAttribute("athlete.user")
    answers = factory.LazyFunction(lambda: {"locations": ["front"], "pain_lifting_knee": True})
    result = factory.LazyAttribute(lambda o: _assess(o.answers))
    urgency = factory.LazyAttribute(lambda o: o.result["urgency"])
    engine_version = factory.LazyAttribute(lambda o: o.result["engine_version"])


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.Alert"

    athlete = factory.SubFactory(AthleteFactory)
    kind = "triage"
    severity = "urgent"
    message = "Urgent hip check: night or rest pain"


def _exercise_search_text(exercise) -> str:
    from library.text import search_text_for

    return search_text_for(name=exercise.name, aliases=exercise.aliases, cues=exercise.cues)


class ExerciseFactory(factory.django.DjangoModelFactory):
    """A clinic's own exercise (pass clinic=None for a shipped one)."""

    class Meta:
        model = "library.Exercise"

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Exercise {n}")
    slug = factory.Sequence(lambda n: f"exercise-{n}")
    kind = "strength"
    regions = factory.LazyFunction(lambda: ["glutes"])
    equipment = factory.LazyFunction(lambda: ["mat"])
    difficulty = 1
    aliases = factory.LazyFunction(list)
    steps = factory.LazyFunction(lambda: ["Lie on your back.", "Lift your hips."])
    cues = factory.LazyFunction(lambda: ["Squeeze your glutes"])
    sets = 2
    reps = 10
    search_text = factory.LazyAttribute(_exercise_search_text)


class PlanTemplateFactory(factory.django.DjangoModelFactory):
    """A shipped template with `phases` phases of `exercises_per_phase` shipped exercises each."""

    class Meta:
        model = "rehab.PlanTemplate"
        skip_postgeneration_save = True

    clinic = None
    name = factory.Sequence(lambda n: f"Protocol {n}")
    slug = factory.Sequence(lambda n: f"protocol-{n}")

    @factory.post_generation
    def phases(obj, create, extracted, **kwargs):
        from rehab.models import PhaseExerciseTemplate, PhaseTemplate

        if not create:
            return
        per_phase = kwargs.get("exercises_per_phase", 2)
        for order in range(1, (extracted or 2) + 1):
            phase = PhaseTemplate.objects.create(
                template=obj, order=order, name=f"Phase {order}", goal=f"Goal {order}", run_activity="walk_jog",
                run_minutes=20, sessions_per_week=3, walk_minutes=3, jog_minutes=1, max_pain_during=2,
            )  # fmt: skip
            for position in range(1, per_phase + 1):
                PhaseExerciseTemplate.objects.create(
                    phase=phase, exercise=ExerciseFactory(clinic=None), order=position, sets=3, reps=10
                )


class StravaConnectionFactory(factory.django.DjangoModelFactory):
    """An athlete's Strava connection with tokens valid for hours (rehab.services.strava)."""

    class Meta:
        model = "rehab.StravaConnection"

    athlete = factory.SubFactory(AthleteWithLoginFactory)
    strava_athlete_id = factory.Sequence(lambda n: 61234567 + n)
    access_token = factory.Sequence(lambda n: f"stored-access-token-{n}")
    refresh_token = factory.Sequence(lambda n: f"stored-refresh-token-{n}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=5))
    scope = "activity:read_all,read"


def api_token_key(user, **kwargs) -> str:
    """A new API token of `user` (portal.tokens.token_issue): its key, to send as `Authorization: Token <key>`."""
    from portal.tokens import token_issue

    return token_issue(user=user, **kwargs)[1]
