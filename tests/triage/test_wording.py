"""Every code the engine stores says something, in English and in Spanish (issue #25).

An intake stores its result as codes (``Assessment.to_record()``); triage.wording puts them into words with gettext
when a page, the API or an export shows them. In English the words are the engine's own; in Spanish every code has
its translation (a missing one would show the English). A text stored as words (a result from before the codes)
is shown as it was stored, whatever the language.
"""

import pytest
from django.utils import translation

from tests.triage.utils import VALID_SAMPLES, sample
from triage import engine, wording


def _cases():
    for rule in engine.RULES:
        yield pytest.param("reason", rule.id, rule.reason, id=f"reason:{rule.id}")
    for flag in engine.RED_FLAG_RULES:
        yield pytest.param("red_flag", flag.code, flag.message, id=f"red_flag:{flag.code}")
        yield pytest.param("title", flag.code, None, id=f"title:{flag.code}")
        if flag.refer:
            yield pytest.param("reason", flag.referral_code, flag.refer, id=f"reason:{flag.referral_code}")
    for code, condition in engine.CONDITIONS.items():
        yield pytest.param("name", code, condition.name, id=f"name:{code}")
        yield pytest.param("advice", code, condition.advice, id=f"advice:{code}")
    yield pytest.param("name", engine.REFER_MEDICAL.code, engine.REFER_MEDICAL.name, id="name:refer_medical")
    yield pytest.param(
        "advice", engine.REFER_MEDICAL.code, engine.REFER_MEDICAL.advice, id="advice:refer_medical"
    )
    for urgency in engine.URGENCY_ORDER:
        yield pytest.param(
            "urgency_advice", urgency, engine.URGENCY_ADVICE[urgency], id=f"urgency_advice:{urgency}"
        )
        yield pytest.param("urgency_label", urgency, None, id=f"urgency_label:{urgency}")
        yield pytest.param("banner", urgency, None, id=f"banner:{urgency}")


def _render(kind: str, code: str) -> str:
    item = {"code": code, "params": {}}
    return {
        "reason": lambda: wording.reason_details({"reasons": [item]})[0]["text"],
        "red_flag": lambda: wording.flag_message(item),
        "title": lambda: wording.red_flags_for_display({"red_flags": [item]})[0]["title"],
        "name": lambda: wording.condition_name(code),
        "advice": lambda: wording.condition_advice(code),
        "urgency_advice": lambda: wording.urgency_advice(code),
        "urgency_label": lambda: str(wording.URGENCY_LABELS[code]),
        "banner": lambda: str(wording.BANNERS[code].title),
    }[kind]()


@pytest.mark.parametrize("kind, code, english", list(_cases()))
def test_every_code_renders_in_english_and_spanish(kind, code, english):
    with translation.override("en-gb"):
        in_english = _render(kind, code)
    with translation.override("es"):
        in_spanish = _render(kind, code)
    if english is not None:
        assert in_english == english
    assert in_english and in_spanish and in_spanish != in_english
    assert "%(" not in in_spanish


def _field_texts():
    for spec in engine.FIELDS.values():
        yield pytest.param(spec.label, id=f"label:{spec.name}")
        for value, label in spec.choices:
            yield pytest.param(label, id=f"choice:{spec.name}.{value}")
        for sub in spec.subfields:
            yield pytest.param(sub.label, id=f"label:tests.{sub.name}")
            for value, label in sub.choices:
                yield pytest.param(label, id=f"choice:tests.{sub.name}.{value}")


@pytest.mark.parametrize("english", list(_field_texts()))
def test_every_question_and_choice_has_its_spanish(english):
    with translation.override("es"):
        assert translation.gettext(english) != english


@pytest.mark.parametrize(
    "english", [engine.DISCLAIMER, engine.WARNING_SIGNS], ids=["disclaimer", "warning_signs"]
)
def test_the_disclaimer_and_the_warning_signs_lead_are_translated(english):
    with translation.override("es"):
        assert translation.gettext(english) != english


@pytest.mark.parametrize("path", VALID_SAMPLES, ids=lambda p: p.stem)
def test_a_stored_result_renders_as_the_engines_english_and_in_spanish(path):
    assessment = engine.assess(sample(path.stem))
    english = assessment.to_dict()
    with translation.override("en-gb"):
        shown = wording.render_result(assessment.to_record())
    assert {key: shown[key] for key in english if key not in ("red_flags", "conditions")} == {
        key: value for key, value in english.items() if key not in ("red_flags", "conditions")
    }
    assert [(f["code"], f["message"]) for f in shown["red_flags"]] == [
        (f["code"], f["message"]) for f in english["red_flags"]
    ]
    assert [(c["code"], c["name"], c["score"], c["reasons"]) for c in shown["conditions"]] == [
        (c["code"], c["name"], c["score"], c["reasons"]) for c in english["conditions"]
    ]
    with translation.override("es"):
        spanish = wording.render_result(assessment.to_record())
    texts = [spanish["advice"], spanish["disclaimer"], *(f["message"] for f in spanish["red_flags"])]
    texts += [text for c in spanish["conditions"] for text in (c["name"], *c["reasons"])]
    sentences = _engine_sentences()
    assert not [text for text in texts if text in sentences]  # nothing left in English
    assert [c["code"] for c in spanish["conditions"]] == [c["code"] for c in english["conditions"]]


