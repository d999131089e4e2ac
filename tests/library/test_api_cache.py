"""The library API's first page is cached per clinic and role (library.caching): as fast as a cache read, never
stale, never another clinic's or another role's."""

import pytest

from library import services
from library.models import Exercise
from tests.factories import ExerciseFactory

API = "/api/v1/exercises/"


def names(client, **params) -> list[str]:
    response = client.get(API, params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize("count", [5, 40])
def test_the_first_page_takes_the_same_few_queries_for_5_or_40_exercises(
    client_for, people, count, django_assert_max_num_queries
):
    ExerciseFactory.create_batch(count, clinic=None)
    client = client_for("clinician")
    with django_assert_max_num_queries(6):
        assert len(names(client)) == min(count, 25)
    with django_assert_max_num_queries(2):  # cached: the login and its clinician only
        assert len(names(client)) == min(count, 25)


def test_a_change_to_an_exercise_is_seen_at_once(client_for, people, own_exercise):
    client = client_for("clinician")
    assert "Riverside banded bridge" in names(client)
    own_exercise.name = "Riverside wall bridge"
    services.exercise_save(own_exercise)
    assert "Riverside wall bridge" in names(client) and "Riverside banded bridge" not in names(client)
    Exercise.objects.filter(pk=own_exercise.pk).delete()
    assert "Riverside wall bridge" not in names(client)


def test_a_clinics_page_is_not_another_clinics(client_for, people, own_exercise, other_exercise):
    assert "Riverside banded bridge" in names(client_for("clinician"))
    seen = names(client_for("other_clinician"))
    assert "Hilltop hill drill" in seen and "Riverside banded bridge" not in seen


def test_an_athlete_does_not_get_the_clinicians_editable_page(client_for, people, own_exercise):
    def editable(persona):
        response = client_for(persona).get(API, HTTP_ACCEPT="application/json")
        return {row["name"]: row["editable"] for row in response.json()["results"]}

    assert editable("clinician")["Riverside banded bridge"] is True
    assert editable("athlete_a")["Riverside banded bridge"] is False


def test_query_strings_and_later_pages_are_their_own(client_for, people, own_exercise, shipped_exercise):
    client = client_for("clinician")
    assert names(client, q="riverside") == ["Riverside banded bridge"]
    assert set(names(client)) == {"Shipped glute squeeze", "Riverside banded bridge"}
    assert client.get(API, {"page": 2}, HTTP_ACCEPT="application/json").status_code == 404
