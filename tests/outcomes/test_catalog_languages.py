"""The objective tests catalog (outcomes/catalog.py) speaks the reader's language (issue #25): the English in the
catalog is the source, and every test's name, instructions, measures and choices have a Spanish wording, shown on
the visit pages to a clinician who chose Spanish."""

from datetime import date
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import override

from outcomes import catalog, services, wording
from outcomes.forms_visits import TestForm, range_text
from outcomes.selectors_visits import values_text

SPANISH_NAMES = {
    "hhd_hip_abduction": "Fuerza de abducción de cadera (dinamómetro manual)",
    "single_leg_stance_30s": "Apoyo monopodal 30 s",
    "single_leg_squat": "Sentadilla a una pierna",
    "side_bridge_hold": "Puente lateral",
    "adductor_squeeze": "Test de compresión de aductores",
}


@pytest.fixture(autouse=True)
def english_after():
    """LocaleMiddleware leaves the language active in the thread: start and end each test in English."""
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


@pytest.mark.parametrize("test", catalog.TESTS, ids=lambda t: t.code)
def test_every_test_has_its_name_and_instructions_in_spanish(test):
    with override("es"):
        name, how_to = wording.test_name(test.code), wording.how_to(test)
    assert name and name != test.name
    assert how_to and how_to != test.how_to
    with override("en-gb"):
        assert wording.test_name(test.code) == test.name
        assert wording.how_to(test) == test.how_to


@pytest.mark.parametrize("code, spanish", SPANISH_NAMES.items())
def test_names_read_as_a_spanish_physio_writes_them(code, spanish):
    with override("es"):
        assert wording.test_name(code) == spanish


def test_fadir_and_faber_keep_their_acronyms():
    with override("es"):
        assert wording.test_name("fadir").startswith("FADIR (")
        assert wording.test_name("faber").startswith("FABER (")


@pytest.mark.parametrize(
    "measure",
    sorted({m for test in catalog.TESTS for m in test.measures}, key=lambda m: (m.code, m.label)),
    ids=lambda m: f"{m.code}-{m.label}",
)
def test_every_measure_label_is_in_spanish(measure):
    with override("es"):
        assert wording.measure_label(measure) != measure.label


@pytest.mark.parametrize(
    "value, spanish", [(catalog.POSITIVE, "positiva"), (catalog.NEGATIVE, "negativa"), ("other", "other")]
)
def test_choices_are_said_in_spanish(value, spanish):
    with override("es"):
        assert wording.choice_label(value) == spanish


def test_an_unknown_test_or_an_empty_unit_never_gives_the_catalog_header():
    with override("es"):
        assert wording.test_name("no_such_test") == "no_such_test"
        assert wording.unit_text("") == ""


def test_the_test_form_speaks_spanish():
    test = catalog.BY_CODE["single_leg_squat"]
    with override("es"):
        form = TestForm(test)
        assert form.name == "Sentadilla a una pierna"
        assert form.fields["left_reps"].label == "Izquierda: Repeticiones"
        assert form.fields["left_pain"].label == "Izquierda: Dolor"
        finding = TestForm(catalog.BY_CODE["fadir"]).fields["left_finding"]
        assert [label for _, label in finding.choices] == ["—", "Positiva", "Negativa"]
        assert range_text(finding.measure, catalog.BY_CODE["fadir"]) == "positiva o negativa"
        assert values_text("single_leg_squat", {"reps": 8, "pain": 3}) == "8 repeticiones · dolor 3/10"
        assert values_text("fadir", {"finding": "negative"}) == "negativa"


def _speak(user, language):
    user.language = language
    user.save()


@pytest.fixture
def visit(people):
    visit = services.visit_save(athlete=people.athlete_a, clinician=people.clinician, on=date(2026, 5, 10))
    services.visit_test_save(
        visit=visit, test="hhd_hip_abduction", side="right", values={"left": 200, "right": 160, "unit": "N"}
    )
    services.visit_test_save(visit=visit, test="single_leg_squat", side="left", values={"reps": 8, "pain": 3})
    return visit


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.mark.parametrize("page", ["visit form", "visit detail", "visit edit", "timeline"])
def test_a_spanish_clinician_reads_the_test_names_in_spanish(client_for, people, visit, page):
    url = {
        "visit form": reverse("outcomes:visit_add", args=[people.athlete_a.pk]),
        "visit detail": reverse("outcomes:visit_detail", args=[visit.pk]),
        "visit edit": reverse("outcomes:visit_edit", args=[visit.pk]),
        "timeline": reverse("rehab:timeline", args=[people.athlete_a.pk]),
    }[page]
    client = client_for("clinician")
    english = "Hip abduction strength (hand-held dynamometer)"
    assert english in _page(client, url)
    _speak(people.clinician.user, "es")
    html = _page(client, url)
    assert "Fuerza de abducción de cadera (dinamómetro manual)" in html
    assert english not in html


def test_the_visit_form_gives_the_instructions_in_spanish(client_for, people):
    url = reverse("outcomes:visit_add", args=[people.athlete_a.pk])
    client = client_for("clinician")
    how_to = catalog.BY_CODE["fadir"].how_to
    assert how_to in _page(client, url)
    _speak(people.clinician.user, "es")
    html = _page(client, url)
    assert how_to not in html
    with override("es"):
        assert wording.how_to(catalog.BY_CODE["fadir"]) in html
