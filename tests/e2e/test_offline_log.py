"""The athlete's phone at a trailhead without signal: the log is saved on the phone, sent when the connection
comes back, and is on the server exactly once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rehab import services as rehab_services
from rehab.models import DailyLog
from tests.factories import PlanTemplateFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def anna_plan(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=3),
    )  # fmt: skip
    phase = plan.current_phase
    phase.run_activity, phase.run_minutes, phase.sessions_per_week = "run", 20, 3
    phase.save()
    return plan


def pain_question(page, label: str):
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))


def controlled_by_the_service_worker(page) -> None:
    """The service worker installed (it keeps the pages and files) and in charge of the page after a reload."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")


def test_a_log_saved_offline_is_sent_once_when_the_phone_is_back_online(page, log_in, people, anna_plan):
    anna = people.athlete_a
    page.set_viewport_size(PHONE)
    log_in(anna.user)
    page.goto("/log/")
    controlled_by_the_service_worker(page)
    kept = page.evaluate(
        "caches.keys().then(names => Promise.all(names.map(name => caches.open(name)"
        ".then(cache => cache.keys())))).then(lists => lists.flat().map(r => new URL(r.url).pathname))"
    )
    assert {"/today/", "/log/", "/my-plan/"} <= set(kept)

    page.context.set_offline(True)
    # Log today opens without a connection: the service worker's copy.
    assert page.goto("/today/").from_service_worker
    assert page.goto("/log/").from_service_worker
    expect(page.get_by_role("heading", name="Log today")).to_be_visible()
    pain_question(page, "Pain during activity").get_by_text("2", exact=True).click()
    pain_question(page, "Pain afterwards").get_by_text("1", exact=True).click()
    page.get_by_label("I did my run / walk session").check()
    page.get_by_label("Minutes").fill("25")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(
        page.get_by_text("Saved on this phone — it will be sent when you are back online.")
    ).to_be_visible()
    assert not DailyLog.objects.filter(athlete=anna).exists()
    assert (
        page.evaluate(
            "new Promise(done => { const open = indexedDB.open('stride-offline', 1);"
            " open.onsuccess = () => { const all = open.result.transaction('logs').objectStore('logs').getAll();"
            " all.onsuccess = () => done(all.result.length); }; })"
        )
        == 1
    )

    page.context.set_offline(False)
    # The browser says it is online again (the page's `online` event): the log is sent without a reload.
    expect(page.get_by_text("Sent: your log for today is saved.")).to_be_visible()
    page.reload()  # the next page load finds nothing left to send
    expect(page.get_by_text("Saved on this phone")).to_have_count(0)

    logs = DailyLog.objects.filter(athlete=anna)
    assert logs.count() == 1
    log = logs.get()
    assert (log.date, log.pain_during, log.pain_after, log.run_minutes) == (timezone.localdate(), 2, 1, 25)
    assert log.client_id is not None


def test_a_log_posted_on_a_failing_connection_is_kept_by_the_service_worker(
    page, browser_log, log_in, people, anna_plan
):
    """The phone says it is online but the post never arrives (a weak signal): the service worker keeps the log
    and shows Log today again, which says a log is waiting; it is sent when the connection is back."""
    anna = people.athlete_a
    page.set_viewport_size(PHONE)
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'onLine', {get: () => !window.__offline})"
    )
    log_in(anna.user)
    page.goto("/log/")
    controlled_by_the_service_worker(page)
    pain_question(page, "Pain during activity").get_by_text("3", exact=True).click()
    pain_question(page, "Pain afterwards").get_by_text("2", exact=True).click()
    page.context.set_offline(True)  # the page still believes it is online (the script above)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("1 log is saved on this phone")).to_be_visible()
    assert not DailyLog.objects.filter(athlete=anna).exists()

    page.context.set_offline(False)  # the browser says it is online again: the log is sent
    expect(page.get_by_text("Sent: your log for today is saved.")).to_be_visible()
    page.goto("/today/")
    expect(page.get_by_text("saved on this phone")).to_have_count(0)
    log = DailyLog.objects.get(athlete=anna)
    assert (log.pain_during, log.pain_after) == (3, 2)
    # The page that believed it was online may have tried to send the log before the connection came back; that
    # failed as it should, and the browser's report of it is the only one expected.
    page.evaluate("0")
    failed = [problem for problem in browser_log.problems if "/log/sync/" in problem]
    assert all("ERR_INTERNET_DISCONNECTED" in problem for problem in failed), failed
    browser_log.problems[:] = [problem for problem in browser_log.problems if problem not in failed]


def test_logging_out_forgets_the_pages_kept_on_the_phone(page, log_in, people, anna_plan):
    page.set_viewport_size(PHONE)
    log_in(people.athlete_a.user)
    page.goto("/today/")
    controlled_by_the_service_worker(page)
    kept = "caches.keys().then(names => names.filter(name => name.startsWith('stride-pages-')).length)"
    assert page.evaluate(kept) == 1
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name=people.athlete_a.user.get_full_name()).click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/today/" not in url)
    assert page.evaluate(kept) == 0
    assert page.evaluate("caches.keys().then(names => names.some(name => name.startsWith('stride-static-')))")
