"""A runner with pain on the side of the hip, in the browser: hip check, today's log, the printed program."""

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
    expect(page.locator(".result-banner")).to_contain_text(BANNERS[intake.urgency].title)
    assert intake.urgency in ("self_care", "routine")  # nothing in these answers is a warning sign
    gtps = Condition.objects.get(code="greater_trochanteric_pain").name
    expect(page.get_by_text("Most likely cause")).to_be_visible()
    expect(page.get_by_role("heading", name=gtps).first).to_be_visible()
    expect(page.get_by_role("heading", name="What might be causing it")).to_be_visible()

    # Today's log: two pain sliders moved with the keyboard, a note, then "did it all as planned".
    page.get_by_role("link", name="Today", exact=True).click()
    page.get_by_role("link", name="Log today").click()
    expect(page.get_by_role("heading", name="Log today")).to_be_visible()
    during = page.get_by_label("Pain during activity")
    during.focus()
    for _ in range(3):
        during.press("ArrowRight")
    expect(page.locator(f'output[for="{during.get_attribute("id")}"]')).to_have_text("3/10")
    after = page.get_by_label("Pain afterwards")
    after.focus()
    for _ in range(2):
        after.press("ArrowRight")
    expect(page.locator(f'output[for="{after.get_attribute("id")}"]')).to_have_text("2/10")
    first_exercise = page.locator(".exercise-check input").first
    first_exercise.check()
    expect(first_exercise).to_be_checked()
    page.get_by_text("More details (optional)").click()
    page.get_by_label("Notes for your clinician").fill("Flat walk, the hip felt calmer afterwards.")
    page.get_by_role("button", name="Did it all as planned — save").click()

    expect(page.get_by_role("alert").filter(has_text="Saved your log for today.")).to_be_visible()
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
