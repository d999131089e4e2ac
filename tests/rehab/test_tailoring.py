"""Tailoring a phase: the exercise picker, adding, moving and removing rows without JavaScript, the dosage in
words, the pain rule beside the exercises, and saves that still refuse a plan changed meanwhile."""

from datetime import date

import pytest
from django.urls import reverse

from rehab import services
from rehab.forms import WALK_JOG_MINUTES
from rehab.models import PlanExercise
from tests.factories import ExerciseFactory, PlanTemplateFactory
from tests.portal.test_form_errors import Page, form_data


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=3)
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )


@pytest.fixture
def phase(plan):
    return plan.phases.order_by("order").first()


@pytest.fixture
def url(plan, phase):
    return reverse("rehab:phase_edit", args=[plan.pk, phase.pk])


def names_in_order(phase) -> list[str]:
    return list(phase.exercises.order_by("order", "pk").values_list("exercise__name", flat=True))


def press(client, url: str, html: str, **button) -> str:
    """Post the page's form as a browser would after pressing a button (name=value) and return the new page."""
    data = form_data(Page(html)) | {name: [str(value)] for name, value in button.items()}
    response = client.post(url, data)
    assert response.status_code == 200, "a step comes back to the page; only Save leaves it"
    return response.content.decode()


def save(client, url: str, html: str, **changes):
    return client.post(url, form_data(Page(html)) | changes)


def shown_rows(html: str) -> list[str]:
    """The exercise names of the rows kept, in the order the page shows them."""
    page = Page(html)
    rows = page.select(
        lambda e: e.tag == "li" and "data-row" in e.attrs and e.get("data-row") != "__prefix__"
    )
    live = [row for row in rows if any(e.tag == "div" and "data-row-live" in e.attrs and "hidden" not in e.attrs
                                       and e.parent is row for e in page.elements)]  # fmt: skip
    return [next(e for e in page.elements if row in e.ancestors() and "data-row-name" in e.attrs).text_content()
            for row in live]  # fmt: skip


def picker_names(html: str) -> list[str]:
    """The exercises the picker shows (not hidden)."""
    page = Page(html)
    items = page.select(lambda e: "data-picker-item" in e.attrs and "hidden" not in e.attrs)
    return [next(e for e in page.elements if item in e.ancestors() and "data-picker-name" in e.attrs).text_content()
            for item in items]  # fmt: skip


def test_the_page_labels_the_dosage_in_words_and_shows_the_pain_rule(client_for, url, phase):
    html = client_for("clinician").get(url).content.decode()
    for label in ["Sets", "Reps per set", "Hold (seconds)", "Time (minutes)", "Times a day", "Days per week",
                  "Each side", "Incline (%)", "Weekly increase cap (%)", "Session length (minutes)",
                  "Most pain allowed during (0–10)", "Pain rule"]:  # fmt: skip
        assert label in html, label
    for old in ["Incline pct", "Hold (s)", "Days / week", "× per day", "Order"]:
        assert f">{old}" not in html, old
    assert phase.pain_text() in html
    data = form_data(Page(html))
    rows = phase.exercises.count()
    # No empty rows waiting with a number in them: one row per exercise, the order hidden and derived.
    assert data["ex-TOTAL_FORMS"] == [str(rows)]
    assert 'type="number" name="ex-0-order"' not in html and 'type="hidden" name="ex-0-order"' in html


def test_the_picker_searches_and_filters_without_javascript(client_for, url, people):
    ExerciseFactory(clinic=None, name="Single-leg bridge", regions=["glutes"], kind="strength", difficulty=2)
    ExerciseFactory(
        clinic=None, name="Hip flexor stretch", regions=["hip_front"], kind="stretch", difficulty=1
    )
    ExerciseFactory(clinic=people.other_clinic, name="Their bridge")
    client = client_for("clinician")

    assert picker_names(client.get(url, {"pick-q": "bridge"}).content.decode()) == ["Single-leg bridge"]
    assert picker_names(client.get(url, {"pick-region": "hip_front"}).content.decode()) == [
        "Hip flexor stretch"
    ]
    assert picker_names(
        client.get(url, {"pick-kind": "stretch", "pick-difficulty": "1"}).content.decode()
    ) == ["Hip flexor stretch"]
    # A filter the form does not know is dropped, not an error.
    everything = picker_names(client.get(url).content.decode())
    assert picker_names(
        client.get(url, {"pick-region": "moon", "pick-difficulty": "x"}).content.decode()
    ) == (everything)
    assert "Their bridge" not in everything

    # The same search from the posted form: the page comes back filtered, nothing saved.
    html = press(client, url, client.get(url).content.decode(), **{"pick-q": "flexor", "search": "1"})
    assert picker_names(html) == ["Hip flexor stretch"]
    assert 'value="flexor"' in html


