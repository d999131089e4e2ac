"""What the athlete is told right after a worrying log (rehab.feedback): the rules as tables."""

from datetime import date, timedelta

import pytest

from rehab import feedback, progression
from rehab.feedback import EASE_OFF, EMERGENCY, STOP, Allowance, Contact, advice_for, advice_now
from rehab.progression import LogDay

DAY = date(2026, 3, 10)
RULE = Allowance(max_pain_during=3, max_pain_after=2)


def log(days_ago=0, during=None, after=None, morning=None, flags=()):
    return LogDay(
        date=DAY - timedelta(days=days_ago),
        pain_during=during,
        pain_after=after,
        pain_next_morning=morning,
        red_flags=tuple(flags),
    )


def case(id, day, level=None, code=None, *, rule=RULE, pain_free=False, running=True):
    return pytest.param(day, rule, pain_free, running, level, code, id=id)


@pytest.mark.parametrize(
    "day, rule, pain_free, running, level, code",
    [
        # Nothing to say
        case("nothing-answered", log()),
        case("within-allowance", log(during=3, after=2)),
        case("pain-free-and-no-pain", log(during=0, after=0, morning=0), pain_free=True),
        case("no-plan-high-but-under-7", log(during=5, after=5), rule=None),
        # Over the allowance once: ease off
        case("over-during", log(during=4), EASE_OFF, "allowance"),
        case("over-after", log(after=3), EASE_OFF, "allowance"),
        case("allowance-never-above-5", log(during=6), EASE_OFF, "allowance", rule=Allowance(9, 9)),
        case("pain-free-not-running", log(morning=1), EASE_OFF, "pain_free", pain_free=True, running=False),
        # Stop and contact the clinic
        case("7-during", log(during=7), STOP, "severe_pain"),
        case("9-next-morning-no-plan", log(morning=9), STOP, "severe_pain", rule=None),
        case("pain-free-running-1-during", log(during=1), STOP, "pain_free_running", pain_free=True),
        case("pain-free-running-1-morning", log(morning=1), STOP, "pain_free_running", pain_free=True),
        case("night-pain", log(flags=["night_pain"]), STOP, "red_flag"),
        case("numbness-no-plan", log(flags=["numbness"]), STOP, "red_flag", rule=None),
        case("two-flags-and-8", log(during=8, flags=["swelling", "locking"]), STOP, "red_flag"),
        # Care today, whatever else the log says
        case("cannot-bear-weight", log(flags=["cannot_bear_weight"]), EMERGENCY, "cannot_bear_weight"),
        case("fever-over-night-pain", log(flags=["fever_unwell", "night_pain"]), EMERGENCY, "fever_unwell"),
        case(
            "saddle-first",
            log(flags=["cannot_bear_weight", "saddle_bladder_bowel"]),
            EMERGENCY,
            "saddle_bladder_bowel",
        ),
    ],
)
def test_advice_for_one_log(day, rule, pain_free, running, level, code):
    advice = advice_for(day, rule, pain_free=pain_free, running_phase=running)
    assert (advice.level, advice.code) == (level, code) if level else advice is None
    if advice:
        assert advice.title and advice.why and advice.steps and advice.day == day.date
        assert advice.run_on_hold == (level in (STOP, EMERGENCY))


@pytest.mark.parametrize(
    "flag, words",
    [
        ("saddle_bladder_bowel", "emergency department now"),
        ("fever_unwell", "See a doctor today"),
        ("cannot_bear_weight", "urgent care centre or an emergency department today"),
        ("night_pain", "Call or email the clinic today"),
    ],
)
def test_each_red_flag_says_where_to_get_help(flag, words):
    advice = advice_for(log(flags=[flag]), RULE)
    assert any(words in step for step in (advice.title, *advice.steps))


def test_the_emergency_flags_are_the_ones_the_alerts_call_emergencies():
    emergencies = {code for code in feedback.EMERGENCIES}
    assert emergencies == set(progression.EMERGENCY_RED_FLAGS)


