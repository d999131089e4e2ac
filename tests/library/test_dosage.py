"""Exercise.dosage_text(): the default dosage in words, never empty."""

import pytest

from library.models import Exercise


def dosage(**fields) -> str:
    return Exercise(**fields).dosage_text()


CASES = [
    ("sets-reps-range-each-side", dict(sets=2, sets_max=3, reps=8, reps_max=10, per_side=True),
     "2–3 sets × 8–10 reps, each side"),
    ("hold-range-times-sets", dict(sets=3, hold_seconds=30, hold_seconds_max=60, per_side=True),
     "Hold 30–60 s × 3, each side"),
    ("duration-only", dict(duration_minutes=15), "15 min"),
    ("times-a-day", dict(hold_seconds=45, times_per_day=3), "Hold 45 s · three times a day"),
    ("once-a-day", dict(reps=10, times_per_day=1), "10 reps · once a day"),
    ("days-a-week", dict(sets=2, reps=10, days_per_week=2), "2 sets × 10 reps · 2 days a week"),
    ("every-day", dict(reps=10, per_side=True, days_per_week=7), "10 reps, each side · every day"),
    ("one-day-a-week", dict(duration_minutes=30, days_per_week=1), "30 min · 1 day a week"),
    ("reps-with-hold", dict(reps=8, reps_max=10, hold_seconds=5), "8–10 reps, 5 s hold"),
    ("single-set-is-implied", dict(sets=1, reps=1), "1 rep"),
    ("one-set-only", dict(sets=1), "1 set"),
    ("sets-only", dict(sets=3), "3 sets"),
    ("long-hold-in-minutes", dict(hold_seconds=120, times_per_day=2, per_side=True),
     "Hold 2 min, each side · twice a day"),
    ("sixty-seconds-stay-seconds", dict(hold_seconds=60, sets=3), "Hold 60 s × 3"),
    ("equal-range-is-one-number", dict(sets=3, sets_max=3, reps=10), "3 sets × 10 reps"),
    ("duration-per-side", dict(duration_minutes=2, per_side=True), "2 min, each side"),
    ("reps-and-duration", dict(reps=10, duration_minutes=5), "10 reps · 5 min"),
    ("note-when-no-numbers", dict(dosage_note="As tolerated, stop if it hurts"), "As tolerated, stop if it hurts"),
    ("numbers-win-over-note", dict(reps=5, dosage_note="Gently"), "5 reps"),
    ("nothing-at-all", dict(), "As tolerated"),
]  # fmt: skip


@pytest.mark.parametrize("fields,expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_dosage_text(fields, expected):
    assert dosage(**fields) == expected


@pytest.mark.parametrize(
    "fields",
    [dict(sets=3, reps=10, per_side=True, days_per_week=2), dict(sets=3, hold_seconds=30, times_per_day=2),
     dict(duration_minutes=5)],
    ids=["sets-reps", "holds", "minutes"],
)  # fmt: skip
def test_plan_rows_read_like_the_library(fields):
    from rehab.models import PlanExercise

    assert PlanExercise(**fields).dosage_text() == dosage(**fields)


def test_plan_row_note_follows_the_numbers_but_library_note_does_not():
    from rehab.models import PlanExercise

    assert PlanExercise(reps=8, note="Band above the knees.").dosage_text() == "8 reps. Band above the knees."
    assert dosage(reps=8, dosage_note="Band above the knees.") == "8 reps"
