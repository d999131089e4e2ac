"""A runner with pain on the side of the hip, in the browser: hip check, today's log, the printed program.

The journeys run in English and in Spanish (the runner's language): every label is looked up in the catalog
(`say`), so the Spanish run fails on any page text left in English."""

import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from rehab import services as rehab_services
from rehab.models import DailyLog, PlanTemplate
from triage.models import Condition, Intake
from triage.wording import BANNERS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def anna_plan(people, catalog):
    """Anna's physio has already given her the outer-hip protocol, starting today."""
    template = PlanTemplate.objects.get(clinic=None, slug="outer-hip-trochanteric")
    return rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=timezone.localdate()
    )


def pain_question(page, label: str):
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))


@pytest.mark.parametrize("language", ["en-gb", "es"])
def test_athlete_checks_her_hip_logs_today_and_downloads_her_program(
    page, log_in, say, language, people, anna_plan
):
    anna = people.athlete_a
    anna.user.language = language
    anna.user.save(update_fields=["language"])
    log_in(anna.user)
    expect(page.get_by_role("link", name=say("Log today"))).to_be_visible()

    # The hip check, answered like a runner with outer-hip pain that crept up over three weeks.
    page.get_by_role("link", name=say("Check my hip")).click()
    expect(page.get_by_role("heading", name=say("Check my hip"))).to_be_visible()
    page.get_by_text(say("Side of the hip"), exact=True).click()
    page.locator("#field-onset").get_by_text(say("Gradually"), exact=True).click()
    page.get_by_label(say("How many days has it hurt?")).fill("21")
    page.get_by_label(say("Pain while running (0-10)")).select_option("4")
    page.get_by_label(say("Pain after running (0-10)")).select_option("3")
    page.get_by_text(say("It is worse lying on the painful side")).click()
    page.get_by_label(say("Weekly distance change (%)")).fill("25")
    page.locator("#field-test_resisted_clamshell").get_by_text(say("It hurt"), exact=True).click()
    page.get_by_role("button", name=say("See my result")).click()

    expect(page.get_by_role("heading", name=say("Your hip check"))).to_be_visible()
    intake = Intake.objects.get(athlete=anna)
    assert intake.answers["locations"] == ["side"] and intake.answers["worse_lying_on_side"] is True
    expect(page.locator(".result-banner")).to_contain_text(say(str(BANNERS[intake.urgency].title)))
    assert intake.urgency in ("self_care", "routine")  # nothing in these answers is a warning sign
    with translation.override(language):
        gtps = Condition.objects.get(code="greater_trochanteric_pain").display_name
    expect(page.get_by_text(say("Most likely cause"))).to_be_visible()
    expect(page.get_by_role("heading", name=gtps).first).to_be_visible()
    expect(page.get_by_role("heading", name=say("What might be causing it"))).to_be_visible()

    # Today's log: the pain questions start unanswered; a tap answers, "Clear answer" takes it back.
    page.get_by_role("link", name=say("Today"), exact=True).click()
    page.get_by_role("link", name=say("Log today")).click()
    expect(page.get_by_role("heading", name=say("Log today"))).to_be_visible()
    during, after = (
        pain_question(page, say("Pain during activity")),
        pain_question(page, say("Pain afterwards")),
    )
    expect(during.locator("output")).to_have_text(say("Not answered"))
    expect(after.locator("output")).to_have_text(say("Not answered"))
    during.get_by_text("3", exact=True).click()
    expect(during.locator("output")).to_have_text("3/10")
    during.get_by_role("button", name=say("Clear answer")).click()
    expect(during.locator("output")).to_have_text(say("Not answered"))
    expect(during.get_by_role("radio", checked=True)).to_have_count(0)
    during.get_by_role("radio", name="0", exact=True).press("ArrowRight")  # the keyboard answers too
    during.get_by_role("radio", name="1", exact=True).press("ArrowRight")
    during.get_by_role("radio", name="2", exact=True).press("ArrowRight")
    expect(during.locator("output")).to_have_text("3/10")
    first_exercise = page.locator(".exercise-check input").first
    first_exercise.check()
    expect(first_exercise).to_be_checked()
    page.get_by_text(say("More details (optional)")).click()
    page.get_by_label(say("Notes for your clinician")).fill("Flat walk, the hip felt calmer afterwards.")

    # "Did it all as planned" does not answer the pain questions for her: the one left out is asked for.
    page.get_by_role("button", name=say("Did it all as planned — save")).click()
    expect(page.get_by_text(say("Nothing was saved yet."))).to_be_visible()
    after = pain_question(page, say("Pain afterwards"))
    expect(
        after.get_by_text(
            say("“Did it all as planned” still needs this answer: tap a number, 0 if it didn't hurt.")
        )
    ).to_be_visible()
    expect(pain_question(page, say("Pain during activity")).locator("output")).to_have_text("3/10")
    expect(page.get_by_label(say("Notes for your clinician"))).to_have_value(
        "Flat walk, the hip felt calmer afterwards."
    )
    assert not DailyLog.objects.filter(athlete=anna).exists()
    after.get_by_text("2", exact=True).click()
    page.get_by_role("button", name=say("Did it all as planned — save")).click()

    expect(page.get_by_role("status").filter(has_text=say("Saved your log for today."))).to_be_visible()
    expect(page.get_by_text(say("Logged today ✓"))).to_be_visible()
    expect(
        page.get_by_text(
            f"{say('Pain')} {say('%(pain)s/10 during', pain=3)} · {say('%(pain)s/10 after', pain=2)}"
        )
    ).to_be_visible()
    log = DailyLog.objects.get(athlete=anna, date=timezone.localdate())
    assert (log.pain_during, log.pain_after) == (3, 2)
    assert log.notes == "Flat walk, the hip felt calmer afterwards."
    assert log.exercises.count() == 3 and all(row.done for row in log.exercises.all())

    # My plan: the printable program as a PDF file.
    with translation.override(language):  # the phase's name in her language, as the protocol ships it
        first_phase = anna_plan.phases.get(order=1).bare_name
    page.get_by_role("link", name=say("My plan")).click()
    expect(
        page.get_by_role(
            "heading",
            name=say("Phase %(number)s of %(total)s: %(name)s", number=1, total=3, name=first_phase),
        )
    ).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=say("Download PDF")).click()
    download = download_info.value
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1024
    assert download.suggested_filename.endswith(".pdf")


