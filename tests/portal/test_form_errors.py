"""Every form, posted with mistakes, says so where a screen reader and a keyboard find it.

The page comes back with an error summary ("There is a problem") that the browser focuses (forms.js; the
browser side is tests/e2e/test_keyboard_journey.py), a link in it for each invalid field, and each invalid field
marked aria-invalid="true" and described by its error text. No aria-describedby on the page names a missing id.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from rehab import services as rehab_services
from tests.factories import IntakeFactory, PlanTemplateFactory

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parent: "Element | None"
    text: list = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name) or default

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text_content(self) -> str:
        return " ".join("".join(self.text).split())


class Page(HTMLParser):
    """The page's elements, in document order, each knowing its parent and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(
            tag, {name: value or "" for name, value in attrs}, self._open[-1] if self._open else None
        )
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text.append(data)

    def by_id(self, id_: str) -> Element | None:
        return next((element for element in self.elements if element.get("id") == id_), None)

    def select(self, test) -> list[Element]:
        return [element for element in self.elements if test(element)]


def form_data(page: Page) -> dict[str, list[str]]:
    """What the page's form (the first with novalidate) would post untouched, like a browser does."""
    form = next(
        element for element in page.elements if element.tag == "form" and "novalidate" in element.attrs
    )
    data: dict[str, list[str]] = {}
    for element in page.elements:
        if form not in element.ancestors() or not element.get("name"):
            continue
        kind = element.get("type", "text")
        if element.tag == "input" and kind in ("submit", "button", "file"):
            continue
        if element.tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in element.attrs:
                data.setdefault(element.get("name"), []).append(element.get("value", "on"))
        elif element.tag == "input":
            data.setdefault(element.get("name"), []).append(element.get("value"))
        elif element.tag == "textarea":
            data.setdefault(element.get("name"), []).append("".join(element.text).lstrip("\n"))
        elif element.tag == "select":
            options = [o for o in page.elements if o.tag == "option" and element in o.ancestors()]
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            data[element.get("name")] = [o.attrs.get("value", o.text_content()) for o in chosen]
    return data


def described_by(page: Page, element: Element) -> list[Element]:
    """The elements that describe a field: its own aria-describedby, or its group's (radios, tick lists)."""
    ids = element.get("aria-describedby").split()
    for group in element.ancestors():
        if group.tag == "fieldset" or group.get("role") == "group":
            ids += group.get("aria-describedby").split()
    return [page.by_id(id_) for id_ in ids]


def assert_errors_are_announced(html: str, expected_fields: set[str]) -> Page:
    page = Page(html)

    missing = [(e.tag, e.get("id") or e.get("name"), id_) for e in page.select(lambda e: "aria-describedby" in e.attrs)
               for id_ in e.get("aria-describedby").split() if page.by_id(id_) is None]  # fmt: skip
    assert not missing, f"aria-describedby names ids that are not on the page: {missing}"

    summaries = page.select(lambda e: "data-error-summary" in e.attrs)
    assert len(summaries) == 1, "one error summary at the top of the form"
    summary = summaries[0]
    assert summary.get("tabindex") == "-1" and summary.get("role") == "alert"
    assert page.by_id(summary.get("aria-labelledby")).text_content() == "There is a problem"

    linked = set()
    for link in page.select(lambda e: e.tag == "a" and summary in e.ancestors()):
        target = page.by_id(link.get("href").removeprefix("#"))
        assert target is not None and target.tag in ("input", "select", "textarea"), link.get("href")
        assert target.get("aria-invalid") == "true", f"{target.get('id')} is not marked invalid"
        label = next(element for element in page.elements if element.parent is link).text_content()
        message = link.text_content().removeprefix(label).strip()  # "<b>Minutes:</b> Enter a whole number."
        errors = [e.text_content() for e in described_by(page, target) if e.get("id").endswith("_error")]
        assert any(message in text for text in errors), f"{target.get('id')} is not described by {message!r}"
        linked.add(target.get("name"))

    invalid = {e.get("name") for e in page.select(lambda e: e.get("aria-invalid") == "true")}
    assert invalid == linked, "every field marked invalid has its link in the summary, and only those"
    assert expected_fields <= invalid, f"expected {expected_fields - invalid} to be flagged"
    return page


def post_with(client, url: str, changes: dict) -> str:
    data = form_data(Page(client.get(url).content.decode())) | changes
    response = client.post(url, data)
    assert response.status_code == 200, "an invalid form is shown again, not redirected"
    return response.content.decode()


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=2)
    plan = rehab_services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=3),
    )  # fmt: skip
    phase = plan.current_phase
    phase.run_activity, phase.run_minutes, phase.sessions_per_week = "walk_jog", 20, 3
    phase.save()
    return plan


