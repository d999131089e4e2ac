"""The daily loop: logging, status, alerts, the caseload and the pages around them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import Alert, AuditEntry, Shoe
from rehab import codes, forms, services
from rehab.models import DailyLog, ExerciseLog, PhaseChange, Plan, PlanPhase, RedFlag, RehabStatus
from rehab.wording import say
from tests.access import LOGIN, assert_outcome, matrix_cases
from tests.factories import AlertFactory, AthleteFactory, PlanTemplateFactory, ShoeFactory

TODAY = timezone.localdate


@pytest.fixture
def template(people):
    return PlanTemplateFactory(phases=3, phases__exercises_per_phase=3)


@pytest.fixture
def plan(people, template):
    plan = services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=TODAY() - timedelta(days=20),
    )
    phase = plan.current_phase
    phase.started_on = TODAY() - timedelta(days=20)
    phase.min_days = 7
    phase.max_pain_during = phase.max_pain_after = 2
    phase.run_activity, phase.run_minutes, phase.sessions_per_week = "walk_jog", 20, 3
    phase.save()
    return Plan.objects.select_related("current_phase").get(pk=plan.pk)


def rows(plan):
    return list(plan.current_phase.exercises.all())


def save(athlete, days_ago=0, sets=None, **data):
    return services.log_save(athlete=athlete, day=TODAY() - timedelta(days=days_ago), data=data, sets=sets)


def good_day(athlete, plan, days_ago):
    """A session within the allowance, settled by the morning, with every exercise done in full."""
    full = {row.pk: (row.sets or 1) * (row.times_per_day or 1) for row in rows(plan)}
    return save(athlete, days_ago=days_ago, sets=full, run_minutes=20, pain_during=1, pain_after=1,
                pain_next_morning=0)  # fmt: skip


# --- log_save: upsert, validation, side effects -----------------------------------------------------------


def test_saving_the_same_day_twice_updates_one_row(people, plan):
    first = save(people.athlete_a, pain_during=2, run_minutes=20)
    second = save(people.athlete_a, pain_during=3, run_minutes=25)
    assert first.pk == second.pk
    log = DailyLog.objects.get(athlete=people.athlete_a)
    assert (log.pain_during, log.run_minutes, log.plan_id, log.phase_id) == (
        3,
        25,
        plan.pk,
        plan.current_phase_id,
    )


def test_exercise_logs_are_replaced_not_duplicated_and_sum_into_sets_done(people, plan):
    a, b, c = rows(plan)
    save(people.athlete_a, sets={a.pk: 3, b.pk: 2})
    save(people.athlete_a, sets={a.pk: 3, b.pk: 0, c.pk: 1})
    log = DailyLog.objects.get(athlete=people.athlete_a)
    done = {row.plan_exercise_id: (row.done, row.sets_done) for row in ExerciseLog.objects.filter(log=log)}
    assert done == {a.pk: (True, 3), b.pk: (False, 0), c.pk: (True, 1)}
    assert log.sets_done == 4


def test_exercises_of_another_phase_are_ignored(people, plan, template):
    other = services.plan_assign(
        athlete=people.athlete_b, template=template, by=people.clinician.user, start=TODAY()
    )
    foreign = other.current_phase.exercises.first()
    save(people.athlete_a, sets={foreign.pk: 3})
    assert ExerciseLog.objects.filter(plan_exercise=foreign).count() == 0


@pytest.mark.parametrize(
    "days_ago,message",
    [(-1, "hasn't happened yet"), (15, "go back 14 days")],
    ids=["future", "too-old"],
)
def test_log_dates_outside_the_window_are_refused_with_a_clear_message(people, plan, days_ago, message):
    with pytest.raises(ValidationError) as error:
        save(people.athlete_a, days_ago=days_ago, pain_during=1)
    assert message in " ".join(error.value.message_dict["date"])
    assert not DailyLog.objects.exists()


def test_backfill_of_14_days_is_allowed_and_takes_the_phase_of_that_day(people, plan):
    log = save(people.athlete_a, days_ago=14, pain_during=1)
    assert log.phase_id == plan.current_phase_id


def test_out_of_range_pain_is_refused(people, plan):
    with pytest.raises(ValidationError) as error:
        save(people.athlete_a, pain_during=11)
    assert "pain_during" in error.value.message_dict


def test_distance_goes_onto_the_shoe_once_even_when_saved_twice(people, plan):
    shoe = Shoe.objects.get(athlete=people.athlete_a)
    start = shoe.km
    save(people.athlete_a, run_minutes=30, distance_km=Decimal("5.5"), shoe=shoe)
    save(people.athlete_a, run_minutes=30, distance_km=Decimal("6.0"), shoe=shoe)
    shoe.refresh_from_db()
    assert shoe.km == start + Decimal("6.0")


@pytest.mark.parametrize(
    "first, second, old_after, new_after",
    [
        # (shoe, km) of the first and second save of one day -> km added to the old and the new shoe
        (("old", "5.5"), ("old", "5.5"), "5.5", "0"),  # saved again: nothing moves
        (("old", "5.5"), ("old", "7.0"), "7.0", "0"),  # corrected distance: the difference
        (("old", "5.5"), ("old", None), "0", "0"),  # distance removed
        (("old", "5.5"), ("new", "5.5"), "0", "5.5"),  # wrong shoe corrected: moves across
        (("old", "5.5"), (None, "5.5"), "0", "0"),  # shoe removed
        ((None, "5.5"), ("new", "6.0"), "0", "6.0"),  # shoe added
    ],
)
def test_a_re_saved_day_moves_its_distance_between_shoes(people, plan, first, second, old_after, new_after):
    shoes = {
        "old": Shoe.objects.get(athlete=people.athlete_a),
        "new": Shoe.objects.create(athlete=people.athlete_a, name="Second pair", km=Decimal("100")),
        None: None,
    }
    start = {name: shoe.km for name, shoe in shoes.items() if shoe}
    for shoe, km in (first, second):
        save(people.athlete_a, run_minutes=30, distance_km=km and Decimal(km), shoe=shoes[shoe])
    for name, added in (("old", old_after), ("new", new_after)):
        shoes[name].refresh_from_db()
        assert shoes[name].km == start[name] + Decimal(added), name


@pytest.mark.parametrize("km, shoe_updates", [("5.5", 0), ("6.0", 1)])
def test_a_double_submit_does_not_write_to_the_shoe(people, plan, km, shoe_updates):
    shoe = Shoe.objects.get(athlete=people.athlete_a)
    save(people.athlete_a, run_minutes=30, distance_km=Decimal("5.5"), shoe=shoe)
    with CaptureQueriesContext(connection) as queries:
        save(people.athlete_a, run_minutes=30, distance_km=Decimal(km), shoe=shoe)
    updates = [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "portal_shoe"')]
    assert len(updates) == shoe_updates


def test_someone_elses_shoe_is_refused_and_nothing_is_saved(people, plan):
    theirs = ShoeFactory(athlete=people.athlete_b, name="Bruno's pair", km=100)
    start = theirs.km
    with pytest.raises(ValidationError) as error:
        save(people.athlete_a, run_minutes=30, distance_km=Decimal("5.0"), shoe=theirs)
    assert "shoe" in error.value.message_dict
    theirs.refresh_from_db()
    assert theirs.km == start and not DailyLog.objects.filter(athlete=people.athlete_a).exists()


@pytest.mark.parametrize(
    "posted, kept",
    [
        ({"shoe": "mine"}, True),
        ({}, True),  # the page had no shoe field: the day keeps its shoe
        ({"shoe": ""}, False),  # "—" chosen
        ({"shoe": "theirs"}, None),  # not one of the athlete's shoes: refused next to the field
        ({"shoe": "retired"}, None),
    ],
)
def test_log_page_shoe_field(client_for, people, plan, posted, kept):
    mine = Shoe.objects.get(athlete=people.athlete_a)
    shoes = {
        "mine": mine.pk,
        "theirs": ShoeFactory(athlete=people.athlete_b, name="Bruno's pair").pk,
        "retired": Shoe.objects.create(athlete=people.athlete_a, name="Old pair", retired=True).pk,
        "": "",
    }
    save(people.athlete_a, run_minutes=20, distance_km=Decimal("4.0"), shoe=mine)
    body = {"pain_during": "1", "pain_after": "1", "this_morning": "1", "did_run": "on", "run_minutes": "20",
            "distance_km": "4.0"} | {name: shoes[value] for name, value in posted.items()}  # fmt: skip
    response = client_for("athlete_a").post(reverse("rehab:log_today"), body)
    log = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY())
    if kept is None:
        assert response.status_code == 200 and "shoe" in response.context["form"].errors
        assert log.shoe_id == mine.pk
    else:
        assert response.status_code == 302
        assert log.shoe_id == (mine.pk if kept else None)


def test_log_page_lists_only_the_athletes_shoes_in_use(client_for, people, plan):
    mine = Shoe.objects.get(athlete=people.athlete_a)
    Shoe.objects.create(athlete=people.athlete_a, name="Old pair", retired=True)
    ShoeFactory(athlete=people.athlete_b, name="Bruno's pair")
    html = client_for("athlete_a").get(reverse("rehab:log_today")).content.decode()
    assert f'<option value="{mine.pk}" selected>{mine}</option>' in html
    assert "Old pair" not in html and "Bruno" not in html


def test_a_red_flag_raises_one_emergency_alert_and_stop_and_refer(people, plan):
    save(people.athlete_a, pain_during=3, cannot_bear_weight=True)
    save(people.athlete_a, pain_during=3, cannot_bear_weight=True)
    alerts = Alert.objects.filter(athlete=people.athlete_a, kind="log_red_flag")
    assert alerts.count() == 1 and alerts.get().severity == "emergency"
    status = RehabStatus.objects.get(athlete=people.athlete_a)
    assert status.action == "stop_and_refer"


def test_pain_three_points_above_the_weekly_baseline_raises_a_pain_spike(people, plan):
    for days_ago in range(5, 0, -1):
        save(people.athlete_a, days_ago=days_ago, pain_during=1, pain_after=1, pain_next_morning=1)
    save(people.athlete_a, pain_during=3, pain_after=3)
    assert not Alert.objects.filter(kind="pain_spike").exists()  # 3 = 1 + 2: not yet
    save(people.athlete_a, pain_during=4, pain_after=3)
    assert Alert.objects.get(kind="pain_spike").severity == "urgent"


def test_ready_to_advance_alert_and_automatic_advance(people, plan):
    for days_ago in range(8, 1, -1):
        good_day(people.athlete_a, plan, days_ago=days_ago)
    good_day(people.athlete_a, plan, days_ago=1)
    assert Alert.objects.open().filter(athlete=people.athlete_a, kind="ready_to_advance").exists()
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == "advance"

    Plan.objects.filter(pk=plan.pk).update(auto_advance=True)
    good_day(people.athlete_a, plan, days_ago=1)  # the same log again changes nothing: no job, no move
    plan.refresh_from_db()
    assert plan.current_phase.order == 1
    good_day(people.athlete_a, plan, days_ago=0)  # the next log: its job advances the plan
    plan.refresh_from_db()
    assert plan.current_phase.order == 2
    change = PhaseChange.objects.filter(plan=plan, kind="advance").get()
    assert change.by is None and change.reason_code == codes.PHASE_AUTOMATIC
    assert change.reason_text.startswith("Automatic: Day ")  # the engine's reasons, said where it is read
    # Moving on answers the readiness alert.
    assert not Alert.objects.open().filter(athlete=people.athlete_a, kind="ready_to_advance").exists()


def test_ready_in_the_last_phase_means_consider_completing_not_advance(
    people, plan, template, django_assert_num_queries
):
    """Athlete A meets every criterion in the plan's last phase, B the same in a first phase: one bulk read of
    the plans' last phase numbers tells them apart (4 queries for both), and no automatic advance past the end."""
    plan.phases.exclude(pk=plan.current_phase_id).delete()
    Plan.objects.filter(pk=plan.pk).update(auto_advance=True)
    other = services.plan_assign(
        athlete=people.athlete_b,
        template=template,
        by=people.clinician.user,
        start=TODAY() - timedelta(days=20),
    )
    PlanPhase.objects.filter(pk=other.current_phase_id).update(
        started_on=TODAY() - timedelta(days=20), min_days=7, max_pain_during=2, max_pain_after=2,
        run_activity="walk_jog", run_minutes=20, sessions_per_week=3,
    )  # fmt: skip
    other = Plan.objects.select_related("current_phase").get(pk=other.pk)
    for days_ago in range(8, 0, -1):
        good_day(people.athlete_a, plan, days_ago=days_ago)
        good_day(people.athlete_b, other, days_ago=days_ago)
    plan.refresh_from_db()
    assert (
        plan.current_phase.order == 1 and not PhaseChange.objects.filter(plan=plan, kind="advance").exists()
    )
    # plans, logs, open red-flag alerts, and the phases of the plans ready to advance: whatever their number
    with django_assert_num_queries(5):
        snaps = services.status_snapshots([people.athlete_a, people.athlete_b], TODAY())
    last, first = snaps[people.athlete_a.pk][1].recommendation, snaps[people.athlete_b.pk][1].recommendation
    assert last.action == "hold" and last.reasons[0].code == codes.FINAL_PHASE_MET
    assert say(last.reasons[0]).startswith("Final phase, and every criterion is met")
    assert first.action == "advance"
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == "hold"


