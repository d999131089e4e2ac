"""Emails and printouts go out in the recipient's language (issue #25): their own, else their clinic's, else
English, whatever language the person who caused them is using. Each sender's templates are rendered under a spy
that records the active language, so this holds whichever strings are translated yet."""

from datetime import date

import pytest
from django.template import loader
from django.urls import reverse
from django.utils import translation

from outcomes import reminders as questionnaire_reminders
from portal import care_messages, notifications, services, shared_care
from portal.languages import language_of_person
from rehab import discharge, pdf
from rehab import reminders as log_reminders
from rehab import services as rehab_services
from tests.factories import AlertFactory, PlanTemplateFactory


@pytest.fixture
def languages_used(monkeypatch):
    """The language active each time one of the senders renders a template."""
    seen = []

    def spy(template_name, context=None, *args, **kwargs):
        seen.append(translation.get_language())
        return "<html><body>x</body></html>" if str(template_name).endswith(".html") else "x"

    for module in (
        notifications,
        care_messages,
        log_reminders,
        questionnaire_reminders,
        services,
        shared_care,
    ):
        monkeypatch.setattr(module, "render_to_string", spy)
    monkeypatch.setattr(loader, "render_to_string", spy)  # portal.mail renders through the loader
    monkeypatch.setattr(pdf, "render_to_string", spy)
    monkeypatch.setattr(discharge, "render_to_string", spy)
    return seen


@pytest.fixture(autouse=True)
def the_sender_speaks_the_other_language():
    """Whoever causes the email is using a page in the other language: it must not matter."""
    with translation.override("en-gb"):
        yield


def _set(people, *, user_language="", clinic_language="", person="athlete_a"):
    people.clinic.language = clinic_language
    people.clinic.save()
    user = people.user(person)
    user.language = user_language
    user.save()


CASES = [  # (the recipient's own language, their clinic's, the language expected)
    ("es", "", "es"),
    ("", "es", "es"),
    ("en-gb", "es", "en-gb"),
    ("", "", "en-gb"),
]


@pytest.mark.parametrize("own, clinic, expected", CASES)
def test_reminders_to_an_athlete(people, languages_used, own, clinic, expected):
    _set(people, user_language=own, clinic_language=clinic)
    log_reminders.reminder_email(people.athlete_a, "log_today")
    questionnaire_reminders.reminder_email(people.athlete_a, ["ohs"])
    assert languages_used and set(languages_used) == {expected}


@pytest.mark.parametrize("own, clinic, expected", CASES)
def test_alerts_and_digests_to_a_clinician(people, languages_used, own, clinic, expected):
    _set(people, user_language=own, clinic_language=clinic, person="clinician")
    alert = AlertFactory(athlete=people.athlete_a)
    notifications.alert_email(alert, people.clinician)
    notifications.digest_email(people.clinician, date(2026, 12, 6), [alert])
    assert languages_used and set(languages_used) == {expected}


@pytest.mark.parametrize("own, clinic, expected", CASES)
def test_message_notices_in_each_recipients_language(people, languages_used, own, clinic, expected):
    _set(people, user_language=own, clinic_language=clinic)
    people.clinician.user.language = "es" if expected == "en-gb" else "en-gb"  # the other one: never used
    people.clinician.user.save()
    care_messages.message_email(people.athlete_a, people.athlete_a.user)
    assert languages_used == [expected, expected]
    care_messages.message_email(people.athlete_a, people.clinician.user)
    assert languages_used[2:] == [people.clinician.user.language] * 2


@pytest.mark.parametrize("own, clinic, expected", CASES)
def test_an_invite_in_the_athletes_language(people, languages_used, jobs, own, clinic, expected):
    _set(people, user_language=own, clinic_language=clinic)
    athlete = people.athlete_b  # a second athlete, no login yet: their clinic's language
    athlete.user = None
    athlete.save()
    services.invite_send(athlete=athlete, by=people.clinician.user)
    assert languages_used and set(languages_used) == {clinic or "en-gb"}


@pytest.mark.parametrize("clinic", ["es", ""])
def test_a_coach_invite_in_the_clinics_language(people, languages_used, jobs, clinic):
    _set(people, clinic_language=clinic, user_language="en-gb")
    shared_care.invite(
        athlete=people.athlete_a, name="Sam Coach", email="sam@coach.example", by=people.athlete_a.user
    )
    assert languages_used and set(languages_used) == {clinic or "en-gb"}


@pytest.mark.parametrize("own, clinic, expected", CASES)
def test_a_password_reset_in_the_logins_language(client, people, languages_used, jobs, own, clinic, expected):
    _set(people, user_language=own, clinic_language=clinic)
    client.post(reverse("password_reset"), {"email": people.athlete_a.user.email}, HTTP_ACCEPT_LANGUAGE="fr")
    assert languages_used and set(languages_used) == {expected}


@pytest.mark.parametrize("own, clinic, expected", CASES)
def test_the_printed_program_in_the_athletes_language_whoever_prints_it(
    people, languages_used, own, clinic, expected
):
    _set(people, user_language=own, clinic_language=clinic)
    people.clinician.user.language = "es" if expected == "en-gb" else "en-gb"  # the physio printing it
    people.clinician.user.save()
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1)
    plan = rehab_services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                      start=date(2026, 12, 1))  # fmt: skip
    with translation.override(people.clinician.user.language):
        pdf.render_hep(plan)
    assert languages_used == [expected]


def test_a_new_language_prints_the_program_again(people):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1)
    plan = rehab_services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                      start=date(2026, 12, 1))  # fmt: skip
    phase = pdf.phase_for(plan)
    before = pdf.hep_cache_stamp(plan, phase, "A4")
    people.athlete_a.user.language = "es"
    people.athlete_a.user.save()
    plan.athlete.user.language = "es"
    assert language_of_person(plan.athlete) == "es"
    assert pdf.hep_cache_stamp(plan, phase, "A4") != before


@pytest.mark.parametrize(
    "browser, own, expected", [("es", "", "es"), ("es", "en-gb", "en-gb"), ("fr", "", "en-gb")]
)
def test_a_password_reset_for_a_login_without_a_language_follows_the_browser(
    client, people, languages_used, jobs, browser, own, expected
):
    _set(people, user_language=own)
    client.post(
        reverse("password_reset"), {"email": people.athlete_a.user.email}, HTTP_ACCEPT_LANGUAGE=browser
    )
    assert languages_used and set(languages_used) == {expected}