FORMS = [
    # persona, URL (a function of people and plan), changes to what the page would post, fields flagged
    ("clinician", lambda p, plan: reverse("athlete_add"), {"first_name": "", "email": "not-an-email"},
     {"first_name", "email"}),
    ("athlete_a", lambda p, plan: reverse("my_profile"), {"weekly_km": "-5", "shoes-0-km": "nine"},
     {"weekly_km", "shoes-0-km"}),
    ("clinician", lambda p, plan: reverse("notification_settings"), {"notify_urgent": "sometimes"},
     {"notify_urgent"}),
    ("athlete_a", lambda p, plan: reverse("rehab:reminder_settings"), {"reminders": "on", "reminder_time": "25:99"},
     {"reminder_time"}),
    ("athlete_a", lambda p, plan: reverse("rehab:log_today"), {"same_as_planned": "1", "notes": "x" * 2001},
     {"pain_during", "pain_after", "notes"}),
    ("athlete_a", lambda p, plan: reverse("rehab:log_today"), {"did_run": "on", "run_minutes": "", "distance_km": "-1"},
     {"run_minutes", "distance_km"}),
    ("athlete_a", lambda p, plan: reverse("triage:intake_new"),
     {"locations": ["front"], "duration_days": "3.5", "onset": "slowly", "test_leg_swing": "maybe"},
     {"duration_days", "onset", "test_leg_swing"}),
    ("clinician", lambda p, plan: reverse("rehab:plan_assign", args=[p.athlete_b.pk]), {"start_date": "soon"},
     {"start_date"}),
    ("clinician", lambda p, plan: reverse("rehab:phase_edit", args=[plan.pk, plan.current_phase.pk]),
     {"phase-min_days": "many", "ex-0-sets": "x"}, {"phase-min_days", "ex-0-sets"}),
    ("clinician", lambda p, plan: reverse("library:exercise_add"), {"name": ""}, {"name"}),
    ("athlete_a", lambda p, plan: reverse("password_change"), {"old_password": "wrong"}, {"old_password"}),
    ("clinician", lambda p, plan: reverse("athlete_anonymise", args=[p.athlete_a.pk]),
     {"confirm_name": "Someone Else"}, {"confirm_name"}),
]  # fmt: skip


@pytest.mark.parametrize(
    "persona, url, changes, flagged",
    FORMS,
    ids=["athlete-add", "my-profile-and-shoes", "notifications", "reminders", "log-as-planned-without-pain",
         "log-run-without-minutes", "hip-check", "plan-assign", "phase-edit", "exercise-add", "password-change",
         "anonymise"],
)  # fmt: skip
def test_an_invalid_form_comes_back_with_a_summary_and_its_fields_described(
    client_for, people, plan, persona, url, changes, flagged
):
    html = post_with(client_for(persona), url(people, plan), changes)
    assert_errors_are_announced(html, flagged)


def test_the_clinicians_review_of_a_hip_check_too(client_for, people):
    intake = IntakeFactory(athlete=people.athlete_a)
    html = post_with(
        client_for("clinician"), reverse("triage:intake_review", args=[intake.pk]), {"condition": "0"}
    )
    assert_errors_are_announced(html, {"condition"})


def test_a_wrong_password_is_a_problem_of_the_whole_form_with_nothing_to_link(client, db):
    html = post_with(client, reverse("login"), {"username": "nobody@example.com", "password": "wrong"})
    page = assert_errors_are_announced(html, set())
    summary = page.select(lambda e: "data-error-summary" in e.attrs)[0]
    assert "correct email" in summary.text_content().lower()
    assert html.count("correct email") == 1, "said once, in the summary (crispy's own list is replaced)"


def test_the_log_says_nothing_was_saved_and_each_pain_question_is_described_by_its_scale(client_for, plan):
    html = post_with(client_for("athlete_a"), reverse("rehab:log_today"), {"same_as_planned": "1"})
    page = assert_errors_are_announced(html, {"pain_during", "pain_after"})
    assert (
        "Nothing was saved yet." in page.select(lambda e: "data-error-summary" in e.attrs)[0].text_content()
    )
    question = page.by_id("id_pain_during_0").parent.parent.parent  # radio → scale → box → fieldset
    assert question.tag == "fieldset"
    descriptions = [element.text_content() for element in described_by(page, page.by_id("id_pain_during_0"))]
    assert descriptions[:2] == ["The worst it got while you were moving.", "0 = no pain, 10 = worst"]
    assert "still needs this answer" in descriptions[2]


def test_a_valid_page_has_no_summary_and_no_dangling_descriptions(client_for, plan):
    page = Page(client_for("athlete_a").get(reverse("rehab:log_today")).content.decode())
    assert not page.select(lambda e: "data-error-summary" in e.attrs or e.get("aria-invalid"))
    for element in page.select(lambda e: "aria-describedby" in e.attrs):
        assert all(page.by_id(id_) for id_ in element.get("aria-describedby").split()), element.attrs
    groups = [e for e in page.select(lambda e: e.tag == "legend")]
    assert {"Exercises done", "Anything worrying?"} <= {legend.text_content() for legend in groups}
