import json
from pathlib import Path

from django.core.management import call_command

from rehab.models import PhaseExerciseTemplate, PhaseTemplate, PlanTemplate

DATA = Path(__file__).resolve().parents[2] / "rehab" / "data" / "protocols.json"
REQUIRED = {
    "acute-72-hour-care", "return-to-run-4-phase", "outer-hip-trochanteric", "front-hip-flexor",
    "deep-hip-labral-impingement", "back-of-hip-piriformis-hamstring", "back-first-assessment", "itb",
    "bone-stress-injury", "hip-osteoarthritis", "adductor-groin", "prevention-strength-maintenance",
}  # fmt: skip


def counts():
    return PlanTemplate.objects.count(), PhaseTemplate.objects.count(), PhaseExerciseTemplate.objects.count()


def test_protocols_load_once_and_idempotently(db, capsys):
    call_command("load_library", verbosity=0)
    call_command("load_protocols")
    first = counts()
    call_command("load_protocols")
    assert counts() == first
    assert "0 created, 0 updated, 12 unchanged" in capsys.readouterr().out
    assert set(PlanTemplate.objects.values_list("slug", flat=True)) == REQUIRED


def test_four_phase_protocol_matches_the_domain(db):
    call_command("load_library", verbosity=0)
    call_command("load_protocols", verbosity=0)
    phases = list(PlanTemplate.objects.get(slug="return-to-run-4-phase").phases.all())
    assert [p.run_activity for p in phases] == ["walk", "walk_jog", "jog", "run"]
    assert (phases[0].run_minutes, float(phases[0].incline_pct), phases[0].max_pain_during) == (15, 5.0, 0)
    assert (
        phases[1].walk_minutes,
        phases[1].jog_minutes,
        phases[1].run_minutes,
        phases[1].sessions_per_week,
    ) == (3, 1, 20, 3)
    assert phases[1].max_pain_during == 2
    # Phase 2 climbs from the 1:3 of DOMAIN.md section 5 in steps (section 6), not in one jump to 25 minutes.
    assert phases[1].run_steps == [
        {"jog": 1, "walk": 3}, {"jog": 2, "walk": 2}, {"jog": 3, "walk": 1}, {"jog": 5, "walk": 1},
    ]  # fmt: skip
    assert (phases[2].run_minutes, phases[2].sessions_per_week) == (25, 3)
    assert phases[3].weekly_increase_cap_pct == 10
    assert all(p.max_pain_during <= 5 for p in PhaseTemplate.objects.all())


def test_bone_stress_protocol_has_no_running_before_clearance(db):
    call_command("load_library", verbosity=0)
    call_command("load_protocols", verbosity=0)
    first = PlanTemplate.objects.get(slug="bone-stress-injury").phases.first()
    assert first.run_activity in ("none", "cross_train") and first.max_pain_during == 0
    assert not first.exercises.filter(exercise__kind__in=["plyometric", "assessment"]).exists()


def test_bone_stress_protocol_needs_clearance_before_its_first_running_phase(db):
    call_command("load_library", verbosity=0)
    call_command("load_protocols", verbosity=0)
    phases = list(PlanTemplate.objects.get(slug="bone-stress-injury").phases.all())
    first_running = next(p for p in phases if p.run_activity in ("walk_jog", "jog", "run"))
    assert first_running.name == "After clearance: walk/jog"
    assert [p.requires_clearance for p in phases] == [p == first_running for p in phases]
    assert len(first_running.run_steps) == 4


def test_changed_file_updates_only_that_template_and_leaves_plans_alone(db, tmp_path, people):
    from datetime import date

    from rehab.services import plan_assign

    call_command("load_library", verbosity=0)
    call_command("load_protocols", verbosity=0)
    template = PlanTemplate.objects.get(slug="itb")
    plan = plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    data = json.loads(DATA.read_text())
    for entry in data:
        if entry["slug"] == "itb":
            entry["phases"][0]["name"] = "Renamed settle phase"
    changed = tmp_path / "protocols.json"
    changed.write_text(json.dumps(data))
    call_command("load_protocols", file=changed, verbosity=0)
    assert PlanTemplate.objects.get(slug="itb").phases.first().name == "Renamed settle phase"
    assert plan.phases.first().name != "Renamed settle phase"
    assert PlanTemplate.objects.count() == 12
