"""The rehab engines speak in codes (issue #25): every code says something in English and in Spanish, what the
engines emit is a code, old rows become codes when the migration recognises them (and keep their text when it does
not), and the API gives the code, its parameters and the words."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from outcomes import codes as outcome_codes
from portal import alert_words
from portal.models import Alert
from portal.services import alert_raise
from rehab import codes, progression, services, status, wording
from rehab.codes import Action, Reason, reason
from rehab.compliance import Prescription
from rehab.models import PhaseChange, RehabStatus
from rehab.progression import LogDay, recommend
from tests.factories import AlertFactory, PlanTemplateFactory

DAY = "2026-03-19"  # a Thursday
# A code of rehab.codes → parameters as the engines give them.
SAMPLES = {
    codes.RED_FLAG: {"day": DAY, "flag": "swelling"},
    codes.REFER_PAIN: {"day": DAY, "pain": 7},
    codes.BONE_STRESS_RUNNING_PAIN: {"day": DAY, "pain": 2},
    codes.RED_FLAG_WAITING: {"since": DAY},
    codes.ALLOWANCE_EXCEEDED: {"day": DAY, "during": 4, "allow_during": 2, "after": 5, "allow_after": 3},
    codes.MORNING_RISE: {"day": DAY, "pain": 4, "rise": 2.5, "baseline": 1.5},
    codes.FIRST_PHASE_REVIEW: {},
    codes.MORNING_NOT_SETTLED: {"day": DAY, "pain": 3, "baseline": 2},
    codes.PAIN_FREE_PAIN: {"day": DAY, "pain": 1},
    codes.PAIN_RISING: {"before": 1.5, "now": 2.7},
    codes.WEEKLY_DISTANCE_JUMP: {"pct": 45, "before": 10, "week": 14.5, "limit": 30},
    codes.LONG_RUN_JUMP: {"day": DAY, "value": 8.5, "unit": "km", "pct": 70, "longest": 5},
    codes.OVER_PRESCRIPTION: {"day": DAY, "minutes": 40, "prescribed": 25},
    codes.DAYS_IN_PHASE: {"days": 3, "min_days": 7},
    codes.SESSIONS_LOGGED: {"logged": 2, "needed": 3},
    codes.TODAY_COUNTS_TOMORROW: {},
    codes.MORNING_PENDING: {"day": DAY},
    codes.PAIN_UNANSWERED: {"day": DAY, "missing": ["during", "after"]},
    codes.LADDER_WAITING: {"done": 1, "needed": 3, "jog": 5, "walk": 1},
    codes.COMPLIANCE_BELOW: {"percent": 60, "needed": 80},
    codes.FINAL_PHASE_MET: {},
    codes.SESSIONS_WITHIN: {"sessions": 3},
    codes.COMPLIANCE_MET: {"needed": 80},
    codes.NEEDS_CLEARANCE: {},
    codes.ALERT_STOP_AND_REFER: {"day": DAY, "flags": ["locking", "numbness"], "pain": 8},
    codes.ALERT_BONE_STRESS_PAIN: {"day": DAY, "pain": 2},
    codes.ALERT_PAIN_SPIKE: {"day": DAY, "pain": 6, "rise": 3.5, "baseline": 2.5},
    codes.ALERT_READY_TO_ADVANCE: {},
    codes.ALERT_CLEARANCE_DUE: {},
    codes.ALERT_NO_LOG: {"last": DAY, "days": 5},
    codes.ALERT_NO_LOG_SINCE_START: {"days": 6},
    codes.ALERT_LOW_COMPLIANCE: {"percent": 40},
    codes.ALERT_COACH_REQUESTS: {"count": 2},
    codes.CLOSED_ENGINE_MOVED_ON: {"action": "stop_and_refer"},
    codes.CLOSED_NO_PLAN: {},
    codes.CLOSED_NO_CLEARANCE_WAITING: {},
    codes.CLOSED_COMPLIANCE: {"percent": 75},
    codes.PHASE_RECOMMENDED: {
        "reasons": [{"code": codes.DAYS_IN_PHASE, "params": {"days": 9, "min_days": 7}}]
    },
    codes.PHASE_AUTOMATIC: {"reasons": [{"code": codes.SESSIONS_WITHIN, "params": {"sessions": 3}}]},
    codes.PLAN_ASSIGNED: {"template": "Hip impingement"},
    codes.PLAN_STARTED_BLANK: {},
    codes.CLOSED_PLAN_CHANGED: {},
    codes.CLOSED_ANSWERED: {"action": "regress"},
    codes.CLOSED_CLEARED: {"phase": "Return to run"},
    codes.CLOSED_LOGGED: {"day": DAY},
    codes.CLOSED_COACH_DECIDED: {},
}
# The same codes with other parameters the engines give (each branch of a composed sentence).
VARIANTS = [
    (codes.ALLOWANCE_EXCEEDED, {"day": DAY, "during": 4, "allow_during": 2}),
    (codes.ALLOWANCE_EXCEEDED, {"day": DAY, "after": 4, "allow_after": 2}),
    (codes.PAIN_UNANSWERED, {"day": DAY, "missing": ["during"]}),
    (codes.PAIN_UNANSWERED, {"day": DAY, "missing": ["after"]}),
    (codes.ALERT_STOP_AND_REFER, {"day": DAY, "flags": [], "pain": 7}),
    (codes.ALERT_STOP_AND_REFER, {"day": DAY, "flags": [str(flag) for flag in codes.RedFlag], "pain": None}),
    (codes.ALERT_COACH_REQUESTS, {"count": 1}),
    *[(codes.CLOSED_ENGINE_MOVED_ON, {"action": str(action)}) for action in Action],
    (codes.CLOSED_COMPLIANCE, {"percent": None}),
    (codes.CLOSED_ANSWERED, {"action": "stop_and_refer"}),
    *[(codes.RED_FLAG, {"day": DAY, "flag": str(flag)}) for flag in codes.RedFlag],
]


def rehab_codes() -> set[str]:
    """Every code constant of rehab.codes (the module's lower-case string constants)."""
    return {
        value
        for name, value in vars(codes).items()
        if name.isupper() and isinstance(value, str) and not name.startswith("_")
    }


@pytest.fixture(autouse=True)
def english_after():
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


def test_every_code_has_a_sample_and_is_said():
    assert rehab_codes() == set(SAMPLES)
    assert rehab_codes() == wording.REASON_CODES
    assert not rehab_codes() & {
        v for k, v in vars(outcome_codes).items() if k.isupper() and isinstance(v, str)
    }
    assert set(codes.ALERT_CODES) <= rehab_codes()
    assert all(alert_words.known(code) for code in codes.ALERT_CODES)  # rehab registered them for portal


@pytest.mark.parametrize("code, params", [*SAMPLES.items(), *VARIANTS], ids=lambda v: str(v)[:40])
@pytest.mark.parametrize("language", ["en-gb", "es"])
def test_each_code_says_a_sentence_in_each_language(code, params, language):
    with translation.override("en-gb"):
        english = wording.reason_text(code, params)
    with translation.override(language):
        said = wording.say(Reason(code, params))
        stored = wording.say({"code": code, "params": params})
    assert said == stored and said.strip()
    assert "%(" not in said and "%%" not in said and "None" not in said and code not in said
    assert "2026-03-19" not in said  # days are said, not shown as stored
    if language == "es":
        assert said != english, said  # translated


def test_days_and_numbers_follow_the_language():
    r = reason(codes.MORNING_RISE, day=DAY, pain=4, rise=2.5, baseline=1.5)
    assert wording.say(r) == "Thu 19 Mar: next morning 4/10, 2.5 points above the usual 1.5/10."
    with translation.override("es"):
        said = wording.say(r)
    assert said.startswith("jue 19") and "2,5 puntos" in said and "1,5/10" in said


def test_old_sentences_and_unknown_codes_never_fail():
    assert wording.say("Day 3 of at least 7 in this phase.") == "Day 3 of at least 7 in this phase."
    assert wording.say({"code": "no_such_code", "params": {}}) == "no_such_code"
    assert wording.say({"code": codes.MORNING_RISE, "params": {}})  # a parameter missing: still a sentence
    criterion = {"code": outcome_codes.CRITERION_MISSING, "params": {"kind": "clearance"}}
    assert (
        wording.say(criterion) == "No clinician's clearance recorded yet."
    )  # outcomes codes: outcomes.wording


# ------------------------------------------------------------------ what the engines emit

TODAY = date(2026, 3, 20)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def phase(**kw):
    from types import SimpleNamespace

    base = {
        "max_pain_during": 2, "max_pain_after": 2, "next_day_pain_allowed": False, "must_settle_by_morning": True,
        "min_days": 7, "started_on": ago(13), "run_activity": "jog", "run_minutes": 20, "run_steps": [],
        "structured_criteria": [],
    }  # fmt: skip
    return SimpleNamespace(**(base | kw))


def run(days, during=0, after=0, morning=0, **kw):
    return LogDay(
        date=ago(days), run_minutes=20, pain_during=during, pain_after=after, pain_next_morning=morning, **kw
    )


GOOD = [run(5), run(3), run(1)]
SCENARIOS = [
    dict(logs=[run(1, red_flags=("swelling",))]),
    dict(logs=[run(1, during=8)]),
    dict(logs=GOOD, pain_free=True, logs_extra=[run(2, during=1)]),
    dict(logs=GOOD, red_flag_waiting_since=ago(10)),
    dict(logs=[run(5, during=4), run(3, during=4), run(1)]),
    dict(logs=[run(5, during=4), run(3, during=4), run(1)], is_first=True),
    dict(logs=[run(5), run(3), run(1, morning=2)]),
    dict(logs=[run(5), run(3), run(1, morning=1)]),
    dict(logs=[run(12, during=0), run(10, during=0), run(5, during=2), run(3, during=2), run(1)]),
    dict(logs=[run(12, distance_km=3), run(10, distance_km=3), run(5, distance_km=6), run(3), run(1)]),
    dict(
        logs=[
            run(5),
            run(3),
            LogDay(date=ago(1), run_minutes=40, pain_during=0, pain_after=0, pain_next_morning=0),
        ]
    ),
    dict(logs=[run(3), run(1)], started=ago(3)),
    dict(logs=[*GOOD, run(0, morning=None)]),
    dict(logs=[run(5), run(3), LogDay(date=ago(1), run_minutes=20, pain_next_morning=0)]),
    dict(logs=GOOD, prescription=Prescription(runs_per_week=7)),
    dict(logs=GOOD, is_last=True),
    dict(logs=GOOD),
    dict(logs=GOOD, next_needs_clearance=True),
    dict(logs=GOOD, run_steps=[{"jog": 5, "walk": 1}], run_activity="walk_jog"),
    dict(logs=[run(5, morning=None), run(3), run(1)], must_settle_by_morning=True),
]


def test_every_reason_the_engines_give_is_a_code_said_in_both_languages():
    seen = set()
    for scenario in SCENARIOS:
        scenario = dict(scenario)
        logs = scenario.pop("logs") + scenario.pop("logs_extra", [])
        phase_kw = {
            k: scenario.pop(k)
            for k in ("run_steps", "run_activity", "must_settle_by_morning")
            if k in scenario
        }
        if "started" in scenario:
            phase_kw["started_on"] = scenario.pop("started")
        rec = recommend(phase(**phase_kw), logs, TODAY, **scenario)
        assert rec.reasons and all(isinstance(r, Reason) for r in rec.reasons), (scenario, rec)
        seen |= {r.code for r in rec.reasons}
        for language in ("en-gb", "es"):
            with translation.override(language):
                assert all("%(" not in text and text for text in wording.says(rec.reasons))
        snap = status.snapshot(
            logs=logs, today=TODAY, phase=phase(**phase_kw), schedule=[(ago(13), Prescription())]
        )
        due = [*status.stop_alerts(logs[-1], phase=phase(**phase_kw), pain_free=True),
               *status.log_alerts(logs[-1], logs, snap), *status.time_alerts(snap)]  # fmt: skip
        seen |= {a.reason.code for a in due}
        seen |= {r.code for r in status.stale_alerts(snap, set(status.STATE_ALERT_KINDS)).values()}
    # Most of the engines' codes come out of these few weeks of logs (the others have their own tests).
    engine_codes = {c for c in rehab_codes() if not c.startswith(("phase_", "plan_"))}
    assert len(seen & engine_codes) >= 25, sorted(engine_codes - seen)
    assert seen <= wording.REASON_CODES


# ------------------------------------------------------------------ stored rows and the migration


def migration():
    return importlib.import_module("rehab.migrations.0020_reasons_to_codes")


@pytest.mark.parametrize(
    "text, on, table, expected",
    [
        ("Stop and refer: swelling or bruising, pain 8/10 (Thu 19 Mar).", date(2026, 3, 20), "alerts",
         {"code": codes.ALERT_STOP_AND_REFER, "params": {"day": DAY, "flags": ["swelling"], "pain": 8}}),
        ("Pain 4/10 on Thu 19 Mar, 3 points above the 7-day usual 1/10.", date(2026, 3, 19), "alerts",
         {"code": codes.ALERT_PAIN_SPIKE, "params": {"day": DAY, "pain": 4, "rise": 3, "baseline": 1}}),
        ("No log since Wed 31 Dec (6 days).", date(2026, 1, 6), "alerts",
         {"code": codes.ALERT_NO_LOG, "params": {"last": "2025-12-31", "days": 6}}),  # the year before
        ("3 requests from the coach waiting for your decision.", date(2026, 3, 19), "alerts",
         {"code": codes.ALERT_COACH_REQUESTS, "params": {"count": 3}}),
        ("Closed automatically: 7-day compliance is nothing planned now.", date(2026, 3, 19), "closings",
         {"code": codes.CLOSED_COMPLIANCE, "params": {"percent": None}}),
        ("Closed automatically: the progression engine now says stop and refer.", date(2026, 3, 19), "closings",
         {"code": codes.CLOSED_ENGINE_MOVED_ON, "params": {"action": "stop_and_refer"}}),
        ("Thu 19 Mar: 4/10 during, above the allowance of 2/10; 3/10 after, above the allowance of 2/10.",
         date(2026, 3, 20), "reasons",
         {"code": codes.ALLOWANCE_EXCEEDED,
          "params": {"day": DAY, "during": 4, "allow_during": 2, "after": 3, "allow_after": 2}}),
        ("Thu 19 Mar: pain during not recorded, so this session cannot count as within the allowance.",
         date(2026, 3, 20), "reasons",
         {"code": codes.PAIN_UNANSWERED, "params": {"day": DAY, "missing": ["during"]}}),
        ("Pain is rising week on week (average 1.0 → 2.3/10).", date(2026, 3, 20), "reasons",
         {"code": codes.PAIN_RISING, "params": {"before": 1.0, "now": 2.3}}),
        ("Stop and refer: a cat walked on the keyboard (Thu 19 Mar).", date(2026, 3, 20), "alerts", None),
        ("The athlete logged 19 Mar.", date(2026, 3, 20), "closings",
         {"code": codes.CLOSED_LOGGED, "params": {"day": DAY}}),
        ("Answered: the plan was paused for a referral.", date(2026, 3, 20), "closings",
         {"code": codes.CLOSED_ANSWERED, "params": {"action": "stop_and_refer"}}),
        ("Cleared for “Return to run”.", date(2026, 3, 20), "closings",
         {"code": codes.CLOSED_CLEARED, "params": {"phase": "Return to run"}}),
        ("Phoned the athlete.", date(2026, 3, 20), "closings", None),
        ("Thu 19 Mar: red flag — something new.", date(2026, 3, 20), "reasons", None),
    ],
)  # fmt: skip
def test_the_migration_reads_old_sentences(text, on, table, expected):
    assert migration().parse(text, on, table) == expected


def test_the_migration_turns_known_rows_into_codes_and_keeps_the_rest(people):
    template = PlanTemplateFactory(phases=2)
    plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                start=date(2026, 3, 2))  # fmt: skip
    when = datetime(2026, 3, 20, 9, tzinfo=UTC)
    known = AlertFactory(athlete=people.athlete_a, kind="pain_spike", severity="urgent", updated=when,
                         message="Pain 4/10 on Thu 19 Mar, 3 points above the 7-day usual 1/10.")  # fmt: skip
    closed = AlertFactory(athlete=people.athlete_a, kind="ready_to_advance", severity="notice", updated=when,
                          resolved_at=when, message="Ready to advance: every criterion of this phase is met.",
                          resolved_note="Closed automatically: the progression engine now says hold.")  # fmt: skip
    unknown = AlertFactory(
        athlete=people.athlete_b, kind="triage", severity="urgent", message="Hip pain at night."
    )
    RehabStatus.objects.update_or_create(
        athlete=people.athlete_a, defaults={"as_of": date(2026, 3, 20), "reasons": ["Day 3 of at least 7 in this phase.", "A sentence nobody wrote by code.",
                 {"code": outcome_codes.CRITERION_MISSING, "params": {"kind": "clearance"}}]},
    )  # fmt: skip
    change = plan.phase_changes.get()
    PhaseChange.objects.filter(pk=change.pk).update(reason="Assigned from “Hip impingement”.", reason_code="")
    PhaseChange.objects.create(plan=plan, to_phase=plan.current_phase, kind="jump", by=people.clinician.user,
                               reason="Recommended: Day 9 of at least 7 in this phase. Compliance of 80 % or more "
                               "over the last 7 days.")  # fmt: skip
    PhaseChange.objects.create(plan=plan, to_phase=plan.current_phase, kind="jump", by=people.clinician.user,
                               reason="Recommended: Day 9 of at least 7 in this phase. Something else.")  # fmt: skip
    clinician_words = PhaseChange.objects.create(plan=plan, to_phase=plan.current_phase, kind="jump",
                                                 by=people.clinician.user, reason="Flying through it.")  # fmt: skip

    migration().to_codes(apps, None)

    known.refresh_from_db()
    assert (known.code, known.params) == (
        codes.ALERT_PAIN_SPIKE,
        {"day": DAY, "pain": 4, "rise": 3, "baseline": 1},
    )
    assert known.text == known.message  # says what it said, now from its code
    with translation.override("es"):
        assert Alert.objects.get(pk=known.pk).text.startswith("Dolor 4/10 el jue 19")
    closed.refresh_from_db()
    assert (
        closed.code == codes.ALERT_READY_TO_ADVANCE and closed.resolved_code == codes.CLOSED_ENGINE_MOVED_ON
    )
    assert closed.resolved_text == "Closed automatically: the progression engine now says hold."
    unknown.refresh_from_db()
    assert unknown.code == "" and unknown.text == "Hip pain at night."  # kept, and shown as stored
    stored = RehabStatus.objects.get(athlete=people.athlete_a).reasons
    assert stored == [
        {"code": codes.DAYS_IN_PHASE, "params": {"days": 3, "min_days": 7}},
        "A sentence nobody wrote by code.",
        {"code": outcome_codes.CRITERION_MISSING, "params": {"kind": "clearance"}},
    ]
    assert wording.says(stored)[1] == "A sentence nobody wrote by code."
    changes = {c.reason: c for c in PhaseChange.objects.filter(plan=plan)}
    assert changes["Assigned from “Hip impingement”."].reason_code == codes.PLAN_ASSIGNED
    recommended = changes[
        "Recommended: Day 9 of at least 7 in this phase. Compliance of 80 % or more over the last 7 days."
    ]
    assert recommended.reason_code == codes.PHASE_RECOMMENDED
    assert [r["code"] for r in recommended.reason_params["reasons"]] == [
        codes.DAYS_IN_PHASE,
        codes.COMPLIANCE_MET,
    ]
    assert recommended.reason_text == recommended.reason
    assert changes["Recommended: Day 9 of at least 7 in this phase. Something else."].reason_code == ""
    clinician_words.refresh_from_db()
    assert clinician_words.reason_code == "" and clinician_words.reason_text == "Flying through it."
    migration().to_codes(apps, None)  # twice changes nothing
    assert RehabStatus.objects.get(athlete=people.athlete_a).reasons == stored


