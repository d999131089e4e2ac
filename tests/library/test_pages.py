"""Adding, editing and copying exercises on the library pages and in the admin."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from library import services
from library.models import Exercise
from tests.library.test_upload import form_data


def test_clinician_adds_an_exercise_to_their_clinic(client_for, people):
    response = client_for("clinician").post(reverse("library:exercise_add"), form_data(name="Banded bridge"))
    exercise = Exercise.objects.get(name="Banded bridge")
    assert response.status_code == 302 and response.url == exercise.get_absolute_url()
    assert (exercise.clinic, exercise.slug, exercise.active) == (people.clinic, "banded-bridge", True)
    assert exercise.steps == [
        "Lie on your back with a band above your knees.",
        "Push the knees out and lift your hips.",
    ]
    assert exercise.regions == ["glutes"] and exercise.equipment == ["band", "mat"]
    assert "knees out" in exercise.search_text


def test_form_mistakes_are_shown_next_to_the_fields(client_for):
    data = form_data(steps="", sets="3", sets_max="2", regions=["elbow"], days_per_week="9")
    response = client_for("clinician").post(reverse("library:exercise_add"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"steps", "regions", "days_per_week", "sets_max"}
    response = client_for("clinician").post(
        reverse("library:exercise_add"), form_data(sets="3", sets_max="2")
    )
    assert response.context["form"].errors == {"sets_max": ["Must be at least 3."]}
    assert not Exercise.objects.exists()


def test_superuser_adding_picks_the_clinic(client_for, people):
    client = client_for("superuser")
    assert "clinic" in client.get(reverse("library:exercise_add")).context["form"].fields
    client.post(reverse("library:exercise_add"), form_data(clinic=people.other_clinic.pk))
    assert Exercise.objects.get(name="Banded bridge").clinic == people.other_clinic


def test_clinician_edits_their_clinics_exercise(client_for, own_exercise):
    url = reverse("library:exercise_edit", args=[own_exercise.pk])
    client = client_for("clinician")
    form = client.get(url).context["form"]
    assert form.initial["steps"] == own_exercise.steps
    response = client.post(url, form_data(name="Bridge, slower", active=""))
    assert response.status_code == 302
    own_exercise.refresh_from_db()
    assert own_exercise.name == "Bridge, slower" and not own_exercise.active
    assert own_exercise.slug == "riverside-banded-bridge"  # links and plans keep working


def test_copy_a_shipped_exercise_into_the_clinic(client_for, people, catalog):
    shipped = Exercise.objects.get(slug="glute-bridge", clinic=None)
    client = client_for("clinician")
    response = client.post(reverse("library:exercise_copy", args=[shipped.pk]))
    copy = Exercise.objects.get(clinic=people.clinic, copied_from=shipped)
    assert response.url == reverse("library:exercise_edit", args=[copy.pk])
    assert (copy.name, copy.slug, copy.steps, copy.dosage_text()) == (
        shipped.name,
        "glute-bridge",
        shipped.steps,
        shipped.dosage_text(),
    )
    shipped_page = client.get(shipped.get_absolute_url()).content.decode()
    assert "Open your clinic's version" in shipped_page and "Copy to my clinic" not in shipped_page
    again = client.post(reverse("library:exercise_copy", args=[shipped.pk]))
    assert again.url == copy.get_absolute_url()
    assert Exercise.objects.filter(copied_from=shipped).count() == 1
    html = client.get(copy.get_absolute_url()).content.decode()
    assert "Tailored from the shipped catalog" in html and "Your clinic" in html
    # The athlete of the clinic sees the tailored copy; the other clinic does not.
    assert client_for("athlete_a").get(copy.get_absolute_url()).status_code == 200
    assert client_for("other_athlete").get(copy.get_absolute_url()).status_code == 404


def test_copying_a_clinic_exercise_is_refused_with_a_message(client_for, own_exercise):
    response = client_for("clinician").post(
        reverse("library:exercise_copy", args=[own_exercise.pk]), follow=True
    )
    assert "Only exercises from the shipped catalog can be copied" in response.content.decode()
    assert Exercise.objects.count() == 1


def test_copy_is_post_only(client_for, shipped_exercise):
    assert (
        client_for("clinician").get(reverse("library:exercise_copy", args=[shipped_exercise.pk])).status_code
        == 405
    )


def test_services_check_who_is_writing(people, own_exercise, shipped_exercise):
    with pytest.raises(PermissionDenied):
        services.exercise_update(exercise=own_exercise, by=people.athlete_a.user, name="x")
    with pytest.raises(PermissionDenied):
        services.exercise_update(exercise=shipped_exercise, by=people.clinician.user, name="x")
    with pytest.raises(PermissionDenied):
        services.exercise_create(
            clinic=people.other_clinic, by=people.clinician.user, name="x", kind="strength"
        )
    with pytest.raises(PermissionDenied):
        services.exercise_copy_to_clinic(
            exercise=shipped_exercise, clinic=people.other_clinic, by=people.clinician.user
        )


def test_detail_page_without_image_and_with_everything_else(client_for, catalog):
    stretch = Exercise.objects.get(slug="hip-flexor-stretch-kneeling")
    html = client_for("athlete_a").get(stretch.get_absolute_url()).content.decode()
    main = html.split("<main", 1)[1]
    # With no uploaded picture, the only pictures are the drawn start and end positions.
    figure = reverse("library:exercise_figure", args=[stretch.slug])
    assert (
        main.count("<img") == main.count(f'<img class="exercise-figure img-fluid w-100" src="{figure}"') > 0
    )
    assert "Hold 30–60 s × 3, each side" in main
    for text in [
        stretch.steps[0],
        stretch.cues[0],
        stretch.mistakes[0],
        stretch.avoid_when[0],
        "Front of hip",
    ]:
        assert escape(text) in main


def test_user_text_is_escaped(client_for, people):
    client = client_for("clinician")
    client.post(
        reverse("library:exercise_add"), form_data(name="<b>Bold</b> bridge", cues="<script>x</script>")
    )
    exercise = Exercise.objects.get()
    html = client.get(exercise.get_absolute_url()).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>Bold</b>" not in client.get(reverse("library:exercise_list")).content.decode()


def test_admin_add_by_clinician_lands_in_their_clinic(client_for, people):
    data = {
        "name": "Admin bridge",
        "slug": "admin-bridge",
        "kind": "strength",
        "difficulty": "1",
        "regions": ["glutes"],
        "equipment": ["mat"],
        "steps": "Lie down.\nLift.",
        "active": "on",
    }
    client = client_for("clinician")
    response = client.post(reverse("admin:library_exercise_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    exercise = Exercise.objects.get(slug="admin-bridge")
    assert exercise.clinic == people.clinic and exercise.steps == ["Lie down.", "Lift."]
    assert exercise.search_text == "admin bridge"
    duplicate = client.post(reverse("admin:library_exercise_add"), data)
    assert duplicate.status_code == 200
    assert "already has an exercise with this slug" in duplicate.content.decode()


def test_admin_superuser_cannot_add_to_the_shipped_catalog_by_hand(client_for):
    data = {"name": "X", "slug": "x", "kind": "strength", "difficulty": "1", "steps": "Go."}
    response = client_for("superuser").post(reverse("admin:library_exercise_add"), data)
    assert response.status_code == 200
    assert "Choose the clinic that owns this exercise" in response.content.decode()


def test_admin_search_and_filters(client_for, catalog, own_exercise):
    client = client_for("clinician")
    url = reverse("admin:library_exercise_changelist")
    html = client.get(url, {"q": "GLÚTE BRIDGE"}).content.decode()
    assert "Glute bridge" in html and "Squat" not in html
    html = client.get(url, {"owner": "clinic"}).content.decode()
    assert "Riverside banded bridge" in html and "Glute bridge" not in html
    html = client.get(url, {"equipment": "foam_roller"}).content.decode()
    assert "Foam rolling: TFL" in html and "Glute bridge" not in html
    html = client.get(url, {"regions": "groin", "kind__exact": "assessment"}).content.decode()
    assert "Single-leg hop test" in html and "Glute bridge" not in html
