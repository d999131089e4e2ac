"""Each person's pages follow their own clock: an athlete's time zone (or their clinic's), a clinician's clinic's."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.middleware import UserTimeZoneMiddleware
from rehab import services
from rehab.models import DailyLog
from tests.factories import PlanTemplateFactory

# 02:00 in London on 7 December is still 21:00 on the 6th in New York.
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.mark.parametrize(
    "athlete_zone, clinic_zone, logged_on",
    [
        ("", "Europe/London", date(2026, 12, 7)),
        ("America/New_York", "Europe/London", date(2026, 12, 6)),
        ("", "America/New_York", date(2026, 12, 6)),  # the clinic's clock when the athlete has none
        ("Europe/London", "America/New_York", date(2026, 12, 7)),  # the athlete's own clock wins
    ],
)
def test_an_athlete_logs_the_day_they_are_living(
    client_for, people, at_now, athlete_zone, clinic_zone, logged_on
):
    people.clinic.time_zone = clinic_zone
    people.clinic.save()
    people.athlete_a.time_zone = athlete_zone
    people.athlete_a.save()
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1)
    services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                         start=date(2026, 12, 1))  # fmt: skip
    body = {"pain_during": "1", "pain_after": "1", "run_minutes": "20", "did_run": "on"}
    assert client_for("athlete_a").post(reverse("rehab:log_today"), body).status_code == 302
    assert list(DailyLog.objects.filter(athlete=people.athlete_a).values_list("date", flat=True)) == [
        logged_on
    ]


@pytest.mark.parametrize(
    "persona, seen",
    [
        ("clinician", date(2026, 12, 6)),
        ("athlete_a", date(2026, 12, 6)),
        ("other_clinician", date(2026, 12, 7)),
    ],
)
def test_each_request_runs_on_the_persons_clock_and_the_server_clock_is_back_after_it(
    rf, people, at_now, persona, seen
):
    people.clinic.time_zone = "America/New_York"  # the clinician's and athlete A's clinic; not the other one
    people.clinic.save()
    days = []
    request = rf.get("/")
    request.user = (
        type(people.user(persona))
        .objects.select_related("clinician__clinic", "athlete__clinic")
        .get(pk=people.user(persona).pk)
    )
    UserTimeZoneMiddleware(lambda request: days.append(timezone.localdate()))(request)
    assert days == [seen]
    assert timezone.localdate() == date(2026, 12, 7)  # London again: nothing leaks into the next request
