"""The clinician's portal and library pages in Spanish (issue #25): the caseload, an athlete's page and form, the
messages inbox, the email settings, the exercise library, an admin page, and the athlete's own profile come out
in Spanish for someone who chose it, with none of the page's English left. Each English sentence checked is first
seen on the English page, so the check can fail."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from portal import notifications
from portal.forms import AthleteEditForm
from portal.models import Alert
from rehab.caseload import last_log_words
from tests.factories import ExerciseFactory


@pytest.fixture(autouse=True)
def english_after():
    """LocaleMiddleware leaves the language active in the thread: start and end each test in English."""
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


@pytest.fixture
def exercise(db):
    return ExerciseFactory(clinic=None, name="Clamshell", slug="clamshell-es-test")


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _speak(user, language):
    user.language = language
    user.save(update_fields=["language"])


# page → (persona, url maker, Spanish that must appear, English that must be gone)
PAGES = {
    "caseload": (
        "clinician",
        lambda people, exercise: reverse("athlete_list"),
        ["<title>Pacientes", "Buscar y filtrar atletas", "Cualquier estado", "Ordenar por", "Necesita atención",
         "Último dolor", "Plan hecho, 7 días", "Con los atletas marcados:", "Resolver avisos", "Próxima revisión",
         "2 atletas"],
        ["Search and filter athletes", "Any status", "Sort by", ">Needs attention", "Last pain",
         "Plan done, 7 days", "With the ticked athletes:", "Resolve notices", "No active plan", "2 athletes"],
    ),
    "athlete detail": (
        "clinician",
        lambda people, exercise: reverse("athlete_detail", args=[people.athlete_a.pk]),
        ["Evolución y progresión", "Editar datos", "Planes de readaptación", "Revisiones de cadera",
         "Perfil de corredor", "Zapatillas", "cambiar pronto", "Equipo", "de referencia", "Acceso",
         "inicia sesión como"],
        ["Timeline and progression", "Edit details", "Rehab plans", "Hip checks", "Running profile",
         ">Shoes<", "replace soon", ">Care team<", ">primary<", ">Login<", "logs in as"],
    ),
    "athlete form": (
        "clinician",
        lambda people, exercise: reverse("athlete_edit", args=[people.athlete_a.pk]),
        ["Editar los datos de Anna Aalto", "Nombre", "Apellidos", "Fecha de nacimiento", "Sexo",
         "Distancia semanal habitual (km)", "Años corriendo", "Guardar datos", "Cancelar", "Sin indicar"],
        ["Edit Anna Aalto's details", "First name", "Last name", "Date of birth", "Usual weekly distance",
         "Years running", "Save details", ">Cancel<", "Not given"],
    ),
    "add athlete": (
        "clinician",
        lambda people, exercise: reverse("athlete_add"),
        ["Añadir atleta", "Profesional de referencia", "Enviar por correo un enlace de invitación"],
        [">Add athlete<", "Primary clinician", "Email an invite link"],
    ),
    "messages inbox": (
        "clinician",
        lambda people, exercise: reverse("message_inbox"),
        ["<title>Mensajes", "Conversaciones de los atletas de tus equipos", "No hay mensajes sin leer."],
        ["Threads of the athletes on your care team", "No unread messages."],
    ),
    "notification settings": (
        "clinician",
        lambda people, exercise: reverse("notification_settings"),
        ["Avisos por correo", "Alertas de emergencia", "Avisarme por correo al momento", "En mi resumen diario",
         "Resumen diario", "Enviarlo a las", "Un correo al día, solo si hay novedades."],
        ["How you hear of alerts", "Emergency alerts", "Email me at once", "In my daily digest", "Daily digest",
         "Send it at", "One email a day, only when there is news."],
    ),
    "exercise library": (
        "clinician",
        lambda people, exercise: reverse("library:exercise_list"),
        ["Biblioteca de ejercicios", "1 ejercicio", "Nombre, otro nombre o indicación", "Cualquier tipo",
         "Cualquier dificultad", "Aplicar filtros"],
        ["Exercise library", "1 exercise", "Name, alias or cue", "Any kind", "Any difficulty", "Apply filters"],
    ),
    "exercise detail": (
        "clinician",
        lambda people, exercise: reverse("library:exercise_detail", args=[exercise.pk]),
        ["Cómo hacerlo", "Cuánto", "Dónde se nota", "Material", "Copiar a mi clínica"],
        ["How to do it", "How much", "Where you feel it", ">Equipment<", "Copy to my clinic"],
    ),
    "admin athlete": (
        "superuser",
        lambda people, exercise: reverse("admin:portal_athlete_change", args=[people.athlete_a.pk]),
        ["administración", "Registro de auditoría", "Fecha de nacimiento", "Distancia semanal habitual (km)"],
        [">administration<", ">Audit trail<", "Date of birth:", "Usual weekly distance (km):"],
    ),
    "my profile": (
        "athlete_a",
        lambda people, exercise: reverse("my_profile"),
        ["<title>Mi perfil", "Sobre ti y tu forma de correr", "Mis zapatillas", "km hasta ahora",
         "Descargar mis datos", "Dispositivos con sesión iniciada"],
        ["About you and your running", "My shoes", "km so far", "Download my data", "Signed-in devices"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_a_clinician_who_chose_spanish_gets_the_page_in_spanish(client_for, people, exercise, page):
    persona, url, spanish, english = PAGES[page]
    url = url(people, exercise)
    client = client_for(persona)
    html = _page(client, url)
    for sentence in english:
        assert sentence in html, sentence
    _speak(people.user(persona), "es")
    html = _page(client, url)
    for sentence in spanish:
        assert sentence in html, sentence
    for sentence in english:
        assert sentence not in html, sentence


def test_the_caseload_rows_follow_the_readers_language(client_for, people, settings):
    """The rows' HTML is remembered between requests (rehab.caseload.row_html): a Spanish reader after an English
    one still gets Spanish rows, and the English reader after them English ones."""
    settings.DEBUG = False
    english = _page(client_for("clinician"), reverse("athlete_list"))
    assert 'data-label="Last log"' in english
    _speak(people.clinician.user, "es")
    spanish = _page(client_for("clinician"), reverse("athlete_list"))
    assert 'data-label="Último registro"' in spanish and 'data-label="Last log"' not in spanish
    _speak(people.clinician.user, "")
    assert 'data-label="Last log"' in _page(client_for("clinician"), reverse("athlete_list"))


@pytest.mark.parametrize(
    ("days", "english", "spanish"),
    [(0, "today", "hoy"), (1, "yesterday", "ayer"), (4, "4 days ago", "hace 4 días"), (30, "6 Nov", "6 Nov")],
    ids=["today", "yesterday", "days", "date"],
)
def test_the_last_log_reads_in_the_active_language(days, english, spanish):
    today = date(2026, 12, 6)
    last = date.fromordinal(today.toordinal() - days)
    assert last_log_words(last, today) == english
    with translation.override("es"):
        assert last_log_words(last, today) == spanish


def test_the_athlete_forms_errors_are_in_spanish(people):
    with translation.override("es"):
        form = AthleteEditForm(
            {"first_name": "", "last_name": "Aalto", "weekly_km": "-3", "date_of_birth": "2099-01-01"},
            instance=people.athlete_a,
        )
        assert not form.is_valid()
        assert form.errors["first_name"] == ["Rellena el campo «nombre»."]
        assert form.errors["weekly_km"] == ["«Distancia semanal» no puede ser negativo."]
        assert form.errors["date_of_birth"] == ["La fecha de nacimiento no puede ser futura."]
    form = AthleteEditForm(
        {"first_name": "", "last_name": "Aalto", "weekly_km": "-3"}, instance=people.athlete_a
    )
    assert not form.is_valid()
    assert form.errors["first_name"] == ["Enter the athlete's first name."]
    assert form.errors["weekly_km"] == ["Weekly distance can't be negative."]


def test_the_digest_for_a_spanish_clinician_is_in_spanish(people):
    """The digest's counts, alert words and review lines are worked out in the clinician's language."""
    maya = people.clinician
    day = date(2026, 12, 7)
    people.athlete_a.next_review = day
    people.athlete_a.save()
    people.athlete_b.next_review = day - timedelta(days=3)
    people.athlete_b.save()
    notice = Alert.objects.create(athlete=people.athlete_a, kind="no_log", severity="notice", message="x")
    reviews = notifications.digest_reviews([maya], {maya.pk: day})[maya.pk]
    english = notifications.digest_email(maya, day, [notice], reviews=reviews)
    assert "1 notice, 2 reviews due" in english.subject
    assert "Anna Aalto, no log for a few days:" in english.body
    assert "Bruno Bianchi, review planned for 4 Dec, overdue" in english.body
    _speak(maya.user, "es")
    maya.refresh_from_db()
    spanish = notifications.digest_email(maya, day, [notice], reviews=reviews)
    assert "1 aviso, 2 revisiones pendientes" in spanish.subject
    assert "Anna Aalto, sin registros desde hace unos días:" in spanish.body
    assert "Anna Aalto, revisión para hoy:" in spanish.body
    assert "Bruno Bianchi, revisión prevista para el 4 Dic, atrasada:" in spanish.body
    for word in ("notice", "reviews due", "no log for", "overdue", "due today"):
        assert word not in spanish.body.lower() and word not in spanish.subject.lower()
