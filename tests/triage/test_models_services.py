"""The condition catalogue, storing intakes, reviews, and who may see which intake."""

from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.http import Http404

from portal.models import Alert
from tests.factories import IntakeFactory, UserFactory
from tests.triage.utils import sample
from triage import engine, services
from triage.models import URGENCY_CHOICES, Condition, Intake
from triage.selectors import get_intake_for_user


def load_conditions() -> str:
    out = StringIO()
    call_command("load_conditions", stdout=out)
    return out.getvalue()


# --------------------------------------------------------------------------- catalogue


def test_a_new_database_has_the_engines_condition_catalogue(db):
    rows = {c.code: c for c in Condition.objects.all()}
    assert set(rows) == set(engine.CONDITIONS)
    for code, definition in engine.CONDITIONS.items():
        row = rows[code]
        assert (row.name, row.region, row.default_urgency, row.advice, row.source) == (
            definition.name,
            definition.region,
            definition.default_urgency,
            definition.advice,
            definition.source,
        )
        assert row.presentation == definition.presentation


def test_load_conditions_is_idempotent_and_counts(db):
    total = len(engine.CONDITIONS)
    assert load_conditions().strip() == f"Conditions: 0 created, 0 updated, {total} unchanged."
    Condition.objects.filter(code="labral_tear").delete()
    Condition.objects.filter(code="osteoarthritis").update(name="Old name", advice="Old advice")
    assert load_conditions().strip() == f"Conditions: 1 created, 1 updated, {total - 2} unchanged."
    assert Condition.objects.get(code="osteoarthritis").name == engine.CONDITIONS["osteoarthritis"].name
    assert load_conditions().strip() == f"Conditions: 0 created, 0 updated, {total} unchanged."


def test_load_conditions_keeps_retired_codes_that_intakes_may_point_at(db):
    Condition.objects.create(
        code="retired_code", name="Old", region="x", presentation="x", default_urgency="routine", advice="x"
    )
    load_conditions()
    assert Condition.objects.filter(code="retired_code").exists()


def test_urgency_choices_are_the_engines_scale():
    assert [value for value, _ in URGENCY_CHOICES] == list(reversed(engine.URGENCY_ORDER))


# --------------------------------------------------------------------------- intake_submit


def test_submit_stores_cleaned_answers_result_and_version(people):
    answers = {**sample("self_care_hip_flexor"), "weekly_km": None}
    intake = services.intake_submit(athlete=people.athlete_a, by=people.athlete_a.user, answers=answers)
    intake.refresh_from_db()
    assert intake.answers == engine.validate(answers)
    assert "weekly_km" not in intake.answers  # None means "not answered"
    assert intake.result == engine.assess(answers).to_record()  # codes: triage.wording puts them into words
    assert intake.urgency == "self_care"
    assert intake.engine_version == engine.ENGINE_VERSION
    assert intake.submitted_by == people.athlete_a.user
    assert intake.reviewed_at is None and intake.confirmed_condition is None


def test_submit_with_invalid_answers_raises_and_stores_nothing(people):
    with pytest.raises(engine.InvalidAnswers) as caught:
        services.intake_submit(
            athlete=people.athlete_a, by=people.athlete_a.user, answers=sample("invalid_example")
        )
    assert "age" in caught.value.errors
    assert not Intake.objects.exists()
    assert not Alert.objects.exists()


def test_self_care_and_routine_intakes_raise_no_alert(people):
    for name in ("self_care_hip_flexor", "routine_outer_hip"):
        services.intake_submit(athlete=people.athlete_a, by=people.athlete_a.user, answers=sample(name))
    assert not Alert.objects.exists()


def test_intake_helpers_read_the_result(people):
    intake = services.intake_submit(
        athlete=people.athlete_a, by=people.athlete_a.user, answers=sample("emergency_stress_fracture")
    )
    assert intake.stop_running and intake.needs_review
    assert intake.top_condition["code"] == "stress_fracture"
    assert intake.suggested_codes[0] == "stress_fracture"
    assert intake.get_absolute_url() == f"/intake/{intake.pk}/"
    assert intake.get_review_url() == f"/intake/{intake.pk}/review/"
    assert "Anna Aalto" in str(intake)


# --------------------------------------------------------------------------- intake_review


def test_review_records_condition_notes_who_and_when(people):
    intake = IntakeFactory(athlete=people.athlete_a)
    condition = Condition.objects.get(code="hip_flexor_strain")
    services.intake_review(
        intake=intake, by=people.clinician.user, condition=condition, notes="Tender psoas."
    )
    intake.refresh_from_db()
    assert intake.confirmed_condition == condition
    assert intake.review_notes == "Tender psoas."
    assert intake.reviewed_by == people.clinician.user
    assert intake.reviewed_at is not None


def test_review_without_a_condition_is_allowed_and_can_be_updated(people):
    intake = IntakeFactory(athlete=people.athlete_a)
    services.intake_review(intake=intake, by=people.clinician.user, condition=None, notes="Unclear, re-test.")
    condition = Condition.objects.get(code="overuse_tightness")
    services.intake_review(intake=intake, by=people.coach.user, condition=condition, notes="")
    intake.refresh_from_db()
    assert intake.confirmed_condition == condition and intake.reviewed_by == people.coach.user


# --------------------------------------------------------------------------- scoping


@pytest.fixture
def intakes(people):
    return {
        "a": IntakeFactory(athlete=people.athlete_a),
        "b": IntakeFactory(athlete=people.athlete_b),
        "other": IntakeFactory(athlete=people.other_athlete),
    }


VISIBLE = {
    "athlete_a": {"a"},
    "athlete_b": {"b"},
    "other_athlete": {"other"},
    "clinician": {"a", "b"},
    "coach": {"a", "b"},
    "other_clinician": {"other"},
    "superuser": {"a", "b", "other"},
}


@pytest.mark.parametrize("persona", VISIBLE)
def test_intakes_visible_to_each_persona(people, intakes, persona):
    user = people.user(persona)
    seen = set(Intake.objects.visible_to(user).values_list("pk", flat=True))
    assert seen == {intakes[key].pk for key in VISIBLE[persona]}
    for key, intake in intakes.items():
        if key in VISIBLE[persona]:
            assert get_intake_for_user(user, intake.pk) == intake
        else:
            with pytest.raises(Http404):
                get_intake_for_user(user, intake.pk)


def test_users_without_a_role_and_inactive_users_see_no_intakes(people, intakes):
    people.athlete_a.user.is_active = False
    for user in (AnonymousUser(), UserFactory(), people.athlete_a.user):
        assert not Intake.objects.visible_to(user).exists()


def test_missing_intake_is_a_404_not_an_error(people):
    with pytest.raises(Http404):
        get_intake_for_user(people.superuser, 999999)
