from types import SimpleNamespace

import pytest

from rehab.wording import pain_text, run_steps_lines, run_text

LADDER = [{"jog": 1, "walk": 3}, {"jog": 2, "walk": 2}, {"jog": 3, "walk": 1}, {"jog": 5, "walk": 1}]


def phase(**kw):
    base = {
        "run_activity": "none", "run_minutes": None, "sessions_per_week": None, "walk_minutes": None,
        "jog_minutes": None, "incline_pct": None, "weekly_increase_cap_pct": None, "run_note": "", "run_steps": [],
        "max_pain_during": 2, "max_pain_after": 2, "must_settle_by_morning": True, "next_day_pain_allowed": False,
        "pain_note": "",
    }  # fmt: skip
    return SimpleNamespace(**(base | kw))


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({}, "No running in this phase."),
        (
            {"run_activity": "walk", "run_minutes": 15, "sessions_per_week": 3, "incline_pct": 5},
            "Brisk walk 15 min on a 5 % incline, three times a week.",
        ),
        (
            {
                "run_activity": "walk_jog",
                "run_minutes": 20,
                "sessions_per_week": 3,
                "walk_minutes": 3,
                "jog_minutes": 1,
            },
            "Walk 3 min / jog 1 min × 5 (20 min), three times a week.",
        ),
        ({"run_activity": "walk_jog", "run_minutes": 20}, "Walk and jog in turns for 20 min."),
        (
            {"run_activity": "jog", "run_minutes": 25, "sessions_per_week": 3},
            "Easy jog 25 min without stopping, three times a week.",
        ),
        (
            {"run_activity": "run", "weekly_increase_cap_pct": 10},
            "Normal running; raise your weekly volume by no more than 10 % a week.",
        ),
        (
            {"run_activity": "cross_train", "run_minutes": 30, "sessions_per_week": 4},
            "No running. Keep fit with cycling, swimming or other low-impact training: 30 min, four times a week.",
        ),
        (
            {"run_activity": "walk", "sessions_per_week": 7, "run_note": "Flat ground."},
            "Brisk walk, every day. Flat ground.",
        ),
        (
            {
                "run_activity": "walk_jog", "run_minutes": 20, "sessions_per_week": 3, "walk_minutes": 3,
                "jog_minutes": 1, "run_note": "Repeat a step until it feels easy.", "run_steps": LADDER,
            },
            "Walk and jog in turns for 20 min, three times a week, one step at a time. Step 1: jog 1 min, walk 3 "
            "min. Step 2: jog 2 min, walk 2 min. Step 3: jog 3 min, walk 1 min. Step 4: jog 5 min, walk 1 min. "
            "Repeat a step until it feels easy.",
        ),
    ],
    ids=[
        "none",
        "walk-incline",
        "walk-jog-rounds",
        "walk-jog-no-ratio",
        "jog",
        "run-cap",
        "cross-train",
        "daily-note",
        "walk-jog-ladder",
    ],
)  # fmt: skip
def test_run_text(fields, expected):
    assert run_text(phase(**fields)) == expected


@pytest.mark.parametrize(
    "activity,steps,expected",
    [
        ("walk_jog", LADDER[:2], ["Step 1: jog 1 min, walk 3 min", "Step 2: jog 2 min, walk 2 min"]),
        ("walk_jog", [{"jog": 10}, {"jog": 1.5, "walk": 0.5}], ["Step 1: jog 10 min", "Step 2: jog 1.5 min, walk 0.5 min"]),
        # A hand-edited ladder with junk in it: the junk is left out, the numbering stays whole.
        ("walk_jog", ["x", {}, {"jog": "1"}, {"jog": True}, {"jog": 2, "walk": -1}], ["Step 1: jog 2 min"]),
        ("walk_jog", [], []),
        ("jog", LADDER, []),  # steps belong to walk/jog phases
    ],
    ids=["ladder", "jog-only-and-halves", "junk", "none", "not-walk-jog"],
)  # fmt: skip
def test_run_steps_lines(activity, steps, expected):
    assert run_steps_lines(phase(run_activity=activity, run_steps=steps)) == expected


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({}, "Up to 2/10 during is OK; it must settle by tomorrow morning; no extra pain the next day."),
        (
            # Nothing "settles" when no pain is allowed at all: the text does not suggest there will be some.
            {"max_pain_during": 0, "max_pain_after": 0},
            "No pain at all, during or after (0/10); none the next morning either.",
        ),
        (
            {"max_pain_during": 3, "max_pain_after": 0, "must_settle_by_morning": False},
            "Up to 3/10 during is OK; none afterwards; no extra pain the next day.",
        ),
        (
            {
                "max_pain_during": 5,
                "max_pain_after": 3,
                "next_day_pain_allowed": True,
                "pain_note": "Stop if sharp.",
            },
            "Up to 5/10 during is OK; up to 3/10 afterwards; it must settle by tomorrow morning. Stop if sharp.",
        ),
    ],
    ids=["default", "pain-free", "after-zero", "loose-with-note"],
)
def test_pain_text(fields, expected):
    assert pain_text(phase(**fields)) == expected


def dose(**kw):
    base = {"sets": None, "reps": None, "hold_seconds": None, "duration_minutes": None, "per_side": False,
            "times_per_day": None, "days_per_week": None, "note": ""}  # fmt: skip
    return SimpleNamespace(**(base | kw))


@pytest.mark.parametrize(
    "fields,expected",
    [
        (
            {"sets": 3, "reps": 10, "per_side": True, "days_per_week": 2},
            "3 sets × 10 reps, each side · 2 days a week",
        ),
        ({"reps": 10, "hold_seconds": 5}, "10 reps, 5 s hold"),
        (
            {"sets": 3, "hold_seconds": 45, "times_per_day": 3, "per_side": True},
            "Hold 45 s × 3, each side · three times a day",
        ),
        ({"duration_minutes": 15, "days_per_week": 7}, "15 min · every day"),
        ({"note": "Slowly."}, "Slowly."),
        ({}, "As your clinician showed you"),
        ({"sets": 1, "reps": 6}, "6 reps"),
        ({"sets": 2, "reps": 8, "note": "Band above the knees."}, "2 sets × 8 reps. Band above the knees."),
    ],
    ids=[
        "sets-reps-side",
        "reps-hold",
        "hold-sets-daily",
        "minutes",
        "note-only",
        "empty",
        "one-set",
        "with-note",
    ],
)
def test_dosage_text(fields, expected):
    from rehab.wording import dosage_text

    assert dosage_text(dose(**fields)) == expected
