"""The athlete's pages, the login and the emails in Spanish (issue #25): the wording of the templates comes out
in Spanish for someone who chose it (or whose browser asks for it), and none of the English sentences of those
templates is left. Each English sentence checked is first seen on the English page, so the check can fail.
Wording that comes from Python (advice, run and dosage text, band labels, form labels) is not checked here."""

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from rehab import reminders, services
from tests.factories import PlanTemplateFactory


@pytest.fixture(autouse=True)
def english_after():
    """LocaleMiddleware leaves the browser's language active in the thread: start and end each test in English."""
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )


def _page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def _speak(people, language):
    user = people.athlete_a.user
    user.language = language
    user.save()


PAGES = {
    "today": (
        "rehab:athlete_today",
        ["Registrar hoy", "Dolor, últimos 14 días", "Cumplimiento del plan, últimos 7 días", "Carga de carrera",
         "El plan completo y cómo hacer cada ejercicio →", "Importar carreras de tu reloj", "Correos recordatorio</a>:"],
        [">Log today<", "Pain, last 14 days", "Doing the plan, last 7 days", "Running load",
         "Full plan and how to do each exercise", "Import runs from your watch", "Reminder emails</a>:"],
    ),
    "my plan": (
        "rehab:my_plan",
        ["Fase 1 de 3</h1>", "Día ", " de tu plan", "Carrera esta semana", "Cuánto dolor es aceptable",
         "0 = sin dolor, 10 = el peor dolor imaginable.", "Tus ejercicios", "Para y contacta con tu clínica si…"],
        ["Phase 1 of 3</h1>", " of your plan", "Running this week", "How much pain is OK",
         "0 = no pain, 10 = the worst pain imaginable.", "Your exercises", "Stop and contact your clinic if",
         "Print program"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_an_athlete_who_chose_spanish_gets_the_page_in_spanish(client_for, people, plan, page):
    url_name, spanish, english = PAGES[page]
    client = client_for("athlete_a")
    html = _page(client, reverse(url_name))
    for sentence in english:
        assert sentence in html
    _speak(people, "es")
    html = _page(client, reverse(url_name))
    for sentence in spanish:
        assert sentence in html
    for sentence in english:
        assert sentence not in html


def test_today_heading_reads_as_a_spanish_date(client_for, people, plan):
    days = "lunes|martes|miércoles|jueves|viernes|sábado|domingo"
    months = "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    html = _page(client_for("athlete_a"), reverse("rehab:athlete_today"))
    assert re.search(r'<h1 class="h4 mb-0">[A-Z][a-z]+ \d{1,2} [A-Z][a-z]+</h1>', html)  # "Sunday 6 December"
    _speak(people, "es")
    html = _page(client_for("athlete_a"), reverse("rehab:athlete_today"))
    # "domingo, 6 de diciembre"
    assert re.search(rf'<h1 class="h4 mb-0">({days}), \d{{1,2}} de ({months})</h1>', html)


def test_the_login_page_follows_the_browsers_spanish(client):
    english = ["<h1 class=\"h4 mb-1\">Log in</h1>", "For runners, physiotherapists and coaches of your clinic.",
               "Forgot your password?", "type=\"submit\">Log in</button>"]  # fmt: skip
    html = _page(client, reverse("login"))
    for sentence in english:
        assert sentence in html
    html = _page(client, reverse("login"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert "<title>Iniciar sesión · Stride Clinic</title>" in html
    assert "Para corredores, fisioterapeutas y entrenadores de tu clínica." in html
    assert "¿Has olvidado tu contraseña?</a>" in html
    for sentence in english:
        assert sentence not in html


def test_the_password_reset_email_asked_for_in_spanish_is_in_spanish(client, people, jobs):
    response = client.post(
        reverse("password_reset"), {"email": people.athlete_a.user.email}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 302
    jobs.run()
    (email,) = mail.outbox
    assert email.subject == "Elige una contraseña nueva para Stride Clinic"
    assert email.body.startswith("Hola:\n\nAlguien (esperamos que tú) ha pedido restablecer la contraseña")
    assert "\nElige una contraseña nueva aquí:\n\n" in email.body
    assert "/accounts/reset/" in email.body
    for english in ("Hello", "Someone", "Choose a new password", "The link works once"):
        assert english not in email.body


@pytest.mark.parametrize("kind", ["log_today", "silent"])
def test_a_reminder_email_in_spanish_keeps_the_english_lines(people, kind):
    """The same lines, blank lines included, as the English email: only the words change."""
    clinic = people.athlete_a.clinic
    clinic.phone, clinic.opening_hours = "+34 910 000 000", "L-V 9:00-20:00"
    clinic.save()
    english = reminders.reminder_email(people.athlete_a, kind)
    people.athlete_a.user.language = "es"  # the athlete's language, whatever the sender's
    with translation.override("en-gb"):
        spanish = reminders.reminder_email(people.athlete_a, kind)
    assert spanish.subject in ("Anna, ¿qué tal ha ido hoy?", "Anna, hace días que no sabemos de ti")
    assert spanish.body.startswith("Hola, Anna:\n\n")
    for sentence in ("Registra el día de hoy:", "Stride Clinic, en nombre de Riverside", "Teléfono: +34 910 000 000",
                     "Horario: L-V 9:00-20:00", "Dejar de recibir estos correos: "):  # fmt: skip
        assert sentence in spanish.body
    for sentence in ("Hello", "Log today:", "Stride Clinic, for", "Phone:", "Open:", "Stop these emails",
                     "You get this email"):  # fmt: skip
        assert sentence in english.body and sentence not in spanish.body
    lines = [bool(line) for line in english.body.splitlines()]
    assert [bool(line) for line in spanish.body.splitlines()] == lines


def test_the_strava_card_in_spanish(client_for, people, settings):
    settings.STRAVA_CLIENT_ID = settings.STRAVA_CLIENT_ID or "12345"
    people.athlete_a.user.language = "es"
    people.athlete_a.user.save()
    page = client_for("athlete_a").get(reverse("my_profile")).content.decode()
    assert "Conectar Strava" in page and "Tus carreras de Strava solo las ves tú" in page
    assert "Connect Strava" not in page and "shown to you and your own care team" not in page