def test_automatic_advance_never_happens_over_an_open_urgent_alert(people, plan):
    Plan.objects.filter(pk=plan.pk).update(auto_advance=True)
    AlertFactory(athlete=people.athlete_a, kind="triage", severity="urgent")
    for days_ago in range(8, 0, -1):
        good_day(people.athlete_a, plan, days_ago=days_ago)
    plan.refresh_from_db()
    assert plan.current_phase.order == 1


def test_a_new_log_resolves_the_no_log_alert(people, plan):
    save(people.athlete_a, days_ago=10, pain_during=1)
    services.status_refresh([people.athlete_a])
    alert = Alert.objects.open().get(kind="no_log")
    assert alert.code == codes.ALERT_NO_LOG and alert.params["days"] == 10 and alert.message == ""
    assert alert.text.startswith("No log since")
    save(people.athlete_a, pain_during=1)
    assert not Alert.objects.open().filter(kind="no_log").exists()


def test_time_alerts_are_not_raised_again_within_a_week_of_being_resolved(people, plan):
    services.status_refresh([people.athlete_a])
    alert = Alert.objects.open().get(athlete=people.athlete_a, kind="no_log")
    from portal.services import alert_resolve

    alert_resolve(alert=alert, by=people.clinician.user, note="Called her; she is travelling.")
    services.status_refresh([people.athlete_a])
    assert Alert.objects.filter(athlete=people.athlete_a, kind="no_log").count() == 1
    assert not Alert.objects.open().filter(kind="no_log").exists()