def test_why_names_what_was_ticked_in_the_athletes_words_and_the_numbers():
    labels = {"night_pain": "Pain woke me at night or hurts at rest", "swelling": "Visible swelling"}
    advice = advice_for(log(flags=["night_pain", "swelling"]), RULE, flag_labels=labels)
    assert "“Pain woke me at night or hurts at rest”, “Visible swelling”" in advice.why
    over = advice_for(log(during=5, after=4), RULE)
    assert over.why == (
        "You logged 5/10 during (this phase allows up to 3/10) and 4/10 afterwards (this phase allows up to 2/10)."
    )


ALERT = DAY - timedelta(days=3)


def now(id, logs, alert_since=None, level=None, code=None, days_ago=None):
    day = DAY - timedelta(days=days_ago) if days_ago is not None else None
    return pytest.param(logs, alert_since, level, code, day, id=id)


@pytest.mark.parametrize(
    "logs, alert_since, level, code, day",
    [
        now("no-logs", []),
        # Easing off: only while the latest log, from today or yesterday, was over the allowance.
        now("ease-off-today", [log(during=4)], None, EASE_OFF, "allowance", 0),
        now("ease-off-yesterday", [log(1, during=4)], None, EASE_OFF, "allowance", 1),
        now("ease-off-gone-after-two-days", [log(2, during=4)]),
        now("settled-since", [log(1, during=4), log(0, during=1)]),
        # Stop advice without an open alert: the clinician has acted (resolved it).
        now("red-flag-alert-resolved", [log(0, flags=["night_pain"])]),
        now("severe-pain-alert-resolved", [log(0, during=8)]),
        # While an alert is open: the most serious log it can be about, however old.
        now("alert-red-flag", [log(3, flags=["swelling"]), log(0, during=1)], ALERT, STOP, "red_flag", 3),
        now(
            "alert-most-serious-first",
            [log(3, flags=["saddle_bladder_bowel"]), log(1, during=8)],
            ALERT,
            EMERGENCY,
            "saddle_bladder_bowel",
            3,
        ),
        now("alert-latest-of-equals", [log(5, during=7), log(2, during=9)], ALERT, STOP, "severe_pain", 2),
        now("alert-back-filled-day", [log(16, flags=["swelling"])], DAY - timedelta(4), STOP, "red_flag", 16),
        # An open alert with no log to point at (too old, or it was a running-phase pain before a step back).
        now(
            "alert-log-out-of-reach",
            [log(20, flags=["swelling"]), log(0, during=1)],
            ALERT,
            STOP,
            "alert_open",
        ),
        now("alert-no-logs", [], ALERT, STOP, "alert_open"),
        # Rows dated after today are not read.
        now("future-row", [log(-1, flags=["swelling"])]),
    ],
)
def test_advice_now(logs, alert_since, level, code, day):
    advice = advice_now(logs, RULE, today=DAY, alert_since=alert_since)
    if level is None:
        assert advice is None
    else:
        assert (advice.level, advice.code, advice.day) == (level, code, day)
        assert advice.run_on_hold == (level != EASE_OFF)


def test_advice_now_on_a_pain_free_plan_stops_running_at_1_of_10():
    logs = [log(0, during=1)]
    running = advice_now(logs, RULE, today=DAY, alert_since=DAY, pain_free=True, running_phase=True)
    assert running.code == "pain_free_running"
    walking = advice_now(logs, RULE, today=DAY, alert_since=None, pain_free=True, running_phase=False)
    assert walking.code == "pain_free" and walking.level == EASE_OFF


@pytest.mark.parametrize(
    "phone, email, tel, missing",
    [
        ("+44 (0)20 7946 0000", "", "+4402079460000", False),
        ("020-7946-0000", "front@clinic.example", "02079460000", False),
        ("", "front@clinic.example", "", False),
        ("ask at the desk", "", "", False),  # shown as written, not as a link
        ("", "", "", True),
        ("   ", "", "", True),
    ],
)
def test_contact_links(phone, email, tel, missing):
    contact = Contact("Riverside", phone, email)
    assert contact.tel == tel
    assert (contact.missing == feedback.NO_CONTACT) == missing
