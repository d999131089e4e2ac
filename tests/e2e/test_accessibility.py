"""Accessibility: the site's pages pass axe-core's WCAG 2.2 AA rules in a real browser.

Which pages
- Every cell of the authorization matrix (tests/test_authorization_matrix.py) where a persona's GET answers 200:
  a new page gets its row there (the matrix fails without one) and so lands in this sweep by itself. Cells
  that are not pages are left out by name in NOT_HTML, with their reason, and
  `test_what_the_sweep_leaves_out_is_not_a_page` checks each of them still is not one.
- The 403 and 404 pages: the matrix's first cell with each outcome.
- The admin pages the project customises: the index, and the list and change pages of the project's own models
  (Django's unchanged pages, such as the password forms and the history, are left to Django).
- Left out on purpose: the API's JSON endpoints, which a browser sees through Django REST framework's
  browsable API (DRF's own templates), and on /api/docs/ Swagger UI's widgets (NOT_CHECKED).

How: athletes and anonymous visitors use a phone (390×844), clinicians and superusers a desktop (1280×900).
axe-core runs the rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa and wcag22aa (axe-core comes bundled in the
axe-playwright-python package, pinned with the other dev dependencies); a violation of impact serious or
critical fails the page's test, which names the rule, its help and the failing elements. Every page must also
load cleanly (tests/e2e/conftest.py's BrowserLog), and every page of the site's own layout must offer the skip
link as its first focusable element.

Speed: the world is built once and the selected pages are all visited by the first test that asks (one
browser context per persona, logged in once); each parametrized test then reports its own page.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.access import MATRIX_PERSONAS as PERSONAS
from tests.e2e.conftest import TIMEOUT_MS, BrowserLog
from tests.test_authorization_matrix import (  # world: the matrix's fixture, the same data for both tests
    ADMIN_MODELS,
    SECTIONS,
    Row,
    _fill,
    variants,
    world,  # noqa: F401
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ON_A_PHONE = ("anonymous", "athlete_a", "athlete_b")  # the others are the clinic's people, at their desks

# Cells of the matrix that answer 200 with something other than a page, by URL name (or "name[label]").
NOT_HTML = {
    "healthz": "the load balancer's probe, plain text",
    "readyz": "the load balancer's probe, plain text",
    "download_file": "the export's zip",
    "rehab:plan_print": "the printed program, a PDF (its own tests read it)",
    "rehab:plan_discharge_pdf": "the discharge report, a PDF (tests/rehab/test_discharge.py reads it)",
    "library:exercise_figure": "an exercise's drawing, SVG (tests/library/test_figure_pages.py reads it)",
    "api-schema": "the OpenAPI schema, YAML",
    "api-docs[Swagger UI's start-up script]": "JavaScript",
    "rehab:log_sync": "the phone's CSRF token for sending logs saved offline, JSON (tests/rehab/test_offline_log.py)",
    "rehab:service_worker": "the service worker, JavaScript (tests/e2e/test_offline_log.py runs it)",
    "rehab:manifest": "the web app manifest, JSON (tests/rehab/test_offline_log.py reads it)",
}
# The API's JSON endpoints: a browser gets Django REST framework's browsable API, DRF's own templates that the
# project deliberately does not override (portal/api_renderers.py); its documentation page (api-docs) is swept.
API_SECTION = "api"
API_PAGES = {"api-docs"}
# Pages with their own layout, not base.html's: no skip link of ours to look for.
OWN_LAYOUT = {"api-docs": "Swagger UI's page"}
# Parts of a page axe leaves out, and why. Swagger UI draws the API's documentation after the page has loaded: its
# own widgets (nested controls, small targets, grey-on-grey labels), not the project's templates to fix.
NOT_CHECKED = {"api-docs": ["#swagger-ui"]}

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# -------------------------------------------------------------------------------------------------- the pages


@dataclass
class Case:
    """One page to open: a URL name (one of its matrix variants) as one persona, expecting `status`."""

    name: str
    row: Row
    persona: str
    status: int = 200
    admin: bool = False

    @property
    def key(self) -> str:
        return f"{self.name}[{self.row.label}]" if self.row.label else self.name

    @property
    def id(self) -> str:
        return f"{self.key}-{self.persona}" + (f"-{self.status}" if self.status != 200 else "")

    @property
    def viewport(self) -> dict:
        return PHONE if self.persona in ON_A_PHONE else DESKTOP

    @property
    def site_layout(self) -> bool:
        return not self.admin and self.name not in OWN_LAYOUT

    def url(self, w) -> str:
        return reverse(self.name, args=self.row.args(w)) + _fill(self.row.query, w)


def get_cells(names, status: int) -> list[Case]:
    """The (name, variant, persona) cells of the matrix whose GET answers `status`, in the matrix's order."""
    return [
        Case(name, r, persona, status=status)
        for name in names
        for r in variants(name)
        if not r.skip and "GET" in r.expect
        for persona, expected in zip(PERSONAS, r.expect["GET"], strict=True)
        if expected == status
    ]


