"""A runner with pain on the side of the hip, in the browser: hip check, today's log, the printed program."""

import re

import pytest
from django.utils import timezone
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


def test_athlete_checks_her_hip_logs_today_and_downloads_her_program(page, log_in, people, anna_plan):
    anna = people.athlete_a
    log_in(anna.user)
    expect(page.get_by_role("link", name="Log today")).to_be_visible()

    # The hip check, answered like a runner with outer-hip pain that crept up over three weeks.
    page.get_by_role("link", name="Check my hip").click()
    expect(page.get_by_role("heading", name="Check my hip")).to_be_visible()
    page.get_by_text("Side of the hip", exact=True).click()
    page.locator("#field-onset").get_by_text("Gradually", exact=True).click()
    page.get_by_label("How many days has it hurt?").fill("21")
    page.get_by_label("Pain while running (0-10)").select_option("4")
    page.get_by_label("Pain after running (0-10)").select_option("3")
    page.get_by_text("It is worse lying on the painful side").click()
    page.get_by_label("Weekly distance change (%)").fill("25")
    page.locator("#field-test_resisted_clamshell").get_by_text("It hurt", exact=True).click()
    page.get_by_role("button", name="See my result").click()

    expect(page.get_by_role("heading", name="Your hip check")).to_be_visible()
    intake = Intake.objects.get(athlete=anna)
    assert intake.answers["locations"] == ["side"] and intake.answers["worse_lying_on_side"] is True
    expect(page.locator(".result-banner")).to_contain_text(str(BANNERS[intake.urgency].title))
    assert intake.urgency in ("self_care", "routine")  # nothing in these answers is a warning sign
    gtps = Condition.objects.get(code="greater_trochanteric_pain").name
    expect(page.get_by_text("Most likely cause")).to_be_visible()
    expect(page.get_by_role("heading", name=gtps).first).to_be_visible()
    expect(page.get_by_role("heading", name="What might be causing it")).to_be_visible()

    # Today's log: the pain questions start unanswered; a tap answers, "Clear answer" takes it back.
    page.get_by_role("link", name="Today", exact=True).click()
    page.get_by_role("link", name="Log today").click()
    expect(page.get_by_role("heading", name="Log today")).to_be_visible()
    during, after = pain_question(page, "Pain during activity"), pain_question(page, "Pain afterwards")
    expect(during.locator("output")).to_have_text("Not answered")
    expect(after.locator("output")).to_have_text("Not answered")
    during.get_by_text("3", exact=True).click()
    expect(during.locator("output")).to_have_text("3/10")
    during.get_by_role("button", name="Clear answer").click()
    expect(during.locator("output")).to_have_text("Not answered")
    expect(during.get_by_role("radio", checked=True)).to_have_count(0)
    during.get_by_role("radio", name="0", exact=True).press("ArrowRight")  # the keyboard answers too
    during.get_by_role("radio", name="1", exact=True).press("ArrowRight")
    during.get_by_role("radio", name="2", exact=True).press("ArrowRight")
    expect(during.locator("output")).to_have_text("3/10")
    first_exercise = page.locator(".exercise-check input").first
    first_exercise.check()
    expect(first_exercise).to_be_checked()
    page.get_by_text("More details (optional)").click()
    page.get_by_label("Notes for your clinician").fill("Flat walk, the hip felt calmer afterwards.")

    # "Did it all as planned" does not answer the pain questions for her: the one left out is asked for.
    page.get_by_role("button", name="Did it all as planned — save").click()
    expect(page.get_by_text("Nothing was saved yet.")).to_be_visible()
    after = pain_question(page, "Pain afterwards")
    expect(after.get_by_text("still needs this answer")).to_be_visible()
    expect(pain_question(page, "Pain during activity").locator("output")).to_have_text("3/10")
    expect(page.get_by_label("Notes for your clinician")).to_have_value(
        "Flat walk, the hip felt calmer afterwards."
    )
    assert not DailyLog.objects.filter(athlete=anna).exists()
    after.get_by_text("2", exact=True).click()
    page.get_by_role("button", name="Did it all as planned — save").click()

    expect(page.get_by_role("status").filter(has_text="Saved your log for today.")).to_be_visible()
    expect(page.get_by_text("Logged today ✓")).to_be_visible()
    expect(page.get_by_text("Pain 3/10 during · 2/10 after")).to_be_visible()
    log = DailyLog.objects.get(athlete=anna, date=timezone.localdate())
    assert (log.pain_during, log.pain_after) == (3, 2)
    assert log.notes == "Flat walk, the hip felt calmer afterwards."
    assert log.exercises.count() == 3 and all(row.done for row in log.exercises.all())

    # My plan: the printable program as a PDF file.
    page.get_by_role("link", name="My plan").click()
    expect(page.get_by_role("heading", name="Phase 1 of 3: Settle the outer hip")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1024
    assert download.suggested_filename.endswith(".pdf")


def test_on_her_phone_anna_ticks_a_warning_sign_and_is_told_to_stop_and_call_the_clinic(
    page, log_in, people, anna_plan
):
    people.clinic.phone, people.clinic.email = "+44 20 7946 0000", "desk@riverside.example"
    people.clinic.save()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(people.athlete_a.user)
    page.get_by_role("link", name="Log today").click()
    pain_question(page, "Pain during activity").get_by_text("2", exact=True).click()
    pain_question(page, "Pain afterwards").get_by_text("1", exact=True).click()
    page.get_by_label("Numbness or tingling in the leg").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.get_by_role("button", name="Save", exact=True).click()

    advice = page.locator("section.advice")
    expect(advice.get_by_role("heading", name="Stop running and contact the clinic")).to_be_visible()
    expect(advice).to_contain_text("You ticked “Numbness or tingling in the leg”.")
    expect(advice.get_by_role("link", name="Call +44 20 7946 0000")).to_have_attribute(
        "href", "tel:+442079460000"
    )
    expect(advice.get_by_role("link", name="Email desk@riverside.example")).to_have_attribute(
        "href", "mailto:desk@riverside.example"
    )
    expect(page.get_by_text("On hold: no running until your clinician has been in touch.")).to_be_visible()
    expect(page.get_by_text("On track", exact=True)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    log = DailyLog.objects.get(athlete=people.athlete_a, date=timezone.localdate())
    assert (log.pain_during, log.pain_after, log.red_flags) == (2, 1, ["numbness"])
