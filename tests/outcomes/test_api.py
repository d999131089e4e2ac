"""Outcome measures over the API: questionnaires as the clinic can use them (no other clinic's licensed wording),
questionnaire rounds (own and the clinic's, scored on save), clinic visits with nested test results (the clinic's
clinical staff only; bad values a 400 naming the field)."""

from datetime import date

import pytest
from django.urls import reverse

from outcomes import services
from outcomes.models import QuestionnaireResponse, TestResult, Visit

DAY = date(2026, 5, 10)
WORDING = {
    "instrument": "ihot12",
    "version": "1",
    "instructions": "Mark the line.",
    "items": {f"Q{i}": f"Licensed question {i}" for i in range(1, 13)},
    "answer_labels": {"0": "Extremely difficult", "100": "No difficulty"},
}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


@pytest.fixture
def visit(people):
    visit = services.visit_save(
        athlete=people.athlete_a, clinician=people.clinician, on=DAY, notes="Sore groin."
    )
    services.visit_test_save(visit=visit, test="fadir", side="left", values={"finding": "negative"})
    return visit


# ------------------------------------------------------------------------------------------------ instruments


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", "401"),
        ("athlete_a", "licensed"),
        ("clinician", "licensed"),
        ("coach", "licensed"),
        ("athlete_b", "licensed"),
        ("other_clinician", "shipped"),
        ("superuser", "shipped"),
    ],
)
def test_instruments_carry_only_the_callers_clinics_wording(client_for, people, persona, expected):
    services.wording_import(clinic=people.clinic, data=WORDING)
    client = client_for(persona)
    listing = client.get(reverse("instrument-list"))
    detail = client.get(reverse("instrument-detail", args=["ihot12"]))
    if expected == "401":
        assert listing.status_code in (401, 403) and detail.status_code in (401, 403)
        return
    assert listing.status_code == 200 and detail.status_code == 200
    codes = [row["code"] for row in listing.json()]
    assert {"nprs", "psfs", "ihot12", "hoos"} <= set(codes)
    ihot = detail.json()
    texts = [item["text"] for item in ihot["items"]]
    if expected == "licensed":
        assert texts[0] == "Licensed question 1"
        assert (ihot["has_wording"], ihot["status"]) == (True, "ready")
    else:
        assert "Licensed question" not in listing.content.decode() + detail.content.decode()
        assert set(texts) == {""}
        assert (ihot["has_wording"], ihot["status"]) == (False, "needs your licensed wording")
    nprs = next(row for row in listing.json() if row["code"] == "nprs")
    assert nprs["has_wording"] and nprs["meaningful_change"] == 2


def test_an_unknown_instrument_is_a_404(client_for):
    assert client_for("clinician").get(reverse("instrument-detail", args=["nope"])).status_code == 404


# --------------------------------------------------------------------------------------- questionnaire rounds


@pytest.fixture
def rounds(people):
    own = services.response_save(
        athlete=people.athlete_a, instrument="nprs", answers={"pain": 4}, round="intake", complete=True
    )
    other = services.response_save(
        athlete=people.other_athlete, instrument="nprs", answers={"pain": 2}, complete=True
    )
    return own, other


@pytest.mark.parametrize(
    "persona, sees_own, sees_other",
    [
        ("athlete_a", True, False),
        ("athlete_b", False, False),
        ("clinician", True, False),
        ("other_clinician", False, True),
        ("superuser", True, True),
    ],
)
def test_who_reads_which_rounds(client_for, rounds, persona, sees_own, sees_other):
    own, other = rounds
    client = client_for(persona)
    listed = {row["id"] for row in client.get(reverse("questionnaireresponse-list")).json()["results"]}
    assert (own.pk in listed, other.pk in listed) == (sees_own, sees_other)
    detail = client.get(reverse("questionnaireresponse-detail", args=[own.pk]))
    assert detail.status_code == (200 if sees_own else 404)
    if sees_own:
        assert detail.json()["total"] == 4 and detail.json()["complete"] is True


def test_anonymous_reads_no_rounds(client_for, rounds):
    assert client_for("anonymous").get(reverse("questionnaireresponse-list")).status_code in (401, 403)


