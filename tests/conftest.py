from dataclasses import dataclass

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: ids are reused between tests, so a key such as "the caseload of
    user 5 is fresh today" (portal.caseload) must not carry over to the next test's user 5."""
    from django.core.cache import cache

    cache.clear()
    yield


@dataclass
class People:
    """The personas every access test uses (after healthchecks' alice / bob / charlie)."""

    clinic: object
    other_clinic: object
    clinician: object
    coach: object
    other_clinician: object
    athlete_a: object
    athlete_b: object
    other_athlete: object
    superuser: object

    def user(self, persona: str):
        if persona == "anonymous":
            return None
        obj = getattr(self, persona)
        return obj if persona == "superuser" else obj.user


@pytest.fixture
def people(db) -> People:
    clinic = factories.ClinicFactory(name="Riverside", slug="riverside")
    other_clinic = factories.ClinicFactory(name="Hilltop", slug="hilltop")
    clinician = factories.ClinicianFactory(clinic=clinic, user__first_name="Maya", user__last_name="Okafor")
    coach = factories.ClinicianFactory(clinic=clinic, profession="coach")
    other_clinician = factories.ClinicianFactory(clinic=other_clinic)
    athlete_a = factories.AthleteWithLoginFactory(clinic=clinic, first_name="Anna", last_name="Aalto")
    athlete_b = factories.AthleteWithLoginFactory(clinic=clinic, first_name="Bruno", last_name="Bianchi")
    other_athlete = factories.AthleteWithLoginFactory(
        clinic=other_clinic, first_name="Olga", last_name="Otto"
    )
    for athlete, who in ((athlete_a, clinician), (athlete_b, clinician), (other_athlete, other_clinician)):
        factories.CareTeamMemberFactory(athlete=athlete, clinician=who, is_primary=True)
    factories.ShoeFactory(athlete=athlete_a, name="Ghost 16", km=820)
    return People(
        clinic=clinic,
        other_clinic=other_clinic,
        clinician=clinician,
        coach=coach,
        other_clinician=other_clinician,
        athlete_a=athlete_a,
        athlete_b=athlete_b,
        other_athlete=other_athlete,
        superuser=factories.SuperuserFactory(),
    )


@pytest.fixture
def client_for(client, people):
    """client_for("clinician") → a test client logged in as that persona (or anonymous)."""

    def make(persona: str):
        user = people.user(persona)
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return make
