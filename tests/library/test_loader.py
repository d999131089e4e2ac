"""manage.py load_library: idempotent, updates shipped entries, never touches clinics' own exercises."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from library.models import Exercise
from library.services import CATALOG_PATH, catalog_read
from tests.factories import ExerciseFactory


def load(path=None) -> str:
    out = StringIO()
    call_command("load_library", *([str(path)] if path else []), stdout=out)
    return out.getvalue()


def write_catalog(tmp_path, entries) -> str:
    path = tmp_path / "exercises.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def test_first_load_creates_every_entry(db):
    assert "47 created, 0 updated, 0 unchanged, 0 deactivated" in load()
    assert Exercise.objects.shipped().count() == 47


def test_loading_twice_changes_nothing(db):
    load()
    before = {e.pk: e.updated for e in Exercise.objects.all()}
    assert "0 created, 0 updated, 47 unchanged, 0 deactivated" in load()
    assert {e.pk: e.updated for e in Exercise.objects.all()} == before


def test_reload_restores_edited_shipped_entries(db):
    load()
    Exercise.objects.filter(slug="glute-bridge").update(name="Bridge (edited)", sets=9)
    assert "0 created, 1 updated, 46 unchanged" in load()
    bridge = Exercise.objects.get(slug="glute-bridge", clinic=None)
    assert bridge.name == "Glute bridge" and bridge.sets is None


def test_reload_never_touches_a_clinics_own_exercise_with_the_same_slug(people):
    load()
    own = ExerciseFactory(clinic=people.clinic, slug="glute-bridge", name="Our bridge", steps=["Our way."])
    load()
    own.refresh_from_db()
    assert (own.name, own.steps, own.active) == ("Our bridge", ["Our way."], True)
    assert Exercise.objects.filter(slug="glute-bridge").count() == 2


def test_entries_that_leave_the_file_are_deactivated_then_restored(db, tmp_path):
    load()
    entries = catalog_read(CATALOG_PATH)
    shorter = write_catalog(tmp_path, [e for e in entries if e["slug"] != "yoga"])
    assert "0 created, 0 updated, 46 unchanged, 1 deactivated" in load(shorter)
    yoga = Exercise.objects.get(slug="yoga")
    assert not yoga.active
    assert "0 created, 1 updated, 46 unchanged, 0 deactivated" in load()
    yoga.refresh_from_db()
    assert yoga.active


def test_search_text_is_built_by_the_loader(catalog):
    stretch = Exercise.objects.get(slug="hip-flexor-stretch-kneeling")
    assert "psoas stretch" in stretch.search_text  # an alias
    assert "tailbone tucked" in stretch.search_text  # a cue


@pytest.mark.parametrize(
    "change,message",
    [
        ({"kind": "juggling"}, "kind"),
        ({"regions": ["elbow"]}, "Unknown value: elbow"),
        ({"steps": []}, "at least one step"),
        ({"colour": "red"}, "unknown ['colour']"),
        ({"dosage": {"sets": 3, "sets_max": 2}}, "Must be at least 3"),
    ],
    ids=["bad-kind", "bad-region", "no-steps", "unknown-key", "bad-range"],
)
def test_a_bad_catalog_is_refused_and_nothing_changes(db, tmp_path, change, message):
    entries = catalog_read(CATALOG_PATH)
    entries[-1] = {**entries[-1], **change}
    with pytest.raises(CommandError, match=re.escape(message)):
        load(write_catalog(tmp_path, entries))
    assert not Exercise.objects.exists()


def test_a_slug_listed_twice_is_refused(db, tmp_path):
    entries = catalog_read(CATALOG_PATH)
    with pytest.raises(CommandError, match="listed twice"):
        load(write_catalog(tmp_path, [*entries, entries[0]]))
    assert not Exercise.objects.exists()


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        load(tmp_path / "nope.json")


def test_load_demo_loads_the_library(db):
    call_command("load_demo", stdout=StringIO())
    assert Exercise.objects.shipped().active().count() == 47