# ------------------------------------------------------------------ alerts, phase changes and the API


def test_alerts_are_raised_with_a_code_and_said_in_the_readers_language(people):
    alert = alert_raise(athlete=people.athlete_a, kind="pain_spike", severity="urgent", code=codes.ALERT_PAIN_SPIKE,
                        params={"day": DAY, "pain": 6, "rise": 3, "baseline": 3})  # fmt: skip
    assert (
        alert.message == "" and alert.text == "Pain 6/10 on Thu 19 Mar, 3 points above the 7-day usual 3/10."
    )
    with translation.override("es"):
        assert alert.text == "Dolor 6/10 el jue 19 Mar, 3 puntos por encima del habitual de 7 días, 3/10."
    legacy = alert_raise(
        athlete=people.athlete_a, kind="triage", severity="urgent", message="Hip pain at night."
    )
    assert legacy.code == "" and legacy.text == "Hip pain at night."


def test_the_api_gives_the_code_its_parameters_and_the_words(client_for, people):
    alert_raise(athlete=people.athlete_a, kind="low_compliance", severity="notice",
                code=codes.ALERT_LOW_COMPLIANCE, params={"percent": 40})  # fmt: skip
    client = client_for("clinician")
    row = client.get("/api/v1/alerts/").json()["results"][0]
    assert row["code"] == codes.ALERT_LOW_COMPLIANCE and row["params"] == {"percent": 40}
    assert row["text"] == row["message"] == "Compliance 40 % over the last 7 days."
    people.clinician.user.language = "es"
    people.clinician.user.save(update_fields=["language"])
    row = client.get("/api/v1/alerts/").json()["results"][0]
    assert row["code"] == codes.ALERT_LOW_COMPLIANCE
    assert row["text"] == row["message"] == "Cumplimiento del 40 % en los últimos 7 días."