def test_recommendation_apply_regresses_and_records_the_reasons(people, plan):
    services.plan_advance(plan=plan, by=people.clinician.user, today=TODAY() - timedelta(days=5))
    plan.refresh_from_db()
    phase = plan.current_phase
    phase.max_pain_during = phase.max_pain_after = 2
    phase.save()
    for days_ago in (3, 2, 1):
        save(
            people.athlete_a,
            days_ago=days_ago,
            run_minutes=20,
            pain_during=4,
            pain_after=4,
            pain_next_morning=0,
        )
    change = services.recommendation_apply(plan=plan, action="regress", by=people.clinician.user)
    assert (
        change.kind == "regress"
        and change.reason_code == codes.PHASE_RECOMMENDED
        and {r["code"] for r in change.reason_params["reasons"]} == {codes.ALLOWANCE_EXCEEDED}
        and change.reason_text.startswith("Recommended:")
        and "above the allowance" in change.reason_text
    )
    with pytest.raises(ValidationError):
        services.recommendation_apply(plan=plan, action="advance", by=people.clinician.user)


# --- pages --------------------------------------------------------------------------------------------------


def page_urls(people, plan):
    return {
        "log": ("get", reverse("rehab:log_today")),
        "today": ("get", reverse("rehab:athlete_today")),
        "timeline": ("get", reverse("rehab:timeline", args=[people.athlete_a.pk])),
        "apply": ("post", reverse("rehab:recommendation_apply", args=[plan.pk])),
    }


MATRIX = {
    "log": [LOGIN, 200, 200, 403, 403, 403],
    "today": [LOGIN, 200, 200, 403, 403, 403],
    "timeline": [LOGIN, 403, 403, 200, 404, 200],
    "apply": [LOGIN, 403, 403, 302, 404, 302],
}


@pytest.mark.parametrize("page,persona,expected", matrix_cases(MATRIX))
def test_access_matrix(client_for, people, plan, page, persona, expected):
    method, url = page_urls(people, plan)[page]
    assert_outcome(getattr(client_for(persona), method)(url), expected)


