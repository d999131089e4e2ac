"""The shipped protocols in both languages (issue #25): load_protocols loads rehab/data/protocols_es.json beside
the English, a plan copied from a protocol keeps both, and the athlete's pages and printed program show the phase
text in the athlete's language, English where no Spanish is written."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from rehab import pdf, services
from rehab.models import PhaseExerciseTemplate, PhaseTemplate, PlanTemplate
from rehab.translation import PHASE_TEXT_FIELDS
from tests.factories import PlanTemplateFactory

DATA = Path(__file__).resolve().parents[2] / "rehab" / "data"
ENGLISH = json.loads((DATA / "protocols.json").read_text(encoding="utf-8"))
SPANISH = json.loads((DATA / "protocols_es.json").read_text(encoding="utf-8"))
# The phase texts of the English file, by their keys in the Spanish one.
PHASE_TEXTS = {
    "name": lambda phase: phase["name"],
    "goal": lambda phase: phase.get("goal", ""),
    "exit_criteria": lambda phase: phase.get("exit_criteria", ""),
    "pain_note": lambda phase: phase.get("pain_rule", {}).get("note", ""),
    "run_note": lambda phase: phase.get("run", {}).get("note", ""),
}


@pytest.fixture(autouse=True)
def english_after():
    """LocaleMiddleware leaves the page's language active in the thread: start and end each test in English."""
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


@pytest.fixture
def shipped(db):
    call_command("load_library", verbosity=0)
    call_command("load_protocols", verbosity=0)


@pytest.fixture
def plan(people, shipped):
    return services.plan_assign(
        athlete=people.athlete_a,
        template=PlanTemplate.objects.get(slug="return-to-run-4-phase"),
        by=people.clinician.user,
        start=date(2026, 11, 2),
    )


def _speak(people, language):
    user = people.athlete_a.user
    user.language = language
    user.save()


# -------------------------------------------------------------------------------------------------- the data


@pytest.mark.parametrize("protocol", ENGLISH, ids=[p["slug"] for p in ENGLISH])
def test_every_text_of_every_shipped_protocol_has_its_spanish(protocol):
    spanish = SPANISH[protocol["slug"]]
    assert spanish["name"] and spanish["summary"]
    assert len(spanish["phases"]) == len(protocol["phases"])
    for english_phase, spanish_phase in zip(protocol["phases"], spanish["phases"], strict=True):
        for key, english_text in PHASE_TEXTS.items():
            assert bool(spanish_phase.get(key)) == bool(english_text(english_phase)), (
                english_phase["name"],
                key,
            )
        notes = {row["exercise"] for row in english_phase["exercises"] if row.get("note")}
        assert set(spanish_phase.get("exercises", {})) == notes, english_phase["name"]


def test_the_spanish_file_names_only_shipped_protocols():
    assert set(SPANISH) == {protocol["slug"] for protocol in ENGLISH}


# -------------------------------------------------------------------------------------------------- loading


def _counts():
    return PlanTemplate.objects.count(), PhaseTemplate.objects.count(), PhaseExerciseTemplate.objects.count()


def test_loading_twice_keeps_both_languages_and_changes_nothing(shipped, capsys):
    counts = _counts()
    capsys.readouterr()
    call_command("load_protocols")
    assert "0 created, 0 updated, 12 unchanged" in capsys.readouterr().out
    assert _counts() == counts
    phase = PhaseTemplate.objects.get(template__slug="return-to-run-4-phase", order=2)
    assert phase.name_en_gb == "Phase 2: walk/jog intervals"
    assert phase.name_es == "Intervalos de caminar y trotar"


def test_english_reads_exactly_as_the_english_file(shipped):
    for protocol in ENGLISH:
        template = PlanTemplate.objects.get(clinic=None, slug=protocol["slug"])
        assert (template.name, template.summary) == (protocol["name"], protocol["summary"])
        for phase, data in zip(template.phases.all(), protocol["phases"], strict=True):
            assert phase.goal == data["goal"] and phase.run_note == data["run"]["note"]


def test_spanish_reads_the_spanish_file(shipped):
    template = PlanTemplate.objects.get(slug="return-to-run-4-phase")
    phase = template.phases.get(order=1)
    with translation.override("es"):
        assert template.name == "Vuelta a correr: 4 fases"
        assert phase.goal == SPANISH["return-to-run-4-phase"]["phases"][0]["goal"]
        assert (
            phase.exercises.get(exercise__slug="slow-walk-cool-down").note
            == "Después de cada caminata en pendiente."
        )
        # No Spanish for a note the English leaves empty: nothing in either.
        assert phase.exercises.get(exercise__slug="glute-bridge").note == ""


def test_a_changed_spanish_text_updates_the_protocol(shipped, tmp_path, capsys):
    spanish = json.loads(json.dumps(SPANISH))
    spanish["itb"]["phases"][0]["goal"] = "Otro objetivo."
    (tmp_path / "protocols.json").write_text(json.dumps(ENGLISH), encoding="utf-8")
    (tmp_path / "protocols_es.json").write_text(json.dumps(spanish), encoding="utf-8")
    capsys.readouterr()
    call_command("load_protocols", file=tmp_path / "protocols.json")
    assert "0 created, 1 updated, 11 unchanged" in capsys.readouterr().out
    with translation.override("es"):
        assert PhaseTemplate.objects.get(template__slug="itb", order=1).goal == "Otro objetivo."


