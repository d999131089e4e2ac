"""Every box on the admin's edit pages has a name a screen reader can announce, tabular inlines included."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from rehab import services
from tests.factories import PlanTemplateFactory

UNNAMED_TYPES = {"hidden", "submit", "button", "image", "reset"}  # no label needed: hidden, or named by value


class Controls(HTMLParser):
    """The form controls of a page, and the ids that a <label for> points at."""

    def __init__(self, html: str):
        super().__init__()
        self.controls: list[dict] = []
        self.labelled_ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labelled_ids.add(attrs["for"])
        elif tag in ("select", "textarea") or (
            tag == "input" and attrs.get("type", "text") not in UNNAMED_TYPES
        ):
            self.controls.append(attrs)

    handle_startendtag = handle_starttag

    def unnamed(self) -> list[str]:
        return [
            c.get("name", "?")
            for c in self.controls
            if not (
                c.get("aria-label", "").strip()
                or c.get("aria-labelledby")
                or c.get("id") in self.labelled_ids
            )
        ]


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    return services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=3),
    )


def test_every_box_on_the_plan_page_has_a_name_phases_table_included(client_for, plan):
    html = client_for("clinician").get(reverse("admin:rehab_plan_change", args=[plan.pk])).content.decode()
    page = Controls(html)
    phase_boxes = [c for c in page.controls if c.get("name", "").startswith("phases-")]
    assert (
        len(phase_boxes) >= 3 * 6
    )  # three phases of order, name, days, activity, minutes, pain (and delete)
    assert page.unnamed() == []
    # Named after the column and the row, so that the boxes of one row tell apart from the next one's.
    by_name = {c.get("name"): c for c in page.controls}
    assert by_name["phases-1-run_activity"]["aria-label"] == "Running, row 2"
    assert by_name["phases-0-max_pain_during"]["aria-label"].endswith(", row 1")
    assert by_name["phases-2-DELETE"]["aria-label"] == "Delete, row 3"


def test_every_box_on_a_plan_phase_page_has_a_name_exercise_rows_included(client_for, plan):
    phase = plan.phases.order_by("order").first()
    html = (
        client_for("clinician").get(reverse("admin:rehab_planphase_change", args=[phase.pk])).content.decode()
    )
    page = Controls(html)
    assert [c for c in page.controls if c.get("name", "").startswith("exercises-0-")]
    assert page.unnamed() == []
    # The empty row that "Add another" copies is named too.
    assert {c["aria-label"] for c in page.controls if c.get("name") == "exercises-__prefix__-sets"} == {
        "Sets, new row"
    }


def test_every_box_on_the_athlete_page_has_a_name_care_team_and_shoes_included(client_for, people):
    html = client_for("clinician").get(reverse("admin:portal_athlete_change", args=[people.athlete_a.pk]))
    page = Controls(html.content.decode())
    assert any(c.get("name") == "shoes-0-name" for c in page.controls)
    assert page.unnamed() == []


def test_a_logins_date_and_time_boxes_are_named_after_their_field(client_for, people):
    html = client_for("superuser").get(reverse("admin:portal_user_change", args=[people.clinician.user.pk]))
    page = Controls(html.content.decode())
    by_name = {c.get("name"): c for c in page.controls}
    assert by_name["date_joined_0"]["aria-label"] == "Date joined: date"
    assert by_name["date_joined_1"]["aria-label"] == "Date joined: time"
    assert page.unnamed() == []