def test_log_page_same_as_planned_ticks_everything_and_a_double_submit_keeps_one_row(
    client_for, people, plan
):
    client = client_for("athlete_a")
    html = client.get(reverse("rehab:log_today")).content.decode()
    assert "Did it all as planned" in html and "How does the hip feel this morning?" in html
    for row in rows(plan):
        assert row.exercise.name in html
    body = {
        "pain_during": "1",
        "pain_after": "2",
        "this_morning": "1",
        "same_as_planned": "1",
        "run_minutes": "20",
    }
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    log = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY())
    assert (log.pain_during, log.pain_after, log.run_minutes) == (1, 2, 20)
    assert log.exercises.filter(done=True).count() == 3
    yesterday = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY() - timedelta(days=1))
    assert yesterday.pain_next_morning == 1


@pytest.mark.parametrize(
    "posted, saved",
    [({}, None), ({"this_morning": ""}, None), ({"this_morning": "0"}, 0), ({"this_morning": "10"}, 10)],
)
def test_this_mornings_pain_is_saved_only_when_answered(client_for, people, plan, posted, saved):
    save(people.athlete_a, days_ago=1, pain_during=2, pain_after=2)
    client = client_for("athlete_a")
    html = client.get(reverse("rehab:log_today")).content.decode()
    assert (
        html.count('name="this_morning"') == 11 and 'name="this_morning" value="0" class="btn-check"' in html
    )
    assert (
        'name="this_morning" value="0" class="btn-check" autocomplete="off" id="id_this_morning_0" checked'
        not in html
    )
    body = {"pain_during": "1", "pain_after": "1", **posted}
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    yesterday = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY() - timedelta(days=1))
    assert yesterday.pain_next_morning == saved
    # Unanswered, the question is asked again on the next visit; answered, it is not.
    asked = "How does the hip feel this morning?" in client.get(reverse("rehab:log_today")).content.decode()
    assert asked == (saved is None)


@pytest.mark.parametrize("morning, action", [(None, "hold"), ("0", "advance")])
def test_an_unanswered_morning_never_counts_as_settled(client_for, people, plan, morning, action):
    """The old slider sent 0 when left alone: yesterday's session then counted as "settled by the morning",
    which can be the last condition for advancing (and plans may advance on their own)."""
    Plan.objects.filter(pk=plan.pk).update(auto_advance=False)
    PlanPhase.objects.filter(pk=plan.current_phase_id).update(must_settle_by_morning=True)
    for days_ago in range(8, 1, -1):
        good_day(people.athlete_a, plan, days_ago=days_ago)
    full = {row.pk: (row.sets or 1) * (row.times_per_day or 1) for row in rows(plan)}
    save(
        people.athlete_a, days_ago=1, sets=full, run_minutes=20, pain_during=1, pain_after=1
    )  # no morning yet
    body = {"pain_during": "0", "pain_after": "0"} | ({"this_morning": morning} if morning else {})
    assert client_for("athlete_a").post(reverse("rehab:log_today"), body).status_code == 302
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == action


# --- the log page: an honest log (unanswered is not zero) ----------------------------------------------------


def checked(html: str, name: str) -> list[str]:
    """The values of the radio buttons `name` checked on a page."""
    return re.findall(
        rf'name="{name}" value="(\d+)" class="btn-check" autocomplete="off" id="[^"]+" checked', html
    )


def test_pain_questions_start_unanswered_with_one_tap_to_answer_0(client_for, people, plan):
    html = client_for("athlete_a").get(reverse("rehab:log_today")).content.decode()
    assert 'type="range"' not in html
    for name in ("pain_during", "pain_after"):
        assert html.count(f'name="{name}"') == 11 and checked(html, name) == []
        assert f'name="{name}" value="0" class="btn-check"' in html
    assert html.count(">Not answered</output>") == 3  # during, after, and this morning's (yesterday unlogged)


@pytest.mark.parametrize("days_ago", [0, 3], ids=["today", "back-filled"])
def test_pain_questions_left_alone_are_saved_as_not_answered(client_for, people, plan, days_ago):
    """The old sliders sent 0 when left alone: "no pain", and for a back-filled day "settled by the morning"."""
    day = TODAY() - timedelta(days=days_ago)
    html = client_for("athlete_a").get(reverse("rehab:log_today"), {"date": day.isoformat()}).content.decode()
    assert ('name="pain_next_morning"' in html) == (days_ago > 0)
    first = rows(plan)[0]
    body = {"date": day.isoformat(), f"ex_{first.pk}": "on", "notes": "Did one exercise."}
    assert client_for("athlete_a").post(reverse("rehab:log_today"), body).status_code == 302
    log = DailyLog.objects.get(athlete=people.athlete_a, date=day)
    assert (log.pain_during, log.pain_after, log.pain_next_morning) == (None, None, None)
    assert log.sets_done > 0


@pytest.mark.parametrize(
    "answers, missing",
    [({}, {"pain_during", "pain_after"}), ({"pain_during": "2"}, {"pain_after"}),
     ({"pain_after": "0"}, {"pain_during"})],
    ids=["neither", "no-after", "no-during"],
)  # fmt: skip
def test_did_it_all_as_planned_still_needs_the_two_pain_answers(client_for, people, plan, answers, missing):
    body = {"same_as_planned": "1", "notes": "Felt fine.", **answers}
    response = client_for("athlete_a").post(reverse("rehab:log_today"), body)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == missing and all(errors[name] == [forms.AS_PLANNED_NEEDS_PAIN] for name in missing)
    html = response.content.decode()
    assert "Nothing was saved yet." in html
    # Said twice per question: in the summary at the top, and under the question.
    assert html.count("tap a number, 0 if it didn&#x27;t hurt") == 2 * len(missing)
    assert "Felt fine.</textarea>" in html  # what was typed is kept
    for name, value in answers.items():
        assert checked(html, name) == [value]
    assert not DailyLog.objects.exists()


