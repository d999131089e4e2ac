"""When a questionnaire round is due (outcomes.schedule.due_round), the suggestions per condition, and a plan's
schedules saved through outcomes.questionnaires.schedules_save."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from outcomes import questionnaires, schedule
from outcomes.models import Schedule
from outcomes.schedule import COMPLETED, DISCHARGE, FOLLOW_UP, INTAKE, Due, Round, due_round, suggest
from rehab.models import Plan

START = date(2026, 3, 2)  # a Monday


def day(n: int) -> date:
    return START + timedelta(days=n)


def done(n: int, round_=INTAKE) -> Round:
    return Round(round_, day(n), day(n))


def partial(n: int, round_=INTAKE) -> Round:
    return Round(round_, day(n), None)


DEFAULT = {"at_intake": True, "every_weeks": 4, "at_discharge": True, "start": START, "end": None}

# (name, changes to DEFAULT, status, rounds, today, expected)
CASES = [
    ("before the start nothing", {}, "active", [], day(-1), None),
    ("intake due from the start", {}, "active", [], day(0), Due(INTAKE, START)),
    ("intake still due weeks later", {}, "active", [], day(40), Due(INTAKE, START)),
    ("a partly saved intake is still due", {}, "active", [partial(1)], day(3), Due(INTAKE, START)),
    ("intake done: nothing until week 4", {}, "active", [done(1)], day(27), None),
    ("follow-up 1 from week 4", {}, "active", [done(1)], day(28), Due(FOLLOW_UP, day(28), 1)),
    (
        "follow-up 1 done: nothing until week 8",
        {},
        "active",
        [done(1), done(30, FOLLOW_UP)],
        day(55),
        None,
    ),
    (
        "follow-up 2 from week 8",
        {},
        "active",
        [done(1), done(30, FOLLOW_UP)],
        day(56),
        Due(FOLLOW_UP, day(56), 2),
    ),
    ("a missed follow-up is not asked again", {}, "active", [done(1)], day(60), Due(FOLLOW_UP, day(56), 2)),
    ("a late intake counts for the follow-up", {}, "active", [done(30)], day(31), None),
    ("a round before the plan counts for nothing", {}, "active", [done(-3)], day(2), Due(INTAKE, START)),
    ("no follow-ups: nothing after intake", {"every_weeks": None}, "active", [done(1)], day(200), None),
    (
        "without intake: follow-ups from the start",
        {"at_intake": False},
        "active",
        [],
        day(29),
        Due(FOLLOW_UP, day(28), 1),
    ),
    ("without intake: nothing in the first weeks", {"at_intake": False}, "active", [], day(10), None),
    ("every 2 weeks", {"every_weeks": 2}, "active", [done(0)], day(15), Due(FOLLOW_UP, day(14), 1)),
    ("paused: nothing", {}, "paused", [], day(3), None),
    ("cancelled: nothing", {}, "cancelled", [], day(3), None),
    ("completed: discharge", {"end": day(70)}, COMPLETED, [done(1)], day(71), Due(DISCHARGE, day(70))),
    ("completed today: discharge", {"end": day(70)}, COMPLETED, [done(1)], day(70), Due(DISCHARGE, day(70))),
    (
        "discharge due for 28 days",
        {"end": day(70)},
        COMPLETED,
        [],
        day(70 + schedule.DISCHARGE_DAYS - 1),
        Due(DISCHARGE, day(70)),
    ),
    ("discharge no longer after 28 days", {"end": day(70)}, COMPLETED, [], day(70 + 28), None),
    ("discharge done", {"end": day(70)}, COMPLETED, [done(71, DISCHARGE)], day(72), None),
    (
        "a partly saved discharge is still due",
        {"end": day(70)},
        COMPLETED,
        [partial(71, DISCHARGE)],
        day(72),
        Due(DISCHARGE, day(70)),
    ),
    (
        "a follow-up after completion is not a discharge",
        {"end": day(70)},
        COMPLETED,
        [done(71, FOLLOW_UP)],
        day(72),
        Due(DISCHARGE, day(70)),
    ),
    ("completed, no discharge asked", {"end": day(70), "at_discharge": False}, COMPLETED, [], day(71), None),
    ("completed without an end date", {}, COMPLETED, [], day(71), None),
]


@pytest.mark.parametrize(
    ("changes", "status", "rounds", "today", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_due_round(changes, status, rounds, today, expected):
    assert due_round(**{**DEFAULT, **changes}, status=status, rounds=rounds, today=today) == expected


@pytest.mark.parametrize(
    ("due", "key"),
    [
        (Due(INTAKE, START), "intake"),
        (Due(FOLLOW_UP, START, 3), "follow_up:3"),
        (Due(DISCHARGE, START), "discharge"),
    ],
)
def test_each_round_has_its_own_key(due, key):
    assert due.key == key


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([], [("psfs", ())]),
        (["greater_trochanteric_pain"], [("psfs", ()), ("visag", ("greater_trochanteric_pain",))]),
        (
            ["hip_impingement", "labral_tear"],
            [
                ("psfs", ()),
                ("ihot12", ("hip_impingement", "labral_tear")),
                ("hagos", ("hip_impingement", "labral_tear")),
            ],
        ),
        (["adductor_strain"], [("psfs", ()), ("hagos", ("adductor_strain",))]),
        (["stress_fracture"], [("psfs", ())]),
    ],
)
def test_suggestions_follow_the_conditions(conditions, expected):
    assert [(s.instrument, s.conditions) for s in suggest(conditions)] == expected


def test_every_suggested_condition_and_questionnaire_exists():
    from outcomes import instruments
    from triage.engine import CONDITIONS

    assert set(schedule.BY_CONDITION) <= set(CONDITIONS)
    suggested = {code for codes in schedule.BY_CONDITION.values() for code in codes} | set(schedule.ALWAYS)
    assert suggested <= set(instruments.shipped())


# -------------------------------------------------------------------------------------------------- saving


@pytest.fixture
def plan(people):
    return Plan.objects.create(athlete=people.athlete_a, name="Return to run", start_date=START)


def test_schedules_save_adds_updates_and_removes(people, plan):
    by = people.clinician.user
    questionnaires.schedules_save(
        plan=plan,
        wanted={
            "psfs": {"every_weeks": 4, "at_intake": True, "at_discharge": True},
            "nprs": {"every_weeks": None, "at_intake": True, "at_discharge": False},
        },
        by=by,
    )
    assert sorted(plan.questionnaire_schedules.values_list("instrument", "every_weeks")) == [
        ("nprs", None),
        ("psfs", 4),
    ]
    questionnaires.schedules_save(
        plan=plan, wanted={"psfs": {"every_weeks": 2, "at_intake": True, "at_discharge": False}}, by=by
    )
    row = plan.questionnaire_schedules.get()
    assert (row.instrument, row.every_weeks, row.at_discharge, row.created_by) == ("psfs", 2, False, by)


def test_a_questionnaire_without_wording_cannot_be_scheduled(people, plan):
    with pytest.raises(ValidationError) as error:
        questionnaires.schedules_save(
            plan=plan, wanted={"visag": {"every_weeks": 4, "at_intake": True, "at_discharge": True}}, by=None
        )
    assert "needs your licensed wording" in error.value.message_dict["visag"][0]
    assert not Schedule.objects.exists()


def test_licensed_wording_makes_it_schedulable(people, plan):
    from outcomes import services

    services.wording_import(
        clinic=people.clinic,
        data={
            "instrument": "ihot12",
            "version": "1",
            "items": {f"Q{i}": f"Question {i}" for i in range(1, 13)},
        },
    )
    questionnaires.schedules_save(
        plan=plan, wanted={"ihot12": {"every_weeks": 6, "at_intake": True, "at_discharge": True}}, by=None
    )
    assert plan.questionnaire_schedules.get().instrument == "ihot12"


@pytest.mark.parametrize(
    ("code", "timing", "message"),
    [
        ("psfs", {"every_weeks": None, "at_intake": False, "at_discharge": False}, "at least once"),
        ("psfs", {"every_weeks": 60, "at_intake": True, "at_discharge": True}, "less than or equal to 26"),
        ("nosuch", {"every_weeks": 4, "at_intake": True, "at_discharge": True}, "Unknown questionnaire"),
    ],
)
def test_bad_timing_is_refused_with_the_questionnaire_named(people, plan, code, timing, message):
    with pytest.raises(ValidationError) as error:
        questionnaires.schedules_save(plan=plan, wanted={code: timing}, by=None)
    assert message in " ".join(error.value.message_dict[code])
    assert not Schedule.objects.exists()


def test_one_schedule_per_plan_and_questionnaire(people, plan):
    Schedule.objects.create(plan=plan, instrument="psfs")
    with pytest.raises(ValidationError):
        Schedule(plan=plan, instrument="psfs").full_clean()


def test_schedules_are_seen_by_the_clinic_and_the_athlete_only(people, plan):
    row = Schedule.objects.create(plan=plan, instrument="psfs")
    for persona, seen in [
        ("athlete_a", True),
        ("athlete_b", False),
        ("clinician", True),
        ("other_clinician", False),
        ("superuser", True),
    ]:
        assert Schedule.objects.visible_to(people.user(persona)).filter(pk=row.pk).exists() is seen, persona


def test_plan_conditions_prefer_the_confirmed_condition(people, plan):
    from tests.factories import IntakeFactory, PlanTemplateFactory
    from triage.models import Condition

    template = PlanTemplateFactory()
    template.conditions.set(Condition.objects.filter(code__in=["labral_tear", "hip_impingement"]))
    plan.template = template
    plan.save()
    assert sorted(questionnaires.plan_conditions(plan)) == ["hip_impingement", "labral_tear"]
    IntakeFactory(athlete=people.athlete_a, confirmed_condition=Condition.objects.get(code="adductor_strain"))
    assert questionnaires.plan_conditions(plan) == ["adductor_strain"]


# -------------------------------------------------------------------------------------------------- in words


@pytest.mark.parametrize(
    ("code", "baseline", "current", "words"),
    [
        ("psfs", 4.0, 7.5, "3.5 points better than your first round. That is a change that matters."),
        (
            "psfs",
            4.0,
            5.0,
            "1 point better than your first round. That is less than the change that matters (2 points).",
        ),
        ("psfs", 6.0, 3.0, "3 points worse than your first round. That is a change that matters."),
        ("nprs", 3, 2, "1 point better than your first round. That is a change that matters."),  # 33 % of 3
        (
            "nprs",
            8,
            7,
            "1 point better than your first round. That is less than the change that matters (2 points).",
        ),
        (
            "visag",
            50,
            62,
            "12 points better than your first round. VISA-G has no established size of change that matters.",
        ),
        ("psfs", 5.0, 5.0, "No change since your first round."),
        ("psfs", None, 5.0, ""),
    ],
)
def test_change_in_words(code, baseline, current, words):
    from outcomes import instruments, scoring, wording

    instrument = instruments.load(code)
    assert wording.change_words(instrument, scoring.change_in(instrument, baseline, current)) == words