def _engine_sentences() -> set[str]:
    sentences = {rule.reason for rule in engine.RULES} | {engine.DISCLAIMER, engine.REFER_MEDICAL.name}
    sentences |= {flag.message for flag in engine.RED_FLAG_RULES} | {
        flag.refer for flag in engine.RED_FLAG_RULES
    }
    sentences |= {c.name for c in engine.CONDITIONS.values()} | set(engine.URGENCY_ADVICE.values())
    return sentences - {""}


def test_a_result_stored_as_words_is_shown_as_stored_in_any_language():
    stored = {
        "urgency": "urgent",
        "stop_running": True,
        "red_flags": [{"code": "night_or_rest_pain", "message": "An older wording of the night-pain flag."}],
        "conditions": [
            {"code": "stress_fracture", "name": "Stress fracture (old name)", "score": 0.7,
             "reasons": ["An older reason.", {"code": "night_pain.stress_fracture", "params": {}}]},
        ],
        "advice": "Older advice, as it was given.",
        "engine_version": "2026.11.1",
        "disclaimer": "An older disclaimer.",
    }  # fmt: skip
    with translation.override("es"):
        shown = wording.render_result(stored)
        night_pain = translation.gettext(engine.RULES[0].reason)  # any reason: the catalog answers
    assert night_pain
    assert shown["red_flags"][0]["message"] == "An older wording of the night-pain flag."
    condition = shown["conditions"][0]
    assert condition["name"] == "Stress fracture (old name)"
    assert condition["reasons"][0] == "An older reason."
    assert (
        condition["reasons"][1] == "El dolor nocturno es una señal de alarma de estrés óseo."
    )  # the code: translated
    assert condition["reason_details"][0] == {"code": None, "params": {}, "text": "An older reason."}
    assert (shown["advice"], shown["disclaimer"]) == (
        "Older advice, as it was given.",
        "An older disclaimer.",
    )


def test_a_reason_with_parameters_is_formatted_after_translating():
    rule = engine.RULES[0]
    item = {"code": rule.id, "params": {"unused": 1}}
    with translation.override("en-gb"):
        assert wording.reason_details({"reasons": [item]})[0] == {
            "code": rule.id, "params": {"unused": 1}, "text": rule.reason,
        }  # fmt: skip


def test_an_unknown_code_shows_the_code_rather_than_failing():
    shown = wording.render_result(
        {"urgency": "routine", "red_flags": [{"code": "retired_flag", "params": {}}],
         "conditions": [{"code": "retired_condition", "score": 0.5, "reasons": [{"code": "gone.rule", "params": {}}]}],
         "advice": {"urgency": "routine", "condition": None}}
    )  # fmt: skip
    assert shown["red_flags"][0]["message"] == "retired_flag"
    assert shown["conditions"][0]["name"] == "retired condition"
    assert shown["conditions"][0]["reasons"] == ["gone.rule"]
    assert (
        shown["advice"] == engine.URGENCY_ADVICE["routine"] + " Warning signs in your answers: retired_flag"
    )


@pytest.mark.parametrize(
    "answers, field, english, spanish",
    [
        pytest.param({"age": 200}, "age", "Must be between 5 and 100.", "Tiene que estar entre 5 y 100.", id="range"),
        pytest.param({"night_pain": 1}, "night_pain", "Must be true or false.", "Tiene que ser verdadero o falso.",
                     id="bool"),
        pytest.param({"onset": "slowly"}, "onset", "Must be one of: sudden, gradual.",
                     "Tiene que ser uno de estos: sudden, gradual.", id="choice"),
        pytest.param({"locations": ["knee"]}, "locations", '"knee" is not one of: front, groin_deep, inner, side, '
                     'outer_thigh, buttock, sit_bone.', '"knee" no es ninguno de estos: front, groin_deep, inner, side, '
                     'outer_thigh, buttock, sit_bone.', id="multichoice"),
        pytest.param({"why": True}, "why", "Unknown question.", "Pregunta desconocida.", id="unknown"),
    ],
)  # fmt: skip
def test_validation_messages_stay_english_in_the_engine_and_are_said_in_the_readers_language(
    answers, field, english, spanish
):
    with pytest.raises(engine.InvalidAnswers) as caught:
        engine.validate(answers)
    assert caught.value.errors[field] == [english]
    with translation.override("en-gb"):
        assert wording.answer_errors(caught.value)[field] == [english]
    with translation.override("es"):
        assert wording.answer_errors(caught.value)[field] == [spanish]
