from dataclasses import dataclass

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: ids are reused between tests, so a key such as a cached printed
    program of plan 5 (rehab.pdf) must not carry over to the next test's plan 5."""
    from django.core.cache import cache

    cache.clear()
    yield


@dataclass
class Jobs:
    """The jobs enqueued meanwhile, as (task name, args, kwargs); `run()` runs them (and the jobs they enqueue)
    as a worker would, after the commit."""

    sent: list

    def names(self) -> list[str]:
        return [name for name, *_ in self.sent]

    def run(self) -> None:
        from portal.celery import app

        app.autodiscover_tasks(force=True)
        while self.sent:
            name, args, kwargs = self.sent.pop(0)
            app.tasks[name].apply(args, kwargs, throw=True)


@pytest.fixture
def jobs(settings, monkeypatch) -> Jobs:
    """Jobs are held instead of run at once (tests/settings.py runs them at once), to test the request
    without its jobs, or what a job does when it runs later."""
    from portal import jobs as jobs_module

    held = Jobs(sent=[])
    settings.JOBS_RUN_IMMEDIATELY = True
    monkeypatch.setattr(
        jobs_module, "_send", lambda name, args, kwargs, key=None: held.sent.append((name, args, kwargs))
    )
    return held


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
