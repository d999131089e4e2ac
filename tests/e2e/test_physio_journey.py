"""A physiotherapist, in the browser: reviews a runner's hip check, assigns and tailors a plan, resolves an alert.

The journey runs in English and in Spanish (the physio's language), every label looked up in the catalog (`say`)."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from library.models import Exercise
from portal.models import Alert
from portal.services import alert_raise
from rehab import codes
from rehab.models import Plan, PlanTemplate
from triage import services as triage_services
from triage.models import Condition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OUTER_HIP = {
    "locations": ["side"],
    "onset": "gradual",
    "duration_days": 21,
    "pain_running": 4,
    "pain_after": 3,
    "worse_lying_on_side": True,
    "mileage_change_pct": 25,
    "tests": {"resisted_clamshell": "pain"},
}
SPIKE = {"day": "2026-03-03", "pain": 6, "rise": 4, "baseline": 2}  # what the status job raises, as a code


@pytest.fixture
def waiting_for_the_physio(people, catalog):
    """Anna has sent in a hip check, and a painful run has raised an alert for her care team."""
    intake = triage_services.intake_submit(
        athlete=people.athlete_a, by=people.athlete_a.user, answers=OUTER_HIP
    )
    alert = alert_raise(
        athlete=people.athlete_a,
        kind="pain_spike",
        severity="urgent",
        code=codes.ALERT_PAIN_SPIKE,
        params=SPIKE,
    )
    return intake, alert


@pytest.mark.parametrize("language", ["en-gb", "es"])
def test_physio_reviews_the_check_assigns_and_tailors_a_plan_and_resolves_the_alert(
    page, log_in, say, language, people, waiting_for_the_physio
):
    intake, alert = waiting_for_the_physio
    anna = people.athlete_a
    gtps = Condition.objects.get(code="greater_trochanteric_pain")
    people.clinician.user.language = language
    people.clinician.user.save(update_fields=["language"])
    with translation.override(language):  # what the pages say of the alert, the condition and the protocol
        alert_text, gtps_name = alert.text, gtps.display_name
        outer_hip = PlanTemplate.objects.get(clinic=None, slug="outer-hip-trochanteric").name

    def dosage_words(row) -> str:
        with translation.override(language):
            return row.dosage_text()

    log_in(people.clinician.user)

    # The caseload shows the alert on Anna's row; her page lists the hip check waiting for review.
    expect(page.get_by_role("heading", name=say("Caseload"))).to_be_visible()
    anna_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Anna Aalto", exact=True))
    expect(anna_row).to_contain_text(alert_text)
    anna_row.get_by_role("link", name="Anna Aalto").click()
    expect(page.get_by_role("heading", name="Anna Aalto")).to_be_visible()
    page.locator(".intake-row").first.click()

    # Review: confirm the condition the check ranked first.
    expect(page.get_by_role("heading", name=say("Hip check · %(name)s", name="Anna Aalto"))).to_be_visible()
    expect(page.get_by_role("heading", name=f"1. {gtps_name}")).to_be_visible()
    page.get_by_label(say("Confirmed condition")).select_option(label=gtps_name)
    page.get_by_label(say("Notes for the care team")).fill(
        "Tender over the greater trochanter; FABER negative."
    )
    page.get_by_role("button", name=say("Save review")).click()
    expect(page.get_by_role("status").filter(has_text=say("Review saved."))).to_be_visible()
    expect(page.get_by_text(say("Reviewed"), exact=False).first).to_contain_text("Maya Okafor")
    intake.refresh_from_db()
    assert intake.confirmed_condition == gtps and intake.reviewed_by == people.clinician.user

    # Assign: the outer-hip protocol is suggested for the confirmed condition and chosen already.
    page.get_by_role("link", name=say("Assign a rehab plan")).click()
    protocol = page.get_by_label(say("Start from"))
    suggested = protocol.locator(f'optgroup[label="{say("Suggested for this athlete")}"] option')
    expect(suggested).to_contain_text([outer_hip])
    expect(protocol.locator("option:checked")).to_have_text(suggested.first.inner_text())
    page.get_by_label(say("Goal")).fill("Run the spring half marathon pain-free")
    page.get_by_role("button", name=say("Assign and tailor")).click()
    plan = Plan.objects.get(athlete=anna)
    expect(page).to_have_url(re.compile(rf"/plans/{plan.pk}/$"))
    with translation.override(language):  # named after its protocol: the protocol's name in her language
        plan_name = plan.display_name
    expect(page.get_by_role("heading", name=plan_name)).to_be_visible()
    expect(
        page.get_by_text(say("Goal: %(goal)s", goal="Run the spring half marathon pain-free"))
    ).to_be_visible()

    # Tailor phase 1: one more set of the first exercise, and an exercise found by searching and added last.
    phase = plan.phases.get(order=1)
    first_row = phase.exercises.order_by("order").first()
    in_phase = phase.exercises.values("exercise")
    added = Exercise.objects.shipped().exclude(pk__in=in_phase).order_by("name").first()
    with translation.override(language):  # as the pages name them in the physio's language
        phase_label, phase_name = phase.label, phase.name
        added_name, first_name = added.name, first_row.exercise.name
    phase_card = page.locator(".card", has=page.get_by_role("heading", name=phase_label))
    phase_card.get_by_role("link", name=say("Tailor")).click()
    expect(page.get_by_role("heading", name=say("Tailor phase %(number)s", number=1))).to_be_visible()
    rows, sets_before = phase.exercises.count(), first_row.sets
    page.get_by_label(say("Sets")).first.fill(str(sets_before + 1))
    page.get_by_label(say("Search exercises")).fill(added.name)
    page.get_by_label(say("Search exercises")).press("Enter")  # searches; it does not save the phase
    expect(page.get_by_role("heading", name=say("Tailor phase %(number)s", number=1))).to_be_visible()
    page.get_by_role("button", name=say("Add %(name)s", name=added_name), exact=True).click()
    expect(page.locator(f"#id_ex-{rows}-sets")).to_be_focused()
    page.locator(f"#id_ex-{rows}-sets").fill("3")
    page.locator(f"#id_ex-{rows}-reps").fill("15")
    page.get_by_role("button", name=say("Save phase")).first.click()

    expect(
        page.get_by_role("status").filter(has_text=say("Phase “%(name)s” saved.", name=phase_name))
    ).to_be_visible()
    first_row.refresh_from_db()
    assert first_row.sets == sets_before + 1
    new_row = phase.exercises.get(exercise=added)
    assert (new_row.sets, new_row.reps, new_row.order) == (3, 15, rows + 1)
    first_shown = phase_card.locator("li", has_text=first_name)
    # The dosage as saved ("6 sets × 10 reps", or "Hold 30 s × 6" for a hold): one more than before.
    expect(first_shown).to_contain_text(dosage_words(first_row))
    expect(phase_card.locator("li", has_text=added_name)).to_contain_text(dosage_words(new_row))

    # Resolve the pain alert from Anna's page, with a note; it is gone from her page and the caseload.
    page.get_by_role("link", name="Anna Aalto").first.click()
    alerts = page.locator(".open-alerts")
    expect(alerts).to_contain_text(alert_text)
    alerts.get_by_text(say("Resolve"), exact=True).first.click()  # opens the note field
    alerts.get_by_label(say("Resolution note")).fill(
        "Called Anna: one hilly run, settled by the next morning."
    )
    alerts.get_by_role("button", name=say("Resolve")).click()
    expect(
        page.get_by_role("status").filter(has_text=say("Alert resolved for %(name)s.", name="Anna Aalto"))
    ).to_be_visible()
    expect(page.locator(".open-alerts")).to_have_count(0)
    alert.refresh_from_db()
    assert alert.resolved_by == people.clinician.user and alert.resolved_note.startswith("Called Anna")
    assert not Alert.objects.open().filter(athlete=anna).exists()
    page.get_by_role("link", name=say("Caseload")).click()
    expect(anna_row).to_be_visible()
    expect(anna_row).not_to_contain_text(alert_text)
