"""The shipped catalog is complete for the domain: every exercise DOMAIN.md sections 3 and 8 name."""

import re
from pathlib import Path

import pytest

from library.models import Exercise, Kind

# DOMAIN.md name → slug, as listed in library/data/CATALOG.md.
DOMAIN_NAME_TO_SLUG = {
    # DOMAIN.md section 8: stretches
    "hip flexor stretch (kneeling)": "hip-flexor-stretch-kneeling",
    "standing hip flexor stretch with posterior pelvic tilt": "standing-hip-flexor-stretch-posterior-tilt",
    "butterfly stretch": "butterfly-stretch",
    "iliotibial band stretch (side-lying)": "iliotibial-band-stretch-side-lying",
    "piriformis stretch (supine)": "piriformis-stretch-supine",
    "supine figure-4 PIR hold": "supine-figure-4-pir-hold",
    # section 8: strength
    "glute bridge": "glute-bridge",
    "clamshell with band": "clamshell-with-band",
    "side plank with clamshell": "side-plank-with-clamshell",
    "fire hydrant": "fire-hydrant",
    "single-leg Romanian deadlift": "single-leg-romanian-deadlift",
    "lateral step-up": "lateral-step-up",
    "reverse lunge": "reverse-lunge",
    "standing hip abduction": "standing-hip-abduction",
    "side-lying / lateral leg raise": "side-lying-leg-raise",
    "Copenhagen plank": "copenhagen-plank",
    "lateral band walk": "lateral-band-walk",
    "monster walk with band": "monster-walk-with-band",
    "squat": "squat",
    "deadlift": "deadlift",
    "split squat": "split-squat",
    "heel activator": "heel-activator",
    "hip abduction": "seated-banded-hip-abduction",
    "heel drop": "heel-drop",
    "heel drop + hip hike": "heel-drop-hip-hike",
    "knee drive with band": "knee-drive-with-band",
    "lunges with medicine ball": "lunge-with-medicine-ball",
    "quadruped series": "quadruped-series",
    # section 8: warm-up / cool-down
    "leg swings (all planes)": "leg-swings",
    "walking lunge with rotation": "walking-lunge-with-rotation",
    "5 min brisk walk": "brisk-walk-warm-up",
    "5 min slow walk": "slow-walk-cool-down",
    # section 8: cross-training
    "cycling": "cycling",
    "swimming": "swimming",
    "rowing": "rowing",
    "yoga": "yoga",
    "pilates": "pilates",
    # section 8: recovery (foam rolling split by the three areas DOMAIN.md names)
    "foam rolling (TFL)": "foam-rolling-tfl",
    "foam rolling (glute medius)": "foam-rolling-glute-medius",
    "foam rolling (hip flexors)": "foam-rolling-hip-flexors",
    # section 3: self-tests (kind "assessment")
    "standing leg swing": "standing-leg-swing-test",
    "resisted clamshell": "resisted-clamshell-test",
    "seated rotation": "seated-rotation-test",
    "single-leg hop": "single-leg-hop-test",
    # section 4: early care (extras)
    "ice massage": "ice-massage",
    "short walks": "short-walks-early-care",
    # section 6: gluteal tendinopathy, isometrics first (extra)
    "isometric hip abduction": "isometric-hip-abduction",
}
SELF_TESTS = ["standing leg swing", "resisted clamshell", "seated rotation", "single-leg hop"]
CATALOG_MD = Path(__file__).resolve().parents[2] / "library" / "data" / "CATALOG.md"


def has_dosage(exercise: Exercise) -> bool:
    numbers = [exercise.sets, exercise.reps, exercise.hold_seconds, exercise.duration_minutes]
    return any(numbers) or "as tolerated" in exercise.dosage_note.lower()


@pytest.mark.parametrize("name", DOMAIN_NAME_TO_SLUG)
def test_every_domain_exercise_is_shipped_with_steps_and_a_dosage(catalog, name):
    exercise = Exercise.objects.shipped().get(slug=DOMAIN_NAME_TO_SLUG[name])
    assert exercise.active
    assert exercise.steps and all(step.strip() for step in exercise.steps)
    assert has_dosage(exercise), f"{name}: no dosage and no explicit 'as tolerated'"
    assert exercise.dosage_text()
    assert exercise.regions and exercise.equipment
    assert exercise.source


