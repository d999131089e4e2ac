"""The athlete's pages, the login and the emails in Spanish (issue #25): the wording of the templates comes out
in Spanish for someone who chose it (or whose browser asks for it), and none of the English sentences of those
templates is left. Each English sentence checked is first seen on the English page, so the check can fail.
Wording that comes from Python (advice, run and dosage text, band labels, form labels) is not checked here, but for
Log today's form: its labels, help texts, choices and errors."""

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


# Log today: the template's words and the form's (labels, help texts, choices, red flags), English then Spanish.
LOG_ENGLISH = [
    ">Log today<", "Another day", "Pain during activity", "The worst it got while you were moving.",
    "Pain afterwards", "Not answered", "0 = no pain", "10 = worst", "Clear answer", "I did my run / walk session",
    "Distance (km)", "Walk (min)", "Jog (min)", "Cadence", "steps/min", "Where did you run?", ">Road<",
    ">Trail<", "Session effort", "How hard was the session, all in all?", "Not rated", "0 = rest",
    "Exercises done", "Anything worrying?", "Pain woke me at night or hurts at rest", "Visible swelling",
    "Stop running until you hear from them.", "More details (optional)", "Where did it hurt?",
    "Front of the hip", "What set it off?", "Speed work", "Notes for your clinician",
    "Did it all as planned — save", 'type="submit">Save<', "(GPX, TCX or FIT files)",
]  # fmt: skip
LOG_SPANISH = [
    ">Registrar hoy<", "Otro día", "Dolor durante la actividad", "El máximo que notaste mientras te movías.",
    "Dolor después", "Sin responder", "0 = sin dolor", "10 = el peor", "Borrar respuesta",
    "He hecho mi sesión de carrera / caminata", "Distancia (km)", "Caminar (min)", "Trotar (min)", "Cadencia",
    "pasos/min", "¿Dónde corriste?", ">Asfalto<", ">Montaña<", "Esfuerzo de la sesión",
    "En conjunto, ¿cuánto te costó la sesión?", "Sin valorar", "0 = reposo", "Ejercicios hechos",
    "¿Algo preocupante?", "El dolor me despertó por la noche o me duele en reposo", "Hinchazón o moratón visible",
    "No corras hasta que te diga algo.", "Más detalles (opcional)", "¿Dónde te dolió?",
    "Parte delantera de la cadera", "¿Qué lo desencadenó?", "Series de velocidad", "Notas para tu fisioterapeuta",
    "Lo hice todo según lo previsto: guardar", 'type="submit">Guardar<', "(archivos GPX, TCX o FIT)",
]  # fmt: skip


def test_log_today_in_spanish(client_for, people, plan):
    client = client_for("athlete_a")
    html = _page(client, reverse("rehab:log_today"))
    for sentence in LOG_ENGLISH:
        assert sentence in html, sentence
    _speak(people, "es")
    html = _page(client, reverse("rehab:log_today"))
    for sentence in LOG_SPANISH:
        assert sentence in html, sentence
    for sentence in LOG_ENGLISH:
        assert sentence not in html, sentence


def test_a_bad_log_comes_back_in_spanish_and_a_saved_one_says_so_in_spanish(client_for, people, plan):
    _speak(people, "es")
    client = client_for("athlete_a")
    bad = {"pain_during": "2", "pain_after": "1", "did_run": "on", "distance_km": "999"}
    html = client.post(reverse("rehab:log_today"), bad).content.decode()
    assert "Hay un problema" in html and "Aún no se ha guardado nada." in html
    assert "¿Cuántos minutos? O desmarca «He hecho mi sesión de carrera / caminata»." in html
    # Django's own message, in its Spanish
    assert "Asegúrese de que este valor es menor o igual a 250." in html
    for english in ["There is a problem", "Nothing was saved yet.", "How many minutes?", "Ensure this value"]:
        assert english not in html, english
    response = client.post(reverse("rehab:log_today"), {"pain_during": "2", "pain_after": "1"}, follow=True)
    assert "Se ha guardado tu registro de hoy." in response.content.decode()


def test_the_pain_locations_are_marked_as_the_triage_engine_words_them():
    from rehab.forms import LOCATION_WORDS
    from triage.engine import LOCATION_CHOICES

    assert list(LOCATION_WORDS) == [label for _, label in LOCATION_CHOICES]
