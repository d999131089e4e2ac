"""Assigning copies a template; moving phases records history; one active plan per athlete."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from rehab import services
from rehab.models import PhaseChange, Plan
from tests.factories import PlanTemplateFactory

START = date(2026, 11, 23)


@pytest.fixture
def template(people):
    return PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)


def assign(people, template, **kw):
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=START, **kw
    )


def test_assign_copies_every_phase_and_exercise(people, template):
    plan = assign(people, template, goal="Spring half")
    phases = list(plan.phases.all())
    assert [p.name for p in phases] == [p.name for p in template.phases.all()]
    assert [[e.exercise_id for e in p.exercises.all()] for p in phases] == [
        [e.exercise_id for e in p.exercises.all()] for p in template.phases.all()
    ]
    assert plan.current_phase == phases[0] and phases[0].started_on == START
    assert plan.status == Plan.Status.ACTIVE and plan.goal == "Spring half"
    assert plan.phase_changes.get().kind == PhaseChange.Kind.START


def test_editing_the_template_later_never_changes_the_plan(people, template):
    plan = assign(people, template)
    phase = template.phases.first()
    phase.name, phase.max_pain_during = "Changed", 5
    phase.save()
    row = phase.exercises.first()
    row.reps = 99
    row.save()
    phase.exercises.last().delete()
    copy = plan.phases.first()
    assert copy.name != "Changed" and copy.max_pain_during != 5
    assert 99 not in copy.exercises.values_list("reps", flat=True)
    assert copy.exercises.count() == 2


def test_tailoring_the_plan_never_changes_the_template(people, template):
    plan = assign(people, template)
    copy = plan.phases.first()
    copy.name, copy.run_minutes = "Tailored", 42
    copy.save()
    copy.exercises.update(sets=9)
    copy.exercises.first().delete()
    original = template.phases.first()
    original.refresh_from_db()
    assert original.name != "Tailored" and original.run_minutes != 42
    assert original.exercises.count() == 2
    assert 9 not in original.exercises.values_list("sets", flat=True)


def test_one_active_plan_per_athlete(people, template):
    assign(people, template)
    with pytest.raises(ValidationError, match="already has an active plan"):
        assign(people, template)
    other = services.plan_assign(
        athlete=people.athlete_b, template=template, by=people.clinician.user, start=START
    )
    assert other.status == "active"


def test_a_paused_plan_lets_a_new_one_start_and_cannot_be_reactivated_beside_it(people, template):
    first = assign(people, template)
    services.plan_set_status(plan=first, status="paused", by=people.clinician.user)
    assign(people, template)
    with pytest.raises(ValidationError, match="already has an active plan"):
        services.plan_set_status(plan=first, status="active", by=people.clinician.user)


@pytest.mark.parametrize(
    "steps,expected_order,kinds",
    [
        (["advance"], 2, ["advance"]),
        (["advance", "advance"], 3, ["advance", "advance"]),
        (["advance", "regress"], 1, ["advance", "regress"]),
    ],
    ids=["advance", "advance-twice", "advance-then-regress"],
)
def test_phase_moves_record_history(people, template, steps, expected_order, kinds):
    plan = assign(people, template)
    for step in steps:
        move = services.plan_advance if step == "advance" else services.plan_regress
        move(plan=plan, by=people.clinician.user, reason=f"{step} test", today=START)
        plan.refresh_from_db()
    assert plan.current_phase.order == expected_order
    recorded = list(plan.phase_changes.order_by("pk").values_list("kind", flat=True))
    assert recorded == ["start", *kinds]


def test_cannot_move_past_either_end(people, template):
    plan = assign(people, template)
    with pytest.raises(ValidationError, match="first phase"):
        services.plan_regress(plan=plan, by=people.clinician.user)
    last = plan.phases.last()
    services.plan_move(plan=plan, to_phase=last, by=people.clinician.user, reason="jump")
    assert plan.phase_changes.first().kind == "jump"
    with pytest.raises(ValidationError, match="last phase"):
        services.plan_advance(plan=plan, by=people.clinician.user)


def test_moving_to_another_plans_phase_is_refused(people, template):
    plan = assign(people, template)
    other = services.plan_assign(
        athlete=people.athlete_b, template=template, by=people.clinician.user, start=START
    )
    with pytest.raises(ValidationError, match="another plan"):
        services.plan_move(plan=plan, to_phase=other.phases.last(), by=people.clinician.user)


def test_content_changes_bump_the_version(people, template):
    plan = assign(people, template)
    services.plan_advance(plan=plan, by=people.clinician.user)
    plan.refresh_from_db()
    assert plan.version == 2


def test_duplicate_template_into_clinic(people, template):
    copy = services.template_duplicate(template=template, clinic=people.clinic)
    assert copy.clinic == people.clinic and copy.pk != template.pk
    assert copy.phases.count() == 3
    assert sum(p.exercises.count() for p in copy.phases.all()) == 6
    again = services.template_duplicate(template=template, clinic=people.clinic)
    assert again.slug != copy.slug
