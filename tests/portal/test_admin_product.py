"""The admin belongs to the product: lists edited as lines, lists and filters shown in words, no internal notes
in anything shipped."""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.admin_widgets import RunStepsField
from portal.models import Alert
from rehab import services
from rehab.models import DailyLog
from tests.factories import AlertFactory, ExerciseFactory, PlanTemplateFactory
from triage import engine

ROOT = Path(settings.BASE_DIR)
LADDER = [{"jog": 1, "walk": 3}, {"jog": 2, "walk": 2}, {"jog": 5, "walk": 1}]


class FormData(HTMLParser):
    """What a browser would post from the page's main form: every named box with its current value."""

    def __init__(self, html: str):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea = None
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=1)
    return services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=3),
    )


# The walk/jog ladder: one step a line, in words.


def test_a_ladder_round_trips_through_its_lines_exactly():
    field = RunStepsField(required=False)
    text = field.prepare_value(LADDER)
    assert text == "jog 1 min, walk 3 min\njog 2 min, walk 2 min\njog 5 min, walk 1 min"
    assert field.clean(text) == LADDER
    assert field.clean("") == [] and field.prepare_value([]) == ""
    # Written by hand: spacing, capitals, "minutes" or nothing, the walk first, blank lines between.
    assert field.clean("Walk 3 minutes,jog 1\n\n  jog: 2 min , walk 2  ") == [
        {"walk": 3, "jog": 1},
        {"jog": 2, "walk": 2},
    ]
    assert not field.has_changed(LADDER, text)


@pytest.mark.parametrize(
    "text",
    [
        "jog one, walk 3",
        "jog 1, walk 3, jog 2",
        "run 5 min",
        "jog 61 min",
        "jog -1",
        '[{"jog": 1}]',
        "x" * 6000,
    ],
)
def test_a_line_that_is_not_a_step_is_refused_with_a_message_naming_it(text):
    with pytest.raises(ValidationError) as error:
        RunStepsField(required=False).clean(f"jog 1 min, walk 3 min\n{text}")
    message = " ".join(error.value.messages)
    if len(text) > 5000:
        assert message == "Keep the steps under 5,000 characters."
    else:
        assert "jog 1 min, walk 3 min" in message and "line 2" in message  # the example, and where


def test_the_plan_phase_page_edits_the_ladder_as_lines_and_saves_the_same_list(client_for, plan):
    phase = plan.phases.order_by("order").first()
    phase.run_steps = LADDER
    phase.save()
    url = reverse("admin:rehab_planphase_change", args=[phase.pk])
    client = client_for("clinician")
    page = client.get(url).content.decode()
    assert "jog 1 min, walk 3 min\njog 2 min, walk 2 min" in page
    assert "&quot;jog&quot;" not in page  # no JSON on the page
    data = FormData(page).data
    assert data["run_steps"].strip() == "jog 1 min, walk 3 min\njog 2 min, walk 2 min\njog 5 min, walk 1 min"

    # Saved untouched: the same list, and no new plan version (nothing changed).
    version = plan.version
    assert client.post(url, data).status_code == 302
    phase.refresh_from_db()
    plan.refresh_from_db()
    assert phase.run_steps == LADDER and plan.version == version
    assert phase.structured_criteria == []  # the empty criteria box stays the empty list

    data = FormData(client.get(url).content.decode()).data
    data["run_steps"] = "jog 2 min, walk 2 min\njog 4 min, walk 1 min"
    assert client.post(url, data).status_code == 302
    phase.refresh_from_db()
    assert phase.run_steps == [{"jog": 2, "walk": 2}, {"jog": 4, "walk": 1}]

    data = FormData(client.get(url).content.decode()).data
    data["run_steps"] = "jog 2 min, walk 2 min\njog for a while"
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "line 2 (“jog for a while”)" in html
    assert "jog for a while" in html  # what was typed comes back to be corrected
    phase.refresh_from_db()
    assert phase.run_steps == [{"jog": 2, "walk": 2}, {"jog": 4, "walk": 1}]