@pytest.mark.parametrize(
    "change,problem",
    [
        (lambda es: es["itb"]["phases"][0].update(advice="x"), "unknown ['advice']"),
        (lambda es: es["itb"]["phases"].pop(), "different number of phases"),
        (lambda es: es["itb"]["phases"][0]["exercises"].update({"squat": "x"}), "does not list"),
        (lambda es: es["itb"].update(goal="x"), "unknown ['goal']"),
    ],
    ids=["unknown-phase-key", "phase-missing", "note-for-another-exercise", "unknown-protocol-key"],
)  # fmt: skip
def test_a_spanish_file_that_does_not_fit_changes_nothing(shipped, tmp_path, change, problem):
    spanish = json.loads(json.dumps(SPANISH))
    change(spanish)
    (tmp_path / "protocols.json").write_text(json.dumps(ENGLISH), encoding="utf-8")
    (tmp_path / "protocols_es.json").write_text(json.dumps(spanish), encoding="utf-8")
    with pytest.raises(Exception, match=re.escape(problem)):
        call_command("load_protocols", file=tmp_path / "protocols.json")
    with translation.override("es"):
        assert (
            PhaseTemplate.objects.get(template__slug="itb", order=1).name
            == "Calmar la cara externa del muslo"
        )


# -------------------------------------------------------------------------------------------------- copies


@pytest.mark.parametrize("active", ["en-gb", "es"])
def test_a_plan_copies_every_language_whoever_assigns_it(people, shipped, active):
    template = PlanTemplate.objects.get(slug="return-to-run-4-phase")
    with translation.override(active):
        plan = services.plan_assign(
            athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
        )
    for source, copy in zip(template.phases.all(), plan.phases.all(), strict=True):
        for field in PHASE_TEXT_FIELDS:
            for language in ("en_gb", "es"):
                assert getattr(copy, f"{field}_{language}") == getattr(source, f"{field}_{language}")
    row = plan.phases.get(order=1).exercises.get(exercise__slug="slow-walk-cool-down")
    assert (row.note_en_gb, row.note_es) == (
        "After each incline walk.",
        "Después de cada caminata en pendiente.",
    )


def test_a_protocol_with_english_only_stays_english_only_in_its_plan(people):
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=1)
    with translation.override("es"):  # a Spanish-speaking clinician assigns it
        plan = services.plan_assign(
            athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
        )
    phase = plan.phases.get()
    assert phase.name_es is None and phase.name_en_gb == template.phases.get().name
    with translation.override("es"):
        assert phase.name == template.phases.get().name  # the English in its place


def test_a_duplicated_protocol_keeps_both_languages(people, shipped):
    template = PlanTemplate.objects.get(slug="itb")
    copy = services.template_duplicate(template=template, clinic=people.clinician.clinic)
    assert (copy.summary_en_gb, copy.summary_es) == (template.summary_en_gb, template.summary_es)
    assert [p.goal_es for p in copy.phases.all()] == [p.goal_es for p in template.phases.all()]


# -------------------------------------------------------------------------------------------------- pages


def test_my_plan_shows_the_phase_in_the_athletes_language(client_for, people, plan):
    english, spanish = ENGLISH[1]["phases"][0], SPANISH["return-to-run-4-phase"]["phases"][0]
    client = client_for("athlete_a")
    html = client.get(reverse("rehab:my_plan")).content.decode()
    assert english["goal"] in html and "After each incline walk." in html
    assert spanish["goal"] not in html
    _speak(people, "es")
    html = client.get(reverse("rehab:my_plan")).content.decode()
    assert spanish["goal"] in html
    assert "Después de cada caminata en pendiente." in html
    assert "Camina a paso rápido 15 min en una pendiente del 5,0 %, tres veces por semana." in html
    assert english["goal"] not in html and "After each incline walk." not in html


def _hep_html(plan) -> str:
    """The printed program's page before it becomes a PDF, as render_hep makes it (in the athlete's language)."""
    with translation.override(pdf.language_of_person(plan.athlete)):
        return render_to_string(pdf.TEMPLATE, pdf.hep_context(plan, plan.current_phase))


def test_the_printed_program_shows_the_phase_in_the_athletes_language(people, plan):
    spanish = SPANISH["return-to-run-4-phase"]["phases"][0]
    html = _hep_html(plan)
    assert ENGLISH[1]["phases"][0]["goal"] in html and spanish["goal"] not in html
    _speak(people, "es")
    plan.athlete.user.refresh_from_db()
    html = _hep_html(plan)
    assert spanish["goal"] in html
    assert spanish["run_note"] in html
    assert "Después de cada caminata en pendiente." in html
    assert ENGLISH[1]["phases"][0]["goal"] not in html


@pytest.mark.parametrize("assigned_in", ["en-gb", "es"])
def test_a_plan_named_after_its_protocol_reads_the_protocols_name_in_the_readers_language(
    people, shipped, assigned_in
):
    template = PlanTemplate.objects.get(slug="return-to-run-4-phase")
    with translation.override(assigned_in):
        plan = services.plan_assign(
            athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
        )
    assert template.name_es and template.name_es != template.name_en_gb
    for reader, name in (("en-gb", template.name_en_gb), ("es", template.name_es)):
        with translation.override(reader):
            assert plan.display_name == name


def test_a_plan_the_clinician_renamed_reads_as_named_in_every_language(people, shipped):
    template = PlanTemplate.objects.get(slug="return-to-run-4-phase")
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    plan.name = "Anna's spring comeback"
    plan.save(update_fields=["name"])
    for reader in ("en-gb", "es"):
        with translation.override(reader):
            assert plan.display_name == "Anna's spring comeback"


def test_the_athletes_today_page_names_her_plan_in_spanish(client, people, shipped):
    template = PlanTemplate.objects.get(slug="return-to-run-4-phase")
    services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    people.athlete_a.user.language = "es"
    people.athlete_a.user.save(update_fields=["language"])
    client.force_login(people.athlete_a.user)
    page = client.get(reverse("rehab:athlete_today")).content.decode()
    assert template.name_es in page and template.name_en_gb not in page
