"""The clinician's rehab and outcomes pages, the coach's pages and the printed program in Spanish (issue #25): for
someone who chose Spanish the headings and buttons come out in Spanish and the English ones are gone. Each English
sentence checked is first seen on the English page, so the check can fail. The printed program follows the
athlete's language, whoever prints it."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from rehab import discharge, pdf, services
from rehab.models import Plan
from tests.factories import PlanTemplateFactory


@pytest.fixture(autouse=True)
def english_after():
    """LocaleMiddleware leaves the language active in the thread: start and end each test in English."""
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    plan.phases.filter(order=2).update(requires_clearance=True)  # the clearance form shows on the plan page
    return plan


def _speak(user, language):
    user.language = language
    user.save()


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _urls(people, plan) -> dict:
    phase = plan.phases.order_by("order").first()
    return {
        "plan detail": reverse("rehab:plan_detail", args=[plan.pk]),
        "timeline": reverse("rehab:timeline", args=[people.athlete_a.pk]),
        "tailoring": reverse("rehab:phase_edit", args=[plan.pk, phase.pk]),
        "plan assign": reverse("rehab:plan_assign", args=[people.athlete_b.pk]),
        "plan cancel": reverse("rehab:plan_cancel", args=[plan.pk]),
        "visit form": reverse("outcomes:visit_add", args=[people.athlete_a.pk]),
        "questionnaire enter": reverse("outcomes:questionnaire_enter", args=[people.athlete_a.pk]),
        "coach running": reverse("rehab:coach_running", args=[plan.pk]),
        "coach request": reverse("rehab:change_request_new", args=[plan.pk]),
        "coach plan": reverse("rehab:plan_detail", args=[plan.pk]),
    }


CLINICIAN_PAGES = {
    "plan detail": (
        ["El motor de progresión recomienda", "Mueve el plan tú", "Imprimir el programa", "Historial",
         "Necesita visto bueno antes de empezar", "Registrar el visto bueno", "Cuestionarios", "Ajustar"],
        ["Progression engine recommends", "Move the plan yourself", "Print program", ">History<",
         "Needs clearance before it starts", "Record clearance", ">Tailor<", "Step back a phase"],
    ),
    "timeline": (
        ["Registros recientes", "Cumplimiento por semana", "Historial de fases", "Último dolor",
         "Pruebas clínicas a lo largo del tiempo", "Dolor y distancia por día", "cambio de fase"],
        ["Recent logs", "Compliance by week", "Phase history", "Last pain", "Clinic tests over time",
         "Nothing logged yet.", "Pain and distance per day", "phase change"],
    ),
    "tailoring": (
        ["Ajustar la fase 1", "Guardar fase", "Ejercicios de esta fase", "Añadir ejercicios", "Regla de dolor",
         "Nombre de la fase", "Series", "Repeticiones por serie"],
        ["Tailor phase 1", "Save phase", "Exercises in this phase", "Add exercises", "Pain rule", "Phase name",
         "Reps per set", ">Remove<"],
    ),
    "plan assign": (
        ["Asignar un plan", "Asignar y ajustar", "Empezar desde", "Crea el tuyo", "Regla sin dolor"],
        ["Assign a plan", "Assign and tailor", "Start from", "Build your own", "Pain-free rule"],
    ),
    "plan cancel": (
        ["Cancelar el plan", "Mantener el plan", "¿Por qué se cancela el plan?"],
        ["Cancel the plan", "Keep the plan", "Why is the plan cancelled?"],
    ),
    "visit form": (
        ["Registrar una visita", "Guardar visita", "Fecha de la visita", "Pruebas"],
        ["Record a visit", "Save visit", "Date of the visit", ">Tests<"],
    ),
    "questionnaire enter": (
        ["Introducir un cuestionario de Anna", "Cuestionario", ">Abrir<"],
        ["Enter a questionnaire for Anna", ">Questionnaire<", ">Open<"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("page", CLINICIAN_PAGES)
def test_a_clinician_who_chose_spanish_gets_the_page_in_spanish(client_for, people, plan, page):
    spanish, english = CLINICIAN_PAGES[page]
    url = _urls(people, plan)[page]
    client = client_for("clinician")
    html = _page(client, url)
    for sentence in english:
        assert sentence in html
    _speak(people.clinician.user, "es")
    html = _page(client, url)
    for sentence in spanish:
        assert sentence in html
    for sentence in english:
        assert sentence not in html


COACH_PAGES = {
    "coach plan": (
        ["Tu parte como entrenador de carrera", "Enviar una petición a Maya Okafor"],
        ["Your part as the running coach", "Send a request to Maya Okafor"],
    ),
    "coach running": (
        ["Guardar la carrera", "Volver al plan", "Duración de la sesión (minutos)"],
        ["Save the running", "Back to the plan", "Session length (minutes)"],
    ),
    "coach request": (
        ["Una petición a Maya Okafor", "Enviar la petición", "¿Qué propones?", "Un cambio de fase"],
        ["A request to Maya Okafor", "Send the request", "What do you propose?", "A phase change"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("page", COACH_PAGES)
def test_a_coach_who_chose_spanish_gets_the_page_in_spanish(client_for, people, plan, page):
    spanish, english = COACH_PAGES[page]
    url = _urls(people, plan)[page]
    client = client_for("coach")
    html = _page(client, url)
    for sentence in english:
        assert sentence in html
    _speak(people.coach.user, "es")
    html = _page(client, url)
    for sentence in spanish:
        assert sentence in html
    for sentence in english:
        assert sentence not in html


def _pdf_text(data: bytes) -> str:
    """The program's text, lower-cased: some headings are printed in capitals."""
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).lower()


def test_the_printed_program_is_in_the_athletes_language_whoever_prints_it(people, plan):
    english = _pdf_text(pdf.render_hep(plan))
    headings = [
        "your home exercise program",
        "your exercises",
        "how much pain is ok",
        "log your day",
        "page 1 of",
    ]
    for heading in headings:
        assert heading in english
    _speak(people.athlete_a.user, "es")
    with translation.override("en-gb"):  # an English-speaking clinician prints it
        spanish = _pdf_text(pdf.render_hep(plan))
    for heading in ["tu programa de ejercicios en casa", "tus ejercicios", "cuánto dolor es aceptable", "registra tu día",
                    "fase 1 de 3", "página 1 de"]:  # fmt: skip
        assert heading in spanish
    for heading in headings:
        assert heading not in spanish
    assert re.search(r"impreso el \d{1,2} de [a-z]+ de \d{4}", spanish)  # "6 de diciembre de 2026"


def test_the_progress_report_is_in_the_athletes_language(people, plan):
    english = _pdf_text(discharge.discharge_pdf(plan)[1])
    headings = ["progress report", "what to keep doing", "pain, week by week", "no daily pain was logged"]
    for heading in headings:
        assert heading in english
    _speak(people.athlete_a.user, "es")
    with translation.override("en-gb"):
        spanish = _pdf_text(discharge.discharge_pdf(Plan.objects.get(pk=plan.pk))[1])
    for heading in ["informe de evolución", "qué seguir haciendo", "dolor, semana a semana",
                    "no se registró dolor diario"]:  # fmt: skip
        assert heading in spanish
    for heading in headings:
        assert heading not in spanish