def test_the_template_phase_page_has_the_ladder_as_lines_and_labels_in_words(client_for, people):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1, clinic=people.clinic)
    phase = template.phases.get()
    phase.run_steps = LADDER
    phase.save()
    html = client_for("clinician").get(reverse("admin:rehab_phasetemplate_change", args=[phase.pk]))
    html = html.content.decode()
    assert "jog 5 min, walk 1 min" in html and "&quot;jog&quot;" not in html
    assert "Incline (%)" in html and "Incline pct" not in html
    assert "Pain rule" in html and "Walk/jog steps" in html


def test_exercise_lists_are_edited_one_item_per_line(client_for, people):
    html = client_for("superuser").get(reverse("admin:library_exercise_add")).content.decode()
    for name in ("steps", "cues", "mistakes", "avoid_when", "aliases"):
        assert re.search(rf'<textarea name="{name}"', html), name
    assert "One step per line" in html


# Read-only lists in words.


def test_a_daily_log_shows_its_places_and_triggers_in_words(client_for, people):
    log = DailyLog.objects.create(
        athlete=people.athlete_a,
        date=timezone.localdate(),
        pain_during=3,
        pain_locations=["side"],
        triggers=["speed"],
    )
    html = client_for("clinician").get(reverse("admin:rehab_dailylog_change", args=[log.pk])).content.decode()
    assert "Side of the hip" in html and "Speed work" in html
    assert "&quot;side&quot;" not in html and "&quot;speed&quot;" not in html


def test_a_shipped_exercise_read_by_a_clinician_shows_its_lists_as_words(client_for, people):
    exercise = ExerciseFactory(clinic=None, regions=["glutes", "hip_side"], cues=["Knees out", "Breathe"])
    html = client_for("clinician").get(reverse("admin:library_exercise_change", args=[exercise.pk]))
    html = html.content.decode()
    assert "View exercise" in html  # read-only: shipped rows are the superuser's
    assert '<ol class="stride-list"><li>Lie on your back.</li><li>Lift your hips.</li></ol>' in html
    assert "<li>Knees out</li><li>Breathe</li>" in html and "<li>Mat</li>" in html
    assert "&quot;Lie on your back.&quot;" not in html and "hip_side" not in html


def test_a_shipped_phase_read_by_a_clinician_shows_its_ladder_and_labels_in_words(client_for, people):
    phase = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1).phases.get()
    phase.run_steps = LADDER
    phase.save()
    html = client_for("clinician").get(reverse("admin:rehab_phasetemplate_change", args=[phase.pk]))
    html = html.content.decode()
    assert "View phase" in html and "phase template" not in html.lower()
    assert '<ol class="stride-list"><li>jog 1 min, walk 3 min</li>' in html
    assert "Incline (%)" in html and "Incline pct" not in html and "&quot;jog&quot;" not in html


