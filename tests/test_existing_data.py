"""Data saved before the clinical safety pass loads and renders unchanged.

An intake stored by engine 2026.11.1 (tests/data/intake_engine_2026_11_1.json, produced by that engine) keeps its
version and result; a plan and logs saved the old way (pain answered 0, four red flags) render on every page and
are not rewritten by reading them or by the daily refresh.
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from rehab import services
from rehab.models import DailyLog, Plan
from tests.factories import IntakeFactory, PlanTemplateFactory
from triage.models import Intake

OLD = json.loads((Path(__file__).parent / "data" / "intake_engine_2026_11_1.json").read_text())
LOG_COLUMNS = ["date", "run_minutes", "pain_during", "pain_after", "pain_next_morning", "night_pain", "swelling",
               "sets_done", "updated"]  # fmt: skip


@pytest.fixture
def old_intake(people):
    return IntakeFactory(
        athlete=people.athlete_a,
        answers=OLD["answers"],
        result=OLD["result"],
        urgency=OLD["result"]["urgency"],
        engine_version="2026.11.1",
    )


@pytest.fixture
def old_plan(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=timezone.localdate()
    )
    today = timezone.localdate()
    rows = [
        DailyLog(athlete=people.athlete_a, date=today - timedelta(days=n), plan=plan, phase=plan.current_phase,
                 run_minutes=20, pain_during=n % 3, pain_after=0, pain_next_morning=0, night_pain=n == 2)
        for n in range(1, 6)
    ]  # fmt: skip
    DailyLog.objects.bulk_create(rows)
    return Plan.objects.get(pk=plan.pk)


def stored_logs(athlete):
    return list(DailyLog.objects.filter(athlete=athlete).order_by("date").values_list(*LOG_COLUMNS))


def test_an_old_intake_keeps_its_version_and_result_and_renders(client_for, people, old_intake):
    for persona in ("athlete_a", "clinician"):
        page = client_for(persona).get(reverse("triage:intake_detail", args=[old_intake.pk]))
        assert page.status_code == 200
        assert OLD["result"]["conditions"][0]["name"] in page.content.decode()
    review = client_for("clinician").get(reverse("triage:intake_review", args=[old_intake.pk]))
    assert review.status_code == 200
    old_intake = Intake.objects.get(pk=old_intake.pk)
    assert old_intake.engine_version == "2026.11.1" and old_intake.result == OLD["result"]
    api = client_for("clinician").get(f"/api/v1/intakes/{old_intake.pk}/")
    assert api.status_code == 200 and api.json()["result"]["engine_version"] == "2026.11.1"


def test_old_plans_and_logs_render_and_are_not_rewritten(client_for, people, old_plan):
    before = stored_logs(people.athlete_a)
    athlete = client_for("athlete_a")
    for url in (reverse("rehab:athlete_today"), reverse("rehab:my_plan"), reverse("rehab:log_today")):
        assert athlete.get(url).status_code == 200, url
    printed = athlete.get(reverse("rehab:plan_print", args=[old_plan.pk]))
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    clinician = client_for("clinician")
    for url in (
        reverse("rehab:plan_detail", args=[old_plan.pk]),
        reverse("rehab:timeline", args=[people.athlete_a.pk]),
        reverse("athlete_list"),
        f"/api/v1/daily-logs/?athlete={people.athlete_a.pk}",
    ):
        assert clinician.get(url).status_code == 200, url
    services.status_refresh([people.athlete_a])
    assert stored_logs(people.athlete_a) == before
    # The old answers still read as what they said: a night-pain log two days ago stops and refers.
    people.athlete_a.refresh_from_db()
    assert people.athlete_a.rehab_status.action == "stop_and_refer"
