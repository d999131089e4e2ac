import factory
from django.contrib.auth import get_user_model

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
