"""A runner who uses no mouse logs her day with the keyboard alone, on a phone-sized screen.

Tab, Shift+Tab, Space, Enter, the arrow keys and typing; nothing is clicked, and nothing is filled in that the
keyboard has not focused. At every step the focused control must be on screen and not under the sticky navbar.
A form posted with mistakes puts the focus on its error summary, whose links take the focus to each field.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rehab import services as rehab_services
from rehab.models import DailyLog
from tests.factories import PASSWORD, PlanTemplateFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
MOST_STEPS = 120  # far more Tab presses than any page here needs: a focus trap fails instead of hanging

# What has the focus, and whether a sighted keyboard user can see it: inside <main>, the control (or, for the
# visually hidden radios of the 0–10 scale, its label button) must lie below the sticky navbar and within the
# window, and be what the browser finds at its centre (document.elementFromPoint), not the navbar.
FOCUS = """() => {
  const el = document.activeElement;
  const nav = document.querySelector("nav.navbar");
  const shown = el.classList.contains("btn-check") && el.labels.length ? el.labels[0] : el;
  const box = shown.getBoundingClientRect();
  const line = shown.getClientRects()[0] || box;  // a link that wraps: the middle of its first line
  const hit = document.elementFromPoint(line.left + line.width / 2, line.top + line.height / 2);
  const ownLabel = hit !== null && el.labels !== undefined && Array.from(el.labels || []).some((l) => l.contains(hit));
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", id: el.id, value: el.value ?? "",
    text: (el.innerText || "").trim(), checked: !!el.checked, inMain: !!el.closest("main"),
    top: box.top, bottom: box.bottom, navBottom: nav.getBoundingClientRect().bottom, windowHeight: innerHeight,
    onTop: hit !== null && (shown.contains(hit) || hit === el || ownLabel), under: hit ? hit.closest("nav") !== null : null,
  };
}"""


def focused(page) -> dict:
    """The focused element, after checking that it can be seen."""
    now = page.evaluate(FOCUS)
    if now["inMain"]:
        where = f"{now['tag']} {now['name'] or now['id'] or now['text']!r}"
        assert now["top"] >= now["navBottom"] - 0.5, f"{where} is under the sticky navbar: {now}"
        assert now["bottom"] <= now["windowHeight"] + 0.5, f"{where} is below the window: {now}"
        assert now["onTop"] and not now["under"], f"something covers {where}: {now}"
    return now


def press(page, key: str) -> dict:
    page.keyboard.press(key)
    return focused(page)


def press_until(page, key: str, wanted, why: str) -> dict:
    """Press `key` (Tab or Shift+Tab) until `wanted(focused element)` holds, checking each stop on the way."""
    for _ in range(MOST_STEPS):
        now = press(page, key)
        if wanted(now):
            return now
    raise AssertionError(f"{key} never reached {why}")


def log_in_by_keyboard(page, user) -> None:
    # Bootstrap scrolls smoothly unless reduced motion is asked for: the check after each key would see the
    # page mid-scroll. Where the focus ends up is the same either way.
    page.emulate_media(reduced_motion="reduce")
    page.goto("/accounts/login/")
    press_until(page, "Tab", lambda f: f["name"] == "username", "the email field")
    page.keyboard.type(user.email)
    press(page, "Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def open_log_today(page) -> None:
    press_until(
        page, "Tab", lambda f: f["tag"] == "a" and f["text"].startswith("Log today"), "the Log today link"
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log today")).to_be_visible()


@pytest.fixture
def plan(people):
    """Anna's plan, from today: a walk/jog phase with two exercises. Her shoes are in `people`."""
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=timezone.localdate()
    )
    phase = plan.current_phase
    phase.run_activity, phase.run_minutes, phase.sessions_per_week = "walk_jog", 20, 3
    phase.save()
    return plan


PAIN = {"pain_during": 3, "pain_after": 2, "this_morning": 1}


