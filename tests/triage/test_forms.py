"""The form is built from the engine's fields and gives the engine back exactly what was answered."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.triage.utils import VALID_SAMPLES, post_data, sample, with_unticked
from triage import engine
from triage.forms import IntakeForm
from triage.wording import (
    BANNERS,
    RED_FLAG_TITLES,
    SECTIONS,
    SELF_TESTS,
    STATEMENTS,
    URGENCY_LABELS,
    URGENCY_TONES,
    advice_parts,
    alert_message,
    answers_for_display,
    match_label,
)


def test_every_engine_field_is_in_exactly_one_section():
    placed = [name for section in SECTIONS for name in section.fields]
    assert sorted(placed) == sorted(engine.FIELDS)


def test_wording_covers_the_engine():
    assert set(STATEMENTS) == {n for n, f in engine.FIELDS.items() if f.kind == "bool"}
    assert set(SELF_TESTS) == {f.name for f in engine.FIELDS["tests"].subfields}
    assert set(RED_FLAG_TITLES) == {rule.code for rule in engine.RED_FLAG_RULES}
    assert set(BANNERS) == set(engine.URGENCY_ORDER)


def test_every_urgency_has_its_words_and_every_rule_a_known_urgency():
    # The scale is engine.Urgency; the labels, tones, banners and advice are keyed by it, and the rule tables
    # (written as plain strings) only use its values.
    for table in (URGENCY_LABELS, URGENCY_TONES, BANNERS, engine.URGENCY_ADVICE):
        assert list(table) == [u for u in table if isinstance(u, engine.Urgency)]
        assert set(table) == set(engine.Urgency)
    used = {rule.urgency for rule in engine.RED_FLAG_RULES} | {
        c.default_urgency for c in engine.CONDITIONS.values()
    }
    assert used <= set(engine.Urgency)
    assert engine.URGENT_OR_WORSE == (engine.Urgency.URGENT, engine.Urgency.EMERGENCY)


def test_retired_questions_are_accepted_but_no_longer_asked():
    retired = {name for name, spec in engine.FIELDS.items() if spec.retired}
    assert retired == {"low_energy_risk"}
    form = IntakeForm(post_data({"locations": ["front"]}) | {"low_energy_risk": "on"})
    assert not retired & set(form.fields)
    assert form.is_valid() and "low_energy_risk" not in form.answers()


def test_an_older_intake_still_shows_its_retired_answer():
    shown = {part["section"].key: part for part in answers_for_display({"low_energy_risk": True})}
    assert STATEMENTS["low_energy_risk"] in shown["energy"]["ticked"]


def test_form_sections_render_every_field_once():
    form = IntakeForm()
    shown = []
    for part in form.sections():
        for item in part["items"]:
            shown += (
                [f.name for f in item.get("fields", [])] if item["kind"] != "test" else [item["field"].name]
            )
    assert sorted(shown) == sorted(form.fields)


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda p: p.stem)
def test_samples_round_trip_through_the_form(path):
    answers = sample(path.stem)
    form = IntakeForm(post_data(answers))
    assert form.is_valid(), form.errors
    assert form.answers() == with_unticked(answers)
    assert engine.assess(form.answers()).to_dict() == engine.assess(answers).to_dict()


def test_blank_inputs_are_left_out_and_whole_numbers_stay_whole():
    data = post_data({"locations": ["side"]}) | {"age": "", "weekly_km": "42.0", "mileage_change_pct": "12.5"}
    form = IntakeForm(data)
    assert form.is_valid()
    answers = form.answers()
    assert "age" not in answers and "onset" not in answers and "pain_running" not in answers
    assert answers["weekly_km"] == 42 and isinstance(answers["weekly_km"], int)
    assert answers["mileage_change_pct"] == 12.5


# Valid engine answers, built from FIELDS (the form offers every value the engine accepts).
def _value(spec):
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "int":
        return st.integers(int(spec.min_value), int(spec.max_value))
    if spec.kind == "number":
        return st.integers(int(spec.min_value), int(spec.max_value)) | st.floats(
            spec.min_value, spec.max_value, allow_nan=False
        ).map(lambda x: round(x, 1))
    if spec.kind == "choice":
        return st.sampled_from([v for v, _ in spec.choices])
    if spec.kind == "multichoice":
        return st.lists(st.sampled_from([v for v, _ in spec.choices]), min_size=1, unique=True)
    return st.dictionaries(st.sampled_from([f.name for f in spec.subfields]), _value(spec.subfields[0]))


answers_strategy = st.fixed_dictionaries(
    {}, optional={name: _value(spec) for name, spec in engine.FIELDS.items() if not spec.retired}
).map(lambda a: {**a, "locations": a.get("locations") or ["front"]})


@settings(max_examples=150, deadline=None)
@given(answers_strategy)
def test_property_any_valid_answers_survive_the_form(answers):
    form = IntakeForm(post_data(answers))
    assert form.is_valid(), form.errors
    expected = with_unticked(engine.validate(answers))
    assert form.answers() == expected
    assert engine.assess(form.answers()) == engine.assess(expected)


# --------------------------------------------------------------------------- result wording


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda p: p.stem)
def test_advice_splits_into_what_to_do_and_condition_advice(path):
    result = engine.assess(sample(path.stem)).to_dict()
    general, condition = advice_parts(result)
    assert general == engine.URGENCY_ADVICE[result["urgency"]]
    if condition:
        code = result["conditions"][0]["code"]
        top = engine.REFER_MEDICAL if code == "refer_medical" else engine.CONDITIONS[code]
        assert condition == top.advice and f"{top.name}: {top.advice}" in result["advice"]


def test_needs_a_doctor_advice_is_shown_as_the_first_step():
    result = engine.assess(sample("emergency_cauda_equina")).to_dict()
    assert advice_parts(result) == (engine.URGENCY_ADVICE["emergency"], engine.REFER_MEDICAL.advice)


def test_advice_from_an_older_engine_is_shown_whole():
    assert advice_parts({"urgency": "routine", "advice": "Older wording."}) == ("Older wording.", "")


def test_alert_message_names_the_red_flags_briefly():
    result = engine.assess(sample("emergency_stress_fracture")).to_dict()
    message = alert_message(result)
    assert message.startswith("Hip check: ")
    assert "pain on the single-leg hop" in message and len(message) <= 300
    assert alert_message({"urgency": "urgent", "red_flags": [], "conditions": []}).endswith("see the answers")


def test_match_labels():
    assert [match_label(s) for s in (0.33, 0.5, 0.8)] == ["Possible", "Fits partly", "Strong match"]


def test_answers_for_display_reads_like_the_form():
    shown = {
        part["section"].key: part for part in answers_for_display(with_unticked(sample("routine_outer_hip")))
    }
    assert ("Places", "Side of the hip") in shown["where"]["rows"]
    assert "It is worse lying on the painful side" in shown["worse"]["ticked"]
    assert "The pain wakes me at night" in shown["warning"]["unticked"]
    assert ("Resisted clamshell", "It hurt") in shown["tests"]["rows"]
    assert ("Seated rotation", "Skip") in shown["tests"]["rows"]
    assert ("Weekly distance change (%)", "+35 %") in shown["training"]["rows"]