def test_the_api_summary_gives_the_reasons_as_codes_and_words(client_for, people):
    template = PlanTemplateFactory(phases=2)
    plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                start=date.today())  # fmt: skip
    summary = client_for("clinician").get(f"/api/v1/athletes/{people.athlete_a.pk}/summary/").json()
    rec = summary["recommendation"]
    assert rec["reasons"] == [item["text"] for item in rec["reason_codes"]]
    assert {item["code"] for item in rec["reason_codes"]} <= wording.REASON_CODES | {""}
    assert (
        rec["reason_codes"][0]["code"] == codes.DAYS_IN_PHASE
        and rec["reason_codes"][0]["params"]["days"] == 1
    )
    history = client_for("clinician").get(f"/api/v1/plans/{plan.pk}/").json()["history"]
    assert history[0]["reason_code"] == codes.PLAN_ASSIGNED
    assert history[0]["reason"] == f"Assigned from “{template.name}”."


def test_progression_labels_cover_every_red_flag():
    assert set(progression.RED_FLAG_LABELS) == set(codes.RedFlag)


# ------------------------------------------------------------------ pages


@pytest.mark.parametrize(
    "language, alert_words_, history_words",
    [
        ("en-gb", "Compliance 40 % over the last 7 days.", "Assigned from “"),
        ("es", "Cumplimiento del 40 % en los últimos 7 días.", "Asignado a partir de «"),
    ],
)
def test_pages_say_alerts_and_phase_changes_in_the_readers_language(
    client_for, people, language, alert_words_, history_words
):
    template = PlanTemplateFactory(phases=2)
    plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                start=date.today())  # fmt: skip
    alert_raise(athlete=people.athlete_a, kind="low_compliance", severity="notice",
                code=codes.ALERT_LOW_COMPLIANCE, params={"percent": 40})  # fmt: skip
    people.clinician.user.language = language
    people.clinician.user.save(update_fields=["language"])
    client = client_for("clinician")
    detail = client.get(reverse("athlete_detail", args=[people.athlete_a.pk])).content.decode()
    assert alert_words_ in detail
    caseload = client.get(reverse("athlete_list")).content.decode()
    assert alert_words_ in caseload
    assert history_words in client.get(reverse("rehab:plan_detail", args=[plan.pk])).content.decode()
