"""Results stored as English before the engine spoke in codes are turned into codes (migration 0006,
triage/records.py): each sentence that is the engine's English word for word becomes its code, anything else stays
as stored and still renders, and undoing the migration gives the English back."""

import json
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from tests.factories import IntakeFactory
from tests.triage.utils import VALID_SAMPLES, sample
from triage import engine, records
from triage.models import Intake
from triage.wording import render_result

MIGRATION = import_module("triage.migrations.0006_intake_result_as_codes")
OLD = json.loads((Path(__file__).parents[1] / "data" / "intake_engine_2026_11_1.json").read_text())


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda p: p.stem)
def test_an_english_result_maps_back_to_exactly_the_codes(path):
    assessment = engine.assess(sample(path.stem))
    assert records.from_english(assessment.to_dict()) == assessment.to_record()
    assert records.to_english(assessment.to_record()) == assessment.to_dict()


def test_the_migration_converts_stored_results_and_old_rows_still_render(client_for, people):
    answers = sample("urgent_night_pain")
    english = engine.assess(answers).to_dict()
    current = IntakeFactory(athlete=people.athlete_a, answers=answers, result=english)
    old = IntakeFactory(athlete=people.athlete_a, answers=OLD["answers"], result=OLD["result"],
                        urgency=OLD["result"]["urgency"], engine_version="2026.11.1")  # fmt: skip
    codes = IntakeFactory(athlete=people.athlete_a, answers=answers)  # stored as codes already
    before = {intake.pk: Intake.objects.get(pk=intake.pk).result for intake in (current, old, codes)}

    MIGRATION.to_codes(apps, None)
    MIGRATION.to_codes(apps, None)  # idempotent

    current.refresh_from_db(), old.refresh_from_db(), codes.refresh_from_db()
    assert current.result == engine.assess(answers).to_record()
    assert codes.result == before[codes.pk]
    # The older engine's row: what matches today's English became codes, the rest is kept word for word, and it
    # renders exactly as it was stored.
    with translation.override("en-gb"):
        shown = render_result(old.result)
    stored = OLD["result"]
    assert shown["advice"] == stored["advice"] and shown["disclaimer"] == stored["disclaimer"]
    assert [f["message"] for f in shown["red_flags"]] == [f["message"] for f in stored["red_flags"]]
    assert [(c["code"], c["name"], c["reasons"]) for c in shown["conditions"]] == [
        (c["code"], c["name"], c["reasons"]) for c in stored["conditions"]
    ]
    for persona in ("athlete_a", "clinician"):
        page = client_for(persona).get(reverse("triage:intake_detail", args=[old.pk]))
        assert page.status_code == 200 and stored["conditions"][0]["name"] in page.content.decode()

    MIGRATION.to_english(apps, None)
    current.refresh_from_db(), old.refresh_from_db()
    assert current.result == english
    assert render_result(old.result)["advice"] == stored["advice"]


def test_a_partly_reworded_result_keeps_only_the_reworded_sentences():
    result = engine.assess(sample("urgent_night_pain")).to_dict()
    result["conditions"][0]["reasons"][0] = "A sentence the engine no longer says."
    result["red_flags"][0]["message"] = "A red-flag message the engine no longer says."
    converted = records.from_english(result)
    assert converted["conditions"][0]["reasons"][0] == "A sentence the engine no longer says."
    assert all(isinstance(r, dict) for r in converted["conditions"][0]["reasons"][1:])
    assert converted["red_flags"][0]["message"] == "A red-flag message the engine no longer says."
    assert converted["advice"] == result["advice"]  # it contains the old message: kept as given
    with translation.override("es"):
        shown = render_result(converted)
    assert shown["conditions"][0]["reasons"][0] == "A sentence the engine no longer says."
    assert shown["conditions"][0]["reasons"][1] != result["conditions"][0]["reasons"][1]  # a code: in Spanish
