"""The Content-Security-Policy header, and pages that satisfy it: no inline script, handler or style anywhere."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ExerciseFactory, IntakeFactory

ROOT = Path(settings.BASE_DIR)
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# WeasyPrint renders the printed program from this template; no browser ever receives it.
PDF_ONLY = {"rehab/hep.html", "rehab/discharge.html"}  # rendered by WeasyPrint only, never served as a page


def policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {name: set(values) for name, *values in parts}


# ------------------------------------------------------------------------------------------ what a browser blocks

TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
RULES = {
    "inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=[\"']application/(ld\+)?json)", re.I
    ),
    "on* handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
}
IN_TAGS = {"on* handler", "style attribute"}  # attributes: looked for inside tags only, not in text


def violations(html: str, *, allow_style: bool = False) -> list[tuple[str, str]]:
    """(rule, excerpt) for everything in `html` that the policy would block."""
    found = []
    tags = "\n".join(TAG.findall(html))
    for name, rule in RULES.items():
        if allow_style and name in ("style attribute", "<style> block"):
            continue
        text = tags if name in IN_TAGS else html
        found += [(name, text[max(0, m.start() - 30) : m.end() + 40]) for m in rule.finditer(text)]
    return found


def names(found) -> list[str]:
    return [name for name, _ in found]


@pytest.mark.parametrize(
    "html,expected",
    [
        ("<script>alert(1)</script>", ["inline <script>"]),
        ('<script type="module">go()</script>', ["inline <script>"]),
        ('<button onclick="go()">Go</button>', ["on* handler"]),
        ("<body onload='go()'>", ["on* handler"]),
        ('<a href="javascript:go()">Go</a>', ["javascript: URL"]),
        ('<div class="x" style="width: 5%">', ["style attribute"]),
        ("<style>p { color: red }</style>", ["<style> block"]),
        ('<script src="/static/x.js"></script>', []),
        ('<script type="application/json" id="data">{"a": 1}</script>', []),
        ('<p>Call on=me, carry on</p><a class="btn" data-bs-toggle="collapse" href="#x">x</a>', []),
        ('<svg><rect width="40%" fill="#0f766e"/></svg>', []),
    ],
    ids=["script", "module-script", "onclick", "onload", "javascript-url", "style-attr", "style-block",
         "script-src", "json-data-block", "text-and-data-attrs", "svg-presentation-attrs"],
)  # fmt: skip
def test_the_scanner_finds_what_the_policy_blocks(html, expected):
    assert names(violations(html)) == expected


def template_files():
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted({path for folder in dirs for path in folder.rglob("*.html")})


def test_there_are_templates_to_scan():
    names = {path.relative_to(ROOT / "templates").as_posix() for path in template_files()}
    assert {"base.html", "triage/intake_form.html", "registration/locked_out.html"} <= names


@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_template_has_inline_script_handlers_or_styles(path):
    relative = path.relative_to(ROOT / "templates").as_posix() if (ROOT / "templates") in path.parents else ""
    assert violations(path.read_text(), allow_style=relative in PDF_ONLY) == []


def python_sources():
    return sorted(
        path
        for app in ("portal", "library", "triage", "rehab")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def string_literals(source: str) -> str:
    """Every string constant in a module (f-string parts included), without docstrings and comments."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return "\n".join(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    )


def test_no_html_built_in_python_has_inline_script_handlers_or_styles():
    """format_html in the admin and the server-drawn SVG charts: the same rules as templates."""
    found = {
        path.relative_to(ROOT).as_posix(): hits
        for path in python_sources()
        if (hits := violations(string_literals(path.read_text())))
    }
    assert found == {}
    assert 'class="stride-json"' in string_literals((ROOT / "triage/admin.py").read_text())  # it does look


# ------------------------------------------------------------------------------------------ the header


def test_pages_send_the_strict_policy(client_for):
    response = client_for("clinician").get(reverse("athlete_list"))
    assert response.status_code == 200
    assert policy(response) == POLICY
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_login_page_sends_the_policy_too(client):
    assert policy(client.get(reverse("login"))) == POLICY


@pytest.fixture
def pages(people):
    intake = IntakeFactory(athlete=people.athlete_a)
    exercise = ExerciseFactory(clinic=people.clinic, image="exercises/bridge.png")
    return {
        "clinician": [
            reverse("athlete_list"),
            people.athlete_a.get_absolute_url(),
            reverse("triage:intake_new_for_athlete", args=[people.athlete_a.pk]),
            reverse("triage:intake_review", args=[intake.pk]),
            reverse("library:exercise_list"),
            exercise.get_absolute_url(),
            reverse("admin:index"),
            reverse("admin:portal_athlete_change", args=[people.athlete_a.pk]),
            reverse("admin:triage_intake_change", args=[intake.pk]),
            reverse("admin:library_exercise_change", args=[exercise.pk]),
        ],
        "athlete_a": [reverse("triage:intake_new"), reverse("rehab:log_today"), reverse("my_profile")],
    }


def test_rendered_pages_satisfy_the_policy(client_for, pages):
    """What templates, widgets, crispy-forms and the admin produce together, checked on the real pages."""
    for persona, urls in pages.items():
        client = client_for(persona)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert policy(response) == POLICY, url
            assert violations(response.content.decode()) == [], url


def test_the_intake_review_draws_the_score_bars_without_inline_styles(client_for, people):
    intake = IntakeFactory(athlete=people.athlete_a)
    html = client_for("clinician").get(reverse("triage:intake_review", args=[intake.pk])).content.decode()
    bars = re.findall(r'<rect class="score-bar-fill" width="(\d+)%"', html)
    assert bars and all(0 <= int(width) <= 100 for width in bars)


def test_the_hop_test_script_is_a_static_file(client_for):
    html = client_for("athlete_a").get(reverse("triage:intake_new")).content.decode()
    assert '<script src="/static/triage/intake.js">' in html
    assert (ROOT / "triage/static/triage/intake.js").read_text().count("data-hop-blocker") == 1


def test_the_api_docs_load_their_start_up_script_from_a_url(client_for):
    client = client_for("clinician")
    page = client.get(reverse("api-docs"))
    html = page.content.decode()
    assert page.status_code == 200 and policy(page) == POLICY
    assert violations(html) == []
    script_url = re.search(r'<script src="([^"]*\?[^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_the_browsable_api_allows_style_attributes_and_nothing_else(client_for):
    client = client_for("clinician")
    html_page = client.get("/api/v1/plans/", HTTP_ACCEPT="text/html")
    assert html_page.status_code == 200 and html_page["Content-Type"].startswith("text/html")
    relaxed = policy(html_page)
    assert relaxed.pop("style-src-attr") == {"'unsafe-inline'"}
    assert relaxed == POLICY  # scripts stay 'self' only
    # DRF's own style="" attributes are what the allowance is for; no inline script or <style> block
    assert set(names(violations(html_page.content.decode()))) <= {"style attribute"}
    assert policy(client.get("/api/v1/plans/")) == POLICY  # JSON: no allowance
