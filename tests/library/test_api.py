"""/api/v1/exercises/: list and detail for everyone with a role, writes for clinicians on their own clinic's."""

import pytest

from library.models import Exercise

API = "/api/v1/exercises/"

NEW = {
    "name": "Wall sit with band",
    "kind": "isometric",
    "difficulty": 2,
    "regions": ["quads", "glutes"],
    "equipment": ["wall", "band"],
    "steps": ["Lean on a wall with a band above the knees.", "Slide down and hold."],
    "cues": ["Knees out"],
    "sets": 3,
    "hold_seconds": 30,
    "hold_seconds_max": 45,
}


def get(client, url, **params):
    return client.get(url, params, HTTP_ACCEPT="application/json")


def post(client, data):
    return client.post(API, data, content_type="application/json")


def patch(client, exercise, data):
    return client.patch(f"{API}{exercise.pk}/", data, content_type="application/json")


def test_list_is_paginated_and_shows_dosage_in_words(client_for, catalog):
    body = get(client_for("athlete_a"), API).json()
    assert body["count"] == 47 and len(body["results"]) == 25 and body["next"]
    second = get(client_for("athlete_a"), API, page=2).json()
    assert len(second["results"]) == 22 and second["previous"]


def test_detail_has_the_full_exercise(client_for, catalog):
    bridge = Exercise.objects.get(slug="clamshell-with-band")
    body = get(client_for("athlete_a"), f"{API}{bridge.pk}/").json()
    assert body["dosage_text"] == "2–3 sets × 8–10 reps, each side · 2 days a week"
    assert body["shipped"] is True and body["editable"] is False and body["clinic"] is None
    assert body["steps"] == bridge.steps and body["regions"] == bridge.regions
    assert "search_text" not in body


def test_clinician_creates_an_exercise_in_their_clinic(client_for, people):
    client = client_for("clinician")
    elsewhere = post(client, {**NEW, "clinic": people.other_clinic.pk})
    # another clinic is not offered
    assert elsewhere.status_code == 400 and "clinic" in elsewhere.json()["errors"]
    response = post(client, NEW)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "wall-sit-with-band" and body["editable"] is True and body["shipped"] is False
    assert body["dosage_text"] == "Hold 30–45 s × 3"
    exercise = Exercise.objects.get(pk=body["id"])
    assert exercise.clinic == people.clinic
    assert "knees out" in exercise.search_text


def test_same_name_twice_gets_a_second_slug(client_for):
    client = client_for("clinician")
    post(client, NEW)
    assert post(client, NEW).json()["slug"] == "wall-sit-with-band-2"


def test_superuser_chooses_the_clinic(client_for, people):
    client = client_for("superuser")
    missing = post(client, NEW)
    assert missing.status_code == 400 and "clinic" in missing.json()["errors"]
    response = post(client, {**NEW, "clinic": people.other_clinic.pk})
    assert response.status_code == 201
    assert Exercise.objects.get(pk=response.json()["id"]).clinic == people.other_clinic


def test_athletes_cannot_create(client_for):
    assert post(client_for("athlete_a"), NEW).status_code == 403
    assert not Exercise.objects.exists()


def test_clinician_updates_own_but_not_shipped_or_other_clinics(
    client_for, own_exercise, other_exercise, shipped_exercise
):
    client = client_for("clinician")
    response = patch(client, own_exercise, {"name": "Banded bridge, slow", "reps": 12, "reps_max": 15})
    assert response.status_code == 200, response.json()
    assert response.json()["dosage_text"] == "2 sets × 12–15 reps"
    own_exercise.refresh_from_db()
    assert own_exercise.name == "Banded bridge, slow"
    assert "slow" in own_exercise.search_text
    assert patch(client, shipped_exercise, {"name": "Mine now"}).status_code == 403
    assert patch(client, other_exercise, {"name": "Mine now"}).status_code == 404


def test_an_exercise_never_moves_clinic(client_for, people, own_exercise):
    patch(client_for("clinician"), own_exercise, {"clinic": people.other_clinic.pk})
    own_exercise.refresh_from_db()
    assert own_exercise.clinic == people.clinic


def test_superuser_may_correct_a_shipped_exercise(client_for, shipped_exercise):
    assert patch(client_for("superuser"), shipped_exercise, {"cues": ["Slow down"]}).status_code == 200


def test_there_is_no_delete(client_for, own_exercise):
    assert client_for("clinician").delete(f"{API}{own_exercise.pk}/").status_code == 405
    assert Exercise.objects.filter(pk=own_exercise.pk).exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"kind": "juggling"}, "kind"),
        ({"regions": ["elbow"]}, "regions"),
        ({"equipment": "band"}, "equipment"),
        ({"steps": []}, "steps"),
        ({"steps": "do it"}, "steps"),
        ({"difficulty": 4}, "difficulty"),
        ({"sets": 0}, "sets"),
        ({"sets": "many"}, "sets"),
        ({"days_per_week": 8}, "days_per_week"),
        ({"sets": 3, "sets_max": 2}, "sets_max"),
        ({"sets": None, "sets_max": 2}, "sets_max"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"name": ""}, "name"),
        ({"name": "x" * 200}, "name"),
        ({"cues": [""]}, "cues"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_bad_input_is_a_400_with_field_messages(client_for, change, field):
    response = post(client_for("clinician"), {**NEW, **change})
    assert response.status_code == 400
    # list items are reported by position, e.g. "regions.0"
    assert field in {key.split(".")[0] for key in response.json()["errors"]}, response.json()
    assert not Exercise.objects.exists()


def test_malformed_json_is_a_400(client_for):
    response = client_for("clinician").post(API, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_image_can_be_cleared_with_null(client_for, own_exercise):
    from django.core.files.base import ContentFile

    own_exercise.image.save("x.png", ContentFile(b"stored"), save=True)
    response = patch(client_for("clinician"), own_exercise, {"image": None})
    assert response.status_code == 200 and response.json()["image"] is None
    own_exercise.refresh_from_db()
    assert not own_exercise.image
