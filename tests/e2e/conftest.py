"""End-to-end tests: real clicks and typing in a headless Chromium against pytest-django's live server.

The browser is Debian's `chromium` package (`make e2e-deps`, or `.ci/browser-deps`), driven by Playwright for
Python; Playwright's own browser download is not used. Without Chromium the tests are skipped on a developer's
machine, but they fail when CI=true, so CI cannot pass without running them. E2E_CHROMIUM points at another
Chromium binary.

Every page a test opens must load cleanly: a console error, a Content-Security-Policy report, an uncaught
script error or a failed same-origin request (a CSS or JS file answering 404, say) fails the test. A failed
test leaves a full-page screenshot in test-artifacts/e2e/<test name>.png.
"""

import os
import re
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django refuses database access from a thread with a
# running loop unless told this is safe. It is here: the loop only drives the browser (pytest-django and
# Playwright both document this setting for live-server tests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
TIMEOUT_MS = 15_000

# Chromium's console wording for a response that failed: "Failed to load resource: the server responded with a
# status of 404 (Not Found)". Error pages a test opens on purpose are declared with BrowserLog.expect_error_page.
FAILED_RESOURCE = "Failed to load resource"
BROWSER_LOCALES = {"en-gb": "en-GB", "es": "es-ES"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the e2e tests after everything else, pytest-django's ordering included: the last one leaves the
    database flushed, without the migrations' data (the Clinicians group, the conditions) that a later
    transactional test would expect. Each e2e test restores that data for itself (_fresh_database)."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session", autouse=True)  # autouse: before the browser's event loop starts
def _migrated_data(django_db_setup, django_db_blocker) -> str:
    """What the migrations put in the database (the Clinicians group and its permissions, the conditions), as
    pytest-django serialized it when it created the test database (the tests' serialized_rollback asks it to)."""
    from django.db import connection

    contents = getattr(connection, "_test_serialized_contents", None)
    assert contents, "no serialized test database: the e2e tests must be marked serialized_rollback"
    return contents


@pytest.fixture(autouse=True)
def _fresh_database(_migrated_data, transactional_db):
    """Each e2e test starts from the database exactly as the migrations left it.

    Django's own serialized_rollback cannot do it here: once Playwright's event loop runs in the test thread,
    Django keeps the test's database connection per async context (asgiref's Local), and the new connection
    object lacks the serialized data, so Django skips the restore and its flush lets post_migrate create the
    content types again under new ids. Emptying every table first and then loading the data is exact.
    """
    from django.db import connection

    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(_migrated_data)


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _why_no_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make install-dev)"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (install it with `make e2e-deps`, or point E2E_CHROMIUM at one)"
    return None


@pytest.fixture(scope="session")
def browser():
    if (reason := _why_no_browser()) is not None:
        if _on_ci():
            pytest.fail(f"The end-to-end tests must run on CI, but there is {reason}.", pytrace=False)
        pytest.skip(f"End-to-end tests skipped: {reason}.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@dataclass
class BrowserLog:
    """What the browser reported while a test ran; anything in `problems` fails the test."""

    origin: str
    problems: list[str] = field(default_factory=list)
    error_pages: set[str] = field(default_factory=set)

    def expect_error_page(self, path: str) -> None:
        """The test opens `path` expecting a 403 or 404 page: its status is not a problem (the test asserts it)."""
        self.error_pages.add(self.origin + path)

    def on_console(self, message) -> None:
        text = message.text
        if message.type != "error" and "Content Security Policy" not in text and "Refused to" not in text:
            return
        url = message.location.get("url", "")
        if text.startswith(FAILED_RESOURCE) and url in self.error_pages:
            return
        self.problems.append(f"console {message.type}: {text} [{url}]")

    def on_page_error(self, error) -> None:
        self.problems.append(f"uncaught script error: {error}")

    def on_response(self, response) -> None:
        if self._ours(response.url) and response.status >= 400 and response.url not in self.error_pages:
            self.problems.append(
                f"HTTP {response.status} for {response.request.resource_type} {response.url}"
            )

    def on_request_failed(self, request) -> None:
        # "Aborted" is the browser's own doing: a link that answers with a download, or a navigation that cancels
        # the favicon still loading. A file the server does not have is caught by on_response (its 404).
        if self._ours(request.url) and "ERR_ABORTED" not in str(request.failure):
            self.problems.append(f"request failed ({request.failure}): {request.resource_type} {request.url}")

    def _ours(self, url: str) -> bool:
        return url == self.origin or url.startswith(self.origin + "/")


@pytest.fixture
def browser_log(live_server) -> BrowserLog:
    return BrowserLog(origin=live_server.url)


@pytest.fixture
def language() -> str:
    """The language the test's people use: English unless a test is parametrized with `language` (the journeys
    run once in Spanish too). The browser asks for it, so pages before logging in are in it as well."""
    return "en-gb"


@pytest.fixture
def say(language):
    """say(msgid, **params): what the pages show for an English message in the test's language, from the
    catalog (the English itself in English), so one test reads the same journey in every language."""

    def say(message: str, **params) -> str:
        with translation.override(language):
            said = str(translation.gettext(message))
        return said % params if params else said

    return say


@pytest.fixture
def page(browser, live_server, browser_log, language):
    """A fresh browser context (no cookies) on the live server, with every console message and response watched."""
    cache.clear()  # rendered PDFs and throttle counts must not leak from one test into the next
    context = browser.new_context(
        base_url=live_server.url,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        locale=BROWSER_LOCALES[language],
        timezone_id="Europe/London",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", browser_log.on_console)
    page.on("pageerror", browser_log.on_page_error)
    page.on("response", browser_log.on_response)
    page.on("requestfailed", browser_log.on_request_failed)
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # raises if the test itself failed
    page, log = item.funcargs.get("page"), item.funcargs.get("browser_log")
    if page is not None and log is not None:
        try:
            page.evaluate("0")  # a round trip delivers the events the browser has not reported yet
        except Exception:  # noqa: BLE001 - a closed page has nothing more to say
            pass
        if log.problems:
            pytest.fail("The browser reported problems:\n  " + "\n  ".join(log.problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", item.name) + ".png")
        try:
            page.screenshot(path=path, full_page=True)
        except Exception as error:  # noqa: BLE001 - the report matters more than the picture
            report.sections.append(("e2e screenshot", f"could not save a screenshot: {error}"))
        else:
            report.sections.append(("e2e screenshot", f"{path} (page {page.url})"))
    return report


# --------------------------------------------------------------------------- data and helpers


@pytest.fixture
def catalog(transactional_db):
    """The shipped exercise library, conditions and protocols, loaded the way `make run` loads them."""
    call_command("load_conditions", stdout=StringIO())
    call_command("load_library", stdout=StringIO())
    call_command("load_protocols", stdout=StringIO())


@pytest.fixture
def log_in(page, say):
    """log_in(user): fill in the login form like a person would and wait for the start page."""

    def log_in(user, password: str = factories.PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label(say("Email address")).fill(user.email)
        page.get_by_label(say("Password")).fill(password)
        page.get_by_role("button", name=say("Log in")).click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return log_in
