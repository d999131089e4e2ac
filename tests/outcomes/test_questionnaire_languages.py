"""Questionnaires in the athlete's language (issue #25): NPRS and PSFS ship our own Spanish beside the English
(the instrument files' "translations"), picked by the active language with the English where a text is missing;
the licensed ones ship no wording in any language, and a clinic's own wording is never replaced."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from outcomes import instruments
from outcomes.models import Schedule
from outcomes.questionnaires import clinic_instruments
from rehab import services as rehab_services
from tests.factories import PlanTemplateFactory


@pytest.fixture(autouse=True)
def english_after():
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


@pytest.fixture
def scheduled(people):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1)
    plan = rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=3),
    )  # fmt: skip
    Schedule.objects.create(plan=plan, instrument="psfs", every_weeks=4)
    Schedule.objects.create(plan=plan, instrument="nprs", every_weeks=4)
    return plan


def _speak(people, language):
    user = people.athlete_a.user
    user.language = language
    user.save()


@pytest.mark.parametrize(
    "code,english,spanish",
    [
        ("nprs", "How strong is your pain right now?", "¿Cuánto te duele ahora mismo?"),
        ("psfs", "Activity 2: how well can you do it today?", "Actividad 2: ¿qué tal puedes hacerla hoy?"),
    ],
)
def test_shipped_wording_in_each_language(code, english, spanish):
    shipped = instruments.load(code)
    assert english in [item.text for item in instruments.in_language(shipped, "en-gb").items]
    spanish_one = instruments.in_language(shipped, "es")
    assert spanish in [item.text for item in spanish_one.items]
    assert spanish_one.instructions != shipped.instructions and spanish_one.name != shipped.name
    assert set(spanish_one.anchors) == set(shipped.anchors)
    assert spanish_one.short_name == shipped.short_name  # scores and charts keep one abbreviation
    assert spanish_one.item_codes == shipped.item_codes and spanish_one.total_rule == shipped.total_rule


@pytest.mark.parametrize("language", ["fr", "", None, "es-mx"])
def test_a_language_without_wording_reads_english_and_a_regional_one_its_language(language):
    nprs = instruments.load("nprs")
    found = instruments.in_language(nprs, language)
    expected = (
        "¿Cuánto te duele ahora mismo?" if language == "es-mx" else "How strong is your pain right now?"
    )
    assert found.items[0].text == expected


def test_a_missing_spanish_text_falls_back_to_english():
    data = {**_document("nprs"), "translations": {"es": {"items": {"pain": "¿Cuánto te duele?"}}}}
    found = instruments.in_language(instruments.parse(data), "es")
    assert found.items[0].text == "¿Cuánto te duele?"
    assert found.instructions == instruments.load("nprs").instructions
    assert found.anchors == instruments.load("nprs").anchors


@pytest.mark.parametrize(
    "translations,problem",
    [
        ({"es": {"items": {"nosuch": "x"}}}, "known item codes"),
        ({"es": {"anchors": {"5": "x"}}}, "own anchor values"),
        ({"es": {"items": {"pain": " "}}}, "filled in"),
        ({"es": {"steps": []}}, "only"),
        ([], "object of languages"),
    ],
    ids=["unknown-item", "unknown-anchor", "empty-text", "unknown-key", "not-an-object"],
)
def test_translations_that_do_not_fit_the_instrument_are_refused(translations, problem):
    with pytest.raises(instruments.InstrumentError, match=problem):
        instruments.parse({**_document("nprs"), "translations": translations})


def _document(code) -> dict:
    return json.loads((instruments.HERE / f"{code}.json").read_text(encoding="utf-8"))


def test_licensed_questionnaires_ship_no_wording_in_any_language():
    for found in instruments.all_instruments():
        if found.licence == "licensed":
            assert not found.translations and not found.has_wording
    assert "No Spanish wording is shipped" in instruments.load("lefs").licence_terms


def test_a_clinics_own_wording_is_not_replaced_by_the_shipped_spanish():
    own = instruments.with_wording(instruments.load("nprs"), {"pain": "Our clinic's question"})
    assert instruments.in_language(own, "es").items[0].text == "Our clinic's question"


def test_the_clinic_sees_the_active_languages_wording(people):
    with translation.override("es"):
        found = clinic_instruments(people.clinic, ["nprs"])
    assert found["nprs"].items[0].text == "¿Cuánto te duele ahora mismo?"


def test_the_fill_page_is_in_the_athletes_language(client_for, people, scheduled):
    url = reverse("outcomes:questionnaire_fill", args=["nprs"])
    client = client_for("athlete_a")
    english = ["How strong is your pain right now?", "Worst pain imaginable", "Send my answers", "Question 1 of 1",
               "Think about the pain"]  # fmt: skip
    html = client.get(url).content.decode()
    assert all(sentence in html for sentence in english)
    _speak(people, "es")
    html = client.get(url).content.decode()
    for sentence in ["¿Cuánto te duele ahora mismo?", "El peor dolor imaginable", "Enviar mis respuestas",
                     "Pregunta 1 de 1", "Piensa en el dolor", "Guardar y terminar más tarde",
                     "Escala numérica de valoración del dolor"]:  # fmt: skip
        assert sentence in html
    assert not any(sentence in html for sentence in english)


def test_the_psfs_first_round_names_its_activities_in_spanish(client_for, people, scheduled):
    _speak(people, "es")
    client = client_for("athlete_a")
    html = client.get(reverse("outcomes:questionnaire_fill", args=["psfs"])).content.decode()
    assert "Actividad 1" in html and "¿Qué tal puedes hacer hoy la actividad 1?" in html
    assert "No puedo hacerla en absoluto" in html
    response = client.post(
        reverse("outcomes:questionnaire_fill", args=["psfs"]), {"a_activity_1": "4", "finish": "1"}
    )
    assert "Escribe qué actividad estás puntuando." in response.content.decode()