def test_did_it_all_as_planned_with_pain_0_answered_saves_0(client_for, people, plan):
    body = {"same_as_planned": "1", "pain_during": "0", "pain_after": "0", "run_minutes": "20"}
    assert client_for("athlete_a").post(reverse("rehab:log_today"), body).status_code == 302
    log = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY())
    assert (log.pain_during, log.pain_after, log.run_minutes) == (0, 0, 20)


def test_editing_a_log_shows_its_stored_answers_and_rewrites_nothing(client_for, people, plan):
    day = TODAY() - timedelta(days=2)
    log = save(people.athlete_a, days_ago=2, pain_during=0, pain_after=3)  # an old row's 0 stays a 0
    client = client_for("athlete_a")
    html = client.get(reverse("rehab:log_today"), {"date": day.isoformat()}).content.decode()
    assert checked(html, "pain_during") == ["0"] and checked(html, "pain_after") == ["3"]
    assert checked(html, "pain_next_morning") == []
    assert '<output class="pain-value" data-unanswered="Not answered" data-zone="ok">3/10</output>' in html
    stored = DailyLog.objects.get(pk=log.pk)
    assert (stored.pain_during, stored.pain_after, stored.updated) == (0, 3, log.updated)


@pytest.mark.parametrize("flag", ["numbness", "fever_unwell", "saddle_bladder_bowel"])
def test_the_new_red_flags_are_on_the_log_and_stop_the_plan(client_for, people, plan, flag):
    client = client_for("athlete_a")
    html = client.get(reverse("rehab:log_today")).content.decode()
    label = RedFlag(flag).label.replace("'", "&#x27;")
    assert f'name="{flag}"' in html and label in html
    body = {"pain_during": "1", "pain_after": "1", flag: "on"}
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    log = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY())
    assert log.red_flags == [flag]
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == "stop_and_refer"
    assert Alert.objects.open().filter(athlete=people.athlete_a, kind="log_red_flag").exists()


# --- Today after a worrying log: what to do now ---------------------------------------------------------------


def today_page(client):
    return client.get(reverse("rehab:athlete_today")).content.decode()


@pytest.mark.parametrize(
    "answers, title, step",
    [
        (
            {"saddle_bladder_bowel": "on"},
            "Go to an emergency department now",
            "call your local emergency number",
        ),
        ({"fever_unwell": "on"}, "Get medical care today", "See a doctor today"),
        ({"cannot_bear_weight": "on"}, "Stop, and get your hip checked today", "keep weight off the leg"),
        ({"numbness": "on"}, "Stop running and contact the clinic", "Don&#x27;t run until your clinician"),
        ({"pain_during": "7"}, "Stop running and contact the clinic", "Don&#x27;t run until your clinician"),
    ],
    ids=["saddle", "fever", "cannot-bear-weight", "numbness", "pain-7"],
)
def test_after_a_worrying_log_the_next_screen_says_what_to_do_now(
    client_for, people, plan, answers, title, step
):
    people.clinic.phone, people.clinic.email = "+44 20 7946 0000", "desk@riverside.example"
    people.clinic.save()
    for days_ago in range(7, 0, -1):  # a flawless week (whatever today's weekday): "On track"
        good_day(people.athlete_a, plan, days_ago)
    client = client_for("athlete_a")
    assert "On track</span>" in today_page(client)
    body = {"pain_during": "1", "pain_after": "1", **answers}
    response = client.post(reverse("rehab:log_today"), body, follow=True)
    html = response.content.decode()
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("info", "Saved your log for today.")
    ]
    assert title in html and step in html
    assert html.index(title) < html.index("Logged today")  # first thing on the page
    assert 'href="tel:+442079460000">Call +44 20 7946 0000</a>' in html
    assert 'href="mailto:desk@riverside.example"' in html
    # The last 7 days' card no longer says "On track". (A past week in the week-by-week table may still say
    # it, as it was: on a Monday the flawless week above is exactly last week.)
    last_seven_days = html.split("Week by week")[0]
    assert "On track</span>" not in last_seven_days and "Plan on hold" in last_seven_days
    emergency = title != "Stop running and contact the clinic"
    if emergency:  # no exercises either, until a doctor has seen them: one instruction, not two
        assert "On hold: no running until a doctor has seen you and your clinician has been in touch." in html
        assert "None until a doctor has seen you." in html and "don&#x27;t hurt at all" not in html
    else:
        assert "On hold: no running until your clinician has been in touch." in html


def test_stop_advice_stays_until_the_clinician_resolves_the_alert(client_for, people, plan):
    save(people.athlete_a, days_ago=3, pain_during=1, swelling=True)
    save(people.athlete_a, days_ago=1, pain_during=1, pain_after=1)
    client = client_for("athlete_a")
    html = today_page(client)
    assert "Stop running and contact the clinic" in html
    assert (
        f"From your log for {TODAY() - timedelta(days=3):%A} " in html
        and "“Visible swelling or bruising”" in html
    )
    from portal.services import alert_resolve

    alert = Alert.objects.open().get(athlete=people.athlete_a, kind="log_red_flag")
    alert_resolve(alert=alert, by=people.clinician.user, note="Seen: bruise from a fall, carry on.")
    html = today_page(client)
    assert "Stop running" not in html and "On hold" not in html


def test_a_pain_free_running_phase_stops_at_1_of_10(client_for, people, plan):
    Plan.objects.filter(pk=plan.pk).update(pain_free=True)
    client = client_for("athlete_a")
    response = client.post(reverse("rehab:log_today"), {"pain_during": "1", "pain_after": "0"}, follow=True)
    html = response.content.decode()
    assert "Stop running and contact the clinic" in html and "needs running to stay pain-free" in html


