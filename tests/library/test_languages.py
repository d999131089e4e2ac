"""The shipped exercises in Spanish (issue #25): names and instructions from library/data/exercises_es.json,
read in the active language, English wherever a text has no Spanish yet; searches find either."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from library.models import Exercise
from library.selectors import matching
from library.services import CATALOG_PATH, TRANSLATIONS_PATH, catalog_read, translations_read
from library.translation import TRANSLATED_FIELDS
from tests.factories import ExerciseFactory

SPANISH = json.loads(TRANSLATIONS_PATH.parent.joinpath("exercises_es.json").read_text(encoding="utf-8"))


@pytest.fixture
def loaded(db):
    call_command("load_library", verbosity=0)
    return Exercise.objects.get(slug="glute-bridge", clinic=None)


def test_every_shipped_exercise_has_its_spanish_line_for_line():
    """The Spanish file covers the catalog: every exercise, every text, one Spanish line per English line."""
    english = {entry["slug"]: entry for entry in catalog_read(CATALOG_PATH)}
    assert set(SPANISH) == set(english)
    for slug, texts in SPANISH.items():
        assert set(texts) <= set(TRANSLATED_FIELDS), slug
        assert texts["name"].strip() and texts.get("steps"), slug  # ("Yoga" is Spanish too)
        for field in ("steps", "cues", "mistakes", "avoid_when"):
            assert len(texts.get(field) or []) == len(english[slug][field]), (slug, field)


def test_an_exercise_reads_in_the_active_language(loaded):
    with translation.override("es"):
        assert loaded.name == SPANISH["glute-bridge"]["name"]
        assert loaded.steps == SPANISH["glute-bridge"]["steps"]
    with translation.override("en-gb"):
        assert loaded.name == "Glute bridge"
        assert loaded.steps[0].startswith("Lie on your back")


def test_a_text_without_spanish_is_shown_in_english(loaded):
    Exercise.objects.filter(pk=loaded.pk).update(cues_es=None, dosage_note_es=None)
    loaded.refresh_from_db()
    with translation.override("es"):
        assert loaded.cues == loaded.cues_en_gb
        assert loaded.name == SPANISH["glute-bridge"]["name"]  # the rest stays Spanish


def test_a_clinics_exercise_written_in_spanish_is_spanish_for_everyone_until_translated(people):
    with translation.override("es"):
        own = ExerciseFactory(clinic=people.clinic, name="Puente con banda", steps=["Túmbate boca arriba."])
    own.refresh_from_db()
    assert (own.name_es, own.name_en_gb) == ("Puente con banda", None)
    with translation.override("en-gb"):
        assert own.name == "Puente con banda"


@pytest.mark.parametrize("words", ["puente gluteos", "glute bridge", "PUENTE"])
def test_a_search_finds_an_exercise_in_either_language(loaded, words):
    assert loaded in matching(Exercise.objects.all(), words)


def test_loading_twice_changes_nothing_in_either_language(loaded):
    out = io.StringIO()
    call_command("load_library", stdout=out)
    assert "0 created, 0 updated, 47 unchanged" in out.getvalue()


def test_a_spanish_edit_is_put_back_by_the_next_load(loaded):
    Exercise.objects.filter(pk=loaded.pk).update(name_es="Puente (editado)")
    out = io.StringIO()
    call_command("load_library", stdout=out)
    assert "1 updated" in out.getvalue()
    loaded.refresh_from_db()
    assert loaded.name_es == SPANISH["glute-bridge"]["name"]


@pytest.mark.parametrize(
    "texts, message",
    [
        ({"colour": "rojo"}, "unknown ['colour']"),
        ({"steps": "Túmbate."}, "steps in its es texts must be a list of lines of text"),
        ({"steps": ["Túmbate.", " "]}, "must be a list of lines of text"),
        ({"name": ["Puente"]}, "name in its es texts must be a text"),
    ],
)
def test_bad_spanish_texts_are_refused_and_nothing_changes(db, monkeypatch, texts, message):
    broken = {**SPANISH, "glute-bridge": {**SPANISH["glute-bridge"], **texts}}
    monkeypatch.setattr("library.management.commands.load_library.translations_read", lambda: {"es": broken})
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("load_library", verbosity=0)
    assert not Exercise.objects.exists()


def test_translations_read_finds_the_spanish_file():
    assert translations_read()["es"] == SPANISH


def test_the_library_page_in_spanish(client_for, people, loaded):
    people.athlete_a.user.language = "es"
    people.athlete_a.user.save()
    page = client_for("athlete_a").get(reverse("library:exercise_detail", args=[loaded.pk])).content.decode()
    assert SPANISH["glute-bridge"]["name"] in page
    assert SPANISH["glute-bridge"]["steps"][0] in page
    assert "Lie on your back" not in page


def test_a_plans_exercises_are_named_in_the_readers_language(people, loaded):
    """Pages read a plan's exercises through the plan (rehab.selectors.plan_exercises): the name comes in the
    active language there too, English where it has no Spanish."""
    from datetime import date

    from rehab import services as rehab_services
    from rehab.selectors import plan_exercises
    from tests.factories import PlanTemplateFactory

    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1)
    plan = rehab_services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                      start=date(2026, 12, 1))  # fmt: skip
    row = plan.current_phase.exercises.get()
    row.exercise = loaded
    row.save()
    with translation.override("es"):
        assert plan_exercises().get(pk=row.pk).exercise_name == SPANISH["glute-bridge"]["name"]
    with translation.override("en-gb"):
        assert plan_exercises().get(pk=row.pk).exercise_name == "Glute bridge"
    Exercise.objects.filter(pk=loaded.pk).update(name_es="")
    with translation.override("es"):
        assert plan_exercises().get(pk=row.pk).exercise_name == "Glute bridge"