def test_anna_logs_her_day_with_the_keyboard_alone(page, people, plan):
    page.set_viewport_size(PHONE)
    log_in_by_keyboard(page, people.athlete_a.user)
    open_log_today(page)

    # Forward through the whole form, answering each question as the focus reaches it.
    answered, exercises = set(), 0
    for _ in range(MOST_STEPS):
        now = press(page, "Tab")
        name, kind = now["name"], now["type"]
        if kind == "radio" and name in PAIN and name not in answered:
            page.keyboard.press("Space")  # answers 0; each arrow moves the answer up by one
            for _ in range(PAIN[name]):
                page.keyboard.press("ArrowRight")
            expect(page.locator(f"fieldset:has(#id_{name}_0) output")).to_have_text(f"{PAIN[name]}/10")
            answered.add(name)
        elif (
            name == "did_run"
            or name.startswith("ex_")
            or (name == "pain_locations" and now["value"] == "side")
        ):
            page.keyboard.press("Space")
            exercises += name.startswith("ex_")
        elif name in ("run_minutes", "distance_km"):
            page.keyboard.press("ControlOrMeta+A")
            page.keyboard.type({"run_minutes": "25", "distance_km": "3.5"}[name])
        elif now["tag"] == "summary" and now["text"] == "More details (optional)":
            page.keyboard.press("Enter")  # opens the details, so that Tab goes into them
        elif name == "notes":
            page.keyboard.type("Easy jog, the hip was quiet.")
        elif now["tag"] == "button" and now["text"] == "Save":
            break
    else:
        raise AssertionError("Tab never reached the Save button")
    assert answered == set(PAIN) and exercises == 2

    # Back up to the first question with Shift+Tab: every control is still seen, and the answers stay.
    first = press_until(page, "Shift+Tab", lambda f: f["name"] == "pain_during", "the first pain question")
    assert first["checked"] and first["value"] == "3", "Shift+Tab lands on the answer given"
    press_until(page, "Tab", lambda f: f["tag"] == "button" and f["text"] == "Save", "the Save button")
    page.keyboard.press("Enter")

    saved = page.get_by_role("status").filter(has_text="Saved your log for today.")
    expect(saved).to_be_visible()
    log = DailyLog.objects.get(athlete=people.athlete_a, date=timezone.localdate())
    assert (log.pain_during, log.pain_after, log.run_minutes, str(log.distance_km)) == (3, 2, 25, "3.50")
    assert log.pain_locations == ["side"] and log.notes == "Easy jog, the hip was quiet."
    assert all(row.done for row in log.exercises.all())


def test_a_log_with_mistakes_sends_the_focus_to_a_summary_that_leads_to_each_field(page, people, plan):
    page.set_viewport_size(PHONE)
    log_in_by_keyboard(page, people.athlete_a.user)
    open_log_today(page)

    # She ticks the run, empties its minutes and types a negative distance, then saves.
    press_until(page, "Tab", lambda f: f["name"] == "did_run", "the run checkbox")
    page.keyboard.press("Space")
    press(page, "Tab")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    press(page, "Tab")
    page.keyboard.type("-1")
    press_until(page, "Tab", lambda f: f["tag"] == "button" and f["text"] == "Save", "the Save button")
    page.keyboard.press("Enter")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_contain_text("Nothing was saved yet.")
    assert not DailyLog.objects.exists()

    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    for name, message in (
        ("run_minutes", "How many minutes?"),
        ("distance_km", "greater than or equal to 0"),
    ):
        field = page.locator(f"#id_{name}")
        expect(field).to_have_attribute("aria-invalid", "true")
        ids = field.get_attribute("aria-describedby").split()
        texts = [page.locator(f"#{id_}").inner_text() for id_ in ids]  # each id exists, or this times out
        assert any(message in text for text in texts), (name, texts)

    # Tab from the summary reaches its first link; Enter moves the focus to the field, with its label in view.
    link = press(page, "Tab")
    assert link["tag"] == "a" and link["text"].startswith("Minutes:")
    page.keyboard.press("Enter")
    expect(page.locator("#id_run_minutes")).to_be_focused()
    now = focused(page)
    label = page.locator('label[for="id_run_minutes"]').bounding_box()
    assert label["y"] >= now["navBottom"], "the field's label is not hidden under the navbar"

    # Back to the summary with Shift+Tab, to its second link.
    link = press_until(
        page, "Shift+Tab", lambda f: f["tag"] == "a" and "Distance" in f["text"], "the second link"
    )
    page.keyboard.press("Enter")
    expect(page.locator("#id_distance_km")).to_be_focused()
    focused(page)

    # Put right, the log saves.
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("4")
    press_until(page, "Shift+Tab", lambda f: f["name"] == "run_minutes", "the minutes")
    page.keyboard.type("30")
    press_until(page, "Tab", lambda f: f["tag"] == "button" and f["text"] == "Save", "the Save button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Saved your log for today.")).to_be_visible()
    log = DailyLog.objects.get(athlete=people.athlete_a, date=timezone.localdate())
    assert (log.run_minutes, str(log.distance_km)) == (30, "4.00")