def test_a_read_only_plan_phase_shows_no_version_box(client_for, people, plan):
    people.athlete_a.anonymised_at = timezone.now()
    people.athlete_a.save()
    phase = plan.phases.first()
    response = client_for("clinician").get(reverse("admin:rehab_planphase_change", args=[phase.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "View phase" in html
    assert "Seen version" not in html and "Walk/jog steps" in html


# Filters and columns in words.


def test_the_alert_list_shows_reasons_and_status_in_words(client_for, people):
    AlertFactory(athlete=people.athlete_a, kind="clearance_due", severity="notice")
    AlertFactory(athlete=people.athlete_b, kind="pain_spike", severity="urgent")
    html = client_for("clinician").get(reverse("admin:portal_alert_changelist")).content.decode()
    assert "Clearance needed" in html and "Pain spike" in html
    assert "clearance_due<" not in html and ">clearance_due" not in html and "pain_spike<" not in html
    assert "By reason" in html and "By status" in html and ">Resolved<" in html
    assert "Not empty" not in html
    only = client_for("clinician").get(reverse("admin:portal_alert_changelist"), {"kind": "pain_spike"})
    assert "Bruno Bianchi" in only.content.decode() and "Anna Aalto" not in only.content.decode()
    resolved = client_for("clinician").get(reverse("admin:portal_alert_changelist"), {"status": "set"})
    assert resolved.status_code == 200 and "Bruno Bianchi" not in resolved.content.decode()


def test_every_alert_kind_a_service_raises_has_a_label():
    from portal import alert_kinds
    from rehab.codes import AlertKind
    from triage.services import ALERT_KIND

    assert {*AlertKind, ALERT_KIND} == set(alert_kinds.labels())


def test_the_plan_list_has_short_columns_and_phase_filters_in_words(client_for, plan):
    html = client_for("clinician").get(reverse("admin:rehab_plan_changelist")).content.decode()
    assert "By current phase" in html and ">Phase 1<" in html
    assert "By order" not in html
    assert "Nobody recorded" in html and ">-<" not in html  # the plan in the filter without an assigner
    plan_admin = admin.site._registry[type(plan)]
    assert len(plan_admin.list_display) <= 6 and "assigned_by" not in plan_admin.list_display
    filtered = client_for("clinician").get(reverse("admin:rehab_plan_changelist"), {"phase": "2"})
    assert filtered.status_code == 200 and "Anna Aalto" not in filtered.content.decode()
    nonsense = client_for("clinician").get(reverse("admin:rehab_plan_changelist"), {"phase": "9" * 30})
    assert nonsense.status_code == 200


def test_intake_and_athlete_filters_are_in_words(client_for, people):
    intakes = client_for("clinician").get(reverse("admin:triage_intake_changelist")).content.decode()
    assert "By review" in intakes and "Not reviewed yet" in intakes and "By reviewed at" not in intakes
    athletes = client_for("clinician").get(reverse("admin:portal_athlete_changelist")).content.decode()
    assert "By personal data" in athletes and "By anonymised at" not in athletes
    trail = client_for("superuser").get(reverse("admin:portal_auditentry_changelist")).content.decode()
    assert "By date" in trail and "By timestamp" not in trail


# No internal notes in what ships.

INTERNAL = re.compile(r"DOMAIN|§|\bseeds?\b|\bseed article|issue #\d|\bTODO\b|FIXME", re.IGNORECASE)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("path", ["library/data/exercises.json", "rehab/data/protocols.json"])
def test_shipped_data_has_no_internal_notes(path):
    found = [text for text in _strings(json.loads((ROOT / path).read_text())) if INTERNAL.search(text)]
    assert found == []


def test_condition_sources_are_citations_not_notes():
    for definition in engine.CONDITIONS.values():
        assert not INTERNAL.search(definition.source), definition.source
        assert len(definition.source) <= 200


def test_templates_have_no_internal_notes():
    found = []
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file():
            for line in template.read_text(errors="replace").splitlines():
                # Template comments ({# … #}) are not shipped.
                if INTERNAL.search(re.sub(r"\{#.*?#\}", "", line)):
                    found.append(f"{template.relative_to(ROOT)}: {line.strip()}")
    assert found == []


def test_labels_and_help_texts_have_no_internal_notes():
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in ("portal", "rehab", "library", "triage"):
            continue
        for field in model._meta.get_fields():
            for text in (getattr(field, "help_text", ""), getattr(field, "verbose_name", "")):
                if text and INTERNAL.search(str(text)):
                    found.append(f"{model.__name__}.{field.name}: {text}")
    for model, model_admin in admin.site._registry.items():
        for _, options in model_admin.fieldsets or []:
            if INTERNAL.search(str(options.get("description", ""))):
                found.append(f"{model.__name__} admin: {options['description']}")
    assert found == []


def test_admin_pages_show_no_internal_notes(client_for, people, plan):
    client = client_for("clinician")
    pages = [
        reverse("admin:triage_condition_changelist"),
        reverse("admin:rehab_plantemplate_changelist"),
        reverse("admin:rehab_plan_change", args=[plan.pk]),
        reverse("admin:rehab_planphase_change", args=[plan.phases.first().pk]),
    ]
    from triage.models import Condition

    pages += [
        reverse("admin:triage_condition_change", args=[pk])
        for pk in Condition.objects.values_list("pk", flat=True)
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert not INTERNAL.search(re.sub(r"<script.*?</script>", "", html, flags=re.S)), url


def test_alert_kind_filter_is_scoped_to_the_users_clinic(client_for, people):
    AlertFactory(athlete=people.other_athlete, kind="bone_stress_pain", severity="urgent")
    html = client_for("clinician").get(reverse("admin:portal_alert_changelist")).content.decode()
    assert "Pain in a bone stress plan" not in html
    assert Alert.objects.filter(kind="bone_stress_pain").exists()