@pytest.mark.parametrize("language", ["en-gb", "es"])
def test_on_her_phone_anna_ticks_a_warning_sign_and_is_told_to_stop_and_call_the_clinic(
    page, log_in, say, language, people, anna_plan
):
    people.athlete_a.user.language = language
    people.athlete_a.user.save(update_fields=["language"])
    people.clinic.phone, people.clinic.email = "+44 20 7946 0000", "desk@riverside.example"
    people.clinic.save()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(people.athlete_a.user)
    page.get_by_role("link", name=say("Log today")).click()
    pain_question(page, say("Pain during activity")).get_by_text("2", exact=True).click()
    pain_question(page, say("Pain afterwards")).get_by_text("1", exact=True).click()
    page.get_by_label(say("Numbness or tingling in the leg")).check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.get_by_role("button", name=say("Save"), exact=True).click()

    advice = page.locator("section.advice")
    expect(advice.get_by_role("heading", name=say("Stop running and contact the clinic"))).to_be_visible()
    expect(advice).to_contain_text(
        say(
            "You ticked “%(flags)s”. Your clinician needs to check this before you carry on.",
            flags=say("Numbness or tingling in the leg"),
        )
    )
    expect(
        advice.get_by_role("link", name=say("Call %(phone)s", phone="+44 20 7946 0000"))
    ).to_have_attribute("href", "tel:+442079460000")
    expect(
        advice.get_by_role("link", name=say("Email %(email)s", email="desk@riverside.example"))
    ).to_have_attribute("href", "mailto:desk@riverside.example")
    expect(
        page.get_by_text(say("On hold: no running until your clinician has been in touch."))
    ).to_be_visible()
    expect(page.get_by_text(say("On track"), exact=True)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    log = DailyLog.objects.get(athlete=people.athlete_a, date=timezone.localdate())
    assert (log.pain_during, log.pain_after, log.red_flags) == (2, 1, ["numbness"])
