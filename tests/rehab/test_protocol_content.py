"""The clinical content of the shipped protocols (rehab/data/protocols.json), checked against DOMAIN.md sections 5–6.

Most checks read the file itself: they are about what a clinician is offered, before any plan is copied from it.
"""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from rehab import services
from rehab.models import PlanTemplate
from rehab.selectors import templates_for_assign
from tests.factories import IntakeFactory
from triage.models import Condition

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = json.loads((ROOT / "rehab" / "data" / "protocols.json").read_text(encoding="utf-8"))
BY_SLUG = {template["slug"]: template for template in TEMPLATES}
KINDS = {
    entry["slug"]: entry["kind"]
    for entry in json.loads((ROOT / "library" / "data" / "exercises.json").read_text(encoding="utf-8"))
}
PROTOCOLS_MD = (ROOT / "rehab" / "data" / "PROTOCOLS.md").read_text(encoding="utf-8")
RUNNING = ("walk_jog", "jog", "run")
LADDER = [{"jog": 1, "walk": 3}, {"jog": 2, "walk": 2}, {"jog": 3, "walk": 1}, {"jog": 5, "walk": 1}]
LOADING_KINDS = ("strength", "isometric")


def phases_where(test):
    return [
        pytest.param(template, phase, id=f"{template['slug']}:{number}")
        for template in TEMPLATES
        for number, phase in enumerate(template["phases"], start=1)
        if test(phase)
    ]


def before_first_run(template) -> dict | None:
    """The last phase without running before the template's first running phase (None: it has none)."""
    phases = template["phases"]
    for index, phase in enumerate(phases):
        if phase["run"]["activity"] in RUNNING:
            return phases[index - 1] if index else None
    return None


def rows(template, exercise=None):
    return [
        row
        for phase in template["phases"]
        for row in phase["exercises"]
        if exercise is None or row["exercise"] == exercise
    ]


def targets(code):
    return [template for template in TEMPLATES if code in template["conditions"]]


# B. The walk/jog ladder (DOMAIN.md section 6)


@pytest.mark.parametrize("template,phase", phases_where(lambda p: p["run"]["activity"] == "walk_jog"))
def test_every_walk_jog_phase_climbs_a_ladder_one_step_at_a_time(template, phase):
    run = phase["run"]
    assert run["steps"] == LADDER
    # The phase's own walk/jog minutes stay the first step's, for everything that reads them.
    assert (run["jog_minutes"], run["walk_minutes"]) == (1, 3)
    assert "Repeat each step until a session" in run["note"] and "next morning" in run["note"]
    assert "jog 5 min, walk 1 min" in phase["exit_criteria"]


LADDER_THEN_JOG = [
    pytest.param(before, after, id=template["slug"])
    for template in TEMPLATES
    for before, after in zip(template["phases"], template["phases"][1:], strict=False)
    if before["run"]["activity"] == "walk_jog" and after["run"]["activity"] == "jog"
]


@pytest.mark.parametrize("ladder,continuous", LADDER_THEN_JOG)
def test_continuous_jogging_starts_at_most_one_and_a_half_times_the_last_steps_jogging(ladder, continuous):
    """5:1 for 20 minutes is about 17 minutes of jogging: 25 minutes straight is a 1.5× step, not 5×."""
    top = ladder["run"]["steps"][-1]
    jogging = ladder["run"]["minutes"] * top["jog"] / (top["jog"] + top["walk"])
    assert continuous["run"]["minutes"] <= 1.5 * jogging


# E. Ready-to-run checks (DOMAIN.md section 6)

READY_CHECKS = [
    "daily life",
    "30 minutes of brisk walking",
    "10 seconds",
    "10 single-leg squats",
    "1 minute of jogging on the spot",
    "10–15 small hops in place",
]


@pytest.mark.parametrize(
    "template", [t for t in TEMPLATES if before_first_run(t)], ids=lambda template: template["slug"]
)
def test_the_last_phase_before_running_ends_with_the_ready_to_run_checks(template):
    exit_criteria = before_first_run(template)["exit_criteria"]
    assert "Ready to start running" in exit_criteria
    for check in READY_CHECKS:
        assert check in exit_criteria, check
    allowance = "0/10" if template["slug"] == "bone-stress-injury" else "2/10 or less"
    assert allowance in exit_criteria


def test_every_template_that_returns_to_running_has_the_checks():
    with_running = {t["slug"] for t in TEMPLATES if any(p["run"]["activity"] in RUNNING for p in t["phases"])}
    checked = {t["slug"] for t in TEMPLATES if before_first_run(t)}
    # Prevention starts with normal running: there is nothing to return from.
    assert with_running - checked == {"prevention-strength-maintenance"}


# A. Bone stress injury


def test_bone_stress_needs_a_clearance_before_its_first_running_phase():
    phases = BY_SLUG["bone-stress-injury"]["phases"]
    first_running = next(p for p in phases if p["run"]["activity"] in RUNNING)
    assert first_running["name"] == "After clearance: walk/jog"
    assert [p.get("requires_clearance", False) for p in phases] == [p is first_running for p in phases]
    assert "clinician's clearance" in before_first_run(BY_SLUG["bone-stress-injury"])["exit_criteria"]
    assert not any(p.get("requires_clearance") for t in TEMPLATES if t["slug"] != "bone-stress-injury"
                   for p in t["phases"])  # fmt: skip


