"""The hip check in Spanish (issue #25): the form, the result and the clinician's review speak the reader's
language, the engine's wording included (questions, conditions, reasons, red flags, advice), and no English
sentence of the engine is left. The same intake reads in English for an English reader: the stored result is
codes, put into words when shown."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.triage.utils import post_data, sample
from triage import engine
from triage.models import Intake
from triage.wording import SECTIONS, STATEMENTS


@pytest.fixture(autouse=True)
def english_after():
    """LocaleMiddleware leaves the request's language active in the thread: start and end each test in English."""
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


def _speak(user, language):
    user.language = language
    user.save()


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _engine_english(result_codes) -> list[str]:
    """The engine's English sentences a result would show: names, reasons, flags, advice, the disclaimer."""
    texts = [engine.DISCLAIMER, *engine.URGENCY_ADVICE.values()]
    reasons = {rule.id: rule.reason for rule in engine.RULES}
    reasons |= {rule.referral_code: rule.refer for rule in engine.RED_FLAG_RULES if rule.refer}
    for flag in result_codes["red_flags"]:
        texts.append(next(rule.message for rule in engine.RED_FLAG_RULES if rule.code == flag["code"]))
    for condition in result_codes["conditions"]:
        code = condition["code"]
        definition = engine.REFER_MEDICAL if code == engine.REFER_MEDICAL.code else engine.CONDITIONS[code]
        texts += [definition.name, definition.advice, *(reasons[r["code"]] for r in condition["reasons"])]
    return [text.replace("'", "&#x27;") for text in texts]


FORM_SPANISH = [
    "Revisar mi cadera</h1>",
    "¿Dónde te duele?",
    "¿Cuándo empezó?",
    "Señales de alarma",
    "Autopruebas rápidas",
    "Parte delantera de la cadera",
    "El dolor me despierta por la noche",
    "Balanceo de pierna de pie",
    "¿Has notado dolor en la parte delantera de la cadera?",
    "Me dolió",
    "Omitir",
    "Ver mi resultado",
    "Dolor al correr (0-10)",
    "0 – sin dolor",
    "Poco a poco",
    "Mujer",
]
FORM_ENGLISH = ["Check my hip</h1>", "Where does it hurt?", "When did it start?", "Warning signs",
                "Quick self-tests", "Front of the hip", "The pain wakes me at night", "Standing leg swing",
                "Did you feel pain at the front of the hip?", "It hurt", "See my result", "Pain while running",
                "0 – no pain", "Gradually", "Female"]  # fmt: skip


def test_the_hip_check_form_is_in_spanish_for_a_spanish_athlete(client_for, people):
    client = client_for("athlete_a")
    html = _html(client, reverse("triage:intake_new"))
    for text in FORM_ENGLISH:
        assert text in html, text
    _speak(people.athlete_a.user, "es")
    html = _html(client, reverse("triage:intake_new"))
    for text in FORM_SPANISH:
        assert text in html, text
    for text in FORM_ENGLISH:
        assert text not in html, text
    for section in SECTIONS:
        with translation.override("en-gb"):
            assert str(section.title) not in html and str(section.intro).replace("'", "&#x27;") not in html
    for name, statement in STATEMENTS.items():
        if not engine.FIELDS[name].retired:
            with translation.override("en-gb"):
                assert str(statement) not in html, name


@pytest.mark.parametrize("name", ["urgent_night_pain", "emergency_cauda_equina", "self_care_hip_flexor",
                                  "routine_outer_hip"])  # fmt: skip
def test_the_result_is_in_spanish_for_a_spanish_athlete_and_english_for_an_english_one(
    client_for, people, name
):
    client = client_for("athlete_a")
    _speak(people.athlete_a.user, "es")
    response = client.post(reverse("triage:intake_new"), post_data(sample(name)))
    intake = Intake.objects.get()
    assert response.status_code == 302 and intake.result == engine.assess(sample(name)).to_record()
    html = _html(client, intake.get_absolute_url())
    for heading in (
        "Tu valoración de cadera",
        "Qué hacer ahora",
        "Qué podría estar causándolo",
        "Por qué ha salido:",
    ):
        assert heading in html, heading
    with translation.override("es"):
        spanish = [
            translation.gettext(text) for text in (engine.DISCLAIMER, engine.URGENCY_ADVICE[intake.urgency])
        ]
    assert all(text in html for text in spanish)
    english = _engine_english(intake.result)
    assert not [text for text in english if text in html]  # no English sentence of the engine is left

    _speak(people.athlete_a.user, "en-gb")
    html = _html(client, intake.get_absolute_url())
    assert "Your hip check" in html and "What to do now" in html
    shown = [text for text in english if text in html]
    assert engine.DISCLAIMER in shown and engine.URGENCY_ADVICE[intake.urgency] in shown
    for condition in intake.result["conditions"][:3]:
        code = condition["code"]
        definition = engine.REFER_MEDICAL if code == engine.REFER_MEDICAL.code else engine.CONDITIONS[code]
        assert definition.name in html


def test_the_review_page_is_in_spanish_for_a_spanish_clinician(client_for, people):
    athlete = client_for("athlete_a")
    athlete.post(reverse("triage:intake_new"), post_data(sample("urgent_night_pain")))
    intake = Intake.objects.get()
    _speak(people.clinician.user, "es")
    html = _html(client_for("clinician"), intake.get_review_url())
    for text in ("Señales de alarma", "Causas probables", "Respuestas", "Tu revisión", "Guardar revisión",
                 "Dolor nocturno o en reposo", "El dolor me despierta por la noche", "Patología confirmada",
                 "Sugeridas por la valoración", "Lo que se le dijo al atleta", "Urgente"):  # fmt: skip
        assert text in html, text
    assert not [text for text in _engine_english(intake.result) if text in html]
    for text in ("Red flags", "Likely causes", "Your review", "Save review", "Night or rest pain",
                 "The pain wakes me at night", "Confirmed condition", "What the athlete was told"):  # fmt: skip
        assert text not in html, text


def test_saving_a_review_says_so_in_spanish(client_for, people):
    client_for("athlete_a").post(reverse("triage:intake_new"), post_data(sample("urgent_night_pain")))
    intake = Intake.objects.get()
    _speak(people.clinician.user, "es")
    response = client_for("clinician").post(
        intake.get_review_url(), {"condition": "", "notes": ""}, follow=True
    )
    assert "Revisión guardada." in response.content.decode()


def test_the_api_gives_codes_with_spanish_text_for_a_spanish_reader(client_for, people):
    client = client_for("athlete_a")
    client.post(reverse("triage:intake_new"), post_data(sample("urgent_night_pain")))
    intake = Intake.objects.get()
    _speak(people.athlete_a.user, "es")
    body = client.get(f"/api/v1/intakes/{intake.pk}/", headers={"accept-language": "es"}).json()["result"]
    flag = body["red_flags"][0]
    assert flag["code"] == "night_or_rest_pain" and flag["params"] == {}
    assert flag["message"].startswith("Un dolor que te despierta por la noche")
    first = body["conditions"][0]
    assert first["reason_details"][0]["code"] == intake.result["conditions"][0]["reasons"][0]["code"]
    assert first["reasons"] == [r["text"] for r in first["reason_details"]]
    assert body["urgency"] == "urgent" and body["urgency_label"] == "Urgente"