def test_enter_in_the_search_box_searches_rather_than_saves(client_for, url, plan):
    """Without JavaScript, Enter presses the form's first button (Save): words typed but not searched yet are
    searched for, and nothing is saved."""
    ExerciseFactory(clinic=None, name="Hip flexor stretch")
    client = client_for("clinician")
    html = client.get(url).content.decode()
    response = save(client, url, html, **{"pick-q": "flexor"})
    assert response.status_code == 200
    assert picker_names(response.content.decode()) == ["Hip flexor stretch"]
    plan.refresh_from_db()
    assert plan.version == 1
    # Once the list shows that search, Save saves.
    assert save(client, url, response.content.decode()).status_code == 302


def test_add_move_and_remove_without_javascript_then_save(client_for, url, plan, phase):
    added = ExerciseFactory(clinic=None, name="Wall sit", sets=3, reps=None, hold_seconds=45, per_side=False)
    first, second, third = names_in_order(phase)
    client = client_for("clinician")
    html = client.get(url).content.decode()

    html = press(client, url, html, add=added.pk)
    assert shown_rows(html) == [first, second, third, "Wall sit"]
    data = form_data(Page(html))
    assert (data["ex-3-sets"], data["ex-3-hold_seconds"], data["ex-3-reps"]) == (["3"], ["45"], [""])
    assert "autofocus" in Page(html).by_id("id_ex-3-sets").attrs, "the new row's dosage takes the focus"

    html = press(client, url, html, up=3)
    assert shown_rows(html) == [first, second, "Wall sit", third]
    html = press(client, url, html, up=0)  # the first row stays first
    assert shown_rows(html) == [first, second, "Wall sit", third]
    html = press(client, url, html, up=1)
    assert shown_rows(html) == [second, first, "Wall sit", third]
    html = press(client, url, html, down=0)  # row 0 is now second: it moves below the wall sit
    assert shown_rows(html) == [second, "Wall sit", first, third]
    assert "autofocus" in Page(html).by_id("down-0").attrs, "the focus stays on the button pressed"
    html = press(client, url, html, remove=2)
    assert shown_rows(html) == [second, "Wall sit", first]
    assert "autofocus" in Page(html).by_id("restore-2").attrs, "Undo takes the place of Remove"
    assert f"{third}</s> will be removed when you save" in html
    assert names_in_order(phase) == [first, second, third] and plan.version == 1, "nothing saved yet"

    response = save(client, url, html)
    assert response.status_code == 302
    assert names_in_order(phase) == [second, "Wall sit", first]
    assert list(phase.exercises.order_by("order").values_list("order", flat=True)) == [1, 2, 3]
    plan.refresh_from_db()
    assert plan.version == 2


@pytest.mark.parametrize(
    "button",
    [{"add": "abc"}, {"add": "99999"}, {"up": "-1"}, {"down": "999"}, {"remove": "x"}, {"restore": "0"},
     {"up": ""}, {"clear": "1", "ex-TOTAL_FORMS": "many"}],
    ids=["add-text", "add-missing", "up-negative", "down-past-end", "remove-text", "restore-kept", "up-empty",
         "clear-bad-total"],
)  # fmt: skip
def test_a_step_with_a_made_up_value_changes_nothing(client_for, url, phase, button):
    names = names_in_order(phase)
    client = client_for("clinician")
    html = client.get(url).content.decode()
    data = form_data(Page(html)) | {"pick-q": ["bridge"], "pick-shown": ["bridge"]} | button
    response = client.post(url, data)
    assert response.status_code == 200
    if "ex-TOTAL_FORMS" not in button:
        assert shown_rows(response.content.decode()) == names
    assert names_in_order(phase) == names


def test_clear_empties_the_search_and_filters(client_for, url):
    client = client_for("clinician")
    html = client.get(url, {"pick-q": "zzz", "pick-kind": "stretch"}).content.decode()
    assert picker_names(html) == []
    html = press(client, url, html, clear="1")
    assert picker_names(html) and 'value="zzz"' not in html


def test_a_removed_row_can_be_brought_back(client_for, url, phase):
    names = names_in_order(phase)
    client = client_for("clinician")
    html = press(client, url, client.get(url).content.decode(), remove=1)
    assert shown_rows(html) == [names[0], names[2]]
    html = press(client, url, html, restore=1)
    assert shown_rows(html) == names
    assert save(client, url, html).status_code == 302
    assert names_in_order(phase) == names


def test_typed_values_survive_a_step_and_bad_ones_are_still_refused(client_for, url, phase):
    client = client_for("clinician")
    page = client.get(url).content.decode()
    data = form_data(Page(page)) | {
        "ex-1-sets": ["7"],
        "phase-run_note": ["Flat routes only"],
        "search": ["1"],
    }
    html = client.post(url, data).content.decode()
    assert 'name="ex-1-sets" value="7"' in html and "Flat routes only" in html
    response = save(client, url, html, **{"ex-0-reps": "many"})
    assert response.status_code == 200 and "Reps per set must be a whole number." in response.content.decode()
    assert not phase.exercises.filter(sets=7).exists()