def _project_models() -> list[str]:
    """The matrix's admin models that belong to this repository's apps (not Django's, DRF's or django-axes')."""

    def in_this_repository(model) -> bool:
        return (settings.BASE_DIR / model._meta.app_config.name.split(".")[0]).is_dir()

    ours = {model._meta.label_lower for model in admin.site._registry if in_this_repository(model)}
    return [key for key in ADMIN_MODELS if key in ours]


def site_cases() -> list[Case]:
    site_names = [
        name
        for section, rows in SECTIONS.items()
        if not section.startswith("admin")
        for name in rows
        if section != API_SECTION or name in API_PAGES
    ]
    pages = [
        case for case in get_cells(site_names, 200) if case.key not in NOT_HTML and case.name not in NOT_HTML
    ]
    plain_site = [name for name in site_names if name not in API_PAGES]
    error_pages = [get_cells(plain_site, status)[0] for status in (403, 404)]
    return pages + error_pages


def admin_cases() -> list[Case]:
    """The admin index and each project model's list and change page, seen by the first staff persona let in
    (the clinic's clinician; the superuser where only a superuser may)."""
    names = ["admin:index"] + [
        f"admin:{key.replace('.', '_')}_{view}"
        for key in _project_models()
        for view in ("changelist", "change")
    ]
    cases = []
    for name in names:
        allowed = [c for c in get_cells([name], 200) if c.persona in ("clinician", "superuser")]
        cases.append(Case(name, allowed[0].row, allowed[0].persona, admin=True))
    return cases


CASES = site_cases() + admin_cases()


def test_the_sweep_covers_the_pages_it_promises():
    """The derivation above is not vacuous: the pages of each kind are there, the non-pages are not."""
    ids = {case.id for case in CASES}
    for expected in (
        "athlete_list-clinician",
        "rehab:athlete_today-athlete_a",
        "rehab:athlete_today-athlete_b",
        "login-anonymous",
        "invite_accept[real token]-anonymous",
        "api-docs[page]-clinician",
        "athlete_list-athlete_a-403",
        "admin:index-clinician",
        "admin:rehab_plan_change-clinician",
        "admin:portal_athlete_change-clinician",
        "admin:library_exercise_change-clinician",
        "admin:rehab_dailylog_changelist-clinician",
        "admin:portal_user_changelist-superuser",
    ):
        assert expected in ids
    assert not any(case.name in ("healthz", "download_file", "api-root") for case in CASES)
    assert not any(case.name.startswith("admin:axes_") for case in CASES)
    assert len(ids) == len(CASES), "two cases share an id"


# -------------------------------------------------------------------------------------------------- the sweep


@dataclass
class Visit:
    """What one page answered and what axe-core and the browser said about it."""

    url: str
    status: int = 0
    content_type: str = ""
    violations: list = field(default_factory=list)  # axe results of impact serious or critical
    problems: list = field(default_factory=list)  # the browser's console errors, CSP reports, failed files
    skip_link: dict = field(default_factory=dict)


SKIP_LINK_CHECK = """() => {
    const focusable = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), '
        + 'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    const first = document.querySelector(focusable);
    const target = first && first.hash ? document.getElementById(first.hash.slice(1)) : null;
    return {
        first: first ? first.outerHTML.slice(0, 120) : null,
        text: first ? first.textContent.trim() : null,
        target: target ? target.tagName.toLowerCase() : null,
        targetTabindex: target ? target.getAttribute("tabindex") : null,
    };
}"""


def _session_cookie(user, origin: str) -> dict:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": origin}


