"""POST /api/v1/triage/assess/ (stateless) and the read-only /api/v1/intakes/."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.models import Alert
from tests.factories import IntakeFactory
from tests.triage.utils import SAMPLE_FILES, VALID_SAMPLES, sample
from triage import api, engine, services
from triage.models import Intake
from triage.wording import render_result

ASSESS = "/api/v1/triage/assess/"


def post_json(client, body):
    return post_raw(client, json.dumps(body))


def post_raw(client, text: str):
    return client.post(ASSESS, text, content_type="application/json")


def test_the_url_is_the_contract():
    assert reverse("triage:assess") == ASSESS


def english_keys(body: dict) -> dict:
    """The response without what it adds to the engine's English output (the codes' parameters and details)."""
    return {
        **{key: body[key] for key in ("urgency", "stop_running", "advice", "engine_version", "disclaimer")},
        "red_flags": [{"code": f["code"], "message": f["message"]} for f in body["red_flags"]],
        "conditions": [
            {key: c[key] for key in ("code", "name", "score", "reasons")} for c in body["conditions"]
        ],
    }


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda p: p.stem)
def test_assess_returns_the_engines_json_and_the_same_as_the_command(client_for, path):
    answers = json.loads(path.read_text())
    response = post_json(client_for("athlete_a"), answers)
    assert response.status_code == 200
    assessment = engine.assess(answers)
    assert english_keys(response.json()) == assessment.to_dict()
    out = StringIO()
    call_command("triage_assess", str(path), stdout=out)
    assert english_keys(response.json()) == json.loads(out.getvalue())
    # ... and each text with its code: the reasons' rules, the red flags' codes, the advice's condition.
    body = response.json()
    for condition, result in zip(body["conditions"], assessment.conditions, strict=True):
        assert [r["code"] for r in condition["reason_details"]] == list(result.reason_codes)
        assert [r["text"] for r in condition["reason_details"]] == result.reasons
    assert all(flag["params"] == {} for flag in body["red_flags"])
    assert body["advice_for"] == (assessment.advice_for or None)
    assert body["urgency_label"] == {"emergency": "Emergency", "urgent": "Urgent", "routine": "Routine",
                                     "self_care": "Self-care"}[body["urgency"]]  # fmt: skip


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda p: p.stem)
def test_assess_speaks_the_requests_language(client_for, path):
    answers = json.loads(path.read_text())
    client = client_for("athlete_a")
    english = post_json(client, answers).json()
    spanish = client.post(
        ASSESS, json.dumps(answers), content_type="application/json", headers={"accept-language": "es"}
    ).json()
    assert [c["code"] for c in spanish["conditions"]] == [c["code"] for c in english["conditions"]]
    assert [f["code"] for f in spanish["red_flags"]] == [f["code"] for f in english["red_flags"]]
    assert spanish["urgency"] == english["urgency"] and spanish["advice"] != english["advice"]
    for before, after in zip(english["conditions"], spanish["conditions"], strict=True):
        assert after["name"] != before["name"]
        assert all(a != b for a, b in zip(after["reasons"], before["reasons"], strict=True))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_assess_stores_nothing(client_for, path):
    post_json(client_for("clinician"), json.loads(path.read_text()))
    assert not Intake.objects.exists()
    assert not Alert.objects.exists()


def test_invalid_answers_are_a_400_with_the_field_errors(client_for):
    response = post_json(client_for("athlete_a"), sample("invalid_example"))
    assert response.status_code == 400
    with pytest.raises(engine.InvalidAnswers) as caught:
        engine.assess(sample("invalid_example"))
    errors = response.json()["errors"]
    assert errors == caught.value.errors
    assert set(errors) >= {"age", "locations", "night_pain", "tests.leg_swing", "tests.toe_touch"}


def test_older_answers_still_assess_and_new_questions_are_in_the_schema(client_for):
    older = {"locations": ["groin_deep"], "low_energy_risk": True}  # the question asked until 2026.11
    body = post_json(client_for("athlete_a"), older).json()
    assert "red_s_bone_stress" in {flag["code"] for flag in body["red_flags"]}
    properties = client_for("athlete_a").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    text = json.dumps(properties.json())
    for name in (
        "saddle_numbness",
        "bladder_bowel_change",
        "both_legs",
        "leg_weakness",
        "missed_periods",
        "restricted_eating",
        "previous_bone_stress",
        "knee_pain",
    ):
        assert f'"{name}"' in text
    assert api.ANSWERS_SCHEMA["properties"]["low_energy_risk"]["deprecated"] is True


def test_a_needs_a_doctor_result_keeps_the_condition_shape(client_for):
    body = post_json(client_for("athlete_a"), sample("emergency_cauda_equina")).json()
    first = body["conditions"][0]
    assert set(first) == {"code", "name", "score", "reasons", "reason_details"}
    assert first["code"] == "refer_medical"
    assert body["urgency"] == "emergency" and body["stop_running"] is True


@pytest.mark.parametrize("body", [[], [1, 2], "text", 42, None, True], ids=repr)
def test_a_body_that_is_not_an_object_is_a_400(client_for, body):
    response = post_json(client_for("athlete_a"), body)
    assert response.status_code == 400
    message = "Answers must be a JSON object."
    errors = {"non_field_errors": [message]}
    assert response.json() == {"detail": message, "code": "invalid", "errors": errors}


@pytest.mark.parametrize(
    "raw",
    ["{", "", "  ", '{"age": NaN}', '{"age": Infinity}', "[" * 100_000, "\ufeff{}"],
    ids=["truncated", "empty", "blank", "nan", "infinity", "deep", "bom"],
)
def test_malformed_json_is_a_400(client_for, raw):
    response = post_raw(client_for("athlete_a"), raw)
    assert response.status_code == 400


def test_form_encoded_bodies_are_refused(client_for):
    response = client_for("athlete_a").post(ASSESS, {"age": "30"})
    assert response.status_code == 415


def test_assess_needs_a_login_and_a_post(client_for):
    assert post_json(client_for("anonymous"), {}).status_code == 401
    assert client_for("athlete_a").get(ASSESS).status_code == 405


def test_assess_enforces_csrf_for_browser_sessions(people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.athlete_a.user)
    assert post_json(client, {}).status_code == 403


# --------------------------------------------------------------------------- /api/v1/intakes/


@pytest.fixture
def intakes(people):
    a = services.intake_submit(
        athlete=people.athlete_a, by=people.athlete_a.user, answers=sample("urgent_night_pain")
    )
    services.intake_review(intake=a, by=people.clinician.user, condition=None, notes="Care team only")
    return {
        "a": a,
        "b": IntakeFactory(athlete=people.athlete_b),
        "other": IntakeFactory(athlete=people.other_athlete),
    }


LISTED = {
    "athlete_a": {"a"},
    "athlete_b": {"b"},
    "clinician": {"a", "b"},
    "other_clinician": {"other"},
    "superuser": {"a", "b", "other"},
}


@pytest.mark.parametrize("persona", LISTED)
def test_intake_list_is_scoped(client_for, intakes, persona):
    response = client_for(persona).get("/api/v1/intakes/")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {intakes[k].pk for k in LISTED[persona]}
    for key, intake in intakes.items():
        status = client_for(persona).get(f"/api/v1/intakes/{intake.pk}/").status_code
        assert status == (200 if key in LISTED[persona] else 404)


def test_intake_api_needs_a_login(client_for, intakes):
    assert client_for("anonymous").get("/api/v1/intakes/").status_code == 401


def test_stored_intakes_cannot_be_changed_or_deleted(client_for, intakes):
    client = client_for("clinician")
    url = f"/api/v1/intakes/{intakes['a'].pk}/"
    assert client.put(url, {"review_notes": "x"}, content_type="application/json").status_code == 405
    assert client.patch(url, {"review_notes": "x"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405


def test_review_notes_are_for_the_care_team_only(client_for, intakes):
    url = f"/api/v1/intakes/{intakes['a'].pk}/"
    assert client_for("clinician").get(url).json()["review_notes"] == "Care team only"
    as_athlete = client_for("athlete_a").get(url).json()
    assert as_athlete["review_notes"] is None
    assert as_athlete["result"] == render_result(intakes["a"].result) and as_athlete["urgency"] == "urgent"


def test_intake_list_query_count_is_constant(client_for, people, django_assert_max_num_queries):
    for _ in range(20):
        IntakeFactory(athlete=people.athlete_a)
    client = client_for("clinician")
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/intakes/")
    assert response.json()["count"] == 20


def test_review_notes_are_null_in_the_list_for_athletes(client_for, intakes):
    rows = client_for("athlete_a").get("/api/v1/intakes/").json()["results"]
    assert [row["review_notes"] for row in rows] == [None]


def test_intake_filters(client_for, people, intakes):
    client = client_for("clinician")

    def listed(**params):
        return {row["id"] for row in client.get("/api/v1/intakes/", params).json()["results"]}

    assert listed(athlete=people.athlete_b.pk) == {intakes["b"].pk}
    assert listed(urgency="urgent") == {intakes["a"].pk}
    assert listed(reviewed="true") == {intakes["a"].pk}
    assert listed(reviewed="false") == {intakes["b"].pk}
    waiting = services.intake_submit(
        athlete=people.athlete_b, by=people.athlete_b.user, answers=sample("urgent_night_pain")
    )
    assert listed(needs_review="true") == {waiting.pk}
    assert waiting.pk not in listed(needs_review="false")
    response = client.get("/api/v1/intakes/", {"urgency": "whenever"})
    assert response.status_code == 400 and "urgency" in response.json()["errors"]


# --------------------------------------------------------------------------- submitting and reviewing


def test_an_athlete_submits_their_own_hip_check(client_for, people):
    response = client_for("athlete_a").post(
        "/api/v1/intakes/", {"answers": sample("urgent_night_pain")}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    intake = Intake.objects.get(pk=response.json()["id"])
    assert (intake.athlete, intake.submitted_by, intake.urgency) == (
        people.athlete_a,
        people.athlete_a.user,
        "urgent",
    )
    assert response.json()["result"] == render_result(intake.result)
    assert (
        intake.result == engine.assess(sample("urgent_night_pain")).to_record()
    )  # codes stored, words shown
    assert Alert.objects.open().filter(athlete=people.athlete_a, kind="triage").exists()


def test_a_clinician_submits_for_an_athlete_in_their_clinic(client_for, people):
    client = client_for("clinician")
    body = {"answers": {"locations": ["side"], "worse_lying_on_side": True}}
    missing = client.post("/api/v1/intakes/", body, content_type="application/json")
    assert missing.status_code == 400 and "athlete" in missing.json()["errors"]
    foreign = client.post(
        "/api/v1/intakes/", {**body, "athlete": people.other_athlete.pk}, content_type="application/json"
    )
    assert foreign.status_code == 400 and "athlete" in foreign.json()["errors"]
    response = client.post(
        "/api/v1/intakes/", {**body, "athlete": people.athlete_b.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Intake.objects.get().athlete == people.athlete_b


@pytest.mark.parametrize(
    "answers,errors",
    [
        ({"age": 500}, {"answers.age": ["Must be between 5 and 100."]}),
        ({"tests": {"leg_swing": "maybe"}}, {"answers.tests.leg_swing": ["Must be one of: pain, no_pain, not_done."]}),
        ({"favourite_colour": "blue"}, {"answers.favourite_colour": ["Unknown question."]}),
        ([1, 2], {"answers": ["Answers must be a JSON object."]}),
    ],
    ids=["range", "nested", "unknown", "not-an-object"],
)  # fmt: skip
def test_invalid_answers_are_a_400_under_answers(client_for, answers, errors):
    response = client_for("athlete_a").post(
        "/api/v1/intakes/", {"answers": answers}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert not Intake.objects.exists()


def test_a_clinician_reviews_an_intake_and_the_alert_is_resolved(client_for, people):
    intake = services.intake_submit(
        athlete=people.athlete_a, by=people.athlete_a.user, answers=sample("urgent_night_pain")
    )
    url = f"/api/v1/intakes/{intake.pk}/review/"
    client = client_for("clinician")
    unknown = client.post(url, {"condition": "broken_heart"}, content_type="application/json")
    assert unknown.status_code == 400 and "condition" in unknown.json()["errors"]
    response = client.post(
        url, {"condition": "osteoarthritis", "notes": "X-ray booked."}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["confirmed_condition"] == "osteoarthritis"
    assert response.json()["review_notes"] == "X-ray booked."
    assert not Alert.objects.open().filter(athlete=people.athlete_a).exists()


# --------------------------------------------------------------------------- conditions


def test_conditions_are_the_engines_catalogue(client_for):
    client = client_for("athlete_a")
    body = client.get("/api/v1/conditions/", {"page_size": 100}).json()
    assert {row["code"] for row in body["results"]} == set(engine.CONDITIONS)
    emergency = client.get("/api/v1/conditions/", {"default_urgency": "emergency"}).json()["results"]
    assert [row["code"] for row in emergency] == ["stress_fracture"]
    detail = client.get("/api/v1/conditions/stress_fracture/").json()
    assert detail["name"] == engine.CONDITIONS["stress_fracture"].name
    assert client.get("/api/v1/conditions/no_such_thing/").status_code == 404
    by_code = client.get("/api/v1/conditions/", {"ordering": "-code"}).json()["results"]
    assert by_code[0]["code"] == max(engine.CONDITIONS)


def test_a_login_without_a_role_sees_no_conditions(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/api/v1/conditions/").json()["count"] == 0
