"""Search and filters on /library/ and /api/v1/exercises/ (one selector behind both), and their cost."""

import pytest
from django.urls import reverse

from library.models import Exercise
from library.text import fold
from tests.factories import ExerciseFactory

LIST = reverse("library:exercise_list")
API = "/api/v1/exercises/"


def page_slugs(client, **params) -> set[str]:
    """Slugs on every page of the browse page's results."""
    slugs, number = set(), 1
    while True:
        response = client.get(LIST, {**params, "page": number})
        assert response.status_code == 200
        page = response.context["page"]
        slugs |= {exercise.slug for exercise in page.object_list}
        if not page.has_next():
            return slugs
        number += 1


def api_slugs(client, **params) -> set[str]:
    """Slugs on every page of the API's results."""
    slugs, url, query = set(), API, params
    while url:
        response = client.get(url, query, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content
        slugs |= {row["slug"] for row in response.json()["results"]}
        url, query = response.json()["next"], None
    return slugs


@pytest.fixture
def both(client_for, catalog):
    """Runs a search on the page and the API and checks they agree."""
    client = client_for("clinician")

    def search(**params) -> set[str]:
        on_page = page_slugs(client, **params)
        assert api_slugs(client, **params) == on_page
        return on_page

    return search


@pytest.mark.parametrize(
    "q,expected,not_expected",
    [
        ("glute bridge", "glute-bridge", "squat"),
        ("GLUTE Bridge", "glute-bridge", "squat"),
        ("glúte brídge", "glute-bridge", "squat"),  # accents ignored
        ("half-kneeling", "hip-flexor-stretch-kneeling", "butterfly-stretch"),  # an alias
        ("tailbone tucked", "hip-flexor-stretch-kneeling", "glute-bridge"),  # a cue
        ("clamshell test", "resisted-clamshell-test", "clamshell-with-band"),  # every word must match
        ("figure-4", "supine-figure-4-pir-hold", "glute-bridge"),
    ],
    ids=["name", "case", "accents", "alias", "cue", "all-words", "punctuation"],
)
def test_search(both, q, expected, not_expected):
    found = both(q=q)
    assert expected in found
    assert not_expected not in found


def test_search_without_match_is_empty(both):
    assert both(q="zzz no such exercise") == set()


def test_search_finds_clinic_exercises_by_accented_name(client_for, people):
    ExerciseFactory(
        clinic=people.clinic, name="Étirement du psoas", slug="etirement", aliases=["Dehnung Hüfte"]
    )
    client = client_for("clinician")
    assert page_slugs(client, q="etirement") == {"etirement"}
    assert page_slugs(client, q="HUFTE") == {"etirement"}
    assert api_slugs(client, q="ÉTIREMENT PSOAS") == {"etirement"}


def test_fold_matches_what_the_loader_stores():
    assert fold("  Glúte-BRIDGE  (Hüfte) ") == "glute bridge hufte"


def test_kind_filter(both):
    assert both(kind="assessment") == {
        "standing-leg-swing-test",
        "resisted-clamshell-test",
        "seated-rotation-test",
        "single-leg-hop-test",
    }


def test_region_filter(both):
    found = both(region="hip_side")
    assert len(found) == 21
    assert all("hip_side" in e.regions for e in Exercise.objects.filter(slug__in=found))
    assert "glute-bridge" not in found


def test_equipment_filter(both):
    assert both(equipment="foam_roller") == {
        "foam-rolling-tfl",
        "foam-rolling-glute-medius",
        "foam-rolling-hip-flexors",
    }


def test_difficulty_filter(both):
    assert both(difficulty="3") == {"copenhagen-plank"}


def test_filters_combine_with_search(both):
    assert both(kind="strength", equipment="band", q="walk") == {
        "lateral-band-walk",
        "monster-walk-with-band",
    }


def test_region_filter_does_not_match_a_longer_code(client_for, people):
    # "hip" must not match "hip_side": codes are matched whole.
    ExerciseFactory(clinic=people.clinic, slug="side-only", regions=["hip_side"])
    client = client_for("clinician")
    assert page_slugs(client, region="hip_side") == {"side-only"}
    assert page_slugs(client, region="hip_front") == set()


def test_inactive_exercises_are_not_listed(both):
    Exercise.objects.filter(slug="yoga").update(active=False)
    assert "yoga" not in both()
    assert both(q="yoga") == set()


def test_bad_filter_is_ignored_on_the_page_and_a_400_on_the_api(client_for, catalog):
    client = client_for("athlete_a")
    response = client.get(LIST, {"kind": "juggling", "difficulty": "9"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 47
    assert "That choice is not available" in response.content.decode()
    api = client.get(API, {"kind": "juggling", "difficulty": "x"}, HTTP_ACCEPT="application/json")
    assert api.status_code == 400
    assert set(api.json()["errors"]) == {"kind", "difficulty"}


def test_cards_show_dosage_in_words_and_kind(client_for, catalog):
    html = client_for("athlete_a").get(LIST, {"q": "clamshell with band"}).content.decode()
    assert "2–3 sets × 8–10 reps, each side · 2 days a week" in html
    assert "Strength" in html and "Easy" in html


def test_pagination_keeps_the_filters(client_for, catalog):
    response = client_for("clinician").get(LIST, {"kind": "strength"})
    page = response.context["page"]
    assert page.paginator.count == 21 and len(page.object_list) == 21
    response = client_for("clinician").get(LIST, {"region": "glutes"})
    assert response.context["page"].paginator.count == 28
    html = response.content.decode()
    assert "?region=glutes&amp;page=2" in html
    second = client_for("clinician").get(LIST, {"region": "glutes", "page": 2}).context["page"]
    assert len(second.object_list) == 4 and second.number == 2


@pytest.mark.parametrize("page", ["999", "abc", "-1", "9" * 30])
def test_odd_page_numbers_never_fail(client_for, catalog, page):
    response = client_for("clinician").get(LIST, {"page": page})
    assert response.status_code == 200
    assert response.context["page"].object_list


@pytest.mark.parametrize("page", ["99", "0", "abc", "9" * 30])
def test_api_pages_past_the_end_are_404(client_for, catalog, page):
    response = client_for("clinician").get(API, {"page": page}, HTTP_ACCEPT="application/json")
    assert response.status_code == 404


def make_thousand(people):
    """1,000 exercises: half shipped, a quarter the clinician's clinic's, a quarter the other clinic's."""
    rows = []
    for n in range(1000):
        clinic = None if n % 2 == 0 else (people.clinic if n % 4 == 1 else people.other_clinic)
        rows.append(
            Exercise(
                clinic=clinic,
                name=f"Drill {n:04d}",
                slug=f"drill-{n}",
                kind="strength",
                regions=["glutes", "hip_side"],
                equipment=["band"],
                steps=["Step one.", "Step two."],
                sets=2,
                reps=10,
                per_side=True,
                search_text=f"drill {n:04d}",
            )
        )
    Exercise.objects.bulk_create(rows)


@pytest.mark.parametrize("persona,visible", [("clinician", 750), ("athlete_a", 750), ("superuser", 1000)])
def test_browse_page_query_count_is_constant(
    client_for, people, django_assert_max_num_queries, persona, visible
):
    make_thousand(people)
    client = client_for(persona)
    with django_assert_max_num_queries(5):
        response = client.get(LIST, {"region": "glutes", "q": "drill"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == visible
    assert "2 sets × 10 reps, each side" in response.content.decode()


@pytest.mark.parametrize("persona,visible", [("clinician", 750), ("athlete_a", 750), ("superuser", 1000)])
def test_api_list_query_count_is_constant(
    client_for, people, django_assert_max_num_queries, persona, visible
):
    make_thousand(people)
    client = client_for(persona)
    with django_assert_max_num_queries(5):
        response = client.get(API, {"equipment": "band"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == visible and len(body["results"]) == 25 and body["next"]
