"""Who may open which library page, admin page and API endpoint (the scoping matrix for the library)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from library.models import Exercise
from tests.access import ADMIN_LOGIN, LOGIN, assert_outcome, matrix_cases

PERSONAS = ["anonymous", "athlete_a", "other_athlete", "clinician", "other_clinician", "superuser"]


@pytest.fixture
def exercises(own_exercise, other_exercise, shipped_exercise):
    return {"own": own_exercise, "other": other_exercise, "shipped": shipped_exercise}


def url_for(exercises, name):
    own, shipped = exercises["own"].pk, exercises["shipped"].pk
    return {
        "list": ("get", reverse("library:exercise_list")),
        "detail_shipped": ("get", reverse("library:exercise_detail", args=[shipped])),
        "detail_own": ("get", reverse("library:exercise_detail", args=[own])),
        "add": ("get", reverse("library:exercise_add")),
        "edit_own": ("get", reverse("library:exercise_edit", args=[own])),
        "edit_shipped": ("get", reverse("library:exercise_edit", args=[shipped])),
        "copy_shipped": ("post", reverse("library:exercise_copy", args=[shipped])),
        "copy_own": ("post", reverse("library:exercise_copy", args=[own])),
        "admin_list": ("get", reverse("admin:library_exercise_changelist")),
        "admin_add": ("get", reverse("admin:library_exercise_add")),
        "admin_own": ("get", reverse("admin:library_exercise_change", args=[own])),
        "admin_shipped": ("get", reverse("admin:library_exercise_change", args=[shipped])),
        "api_list": ("get", "/api/v1/exercises/"),
        "api_own": ("get", f"/api/v1/exercises/{own}/"),
    }[name]


# Expected outcome per persona, in PERSONAS order. "own" belongs to the clinician's clinic (Riverside),
# which athlete_a also belongs to; other_athlete and other_clinician are at Hilltop.
MATRIX = {
    "list": [LOGIN, 200, 200, 200, 200, 200],
    "detail_shipped": [LOGIN, 200, 200, 200, 200, 200],
    "detail_own": [LOGIN, 200, 404, 200, 404, 200],
    "add": [LOGIN, 403, 403, 200, 200, 200],
    "edit_own": [LOGIN, 403, 403, 200, 404, 200],
    "edit_shipped": [LOGIN, 403, 403, 403, 403, 200],
    # Copying needs a clinic to copy into: the superuser persona has none.
    "copy_shipped": [LOGIN, 403, 403, 302, 302, 403],
    "copy_own": [LOGIN, 403, 403, 302, 404, 403],
    "admin_list": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_add": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_own": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 302, 200],
    "admin_shipped": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "api_list": [401, 200, 200, 200, 200, 200],
    "api_own": [401, 200, 404, 200, 404, 200],
}

CASES = matrix_cases(MATRIX, PERSONAS)


@pytest.mark.parametrize("page,persona,expected", CASES)
def test_access_matrix(client_for, exercises, page, persona, expected):
    method, url = url_for(exercises, page)
    response = getattr(client_for(persona), method)(
        url, HTTP_ACCEPT="application/json" if "api" in page else ""
    )
    assert_outcome(response, expected)


SEES = {
    # persona: (names that must appear, names that must not)
    "athlete_a": (["Riverside banded bridge", "Shipped glute squeeze"], ["Hilltop hill drill"]),
    "clinician": (["Riverside banded bridge", "Shipped glute squeeze"], ["Hilltop hill drill"]),
    "other_clinician": (["Hilltop hill drill", "Shipped glute squeeze"], ["Riverside banded bridge"]),
    "superuser": (["Riverside banded bridge", "Hilltop hill drill", "Shipped glute squeeze"], []),
}


LISTS = [
    pytest.param(url, persona, id=f"{url}-{persona}")
    for url in ["library:exercise_list", "admin:library_exercise_changelist", "api"]
    for persona in SEES
    if not (url.startswith("admin") and persona == "athlete_a")  # athletes have no admin
]


@pytest.mark.parametrize("url,persona", LISTS)
def test_lists_show_the_catalog_and_only_the_own_clinics_exercises(client_for, exercises, url, persona):
    path = "/api/v1/exercises/" if url == "api" else reverse(url)
    html = client_for(persona).get(path, HTTP_ACCEPT="application/json").content.decode()
    visible, hidden = SEES[persona]
    for name in visible:
        assert name in html
    for name in hidden:
        assert name not in html


def test_athlete_cannot_change_an_exercise_of_their_clinic(client_for, own_exercise):
    client = client_for("athlete_a")
    page = client.post(reverse("library:exercise_edit", args=[own_exercise.pk]), {"name": "Hacked"})
    api = client.patch(
        f"/api/v1/exercises/{own_exercise.pk}/", {"name": "Hacked"}, content_type="application/json"
    )
    assert (page.status_code, api.status_code) == (403, 403)
    own_exercise.refresh_from_db()
    assert own_exercise.name == "Riverside banded bridge"


def test_other_clinic_cannot_change_the_exercise_anywhere(client_for, own_exercise):
    client = client_for("other_clinician")
    page = client.post(reverse("library:exercise_edit", args=[own_exercise.pk]), {"name": "Hacked"})
    api = client.patch(
        f"/api/v1/exercises/{own_exercise.pk}/", {"name": "Hacked"}, content_type="application/json"
    )
    client.post(reverse("admin:library_exercise_change", args=[own_exercise.pk]), {"name": "Hacked"})
    assert (page.status_code, api.status_code) == (404, 404)
    own_exercise.refresh_from_db()
    assert own_exercise.name == "Riverside banded bridge"


def test_clinicians_cannot_change_shipped_exercises_in_the_admin(client_for, shipped_exercise):
    client = client_for("clinician")
    url = reverse("admin:library_exercise_change", args=[shipped_exercise.pk])
    html = client.get(url).content.decode()
    assert "View exercise" in html and 'name="name"' not in html
    assert client.post(url, {"name": "Hacked"}).status_code == 403
    shipped_exercise.refresh_from_db()
    assert shipped_exercise.name == "Shipped glute squeeze"


def test_detail_offers_the_right_actions(client_for, own_exercise, shipped_exercise):
    copy_button, edit_link = "Copy to my clinic", reverse("library:exercise_edit", args=[own_exercise.pk])
    as_clinician = client_for("clinician")
    assert copy_button in as_clinician.get(shipped_exercise.get_absolute_url()).content.decode()
    assert edit_link in as_clinician.get(own_exercise.get_absolute_url()).content.decode()
    as_athlete = client_for("athlete_a")
    for exercise in (own_exercise, shipped_exercise):
        html = as_athlete.get(exercise.get_absolute_url()).content.decode()
        assert copy_button not in html and "/edit/" not in html and "Add exercise" not in html


def test_clinicians_group_may_add_change_and_view_exercises(db):
    codenames = set(
        Group.objects.get(name="Clinicians")
        .permissions.filter(content_type__app_label="library")
        .values_list("codename", flat=True)
    )
    assert codenames == {"add_exercise", "change_exercise", "view_exercise"}


def test_library_link_is_in_the_navigation_for_everyone(client_for):
    for persona in ("athlete_a", "clinician", "superuser"):
        html = client_for(persona).get(reverse("library:exercise_list")).content.decode()
        assert f'href="{reverse("library:exercise_list")}">Library</a>' in html


def test_visible_to_shows_nothing_to_a_login_without_a_role(people, shipped_exercise):
    from tests.factories import UserFactory

    assert not Exercise.objects.visible_to(UserFactory()).exists()
    assert Exercise.objects.visible_to(people.athlete_a.user).filter(pk=shipped_exercise.pk).exists()


@pytest.mark.parametrize("pk", ["0", "9" * 25])
def test_unknown_or_absurd_ids_are_404(client_for, pk):
    client = client_for("clinician")
    assert client.get(f"/library/{pk}/").status_code == 404
    assert client.get(f"/api/v1/exercises/{pk}/", HTTP_ACCEPT="application/json").status_code == 404