def test_an_athlete_saves_and_scores_their_own_round(client_for, people):
    response = post(
        client_for("athlete_a"),
        reverse("questionnaireresponse-list"),
        {
            "instrument": "psfs",
            "round": "intake",
            "answers": {"activity_1": 3, "activity_2": 5, "activity_3": 4},
            "item_labels": {
                "activity_1": "Running downhill",
                "activity_2": "Stairs",
                "activity_3": "Kicking",
            },
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["athlete"], body["total"], body["valid"], body["complete"]) == (
        people.athlete_a.pk,
        4.0,
        True,
        True,
    )
    saved = QuestionnaireResponse.objects.get(pk=body["id"])
    assert saved.item_labels["activity_1"] == "Running downhill" and saved.entered_by is None


def test_a_partial_round_has_no_score(client_for, people):
    response = post(
        client_for("athlete_a"),
        reverse("questionnaireresponse-list"),
        {"instrument": "psfs", "answers": {"activity_1": 3}, "complete": False},
    )
    assert response.status_code == 201
    assert (response.json()["total"], response.json()["complete"]) == (None, False)


@pytest.mark.parametrize(
    "persona, athlete, expected",
    [
        ("clinician", "athlete_a", 201),
        ("superuser", "athlete_a", 201),
        ("coach", "athlete_a", 403),  # scoring answers is clinical work
        ("other_clinician", "athlete_a", 400),  # not theirs: "does not exist"
        ("athlete_b", "athlete_a", 400),
    ],
)
def test_who_enters_a_round_for_an_athlete(client_for, people, persona, athlete, expected):
    response = post(
        client_for(persona),
        reverse("questionnaireresponse-list"),
        {"athlete": getattr(people, athlete).pk, "instrument": "nprs", "answers": {"pain": 5}},
    )
    assert response.status_code == expected, response.json()
    assert QuestionnaireResponse.objects.exists() is (expected == 201)
    if expected == 201:
        assert QuestionnaireResponse.objects.get().entered_by == people.user(persona)


@pytest.mark.parametrize(
    "answers, field, message",
    [
        ({"pain": 11}, "answers", "outside 0–10"),
        ({"nope": 1}, "answers", "has no item 'nope'"),
        ({"pain": "a lot"}, "answers", "not a number"),
        ("pain", "answers", "Expected a dictionary"),
    ],
)
def test_bad_answers_are_a_400_on_answers(client_for, answers, field, message):
    response = post(
        client_for("athlete_a"),
        reverse("questionnaireresponse-list"),
        {"instrument": "nprs", "answers": answers},
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not QuestionnaireResponse.objects.exists()


def test_an_athlete_cannot_answer_a_questionnaire_without_its_wording(client_for):
    response = post(
        client_for("athlete_a"),
        reverse("questionnaireresponse-list"),
        {"instrument": "hoos", "answers": {"P1": 1}},
    )
    assert response.status_code == 400
    assert "licensed wording" in response.json()["errors"]["instrument"][0]


# ------------------------------------------------------------------------------------------------ visits


@pytest.mark.parametrize(
    "persona, listed, detail",
    [
        ("anonymous", (401, 403), (401, 403)),
        ("athlete_a", (403,), (403,)),
        ("athlete_b", (403,), (403,)),
        ("coach", (403,), (403,)),
        ("other_clinician", (200,), (404,)),
        ("clinician", (200,), (200,)),
        ("superuser", (200,), (200,)),
    ],
)
def test_who_reads_visits(client_for, visit, persona, listed, detail):
    client = client_for(persona)
    listing = client.get(reverse("visit-list"))
    assert listing.status_code in listed
    if listing.status_code == 200:
        ids = [row["id"] for row in listing.json()["results"]]
        assert ids == ([] if persona == "other_clinician" else [visit.pk])
    one = client.get(reverse("visit-detail", args=[visit.pk]))
    assert one.status_code in detail
    if one.status_code == 200:
        body = one.json()
        assert body["notes"] == "Sore groin."
        assert body["results"][0] | {"id": 0} == {
            "id": 0,
            "test": "fadir",
            "test_name": "FADIR (flexion, adduction, internal rotation)",
            "side": "left",
            "values": {"finding": "negative"},
            "passed": True,
            "symmetry_pct": None,
            "reasons": [],
            "reasons_text": [],
        }


def test_a_clinician_records_a_visit_with_nested_results(client_for, people):
    response = post(
        client_for("clinician"),
        reverse("visit-list"),
        {
            "athlete": people.athlete_a.pk,
            "date": "2026-05-10",
            "notes": "Hop test today.",
            "results": [
                {"test": "hop_on_spot", "side": "right", "values": {"hops": 12, "pain": 3}},
                {
                    "test": "hhd_hip_abduction",
                    "side": "left",
                    "values": {"left": 150, "right": 200, "unit": "N"},
                },
                {"test": "adductor_squeeze", "values": {"pressure_mmhg": 210}},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    results = {(r["test"], r["side"]): r for r in body["results"]}
    assert results[("hop_on_spot", "right")]["passed"] is False
    assert results[("hop_on_spot", "right")]["reasons_text"] == [
        "Hopping on the spot, right: pain 3/10, above 2/10."
    ]
    assert results[("hhd_hip_abduction", "left")]["symmetry_pct"] == 75.0
    assert results[("adductor_squeeze", "none")]["passed"] is None
    visit = Visit.objects.get()
    assert (visit.clinician, visit.date, visit.notes) == (people.clinician, DAY, "Hop test today.")


@pytest.mark.parametrize(
    "result, field, message",
    [
        (
            {"test": "hop_on_spot", "side": "right", "values": {"hops": 500, "pain": 1}},
            "results.0.values",
            "outside 0–200",
        ),
        (
            {"test": "hop_on_spot", "side": "none", "values": {"hops": 5, "pain": 1}},
            "results.0.side",
            "not recorded that way round",
        ),
        (
            {"test": "hhd_hip_abduction", "side": "none", "values": {"left": 1, "right": 2}},
            "results.0.values",
            "N or kg",
        ),
        (
            {"test": "fadir", "side": "left", "values": {"finding": "maybe"}},
            "results.0.values",
            "not one of the choices",
        ),
        (
            {"test": "fadir", "side": "left", "values": {"reps": 3}},
            "results.0.values",
            "has no measure called reps",
        ),
        (
            {"test": "single_leg_squat", "side": "left", "values": {"pain": 1}},
            "results.0.values",
            "nothing recorded",
        ),
        (
            {"test": "single_leg_squat", "side": "left", "values": {"reps": "ten", "pain": 1}},
            "results.0.values",
            "not a number",
        ),
        ({"test": "no_such_test", "values": {}}, "results.0.test", "not a valid choice"),
        ({"test": "fadir", "side": "left", "values": [1, 2]}, "results.0.values", "Expected a dictionary"),
    ],
)
def test_refused_results_are_a_400_naming_the_field(client_for, people, result, field, message):
    response = post(
        client_for("clinician"), reverse("visit-list"), {"athlete": people.athlete_a.pk, "results": [result]}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Visit.objects.exists()


def test_the_same_test_and_side_twice_is_refused(client_for, people):
    result = {"test": "fadir", "side": "left", "values": {"finding": "negative"}}
    response = post(
        client_for("clinician"),
        reverse("visit-list"),
        {"athlete": people.athlete_a.pk, "results": [result, result]},
    )
    assert response.status_code == 400
    assert "results.1.side" in response.json()["errors"]


@pytest.mark.parametrize(
    "persona, expected",
    [("coach", 403), ("athlete_a", 403), ("other_clinician", 400), ("anonymous", 403)],
)
def test_no_one_else_records_a_visit(client_for, people, persona, expected):
    response = post(
        client_for(persona), reverse("visit-list"), {"athlete": people.athlete_a.pk, "results": []}
    )
    assert response.status_code in ((401, 403) if persona == "anonymous" else (expected,))
    assert not Visit.objects.exists()


def test_changing_a_visit_replaces_its_results(client_for, visit):
    response = put(
        client_for("clinician"),
        reverse("visit-detail", args=[visit.pk]),
        {
            "notes": "Better.",
            "results": [{"test": "fadir", "side": "right", "values": {"finding": "positive"}}],
        },
    )
    assert response.status_code == 200, response.json()
    assert [(r.test, r.side, r.passed) for r in TestResult.objects.filter(visit=visit)] == [
        ("fadir", "right", False)
    ]
    visit.refresh_from_db()
    assert (visit.notes, visit.date) == ("Better.", DAY)


def test_another_clinic_cannot_change_a_visit(client_for, visit):
    response = put(client_for("other_clinician"), reverse("visit-detail", args=[visit.pk]), {"notes": "x"})
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.notes == "Sore groin."


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("anonymous", (401, 403)),
        ("athlete_a", (403,)),
        ("coach", (403,)),
        ("other_clinician", (404,)),
        ("clinician", (204,)),
        ("superuser", (204,)),
    ],
)
def test_who_deletes_a_visit(client_for, visit, persona, expected):
    response = client_for(persona).delete(reverse("visit-detail", args=[visit.pk]))
    assert response.status_code in expected
    deleted = response.status_code == 204
    assert Visit.objects.filter(pk=visit.pk).exists() != deleted
    assert TestResult.objects.filter(visit_id=visit.pk).exists() != deleted


def test_a_deleted_athletes_visit_is_kept(client_for, people, visit):
    from portal.privacy import anonymise_athlete

    anonymise_athlete(people.athlete_a, by=people.clinician.user)
    response = client_for("clinician").delete(reverse("visit-detail", args=[visit.pk]))
    assert response.status_code == 400
    assert Visit.objects.filter(pk=visit.pk).exists()


@pytest.mark.parametrize("persona", ["athlete_a", "coach", "clinician", "other_clinician"])
def test_the_test_catalog_is_there_for_whoever_is_signed_in(client_for, persona):
    listing = client_for(persona).get(reverse("objectivetest-list"))
    assert listing.status_code == 200
    assert [row["code"] for row in listing.json()][:2] == ["fadir", "faber"]
    assert client_for("anonymous").get(reverse("objectivetest-list")).status_code in (401, 403)


def test_the_test_catalog_says_what_a_visits_results_take(client_for, people):
    """A client learns the codes, sides and measures from the catalog and records a visit with them."""
    client = client_for("clinician")
    squeeze = client.get(reverse("objectivetest-detail", args=["adductor_squeeze"])).json()
    assert squeeze["name"] == "Adductor squeeze" and squeeze["result_sides"] == ["none"]
    assert [(m["code"], m["unit"], m["min"], m["max"]) for m in squeeze["measures"]] == [
        ("pressure_mmhg", "mmHg", 0, 400),
        ("pain", "/10", 0, 10),
    ]
    assert squeeze["any_of"] is True
    assert squeeze["pass_mark"] == "Pass: pain at most 2/10 (a pressure alone has no pass mark)."
    strength = client.get(reverse("objectivetest-detail", args=["hhd_hip_abduction"])).json()
    assert strength["sides"] == "paired" and strength["result_sides"] == ["none", "left", "right"]
    assert strength["pass_rule"] == {
        "kind": "symmetry",
        "max_pain": None,
        "count_measure": None,
        "min_count": None,
        "min_pct": 90.0,
    }
    hop = client.get(reverse("objectivetest-detail", args=["hop_on_spot"])).json()
    assert hop["result_sides"] == ["left", "right"] and hop["required"] == ["hops", "pain"]
    assert client.get(reverse("objectivetest-detail", args=["nope"])).status_code == 404
    results = [
        {"test": "adductor_squeeze", "side": squeeze["result_sides"][0], "values": {"pressure_mmhg": 210}},
        {"test": "hop_on_spot", "side": "left", "values": {"hops": 12, "pain": 1}},
    ]
    response = post(client, reverse("visit-list"), {"athlete": people.athlete_a.pk, "results": results})
    assert response.status_code == 201, response.json()


def test_visit_lists_filter_by_athlete(client_for, people, visit):
    services.visit_save(athlete=people.athlete_b, clinician=people.clinician, on=DAY)
    client = client_for("clinician")
    rows = client.get(reverse("visit-list"), {"athlete": people.athlete_a.pk}).json()["results"]
    assert [row["id"] for row in rows] == [visit.pk]
    assert client.get(reverse("visit-list"), {"athlete": "x"}).status_code == 400