def test_the_order_saved_is_the_position_whatever_numbers_are_posted(client_for, url, phase):
    names = names_in_order(phase)
    client = client_for("clinician")
    html = client.get(url).content.decode()
    response = save(client, url, html, **{"ex-0-order": "50", "ex-1-order": "7", "ex-2-order": "9"})
    assert response.status_code == 302
    assert names_in_order(phase) == [names[1], names[2], names[0]]
    assert list(phase.exercises.order_by("order").values_list("order", flat=True)) == [1, 2, 3]


def test_adding_an_exercise_the_clinician_cannot_see_adds_nothing(client_for, url, people, phase):
    foreign = ExerciseFactory(clinic=people.other_clinic, name="Their exercise")
    client = client_for("clinician")
    html = press(client, url, client.get(url).content.decode(), add=foreign.pk)
    assert "That exercise is no longer in your library." in html
    assert "Their exercise" not in shown_rows(html)
    assert form_data(Page(html))["ex-TOTAL_FORMS"] == ["3"]


def test_a_row_naming_an_exercise_the_clinician_cannot_see_is_refused(client_for, url, people, phase):
    foreign = ExerciseFactory(clinic=people.other_clinic, name="Their exercise")
    client = client_for("clinician")
    response = save(client, url, client.get(url).content.decode(), **{"ex-0-exercise": str(foreign.pk)})
    assert response.status_code == 200
    assert "This exercise is no longer in your library: remove it." in response.content.decode()
    assert not phase.exercises.filter(exercise=foreign).exists()


def test_a_phase_holds_at_most_thirty_exercises(client_for, url, phase):
    template_row = phase.exercises.first()
    added = ExerciseFactory(clinic=None, name="Wall sit")
    PlanExercise.objects.bulk_create(
        PlanExercise(phase=phase, exercise=template_row.exercise, order=n) for n in range(4, 31)
    )
    client = client_for("clinician")
    html = press(client, url, client.get(url).content.decode(), add=template_row.exercise_id)
    assert "A phase holds at most 30 exercises. Remove one before adding another." in html
    assert form_data(Page(html))["ex-TOTAL_FORMS"] == ["30"]
    # Two removed make room for two more; the removed rows still travel with the form until the save.
    for step in [{"remove": 0}, {"remove": 1}, {"add": template_row.exercise_id}, {"add": added.pk}]:
        html = press(client, url, html, **step)
    assert form_data(Page(html))["ex-TOTAL_FORMS"] == ["32"] and len(shown_rows(html)) == 30
    html = press(client, url, html, up=31)  # a row past the 30 the page was built with moves like any other
    assert shown_rows(html)[-2:] == [added.name, template_row.exercise.name]
    assert save(client, url, html).status_code == 302
    assert phase.exercises.count() == 30


def test_a_step_keeps_the_version_the_page_was_loaded_with(client_for, url, people, plan, phase):
    """Pressing Add or Move does not refresh the version: a change saved meanwhile still stops the save."""
    added = ExerciseFactory(clinic=None, name="Wall sit")
    maya = client_for("clinician")
    html = press(maya, url, maya.get(url).content.decode(), add=added.pk)
    with services.plan_editing(plan=plan, by=people.clinician.user, seen=1):  # the same physio, another tab
        phase.exercises.update(note="Changed elsewhere")
    response = save(maya, url, html)
    assert response.status_code == 200
    assert "while you were editing. Your changes were not saved." in response.content.decode()
    assert not phase.exercises.filter(exercise=added).exists()


@pytest.mark.parametrize(
    "walk,jog,flagged",
    [("3", "0", {"jog_minutes"}), ("0", "2", {"walk_minutes"}), ("", "", {"walk_minutes", "jog_minutes"})],
    ids=["no-jog", "no-walk", "neither"],
)
def test_walk_jog_intervals_name_the_missing_minutes_only(client_for, url, walk, jog, flagged):
    client = client_for("clinician")
    html = client.get(url).content.decode()
    changes = {"phase-run_activity": "walk_jog", "phase-walk_minutes": walk, "phase-jog_minutes": jog}
    response = save(client, url, html, **changes)
    assert response.status_code == 200
    form = response.context["form"]
    # Only the boxes without minutes are told so; a box holding a real number of minutes is not.
    assert {name for name, errors in form.errors.items() if WALK_JOG_MINUTES in errors} == flagged


def test_the_page_reads_a_fixed_number_of_queries(client_for, url, phase, django_assert_max_num_queries):
    """Whatever the number of rows and of exercises in the library. (A post validates each row, as Django's
    formsets do: a few queries a row, at most 30 rows.)"""
    client = client_for("clinician")
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    template_row = phase.exercises.first()
    PlanExercise.objects.bulk_create(
        PlanExercise(phase=phase, exercise=template_row.exercise, order=n) for n in range(4, 20)
    )
    ExerciseFactory.create_batch(20, clinic=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