@pytest.mark.parametrize("days_ago, shown", [(0, True), (1, True), (2, False)])
def test_pain_over_the_allowance_says_ease_off_for_a_day_or_two(client_for, people, plan, days_ago, shown):
    save(people.athlete_a, days_ago=days_ago, run_minutes=20, pain_during=4, pain_after=2)
    html = today_page(client_for("athlete_a"))
    assert ("Ease off for a day or two" in html) == shown
    assert ("You logged 4/10 during (this phase allows up to 2/10)." in html) == shown
    assert ("Easing off</span>" in html) == shown


def test_without_the_clinics_phone_or_email_the_advice_says_how_to_reach_them(client_for, people, plan):
    save(people.athlete_a, pain_during=8)
    html = today_page(client_for("athlete_a"))
    assert "Riverside" in html and "hasn&#x27;t added its phone number or email here yet" in html
    assert "tel:" not in html and "mailto:" not in html


def test_a_calm_log_is_saved_with_the_usual_all_clear(client_for, people, plan):
    response = client_for("athlete_a").post(
        reverse("rehab:log_today"), {"pain_during": "1", "pain_after": "2"}, follow=True
    )
    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("success", "Saved your log for today.")
    ]
    assert 'class="card mb-3 advice' not in response.content.decode()


def test_today_with_advice_is_a_read(client_for, people, plan, django_assert_max_num_queries):
    save(people.athlete_a, days_ago=1, pain_during=8, cannot_bear_weight=True)
    client = client_for("athlete_a")
    client.get(reverse("rehab:athlete_today"))
    # The page's budget (test_pages_run_a_constant_number_of_queries) and the clinic's phone and email.
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12 + 1):
        html = today_page(client)
    assert "Stop, and get your hip checked today" in html
    writes = [
        q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []


def test_this_morning_refuses_a_number_off_the_scale(client_for, people, plan):
    response = client_for("athlete_a").post(reverse("rehab:log_today"), {"this_morning": "11"})
    assert response.status_code == 200
    assert "this_morning" in response.context["form"].errors
    assert not DailyLog.objects.exists()


def test_log_page_shows_errors_next_to_the_field_and_saves_nothing(client_for, people, plan):
    client = client_for("athlete_a")
    response = client.post(
        reverse("rehab:log_today"), {"pain_during": "12", "did_run": "on", "run_minutes": ""}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "pain_during" in form.errors and "run_minutes" in form.errors
    assert not DailyLog.objects.exists()


def test_log_page_rejects_a_future_date_clearly(client_for, people, plan):
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    response = client_for("athlete_a").get(reverse("rehab:log_today"), {"date": tomorrow}, follow=True)
    assert "happened yet" in response.content.decode()
    assert response.context["day"] == TODAY()


def test_athlete_sees_only_their_own_logs(client_for, people, plan):
    save(people.athlete_b, pain_during=6, notes="Bruno's private note")
    html = client_for("athlete_a").get(reverse("rehab:athlete_today")).content.decode()
    assert "Bruno" not in html
    assert DailyLog.objects.visible_to(people.athlete_a.user).count() == 0
    assert DailyLog.objects.visible_to(people.other_clinician.user).count() == 0
    assert DailyLog.objects.visible_to(people.clinician.user).count() == 1


def test_athlete_home_shows_trend_compliance_and_load_warning(client_for, people, plan):
    shoe = Shoe.objects.get(athlete=people.athlete_a)
    for days_ago in range(13, 6, -1):
        save(people.athlete_a, days_ago=days_ago, run_minutes=20, distance_km=Decimal("2"), pain_during=1)
    for days_ago in range(6, 0, -1):
        save(people.athlete_a, days_ago=days_ago, run_minutes=20, distance_km=Decimal("4"), pain_during=1,
             shoe=shoe)  # fmt: skip
    html = client_for("athlete_a").get(reverse("rehab:athlete_today")).content.decode()
    assert "Log today" in html and "<svg" in html
    assert "up 71 %" in html  # 14 km → 24 km
    assert "time to think about new shoes" in html


def test_timeline_shows_the_recommendation_chart_and_apply_button(client_for, people, plan):
    # In a second phase: in the first there is nothing to step back to (hold and review instead).
    services.plan_advance(plan=plan, by=people.clinician.user, today=TODAY() - timedelta(days=5))
    PlanPhase.objects.filter(plan=plan, order=2).update(max_pain_during=2, max_pain_after=2)
    for days_ago in (3, 2, 1):
        save(
            people.athlete_a,
            days_ago=days_ago,
            run_minutes=20,
            pain_during=4,
            pain_after=4,
            pain_next_morning=0,
        )
    html = client_for("clinician").get(reverse("rehab:timeline", args=[people.athlete_a.pk])).content.decode()
    assert "Step back" in html and "above the allowance" in html
    assert 'class="timeline-chart"' in html


@pytest.mark.parametrize("days", [5, 40])
def test_pages_run_a_constant_number_of_queries(
    client_for, people, plan, days, django_assert_max_num_queries
):
    for n in range(min(days, 14), 0, -1):
        save(people.athlete_a, days_ago=n, run_minutes=20, pain_during=1, sets={r.pk: 1 for r in rows(plan)})
    DailyLog.objects.bulk_create(
        DailyLog(athlete=people.athlete_a, date=TODAY() - timedelta(days=15 + n), pain_during=2)
        for n in range(days)
    )
    athlete_client = client_for("athlete_a")
    with django_assert_max_num_queries(12):
        assert athlete_client.get(reverse("rehab:athlete_today")).status_code == 200
    with django_assert_max_num_queries(11):
        assert athlete_client.get(reverse("rehab:log_today")).status_code == 200
    clinician_client = client_for("clinician")
    # 14, the coach's requests and running changes, the clinic tests' trends, and the questionnaires panel's
    # rounds and schedules.
    with django_assert_max_num_queries(19):
        assert clinician_client.get(reverse("rehab:timeline", args=[people.athlete_a.pk])).status_code == 200


def test_posting_the_same_log_again_rewrites_nothing(
    client_for, people, plan, django_assert_max_num_queries, jobs
):
    body = {"pain_during": "1", "pain_after": "2", "this_morning": "1", "run_minutes": "20", "did_run": "on"}
    body |= {f"ex_{row.pk}": "on" for row in rows(plan)}
    client = client_for("athlete_a")
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    jobs.run()
    log = DailyLog.objects.get(athlete=people.athlete_a, date=TODAY())
    stored = list(log.exercises.order_by("pk").values_list("pk", "plan_exercise_id", "sets_done"))
    assert len(stored) == len(rows(plan)) and all(sets for *_, sets in stored)
    trail = AuditEntry.objects.filter(content_type__model="dailylog").count()
    # A double submit: session, user, the day's logs, plan + exercises; in the transaction (2 savepoint
    # statements in a test) the log and its exercise rows (compared, not rewritten). The log itself is not
    # written again, and no job follows (the first save's job did the status and the alerts).
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(9):
        assert client.post(reverse("rehab:log_today"), body).status_code == 302
    assert jobs.names() == []
    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "rehab_dailylog"')]
    assert DailyLog.objects.get(pk=log.pk).updated == log.updated
    assert list(log.exercises.order_by("pk").values_list("pk", "plan_exercise_id", "sets_done")) == stored
    assert AuditEntry.objects.filter(content_type__model="dailylog").count() == trail
    # One exercise unticked: the rows are rewritten; the trail gets the log's new total and the sets, once each.
    del body[f"ex_{rows(plan)[0].pk}"]
    assert client.post(reverse("rehab:log_today"), body).status_code == 302
    assert jobs.names() == ["rehab.after_log"]
    assert log.exercises.get(plan_exercise=rows(plan)[0]).sets_done == 0
    new = AuditEntry.objects.filter(content_type__model="dailylog").order_by("pk")[trail:]
    assert sorted(key for entry in new for key in entry.changes) == ["exercise_sets", "sets_done"]


def test_other_exercises_ticked_with_the_same_total_still_mark_the_log_updated(people, plan):
    first, second = rows(plan)[:2]
    log = save(people.athlete_a, sets={first.pk: 2}, pain_during=1)
    again = save(people.athlete_a, sets={second.pk: 2}, pain_during=1)
    assert again.sets_done == log.sets_done == 2
    assert DailyLog.objects.get(pk=log.pk).updated > log.updated
    done = ExerciseLog.objects.filter(log=log, done=True).values_list("plan_exercise_id", flat=True)
    assert list(done) == [second.pk]
    assert AuditEntry.objects.filter(
        content_type__model="dailylog", changes__has_key="exercise_sets"
    ).exists()


@pytest.mark.parametrize("extra", [3, 30])
def test_caseload_query_count_does_not_grow_with_athletes(client_for, people, template, extra,
                                                          django_assert_max_num_queries):  # fmt: skip
    for _ in range(extra):
        athlete = AthleteFactory(clinic=people.clinic)
        services.plan_assign(
            athlete=athlete, template=template, by=people.clinician.user, start=TODAY() - timedelta(days=3)
        )
    client = client_for("clinician")
    client.get(reverse("athlete_list"))
    # session, user (with role), the listing (athletes with their active plan and the user's place on their
    # care team, the open alerts), the page's care teams; the navigation's unread count is in the cache
    with django_assert_max_num_queries(5):
        response = client.get(reverse("athlete_list"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == extra + 2


def test_caseload_row_says_phase_last_log_pain_compliance_and_alert(client_for, people, plan):
    save(people.athlete_a, days_ago=1, pain_during=4, sets={})
    AlertFactory(athlete=people.athlete_a, kind="pain_spike", severity="urgent", message="Pain 4/10, usual 1")
    AlertFactory(athlete=people.athlete_a, kind="no_log", severity="notice")
    rows = {row.name: row for row in client_for("clinician").get(reverse("athlete_list")).context["rows"]}
    anna, bruno = rows["Anna Aalto"], rows["Bruno Bianchi"]
    assert (anna.phase, anna.last_log, anna.quiet) == (plan.current_phase.label, "yesterday", False)
    assert anna.url == reverse("athlete_detail", args=[people.athlete_a.pk])
    assert (anna.alert_severity, anna.alert_label, anna.alert_message, anna.alert_more) == (
        "urgent", "Urgent", "Pain 4/10, usual 1", 1,
    )  # fmt: skip
    assert anna.last_pain == "4/10" and anna.spark.startswith("<svg")
    assert anna.compliance is not None and anna.compliance_band in {"on_track", "partial", "off_track"}
    assert (bruno.phase, bruno.last_log, bruno.last_pain, bruno.spark, bruno.alert_severity) == (
        "",
        "",
        "–",
        "",
        "",
    )


@pytest.mark.parametrize(
    "percent,band", [(None, ""), (0, "off_track"), (49, "off_track"), (50, "partial"), (79, "partial"),
                     (80, "on_track"), (100, "on_track")],
)  # fmt: skip
def test_caseload_compliance_band(percent, band):
    from rehab.caseload import compliance_band

    assert compliance_band(percent) == band


@pytest.mark.parametrize(
    "order,name,label",
    [
        (2, "Walk/jog", "Phase 2: Walk/jog"),
        (1, "Phase 1 – calm it down", "Phase 1 – calm it down"),
        (1, None, ""),
    ],
)
def test_caseload_phase_label_matches_the_model(order, name, label):
    from rehab.caseload import phase_label
    from rehab.models import PlanPhase

    assert phase_label(order, name) == label
    if name:
        assert PlanPhase(order=order, name=name).label == label


def test_caseload_sorts_by_risk_and_filters(client_for, people, plan, template):
    services.plan_assign(
        athlete=people.athlete_b,
        template=template,
        by=people.clinician.user,
        start=TODAY() - timedelta(days=2),
    )
    save(people.athlete_a, pain_during=2, swelling=True)  # stop and refer
    save(people.athlete_b, pain_during=0)
    Alert.objects.all().delete()  # sort by the status alone
    client = client_for("clinician")
    names = [row.name for row in client.get(reverse("athlete_list")).context["rows"]]
    assert names.index("Anna Aalto") < names.index("Bruno Bianchi")
    attention = client.get(reverse("athlete_list"), {"show": "attention"}).context["rows"]
    assert [row.name for row in attention] == ["Anna Aalto"]
    other = client_for("other_clinician").get(reverse("athlete_list")).context["rows"]
    assert [row.name for row in other] == ["Olga Otto"]


def test_resolving_an_alert_needs_a_note_and_respects_scope(client_for, people):
    alert = AlertFactory(athlete=people.athlete_a, kind="no_log", severity="notice")
    url = reverse("alert_resolve", args=[alert.pk])
    assert client_for("other_clinician").post(url, {"note": "x"}).status_code == 404
    client_for("clinician").post(url, {"note": ""})
    alert.refresh_from_db()
    assert alert.is_open
    client_for("clinician").post(url, {"note": "Called, all fine."})
    alert.refresh_from_db()
    assert not alert.is_open and alert.resolved_note == "Called, all fine."


@pytest.mark.parametrize(
    "persona,expected", [("clinician", 200), ("other_clinician", 302), ("superuser", 200)], ids=str
)
def test_daily_log_admin_is_read_only_and_scoped(client_for, people, plan, persona, expected):
    log = save(people.athlete_a, pain_during=2, notes="Sore after hills")
    client = client_for(persona)
    assert client.get(reverse("admin:rehab_dailylog_change", args=[log.pk])).status_code == expected
    listing = client.get(reverse("admin:rehab_dailylog_changelist")).content.decode()
    assert ("Anna Aalto" in listing) == (expected == 200)
    if expected == 200:
        client.post(reverse("admin:rehab_dailylog_change", args=[log.pk]), {"notes": "edited"})
        log.refresh_from_db()
        assert log.notes == "Sore after hills"


# --- API ----------------------------------------------------------------------------------------------------


def test_api_put_upserts_the_athletes_day_idempotently(client_for, people, plan):
    client = client_for("athlete_a")
    row = rows(plan)[0]
    url = reverse("dailylog-detail", args=[TODAY().isoformat()])
    body = {"pain_during": 2, "run_minutes": 20, "exercises": [{"plan_exercise": row.pk, "sets_done": 2}],
            "triggers": ["hills"]}  # fmt: skip
    first = client.put(url, body, content_type="application/json")
    second = client.put(url, body, content_type="application/json")
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["sets_done"] == 2 and second.json()["triggers"] == ["hills"]
    assert DailyLog.objects.filter(athlete=people.athlete_a).count() == 1
    assert client.get(url).json()["pain_during"] == 2


@pytest.mark.parametrize(
    "day,body,field",
    [
        ("today", {"pain_during": 11}, "pain_during"),
        ("today", {"pain_during": "lots"}, "pain_during"),
        ("today", {"triggers": ["<script>"]}, "triggers"),
        ("tomorrow", {"pain_during": 1}, "date"),
    ],
    ids=["pain-too-high", "pain-not-a-number", "unknown-trigger", "future"],
)
def test_api_bad_input_is_a_400_with_field_messages(client_for, people, plan, day, body, field):
    when = TODAY() + timedelta(days=1 if day == "tomorrow" else 0)
    response = client_for("athlete_a").put(
        reverse("dailylog-detail", args=[when.isoformat()]), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in {key.split(".")[0] for key in response.json()["errors"]}  # "triggers.0" for an item
    assert not DailyLog.objects.exists()


def test_api_logs_are_scoped(client_for, people, plan):
    save(people.athlete_a, pain_during=2)
    url = reverse("dailylog-detail", args=[TODAY().isoformat()])
    assert client_for("athlete_b").get(url).status_code == 404
    assert client_for("other_clinician").get(reverse("dailylog-list")).json()["results"] == []
    assert len(client_for("clinician").get(reverse("dailylog-list")).json()["results"]) == 1
    response = client_for("clinician").put(url, {"pain_during": 1}, content_type="application/json")
    assert response.status_code == 403
    assert client_for("anonymous").get(reverse("dailylog-list")).status_code == 401


def test_rehab_refresh_command_updates_every_status_and_raises_time_alerts(people, plan):
    from django.core.management import call_command

    call_command("rehab_refresh", chunk=2, stdout=__import__("io").StringIO())
    assert RehabStatus.objects.filter(as_of=TODAY()).count() == 3  # every athlete, with a plan or not
    assert Alert.objects.open().filter(athlete=people.athlete_a, kind="no_log").exists()
    assert not Alert.objects.filter(athlete=people.athlete_b).exists()  # no plan, no time alerts


# serialized_rollback: an earlier transactional test's flush emptied the tables the migrations fill (groups,
# content types); this brings them back before the test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_first_saves_of_a_day_make_one_row(people):
    """Two requests saving the same new day at once (a double tap): one row, holding the last write."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs a database with real concurrent connections (PostgreSQL)")
    template = PlanTemplateFactory(phases=1, phases__exercises_per_phase=2)
    services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user, start=TODAY())
    barrier = threading.Barrier(2)
    errors = []

    def submit(pain):
        try:
            barrier.wait(timeout=5)
            save(people.athlete_a, pain_during=pain)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(pain,)) for pain in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DailyLog.objects.filter(athlete=people.athlete_a, date=TODAY()).count() == 1
    assert DailyLog.objects.get(athlete=people.athlete_a).pain_during in (2, 3)
