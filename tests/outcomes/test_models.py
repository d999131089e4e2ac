"""Stored questionnaire rounds, visits and test results: saved through the services, seen only by who may."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from outcomes import codes, services
from outcomes.criteria import MET, MISSING, evaluate
from outcomes.models import QuestionnaireResponse, TestResult, Visit
from outcomes.selectors import results_for

NOW = datetime(2026, 5, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def recorded(people):
    response = services.response_save(
        athlete=people.athlete_a,
        instrument="ihot12",
        answers={f"Q{i}": 75 for i in range(1, 13)},
        complete=True,
        round=QuestionnaireResponse.Round.INTAKE,
        now=NOW,
    )
    visit = services.visit_save(
        athlete=people.athlete_a, clinician=people.clinician, on=date(2026, 5, 10), notes=""
    )
    squat = services.visit_test_save(
        visit=visit, test="single_leg_squat", side="left", values={"reps": 10, "pain": 1}
    )
    strength = services.visit_test_save(
        visit=visit, test="hhd_hip_abduction", side="left", values={"left": 170, "right": 200, "unit": "N"}
    )
    other = services.visit_save(
        athlete=people.other_athlete, clinician=people.other_clinician, on=date(2026, 5, 9)
    )
    services.visit_test_save(visit=other, test="fadir", side="right", values={"finding": "positive"})
    services.response_save(
        athlete=people.other_athlete, instrument="nprs", answers={"pain": 4}, complete=True
    )
    return response, visit, squat, strength


def test_completed_round_is_scored_and_stored(recorded):
    response = recorded[0]
    response.refresh_from_db()
    assert (response.total, response.valid, response.instrument_version) == (75, True, "1")
    assert response.completed_at == NOW
    assert str(response) == "iHOT-12 (Intake)"


def test_partial_round_keeps_answers_without_a_score(people):
    response = services.response_save(
        athlete=people.athlete_a,
        instrument="psfs",
        answers={"activity_1": 4},
        complete=False,
        item_labels={"activity_1": " Running downhill "},
    )
    assert (response.total, response.completed_at, response.item_labels) == (
        None,
        None,
        {"activity_1": "Running downhill"},
    )
    response = services.response_save(
        athlete=people.athlete_a,
        instrument="psfs",
        answers={"activity_1": 4, "activity_2": 6, "activity_3": 8},
        complete=True,
        response=response,
    )
    assert (response.total, response.valid) == (6, True)
    assert QuestionnaireResponse.objects.count() == 1


def test_out_of_range_answer_is_refused(people):
    with pytest.raises(ValidationError) as caught:
        services.response_save(
            athlete=people.athlete_a, instrument="nprs", answers={"pain": 11}, complete=True
        )
    assert "answers" in caught.value.message_dict
    assert not QuestionnaireResponse.objects.exists()


def test_test_results_store_pass_and_symmetry(recorded):
    _, _, squat, strength = recorded
    assert (squat.passed, squat.symmetry_pct) == (True, None)
    assert (strength.passed, strength.symmetry_pct) == (False, 85.0)
    assert strength.reasons[0]["code"] == codes.SYMMETRY_BELOW
    assert str(squat) == "Single-leg squat, left"


def test_recording_a_test_again_replaces_it(recorded):
    visit, squat = recorded[1], recorded[2]
    again = services.visit_test_save(
        visit=visit, test="single_leg_squat", side="left", values={"reps": 12, "pain": 4}
    )
    assert again.pk == squat.pk and again.passed is False
    with pytest.raises(IntegrityError):
        TestResult.objects.create(visit=visit, test="single_leg_squat", side="left", values={})


def test_bad_test_values_are_refused(recorded):
    with pytest.raises(ValidationError):
        services.visit_test_save(visit=recorded[1], test="fadir", side="none", values={"finding": "negative"})


@pytest.mark.parametrize(
    ("persona", "responses", "visits", "results"),
    [
        ("anonymous", 0, 0, 0),
        ("athlete_a", 1, 0, 0),
        ("athlete_b", 0, 0, 0),
        ("clinician", 1, 1, 2),
        ("coach", 1, 1, 2),
        ("other_clinician", 1, 1, 1),
        ("superuser", 2, 2, 3),
    ],
)
def test_visible_to(recorded, people, persona, responses, visits, results):
    user = people.user(persona) or AnonymousUser()
    assert QuestionnaireResponse.objects.visible_to(user).count() == responses
    assert Visit.objects.visible_to(user).count() == visits
    assert TestResult.objects.visible_to(user).count() == results


def test_results_for_feeds_the_criteria(recorded, people, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        results = results_for(people.athlete_a)
    squat_ok, strength_ok = evaluate(
        [
            {"kind": "test", "test": "single_leg_squat", "side": "left", "max_pain": 2, "min_count": 10},
            {"kind": "symmetry", "test": "hhd_hip_abduction", "min_pct": 90},
        ],
        results,
        since=date(2026, 5, 1),
    )
    assert squat_ok.status == MET
    assert strength_ok.status != MET
    (ihot,) = evaluate(
        [{"kind": "prom", "instrument": "ihot12", "value": 70}], results, since=date(2026, 5, 11)
    )
    assert ihot.status == MISSING


def test_a_completed_round_saved_again_stays_completed_and_scored(people):
    response = services.response_save(
        athlete=people.athlete_a, instrument="nprs", answers={"pain": 5}, complete=True, now=NOW
    )
    again = services.response_save(
        athlete=people.athlete_a, instrument="nprs", answers={"pain": 4}, complete=False, response=response
    )
    assert (again.completed_at, again.total) == (NOW, 4)