def sweep(browser, origin: str, w, cases: list[Case]) -> dict[str, Visit]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    # No preload: axe would copy the stylesheets into inline <style> elements, which the Content-Security-Policy
    # refuses (and the browser log reports). Only css-orientation-lock reads them, and no stylesheet here
    # locks the orientation.
    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
        "preload": False,
    }
    by_persona = defaultdict(list)
    for case in cases:
        by_persona[case.persona].append(case)
    visits = {}
    for persona, its_cases in by_persona.items():
        context = browser.new_context(
            base_url=origin,
            viewport=its_cases[0].viewport,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(TIMEOUT_MS)
        user = w.people.user(persona)
        if user is not None:
            context.add_cookies([_session_cookie(user, origin)])
        page = context.new_page()
        log = BrowserLog(origin=origin)
        page.on("console", log.on_console)
        page.on("pageerror", log.on_page_error)
        page.on("response", log.on_response)
        page.on("requestfailed", log.on_request_failed)
        for case in its_cases:
            visit = visits[case.id] = Visit(url=case.url(w))
            if case.status != 200:
                log.expect_error_page(visit.url)
            try:
                response = page.goto(visit.url)
                visit.status = response.status
                visit.content_type = response.headers.get("content-type", "")
                if visit.content_type.startswith("text/html"):
                    left_out = NOT_CHECKED.get(case.name)
                    scope = {"exclude": [[selector] for selector in left_out]} if left_out else None
                    results = axe.run(page, context=scope, options=options).response
                    visit.violations = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
                    visit.skip_link = page.evaluate(SKIP_LINK_CHECK)
                page.evaluate("0")  # a round trip delivers the console events not reported yet
            except PlaywrightError as error:  # this page's test fails with it; the sweep goes on
                log.problems.append(f"could not open or check the page: {error}")
            visit.problems, log.problems = log.problems, []
        context.close()
    return visits


_swept: dict = {}  # "visits", or "error" when the sweep itself broke (the other tests then fail at once)


@pytest.fixture
def visits(request, browser, live_server) -> dict[str, Visit]:
    """Every selected page, visited once: by the first test that asks, in one world."""
    if not _swept:
        selected = [
            item.callspec.params["case"]
            for item in request.session.items
            if item.module is request.module and item.originalname == "test_page_meets_wcag_22_aa"
        ]
        try:
            _swept["visits"] = sweep(browser, live_server.url, request.getfixturevalue("world"), selected)
        except Exception as error:
            _swept["error"] = f"{type(error).__name__}: {error}"
            raise
    if "error" in _swept:
        pytest.fail(f"The sweep broke before this page: {_swept['error']}", pytrace=False)
    return _swept["visits"]


def describe(case: Case, visit: Visit) -> str:
    size = "{width}×{height}".format(**case.viewport)
    lines = [f"{case.key} as {case.persona} ({size}): {visit.url}"]
    for violation in visit.violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            why = " ".join(node.get("failureSummary", "").split("\n")[1:2]).strip()
            lines.append(f"    - {target}" + (f"  ({why})" if why else ""))
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_page_meets_wcag_22_aa(case, visits):
    visit = visits[case.id]
    assert visit.status == case.status, f"{visit.url} answered {visit.status}, the matrix says {case.status}"
    assert visit.content_type.startswith("text/html"), (
        f"{visit.url} answered {visit.content_type!r}: if it is not a page, add it to NOT_HTML with the reason"
    )
    assert not visit.problems, "The browser reported problems:\n  " + "\n  ".join(visit.problems)
    assert not visit.violations, "Serious or critical accessibility violations:\n" + describe(case, visit)
    if case.site_layout:
        skip = visit.skip_link
        assert skip["text"] == "Skip to main content", f"the first focusable element is {skip['first']}"
        assert skip["target"] == "main" and skip["targetTabindex"] == "-1", f"the skip link leads to {skip}"


def test_what_the_sweep_leaves_out_is_not_a_page(client, world):  # noqa: F811 - the matrix's fixture
    """Each NOT_HTML cell still answers something other than HTML to a browser (else it belongs in the sweep)."""
    left_out = [
        case
        for case in get_cells([name for rows in SECTIONS.values() for name in rows], 200)
        if case.key in NOT_HTML or case.name in NOT_HTML
    ]
    assert {case.key for case in left_out} >= {key for key in NOT_HTML if "[" in key}
    assert {case.name for case in left_out} >= {key for key in NOT_HTML if "[" not in key}
    seen = set()
    for case in left_out:
        if case.key in seen:
            continue
        seen.add(case.key)
        user = world.people.user(case.persona)
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(case.url(world), HTTP_ACCEPT=BROWSER_ACCEPT)
        assert response.status_code == 200, case.id
        assert not response["Content-Type"].startswith("text/html"), f"{case.id} is a page: sweep it"


# -------------------------------------------------------------------------------------------------- keyboard


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_past_the_navbar(page, log_in, people):
    log_in(people.clinician.user)
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the page's content, not the navbar
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_user_menu_opens_with_space_and_enter(page, log_in, people):
    log_in(people.clinician.user)
    menu = page.get_by_role("button", name=people.clinician.user.get_full_name())
    for key in ("Space", "Enter"):
        menu.focus()
        page.keyboard.press(key)
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_role("link", name="Change password")).to_be_visible()
        page.keyboard.press("Escape")
        expect(menu).to_have_attribute("aria-expanded", "false")