def test_the_catalog_is_exactly_the_domain_list(catalog):
    shipped = set(Exercise.objects.shipped().values_list("slug", flat=True))
    assert shipped == set(DOMAIN_NAME_TO_SLUG.values())
    assert len(shipped) == 47


def test_catalog_md_table_matches_this_list():
    slugs_in_doc = set(re.findall(r"^\| §\d \| .+? \| `([a-z0-9-]+)` \|", CATALOG_MD.read_text(), re.M))
    assert slugs_in_doc == set(DOMAIN_NAME_TO_SLUG.values())


@pytest.mark.parametrize("name", SELF_TESTS)
def test_self_tests_are_assessments(catalog, name):
    assert Exercise.objects.get(slug=DOMAIN_NAME_TO_SLUG[name]).kind == Kind.ASSESSMENT


def test_foam_rolling_is_recovery_and_warns_off_bone(catalog):
    rolling = Exercise.objects.shipped().filter(slug__startswith="foam-rolling")
    assert rolling.count() == 3
    for exercise in rolling:
        assert exercise.kind == Kind.RECOVERY
        assert any("bone" in line.lower() for line in exercise.avoid_when)


def test_gluteal_tendinopathy_starts_with_an_isometric_side_hip_hold(catalog):
    """DOMAIN.md section 6: isometrics first (Mellor 2018, LEAP), loading every other day, no adduction."""
    hold = Exercise.objects.shipped().get(slug="isometric-hip-abduction")
    assert hold.kind == Kind.ISOMETRIC and "hip_side" in hold.regions
    assert hold.dosage_text() == "Hold 30–45 s × 5 · 3 days a week"
    assert hold.source.startswith("Mellor R et al.") and "BMJ 2018" in hold.source
    assert any("crossed" in line for line in hold.avoid_when)


def test_side_lying_itb_stretch_warns_off_outer_hip_tendon_pain(catalog):
    """Easing the top knee down is sustained hip adduction, which squeezes sore gluteal tendons."""
    stretch = Exercise.objects.shipped().get(slug="iliotibial-band-stretch-side-lying")
    assert any("gluteal tendon" in line and "skip it" in line for line in stretch.avoid_when)


def test_hop_test_is_never_advised_when_weight_bearing_hurts(catalog):
    hop = Exercise.objects.get(slug="single-leg-hop-test")
    assert any("walking" in line.lower() and "hurts" in line.lower() for line in hop.avoid_when)


# Dosages DOMAIN.md section 8 gives, in the words the library shows.
DOMAIN_DOSAGES = {
    "hip-flexor-stretch-kneeling": "Hold 30–60 s × 3, each side",
    "standing-hip-flexor-stretch-posterior-tilt": "Hold 45 s, each side · three times a day",
    "iliotibial-band-stretch-side-lying": "Hold 10–30 s × 3, each side",
    "piriformis-stretch-supine": "Hold 60 s × 3, each side",
    "supine-figure-4-pir-hold": "Hold 2 min, each side · twice a day",
    "glute-bridge": "8–10 reps, 5 s hold · 2 days a week",
    "clamshell-with-band": "2–3 sets × 8–10 reps, each side · 2 days a week",
    "side-plank-with-clamshell": "10 reps, each side · every day",
    "fire-hydrant": "2–3 sets × 8–10 reps, each side · 2 days a week",
    "single-leg-romanian-deadlift": "2–3 sets × 8–10 reps, each side · 2 days a week",
    "lateral-step-up": "2–3 sets × 8–10 reps, each side · 2 days a week",
    "reverse-lunge": "8–10 reps, each side · 2 days a week",
    "standing-hip-abduction": "8–10 reps, each side · 2 days a week",
    "brisk-walk-warm-up": "5 min",
    "slow-walk-cool-down": "5 min",
    "ice-massage": "15 min",
}


@pytest.mark.parametrize("slug,expected", DOMAIN_DOSAGES.items(), ids=list(DOMAIN_DOSAGES))
def test_domain_dosages_are_shipped_exactly(catalog, slug, expected):
    assert Exercise.objects.get(slug=slug).dosage_text() == expected
