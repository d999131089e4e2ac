"""The language a person sees (issue #25): their own choice, else their clinic's, else their browser's; the
switcher at the foot of each page keeps a signed-in choice on the login."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal.languages import language_for, language_of


@pytest.fixture(autouse=True)
def english_after():
    """LocaleMiddleware leaves the browser's language active in the thread: start and end each test in English."""
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


def _user(people, persona):
    user = people.user(persona)
    return type(user).objects.select_related("clinician__clinic", "athlete__clinic").get(pk=user.pk)


@pytest.mark.parametrize(
    "persona, own, clinic, expected",
    [
        ("athlete_a", "", "", None),  # nobody chose: the browser decides
        ("athlete_a", "", "es", "es"),  # the clinic's language
        ("athlete_a", "en-gb", "es", "en-gb"),  # the person's own choice wins over the clinic's
        ("athlete_a", "es", "", "es"),
        ("clinician", "", "es", "es"),  # a clinician follows their clinic too
        ("coach", "es", "en-gb", "es"),
        ("other_clinician", "", "", None),  # another clinic's Spanish is not theirs
        ("superuser", "", "es", None),  # no clinic
        ("superuser", "es", "", "es"),
    ],
)
def test_whose_language_wins(people, persona, own, clinic, expected):
    people.clinic.language = clinic
    people.clinic.save()
    user = _user(people, persona)
    user.language = own
    user.save()
    assert language_of(user) == expected
    assert language_for(user) == (expected or "en-gb")


def test_nobody_signed_in_has_no_chosen_language(rf):
    from django.contrib.auth.models import AnonymousUser

    assert language_of(AnonymousUser()) is None
    assert language_of(None) is None


def test_an_athlete_who_chose_spanish_sees_spanish_pages(client_for, people):
    user = people.athlete_a.user
    user.language = "es"
    user.save()
    response = client_for("athlete_a").get(reverse("my_profile"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert ">Mi plan</a>" in page and ">Cerrar sesión</button>" in page
    assert response.headers["Content-Language"] == "es"
    assert translation.get_language() == "en-gb"  # nothing leaks into the thread after the request


def test_a_clinics_language_is_its_clinicians_unless_they_choose(client_for, people):
    people.clinic.language = "es"
    people.clinic.save()
    page = client_for("clinician").get(reverse("athlete_list")).content.decode()
    assert ">Pacientes</a>" in page
    people.clinician.user.language = "en-gb"
    people.clinician.user.save()
    page = client_for("clinician").get(reverse("athlete_list")).content.decode()
    assert ">Caseload</a>" in page
    page = client_for("other_clinician").get(reverse("athlete_list")).content.decode()
    assert ">Caseload</a>" in page  # the other clinic kept English


def test_the_browser_decides_for_someone_not_signed_in(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").content.decode()
    assert '<html lang="es">' in page
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="en-gb">' in page  # a language we do not speak: English


def test_a_signed_in_choice_is_kept_on_the_login(client_for, people):
    client = client_for("athlete_a")
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("my_profile")})
    assert response.status_code == 302 and response.url == reverse("my_profile")
    people.athlete_a.user.refresh_from_db()
    assert people.athlete_a.user.language == "es"
    assert ">Mi perfil</a>" in client.get(reverse("my_profile")).content.decode()
    # Signed in elsewhere (no cookie): still Spanish, because it is the login's.
    client.cookies.clear()
    client.force_login(people.athlete_a.user)
    assert ">Mi perfil</a>" in client.get(reverse("my_profile")).content.decode()


@pytest.mark.parametrize(
    "data, status, location",
    [
        ({"language": "xx", "next": "/me/"}, 302, "/me/"),  # not one we speak: nothing kept
        ({"language": "es", "next": "https://evil.example/"}, 302, "/"),  # never off the site
        ({"language": "", "next": "/me/"}, 302, "/me/"),
    ],
)
def test_a_bad_choice_changes_nothing(client_for, people, data, status, location):
    response = client_for("athlete_a").post(reverse("set_language"), data)
    assert response.status_code == status and response.url == location
    people.athlete_a.user.refresh_from_db()
    assert people.athlete_a.user.language == ("es" if data["language"] == "es" else "")


def test_someone_not_signed_in_gets_a_cookie_only(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"
    assert '<html lang="es">' in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize(
    "language, saved",
    [
        ("es", "Guardado en este móvil: se enviará cuando vuelvas a tener conexión."),
        ("en-gb", "Saved on this phone — it will be sent when you are back online."),
    ],
)
def test_the_phone_app_speaks_the_athletes_language_offline_too(client_for, people, language, saved):
    """offline.js's sentences come in the page (which the service worker keeps), in the athlete's language."""
    import json
    import re

    user = people.athlete_a.user
    user.language = language
    user.save()
    page = client_for("athlete_a").get(reverse("rehab:athlete_today")).content.decode()
    found = re.search(r'<script id="offline-texts" type="application/json">(.*?)</script>', page, re.S)
    texts = json.loads(found.group(1))
    assert texts["saved"] == saved
    assert all(texts.values())
    if language == "es":
        assert texts["waiting_many"].startswith("Hay %(count)s registros")


def test_only_athletes_pages_carry_the_phone_apps_sentences(client_for):
    assert b'id="offline-texts"' not in client_for("clinician").get(reverse("athlete_list")).content
