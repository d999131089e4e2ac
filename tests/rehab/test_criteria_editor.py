"""The measured exit criteria edited in words on the tailor page (rehab.forms_criteria): one row a criterion, each
kind's boxes checked with the problem said next to the box at fault, rows added, removed and undone without
JavaScript, and the phase still storing the same JSON list (outcomes.criteria) — shipped protocols' criteria
go through the rows and come back unchanged."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from outcomes.criteria import parse
from outcomes.questionnaires import clinic_instruments
from outcomes.wording import describe
from rehab import services
from rehab.forms import CriteriaField
from rehab.forms_criteria import PREFIX, CriteriaFormSet
from tests.factories import PlanTemplateFactory
from tests.portal.test_form_errors import Page, form_data
from tests.rehab.test_tailoring import press, save

SQUAT = {"kind": "test", "test": "single_leg_squat", "side": "each", "max_pain": 2, "min_count": 10}
SYMMETRY = {"kind": "symmetry", "test": "hhd_hip_abduction", "min_pct": 90}
CLEARANCE = {"kind": "clearance"}
IHOT = {"kind": "prom", "instrument": "ihot12", "scale": "total", "op": ">=", "value": 70}
DATA = Path(__file__).resolve().parents[2] / "rehab" / "data"


def post(*rows: dict) -> dict:
    """The rows as a browser posts them (box names, not stored keys)."""
    data = {f"{PREFIX}-TOTAL_FORMS": str(len(rows)), f"{PREFIX}-INITIAL_FORMS": "0",
            f"{PREFIX}-MIN_NUM_FORMS": "0", f"{PREFIX}-MAX_NUM_FORMS": "20"}  # fmt: skip
    for index, row in enumerate(rows):
        data |= {f"{PREFIX}-{index}-{name}": str(value) for name, value in row.items()}
    return data


def formset(data=None, initial=None):
    return CriteriaFormSet(data, prefix=PREFIX, initial=initial, instruments=clinic_instruments(None))


def as_posted(rows) -> dict:
    """What the rows made from a stored list post untouched (each box's starting value, as the page shows it)."""
    unbound = formset(initial=CriteriaFormSet.initial_rows(rows))
    data = post(*({} for _ in rows))
    for form in unbound.forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False and value != "":
                data[field.html_name] = str(value)
    return data


@pytest.mark.parametrize(
    "row, stored",
    [
        ({"kind": "prom", "instrument": "ihot12", "op": ">=", "value": "70"}, IHOT),
        ({"kind": "prom", "instrument": "nprs", "scale": "total", "op": "<=", "value": "2"},
         {"kind": "prom", "instrument": "nprs", "scale": "total", "op": "<=", "value": 2}),
        ({"kind": "prom", "instrument": "hagos", "scale": "sport", "op": ">=", "value": "82.5"},
         {"kind": "prom", "instrument": "hagos", "scale": "sport", "op": ">=", "value": 82.5}),
        ({"kind": "test", "test": "single_leg_squat", "side": "each", "max_pain": "2", "min_count": "10"}, SQUAT),
        ({"kind": "test", "test": "jog_on_spot"}, {"kind": "test", "test": "jog_on_spot", "side": "none"}),
        ({"kind": "test", "test": "fadir", "side": "left"}, {"kind": "test", "test": "fadir", "side": "left"}),
        ({"kind": "test", "test": "side_bridge_hold", "max_pain": "0"},
         {"kind": "test", "test": "side_bridge_hold", "side": "each", "max_pain": 0}),
        ({"kind": "symmetry", "symmetry_test": "hhd_hip_abduction", "min_pct": "90"}, SYMMETRY),
        # Boxes of another kind, left filled when the kind was changed, are not stored.
        ({"kind": "clearance", "instrument": "ihot12", "value": "70", "test": "fadir"}, CLEARANCE),
    ],
)  # fmt: skip
def test_each_kind_is_stored_as_the_engine_reads_it(row, stored):
    rows = formset(post(row))
    assert rows.is_valid(), rows.errors
    assert rows.value() == [stored]
    parse(rows.value())


@pytest.mark.parametrize(
    "row, field, message",
    [
        ({}, "kind", "Choose what kind of criterion this is."),
        ({"kind": "bogus"}, "kind", ""),
        ({"kind": "prom", "value": "70"}, "instrument", "Choose the questionnaire."),
        ({"kind": "prom", "instrument": "nope", "value": "70"}, "instrument", ""),
        ({"kind": "prom", "instrument": "hagos", "value": "70"}, "scale", "HAGOS has no total score: choose which part."),
        ({"kind": "prom", "instrument": "ihot12", "scale": "sport", "value": "70"}, "scale",
         "iHOT-12 has no such score: choose one of total score."),
        ({"kind": "prom", "instrument": "ihot12"}, "value", "Give the score to reach."),
        ({"kind": "prom", "instrument": "ihot12", "value": "150"}, "value", "iHOT-12 scores run from 0 to 100."),
        ({"kind": "prom", "instrument": "nprs", "value": "eleven"}, "value", ""),
        ({"kind": "test"}, "test", "Choose the test."),
        ({"kind": "test", "test": "single_leg_squat", "side": "none"}, "side",
         "Single-leg squat is done on each side: choose each side, left or right."),
        ({"kind": "test", "test": "jog_on_spot", "side": "each"}, "side",
         "Jogging on the spot gives one result: choose “One result (no side)”."),
        ({"kind": "test", "test": "single_leg_squat", "max_pain": "11"}, "max_pain", ""),
        ({"kind": "test", "test": "fadir", "side": "each", "min_count": "5"}, "min_count",
         "FADIR (flexion, adduction, internal rotation) has no count: leave this empty."),
        ({"kind": "test", "test": "side_bridge_hold"}, "max_pain",
         "Side-bridge hold has no pass mark of its own: give the most pain allowed."),
        ({"kind": "symmetry", "min_pct": "90"}, "symmetry_test", "Choose the strength test."),
        ({"kind": "symmetry", "symmetry_test": "single_leg_squat", "min_pct": "90"}, "symmetry_test", ""),
        ({"kind": "symmetry", "symmetry_test": "hhd_hip_abduction"}, "min_pct",
         "Give the side-to-side percentage to reach, e.g. 90."),
        ({"kind": "symmetry", "symmetry_test": "hhd_hip_abduction", "min_pct": "0"}, "min_pct", ""),
    ],
)  # fmt: skip
def test_a_problem_is_said_next_to_the_box_at_fault(row, field, message):
    rows = formset(post(CLEARANCE, row))
    assert not rows.is_valid()
    assert not rows.forms[0].errors, "the good row has no error"
    errors = rows.forms[1].errors
    assert list(errors) == [field], errors
    assert errors[field][0] and message in errors[field][0]


def test_a_removed_row_is_left_out_even_when_it_does_not_check_and_the_order_is_kept():
    rows = formset(post({"kind": "clearance"}, {"kind": "prom", "DELETE": "on"},
                        {"kind": "symmetry", "symmetry_test": "hhd_hip_abduction", "min_pct": "90"},
                        {"kind": "test", "test": "single_leg_squat", "max_pain": "2", "min_count": "10"}))  # fmt: skip
    assert rows.is_valid(), rows.errors
    assert rows.value() == [CLEARANCE, SYMMETRY, SQUAT]


def test_at_most_twenty_rows():
    rows = formset(post(*[{"kind": "clearance"}] * 21))
    assert not rows.is_valid()
    assert "at most 20 measured criteria" in " ".join(rows.non_form_errors())


def _shipped_criteria() -> list[list[dict]]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("criteria"):
                found.append(node["criteria"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads((DATA / "protocols.json").read_text(encoding="utf-8")))
    return found


SHIPPED = _shipped_criteria()


@pytest.mark.parametrize("stored", [*SHIPPED, [IHOT, SQUAT, SYMMETRY, CLEARANCE]])
def test_stored_criteria_come_back_unchanged_through_the_rows(stored):
    assert SHIPPED, "the shipped protocols have measured criteria"
    rows = formset(as_posted(stored))
    assert rows.is_valid(), rows.errors
    assert rows.value() == stored
    # Each row says its criterion in words before anything is changed.
    unbound = formset(initial=CriteriaFormSet.initial_rows(stored))
    assert [form.words() for form in unbound.forms] == [describe(c) for c in stored]


def test_a_short_hand_criterion_keeps_its_meaning():
    short = [{"kind": "prom", "instrument": "ihot12", "value": 70}, {"kind": "test", "test": "fadir"}]
    rows = formset(as_posted(short))
    assert rows.is_valid(), rows.errors
    assert parse(rows.value()) == parse(short)


# The tailor page


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=1)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    plan.phases.filter(order=1).update(structured_criteria=[SQUAT, SYMMETRY])
    return plan


@pytest.fixture
def phase(plan):
    return plan.phases.get(order=1)


@pytest.fixture
def url(plan, phase):
    return reverse("rehab:phase_edit", args=[plan.pk, phase.pk])


def live_rows(html: str) -> list[str]:
    """The kind of each criterion row kept (not removed), in the order shown."""
    page = Page(html)
    rows = [
        e
        for e in page.elements
        if e.tag == "li" and "data-crit" in e.attrs and e.get("data-crit") != "__prefix__"
    ]
    kinds = []
    for row in rows:
        live = next(e for e in page.elements if e.parent is row and "data-crit-live" in e.attrs)
        if "hidden" not in live.attrs:
            select = next(e for e in page.elements if row in e.ancestors() and e.tag == "select"
                          and e.get("name", "").endswith("-kind"))  # fmt: skip
            chosen = [e for e in page.elements if select in e.ancestors() and "selected" in e.attrs]
            kinds.append(chosen[0].text_content() if chosen else "")
    return kinds


def test_the_page_shows_the_criteria_in_words_with_labelled_boxes(client_for, url):
    html = client_for("clinician").get(url).content.decode()
    assert live_rows(html) == ["Clinic test", "Strength symmetry"]
    assert "Single-leg squat, each side: pain at most 2/10, at least 10 reps" in html
    assert "Hip abduction strength (hand-held dynamometer): side-to-side at least 90 %" in html
    page = Page(html)
    for name in ["kind", "test", "side", "max_pain", "min_count", "instrument", "scale", "value", "min_pct"]:
        box = page.by_id(f"id_{PREFIX}-0-{name}")
        assert box is not None and page.select(
            lambda e, n=name: e.tag == "label" and e.get("for") == f"id_{PREFIX}-0-{n}"
        ), name
    assert "At least (reps)" in html and "Pain at most (0–10)" in html
    assert '"kind": "test"' not in html, "no JSON to write"


def test_saving_rows_stores_the_json_list(client_for, url, phase, plan):
    client = client_for("clinician")
    html = client.get(url).content.decode()
    data = form_data(Page(html)) | post(
        {"kind": "prom", "instrument": "nprs", "op": "<=", "value": "2"},
        {"kind": "test", "test": "single_leg_squat", "side": "each", "max_pain": "1", "min_count": "12"},
        {"kind": "clearance"},
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["criteria"].errors
    phase.refresh_from_db()
    assert phase.structured_criteria == [
        {"kind": "prom", "instrument": "nprs", "scale": "total", "op": "<=", "value": 2},
        SQUAT | {"max_pain": 1, "min_count": 12},
        CLEARANCE,
    ]
    # Saved untouched: the same list again.
    html = client.get(url).content.decode()
    plan.refresh_from_db()
    assert save(client, url, html).status_code == 302
    phase.refresh_from_db()
    assert phase.structured_criteria[2] == CLEARANCE and len(phase.structured_criteria) == 3


def test_a_problem_is_shown_next_to_its_box_and_what_was_typed_is_kept(client_for, url, phase):
    client = client_for("clinician")
    html = client.get(url).content.decode()
    data = form_data(Page(html)) | {f"{PREFIX}-1-min_pct": "250", "phase-name": "Renamed"}
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    page = Page(html)
    box = page.by_id(f"id_{PREFIX}-1-min_pct")
    assert box.get("aria-invalid") == "true" and box.get("value") == "250"
    message = response.context["criteria"].forms[1].errors["min_pct"][0]
    assert message in html
    assert f'href="#id_{PREFIX}-1-min_pct"' in html, "the error summary links to the box"
    assert page.by_id("id_phase-name").get("value") == "Renamed"
    phase.refresh_from_db()
    assert phase.structured_criteria == [SQUAT, SYMMETRY] and phase.name != "Renamed"


def test_rows_are_added_removed_and_restored_without_javascript(client_for, url, phase):
    client = client_for("clinician")
    html = client.get(url).content.decode()
    html = press(client, url, html, **{"crit-add": "prom"})
    assert live_rows(html) == ["Clinic test", "Strength symmetry", "Questionnaire score"]
    assert "autofocus" in Page(html).by_id(f"id_{PREFIX}-2-instrument").attrs
    assert "Choose the questionnaire." not in html, "a row just added is not an error yet"
    html = press(client, url, html, **{"crit-remove": "0"})
    assert live_rows(html) == ["Strength symmetry", "Questionnaire score"]
    assert "autofocus" in Page(html).by_id("crit-restore-0").attrs
    html = press(client, url, html, **{"crit-restore": "0"})
    assert live_rows(html) == ["Clinic test", "Strength symmetry", "Questionnaire score"]
    html = press(client, url, html, **{"crit-remove": "0"})
    # The new row is still empty: saving says so, and nothing is saved.
    response = save(client, url, html)
    assert response.status_code == 200
    added = next(form for form in response.context["criteria"].forms if form.prefix == f"{PREFIX}-2")
    assert added.errors["instrument"] == ["Choose the questionnaire."]
    assert "Questionnaire, row 2:" in response.content.decode(), "the summary numbers the rows as shown"
    html = response.content.decode()
    response = save(client, url, html, **{f"{PREFIX}-2-instrument": "nprs", f"{PREFIX}-2-op": "<=",
                                          f"{PREFIX}-2-value": "3"})  # fmt: skip
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.structured_criteria == [
        SYMMETRY,
        {"kind": "prom", "instrument": "nprs", "scale": "total", "op": "<=", "value": 3},
    ]


def test_a_kind_changed_without_javascript_shows_its_boxes(client_for, url):
    client = client_for("clinician")
    html = client.get(url).content.decode()
    html = press(client, url, html, **{"crit-show": "1", f"{PREFIX}-1-kind": "prom"})
    page = Page(html)
    box = page.by_id(f"id_{PREFIX}-1-instrument")
    group = next(e for e in box.ancestors() if e.get("data-crit-kind") == "prom")
    assert "hidden" not in group.attrs
    assert "autofocus" in page.by_id(f"id_{PREFIX}-1-instrument").attrs


def test_a_plan_changed_meanwhile_refuses_the_criteria_and_keeps_them(client_for, url, phase, plan, people):
    client = client_for("clinician")
    html = client.get(url).content.decode()
    with services.plan_editing(plan=plan, by=people.clinician.user, seen=plan.version):  # another tab
        phase.exercises.update(note="Changed elsewhere")
    response = save(client, url, html, **{f"{PREFIX}-1-min_pct": "95"})
    assert response.status_code == 200
    assert response.context["stale"]
    assert Page(response.content.decode()).by_id(f"id_{PREFIX}-1-min_pct").get("value") == "95"
    phase.refresh_from_db()
    assert phase.structured_criteria == [SQUAT, SYMMETRY]
    assert "side-to-side at least 90 %" in response.content.decode(), "the saved criteria, in words"


def test_an_athlete_cannot_change_the_criteria(client_for, url, phase):
    response = client_for("athlete_a").post(url, post(CLEARANCE))
    assert response.status_code in (302, 403, 404)
    phase.refresh_from_db()
    assert phase.structured_criteria == [SQUAT, SYMMETRY]


# The admin's phase pages: the JSON list, with the criteria said in words


def test_the_admin_phase_page_says_the_criteria_in_words_and_saves_the_json(client_for, people, phase, plan):
    url = reverse("admin:rehab_planphase_change", args=[phase.pk])
    client = client_for("clinician")
    html = client.get(url).content.decode()
    assert "In words:" in html
    assert "Single-leg squat, each side: pain at most 2/10, at least 10 reps" in html
    data = form_data(Page(html)) | {"structured_criteria": json.dumps([CLEARANCE]), "_save": "Save"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    phase.refresh_from_db()
    assert phase.structured_criteria == [CLEARANCE]
    response = client.post(url, form_data(Page(client.get(url).content.decode()))
                           | {"structured_criteria": '[{"kind": "test", "test": "nope"}]'})  # fmt: skip
    assert response.status_code == 200
    assert "Exit criterion 1: unknown test." in response.content.decode()


def test_a_shipped_protocol_phase_shows_its_criteria_in_words_read_only(client_for):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=0, clinic=None)
    shipped = template.phases.get()
    shipped.structured_criteria = SHIPPED[0]
    shipped.save(update_fields=["structured_criteria"])
    url = reverse("admin:rehab_phasetemplate_change", args=[shipped.pk])
    html = client_for("clinician").get(url).content.decode()
    assert 'name="structured_criteria"' not in html, "only superusers change a shipped protocol"
    assert describe(SHIPPED[0][0]) in html
    assert "&quot;kind&quot;" not in html and '"kind"' not in html


@pytest.mark.parametrize("typed", ["", "\n", "  \r\n  "])
def test_the_admins_empty_criteria_box_is_the_empty_list(typed):
    """The admin's JSON box left empty saves no criteria ([]), never None, which the column refuses."""
    assert CriteriaField(required=False).clean(typed) == []
