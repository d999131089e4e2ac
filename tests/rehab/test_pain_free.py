"""The pain-free rule (bone stress injury) belongs to the plan: set when it is assigned, changed by a clinician.

Before, it was read from the plan's template, so a bone stress injury on another protocol went without it.
"""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from rehab import services
from rehab.models import Plan, PlanPhase, RehabStatus
from rehab.wording import says
from tests.factories import IntakeFactory, PlanTemplateFactory
from triage.models import Condition

TODAY = timezone.localdate


@pytest.fixture
def generic(people):
    return PlanTemplateFactory(phases=2, phases__exercises_per_phase=1)


@pytest.fixture
def bone(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=1)
    template.conditions.add(Condition.objects.get(code="stress_fracture"))
    return template


def confirm(athlete, code, days_ago=0):
    intake = IntakeFactory(athlete=athlete, confirmed_condition=Condition.objects.get(code=code))
    intake.created = timezone.now() - timedelta(days=days_ago)
    intake.save(update_fields=["created"])
    return intake


def assign(people, template, **kw):
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=TODAY(), **kw
    )


@pytest.mark.parametrize(
    "template_name, confirmed, asked, expected",
    [
        ("generic", None, None, False),
        ("generic", "stress_fracture", None, True),  # the gap this closes: BSI on a generic protocol
        ("generic", "stress_fracture", False, False),  # the clinician decided otherwise
        ("generic", None, True, True),
        ("generic", "greater_trochanteric_pain", None, False),
        ("bone", None, None, True),
        ("bone", None, False, True),  # a bone stress injury protocol always keeps it
        ("bone", "greater_trochanteric_pain", None, True),
    ],
)
def test_assigning_sets_the_rule(people, generic, bone, template_name, confirmed, asked, expected):
    if confirmed:
        confirm(people.athlete_a, confirmed)
    template = {"generic": generic, "bone": bone}[template_name]
    kw = {} if asked is None else {"pain_free": asked}
    assert assign(people, template, **kw).pain_free is expected


def test_only_the_latest_confirmed_condition_counts(people, generic):
    confirm(people.athlete_a, "stress_fracture", days_ago=30)
    confirm(people.athlete_a, "greater_trochanteric_pain", days_ago=1)
    assert assign(people, generic).pain_free is False


def logged_week(people, plan):
    """Seven days in the phase, a session a day at 1/10 (inside an allowance of 2/10), settled by the morning."""
    phase = plan.current_phase
    phase.started_on, phase.min_days = TODAY() - timedelta(days=8), 3
    phase.max_pain_during = phase.max_pain_after = 2
    phase.save()
    for days_ago in range(7, 0, -1):
        services.log_save(
            athlete=people.athlete_a,
            day=TODAY() - timedelta(days=days_ago),
            data={"run_minutes": 20, "pain_during": 1, "pain_after": 1, "pain_next_morning": 0},
            sets={row.pk: (row.sets or 1) * (row.times_per_day or 1) for row in phase.exercises.all()},
        )
    return RehabStatus.objects.get(athlete=people.athlete_a)


@pytest.mark.parametrize(
    "pain_free, activity, action, reason",
    [
        (False, "walk", "advance", None),
        (True, "walk", "hold", "must stay pain-free"),
        (True, "cross_train", "hold", "must stay pain-free"),
        # DOMAIN.md section 6: any pain while running on a bone stress plan stops it (not only a hold).
        (False, "walk_jog", "advance", None),
        (True, "walk_jog", "stop_and_refer", "while running on a bone stress plan"),
        (True, "jog", "stop_and_refer", "while running on a bone stress plan"),
    ],
)
def test_the_rule_holds_on_any_pain_whatever_the_template(
    people, generic, pain_free, activity, action, reason
):
    plan = assign(people, generic, pain_free=pain_free)
    plan.current_phase.exercises.update(days_per_week=None, times_per_day=1)
    PlanPhase.objects.filter(pk=plan.current_phase_id).update(run_activity=activity)
    status = logged_week(people, Plan.objects.select_related("current_phase").get(pk=plan.pk))
    assert status.action == action, status.reasons
    if reason:
        assert any(reason in text for text in says(status.reasons)), status.reasons


def test_a_clinician_can_turn_the_rule_on_later(people, generic):
    plan = assign(people, generic)
    version = plan.version
    services.plan_update(plan=plan, by=people.clinician.user, seen=version, pain_free=True)
    plan.refresh_from_db()
    assert plan.pain_free is True and plan.version == version + 1