@pytest.mark.parametrize("phase", BY_SLUG["bone-stress-injury"]["phases"], ids=lambda phase: phase["name"])
def test_bone_stress_is_pain_free_and_any_pain_means_stop_and_contact_the_clinic(phase):
    rule = phase["pain_rule"]
    assert (rule["max_during"], rule["max_after"]) == (0, 0)
    assert "0/10" in rule["note"]
    assert "stop" in rule["note"] and "contact the clinic" in rule["note"]
    assert "crutches" in rule["note"]


def test_bone_stress_does_no_hopping_or_jumping_on_its_own():
    template = BY_SLUG["bone-stress-injury"]
    assert not [row for row in rows(template) if KINDS[row["exercise"]] in ("plyometric", "assessment")]
    # The hops of the ready-to-run checks happen at the clinic, as part of the clearance.
    assert "only at the clinic" in before_first_run(template)["exit_criteria"]


# C. Gluteal tendinopathy / greater trochanteric pain


def test_gluteal_tendon_plan_starts_with_an_isometric_side_hip_hold():
    first = BY_SLUG["outer-hip-trochanteric"]["phases"][0]["exercises"][0]
    assert first["exercise"] == "isometric-hip-abduction" and KINDS[first["exercise"]] == "isometric"
    assert (first["sets"], first["hold_seconds"]) == (5, 30) and "30–45 seconds" in first["note"]


def test_gluteal_tendon_loading_is_every_other_day():
    loading = [
        row for row in rows(BY_SLUG["outer-hip-trochanteric"]) if KINDS[row["exercise"]] in LOADING_KINDS
    ]
    assert loading and {row["days_per_week"] for row in loading} == {3}
    for template in targets("greater_trochanteric_pain"):
        for row in rows(template):
            if KINDS[row["exercise"]] in LOADING_KINDS:
                assert row["days_per_week"] and row["days_per_week"] <= 4, (template["slug"], row["exercise"])


def test_side_plank_with_clamshell_is_never_daily_in_a_plan():
    planks = [row for template in TEMPLATES for row in rows(template, "side-plank-with-clamshell")]
    assert planks and all(row["days_per_week"] == 3 for row in planks)


@pytest.mark.parametrize("slug", ["itb", *(t["slug"] for t in targets("greater_trochanteric_pain"))])
def test_no_side_lying_itb_stretch_where_the_outer_hip_tendons_may_be_sore(slug):
    """The stretch eases the top knee down: sustained hip adduction, which squeezes the gluteal tendons."""
    assert not rows(BY_SLUG[slug], "iliotibial-band-stretch-side-lying")


def test_outer_hip_plan_tells_the_athlete_to_keep_out_of_adduction():
    note = BY_SLUG["outer-hip-trochanteric"]["phases"][0]["pain_rule"]["note"]
    assert "crossing your legs" in note and "pillow between the knees" in note


def test_foam_rolling_keeps_off_the_bony_point_and_an_irritated_bursa():
    rolling = [row for t in TEMPLATES for row in rows(t) if row["exercise"].startswith("foam-rolling")]
    assert rolling
    for row in rolling:
        assert "bony point" in row["note"] and "bursa" in row["note"]


# D. Referred lumbar pain: back first


def test_referred_lumbar_pain_has_only_the_back_first_pathway():
    assert [t["slug"] for t in targets("referred_lumbar")] == ["back-first-assessment"]
    back_first = BY_SLUG["back-first-assessment"]
    (phase,) = back_first["phases"]
    assert phase["run"]["activity"] == "none"
    assert not phase["exercises"]  # no hip-strength plan by default
    assert "assessed" in phase["exit_criteria"] and "back" in phase["exit_criteria"]
    assert "walk" in phase["run"]["note"].lower()
    assert "emergency department" in phase["pain_rule"]["note"]


def test_a_referred_lumbar_athlete_is_offered_the_back_first_pathway(people):
    call_command("load_library", verbosity=0)
    call_command("load_protocols", verbosity=0)
    IntakeFactory(athlete=people.athlete_a, confirmed_condition=Condition.objects.get(code="referred_lumbar"))
    suggested, others = templates_for_assign(people.clinician.user, people.athlete_a)
    assert [t.slug for t in suggested] == ["back-first-assessment"]
    assert "return-to-run-4-phase" in {t.slug for t in others}
    plan = services.plan_assign(
        athlete=people.athlete_a,
        template=PlanTemplate.objects.get(slug="back-first-assessment"),
        by=people.clinician.user,
        start=date(2026, 12, 7),
    )
    assert plan.phases.count() == 1 and not plan.current_phase.exercises.exists()
    assert plan.current_phase.run_text().startswith("No running in this phase.")


# PROTOCOLS.md says what the file holds


def test_protocols_md_summary_table_matches_the_file():
    table = dict(
        (slug, (int(phases), int(exercise_rows)))
        for slug, phases, exercise_rows in re.findall(r"^\| `([a-z0-9-]+)` \| .*? \| (\d+) \| (\d+) \|$", PROTOCOLS_MD, re.M)
    )  # fmt: skip
    assert table == {
        t["slug"]: (len(t["phases"]), sum(len(p["exercises"]) for p in t["phases"])) for t in TEMPLATES
    }
    assert "## Clinical safety pass (December 2026)" in PROTOCOLS_MD