def test_the_assign_page_ticks_the_rule_for_a_confirmed_bone_stress_injury(client_for, people, generic):
    client = client_for("clinician")
    url = reverse("rehab:plan_assign", args=[people.athlete_a.pk])
    assert 'name="pain_free" ' in client.get(url).content.decode()
    assert "checked" not in client.get(url).content.decode().split('name="pain_free"')[1].split(">")[0]
    confirm(people.athlete_a, "stress_fracture")
    field = client.get(url).content.decode().split('name="pain_free"')[1].split(">")[0]
    assert "checked" in field
    # Unticked on purpose: the clinician's choice is kept.
    response = client.post(url, {"template": generic.pk, "start_date": TODAY().isoformat(), "goal": ""})
    assert response.status_code == 302
    assert Plan.objects.get(athlete=people.athlete_a).pain_free is False


def test_the_api_assigns_and_edits_the_rule(client_for, people, generic):
    client = client_for("clinician")
    confirm(people.athlete_a, "stress_fracture")
    body = {"athlete": people.athlete_a.pk, "template": generic.pk, "start_date": TODAY().isoformat()}
    created = client.post("/api/v1/plans/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["pain_free"] is True
    plan = created.json()
    changed = client.patch(
        f"/api/v1/plans/{plan['id']}/",
        {"pain_free": False, "version": plan["version"]},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["pain_free"] is False
    assert Plan.objects.get(pk=plan["id"]).pain_free is False
    refused = client.patch(
        f"/api/v1/plans/{plan['id']}/", {"pain_free": "maybe"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "pain_free" in refused.json()["errors"]


def test_the_migration_gives_existing_plans_the_rule(people, generic, bone):
    on_bone = assign(people, bone)
    on_generic_bsi = services.plan_assign(
        athlete=people.athlete_b, template=generic, by=people.clinician.user, start=TODAY()
    )
    other = services.plan_assign(
        athlete=people.other_athlete, template=generic, by=people.other_clinician.user, start=TODAY()
    )
    Plan.objects.update(pain_free=False)  # as the column starts
    confirm(people.athlete_b, "stress_fracture")
    migration = importlib.import_module("rehab.migrations.0006_plan_pain_free")
    migration.set_pain_free(apps, None)
    flags = dict(Plan.objects.values_list("pk", "pain_free"))
    assert flags == {on_bone.pk: True, on_generic_bsi.pk: True, other.pk: False}


@pytest.mark.parametrize(
    "persona, url_name, shown",
    [
        ("athlete_a", "rehab:my_plan", "No pain at all (0/10).</strong> With a bone stress injury"),
        ("athlete_a", "rehab:athlete_today", "No pain at all (0/10).</strong> With a bone stress injury"),
        ("clinician", "rehab:plan_detail", "Pain-free rule</span>"),
    ],
)
@pytest.mark.parametrize("pain_free", [True, False])
def test_pages_say_when_the_plan_must_stay_pain_free(
    client_for, people, generic, persona, url_name, shown, pain_free
):
    plan = assign(people, generic, pain_free=pain_free)
    args = [plan.pk] if url_name == "rehab:plan_detail" else []
    page = client_for(persona).get(reverse(url_name, args=args))
    assert page.status_code == 200
    content = page.content.decode()
    assert (shown in content) is pain_free
    if persona == "athlete_a":  # the rule replaces the phase's allowance: never "up to 2/10 is OK" beside it
        assert (plan.current_phase.pain_text() in content) is not pain_free


def test_the_printed_program_says_so(people, generic):
    from rehab import pdf
    from tests.rehab.test_pdf import text_of

    plan = assign(people, generic, pain_free=True)
    text = " ".join(text_of(pdf.render_hep(plan)).split())
    assert (
        "No pain at all (0/10). With a bone stress injury, any pain during, after or the next morning" in text
    )
    assert plan.current_phase.pain_text() not in text


@pytest.mark.parametrize(
    "allowance, shown",
    [((0, 0), True), ((2, 2), False)],
    ids=["pain-free-phase-keeps-its-note", "note-written-for-some-pain-is-left-out"],
)
def test_the_rule_keeps_a_pain_free_phases_own_safety_note(client_for, people, generic, allowance, shown):
    """A bone stress phase's note ("stop and contact the clinic; crutches may be needed") is not replaced by the
    rule; a note written for an allowance of 2/10 would contradict it, so that one is left out."""
    from rehab import pdf
    from tests.rehab.test_pdf import text_of

    plan = assign(people, generic, pain_free=True)
    note = "Any pain: stop and contact the clinic, as you may need crutches for a while."
    phase = plan.current_phase
    phase.max_pain_during, phase.max_pain_after = allowance
    phase.pain_note = note
    phase.save()
    for url_name in ("rehab:my_plan", "rehab:athlete_today"):
        content = client_for("athlete_a").get(reverse(url_name)).content.decode()
        assert "No pain at all (0/10).</strong>" in content
        assert (note in content) is shown
    text = text_of(pdf.render_hep(plan))
    assert "No pain at all (0/10)." in text
    assert (note in text) is shown
