"""The clinical safety pass through the services and pages: clearance before running on a bone stress plan,
alerts that follow the engine, the first phase's hold and review, and the caseload's order."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import Alert
from portal.services import alert_raise
from rehab import codes, services
from rehab.models import Plan, PlanPhase, RehabStatus
from rehab.selectors_caseload import caseload_order
from rehab.wording import says
from tests.factories import AthleteFactory, PlanTemplateFactory

TODAY = timezone.localdate


@pytest.fixture
def plan(people):
    """athlete_a's plan of 3 phases: cross-training, then walk/jog (needs clearance), then jogging."""
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=1)
    template.phases.filter(order=1).update(run_activity="cross_train")
    template.phases.filter(order=2).update(requires_clearance=True)
    template.phases.filter(order=3).update(run_activity="jog", walk_minutes=None, jog_minutes=None)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=TODAY(), pain_free=True
    )
    PlanPhase.objects.filter(pk=plan.current_phase_id).update(
        started_on=TODAY() - timedelta(days=10), min_days=3
    )
    plan.current_phase.exercises.update(days_per_week=None, times_per_day=1, sets=1)
    return Plan.objects.select_related("current_phase").get(pk=plan.pk)


def phases(plan):
    return list(plan.phases.order_by("order"))


def log(people, days_ago, plan=None, **data):
    data = {"run_minutes": 20, "pain_during": 0, "pain_after": 0, "pain_next_morning": 0} | data
    sets = None
    if plan is not None:
        plan = Plan.objects.select_related("current_phase").get(pk=plan.pk)
        sets = {row.pk: 1 for row in plan.current_phase.exercises.all()}
    return services.log_save(
        athlete=people.athlete_a, day=TODAY() - timedelta(days=days_ago), data=data, sets=sets
    )


def open_kinds(athlete):
    return set(Alert.objects.open().filter(athlete=athlete).values_list("kind", flat=True))


# Finding 5: a bone-stress plan with automatic advance moved itself into walk/jog with no clearance recorded.
def test_the_plan_cannot_enter_a_phase_waiting_for_clearance(people, plan):
    with pytest.raises(ValidationError, match="needs a clinician's clearance"):
        services.plan_advance(plan=plan, by=people.clinician.user)
    with pytest.raises(ValidationError, match="needs a clinician's clearance"):
        services.plan_move(plan=plan, to_phase=phases(plan)[1], by=people.clinician.user)
    plan.refresh_from_db()
    assert plan.current_phase.order == 1


def test_automatic_advance_stops_at_the_clearance_and_tells_the_clinician(people, plan):
    Plan.objects.filter(pk=plan.pk).update(auto_advance=True)
    for days_ago in (7, 6, 5, 4, 3, 2, 1):
        log(people, days_ago, plan)
    plan.refresh_from_db()
    assert plan.current_phase.order == 1
    status = RehabStatus.objects.get(athlete=people.athlete_a)
    assert status.action == "hold"
    assert any(reason["code"] == codes.NEEDS_CLEARANCE for reason in status.reasons)
    assert any("needs a clinician's clearance" in reason for reason in says(status.reasons))
    assert "clearance_due" in open_kinds(people.athlete_a)
    assert "ready_to_advance" not in open_kinds(people.athlete_a)


def test_a_recorded_clearance_opens_the_phase(people, plan):
    for days_ago in (7, 6, 5, 4, 3, 2, 1):
        log(people, days_ago, plan)
    version = Plan.objects.get(pk=plan.pk).version
    cleared = services.phase_clear(
        plan=plan,
        phase=phases(plan)[1],
        by=people.clinician.user,
        imaging=True,
        note="MRI clear",
        seen=version,
    )
    assert cleared.cleared_by == people.clinician.user and cleared.cleared_on_imaging is True
    assert cleared.cleared_at is not None and cleared.clearance_note == "MRI clear"
    assert Plan.objects.get(pk=plan.pk).version == version + 1
    resolved = Alert.objects.get(athlete=people.athlete_a, kind="clearance_due")
    assert resolved.resolved_at is not None and resolved.resolved_by == people.clinician.user
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == "advance"
    services.plan_advance(plan=Plan.objects.get(pk=plan.pk), by=people.clinician.user)
    assert Plan.objects.get(pk=plan.pk).current_phase.order == 2


@pytest.mark.parametrize("which, message", [(0, "needs no clearance"), (1, "was cleared already")])
def test_clearance_is_refused_where_it_makes_no_sense(people, plan, which, message):
    target = phases(plan)[1]
    services.phase_clear(plan=plan, phase=target, by=people.clinician.user, imaging=False)
    with pytest.raises(ValidationError, match=message):
        services.phase_clear(plan=plan, phase=phases(plan)[which], by=people.clinician.user, imaging=False)


def test_any_pain_while_running_on_a_bone_stress_plan_stops_and_alerts(people, plan):
    services.phase_clear(plan=plan, phase=phases(plan)[1], by=people.clinician.user, imaging=True)
    services.plan_advance(plan=Plan.objects.get(pk=plan.pk), by=people.clinician.user)
    log(people, 0, pain_during=1, pain_next_morning=None)
    status = RehabStatus.objects.get(athlete=people.athlete_a)
    assert status.action == "stop_and_refer"
    alert = Alert.objects.open().get(athlete=people.athlete_a, kind="bone_stress_pain")
    assert (
        alert.severity == "urgent"
        and alert.code == codes.ALERT_BONE_STRESS_PAIN
        and alert.params["pain"] == 1
    )
    assert "1/10" in alert.text


@pytest.mark.parametrize(
    "flag, severity",
    [("numbness", "urgent"), ("fever_unwell", "emergency"), ("saddle_bladder_bowel", "emergency")],
)
def test_the_new_log_red_flags_stop_and_refer(people, plan, flag, severity):
    log(people, 0, **{flag: True, "pain_next_morning": None})
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == "stop_and_refer"
    assert Alert.objects.open().get(athlete=people.athlete_a, kind="log_red_flag").severity == severity


# Finding 13: alerts contradicted the engine.
def test_ready_to_advance_closes_itself_when_the_engine_says_hold(people, plan):
    PlanPhase.objects.filter(plan=plan, order=2).update(requires_clearance=False)
    for days_ago in (7, 6, 5, 4, 3, 2, 1):
        log(people, days_ago, Plan.objects.get(pk=plan.pk))
    Plan.objects.filter(pk=plan.pk).update(pain_free=False)
    log(people, 1, Plan.objects.get(pk=plan.pk))  # the status as an ordinary plan: ready to advance
    assert "ready_to_advance" in open_kinds(people.athlete_a)
    log(people, 0, Plan.objects.get(pk=plan.pk), pain_during=4, pain_next_morning=None)
    alert = Alert.objects.get(athlete=people.athlete_a, kind="ready_to_advance")
    assert alert.resolved_at is not None and alert.resolved_by is None
    assert (alert.resolved_code, alert.resolved_params) == (codes.CLOSED_ENGINE_MOVED_ON, {"action": "hold"})
    assert alert.resolved_text == "Closed automatically: the progression engine now says hold."


def second_phase_plan(people, plan):
    """The plan moved on to its second phase (cleared), started 10 days ago, no bone stress rule."""
    services.phase_clear(plan=plan, phase=phases(plan)[1], by=people.clinician.user, imaging=False)
    services.plan_advance(plan=Plan.objects.get(pk=plan.pk), by=people.clinician.user)
    Plan.objects.filter(pk=plan.pk).update(pain_free=False)
    PlanPhase.objects.filter(plan=plan, order=2).update(started_on=TODAY() - timedelta(days=10))
    return Plan.objects.select_related("current_phase").get(pk=plan.pk)


def test_applying_a_step_back_resolves_the_pain_spike_it_answers(people, plan):
    plan = second_phase_plan(people, plan)
    for days_ago in (9, 8, 7, 6, 5):
        log(people, days_ago, plan)
    log(people, 3, plan, pain_during=4)
    log(people, 1, plan, pain_during=4)
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == "regress"
    assert "pain_spike" in open_kinds(people.athlete_a)
    services.recommendation_apply(plan=plan, action="regress", by=people.clinician.user)
    spike = Alert.objects.get(athlete=people.athlete_a, kind="pain_spike")
    assert spike.resolved_by == people.clinician.user
    assert (spike.resolved_code, spike.resolved_params) == (codes.CLOSED_ANSWERED, {"action": "regress"})
    assert spike.resolved_text == "Answered: the plan was stepped back one phase."


def test_pausing_on_stop_and_refer_keeps_the_red_flag_until_a_clinician_has_been_in_touch(
    client_for, people, plan
):
    log(people, 3, plan, pain_during=1)
    log(people, 0, plan, swelling=True, pain_during=6, pain_next_morning=None)
    assert {"log_red_flag", "pain_spike"} <= open_kinds(people.athlete_a)
    services.recommendation_apply(plan=plan, action="stop_and_refer", by=people.clinician.user)
    assert Plan.objects.get(pk=plan.pk).status == "paused"
    assert "log_red_flag" in open_kinds(people.athlete_a) and "pain_spike" not in open_kinds(people.athlete_a)
    today = client_for("athlete_a").get(reverse("rehab:athlete_today")).content.decode()
    assert "Stop running and contact the clinic" in today and "Your plan is paused" in today


# Finding 9: the first phase's "step back" could not be applied.
def test_the_first_phase_holds_for_review_instead_of_stepping_back(people, plan):
    Plan.objects.filter(pk=plan.pk).update(pain_free=False)
    for days_ago in (5, 4):
        log(people, days_ago, plan)
    log(people, 3, plan, pain_during=4)
    log(people, 1, plan, pain_during=4)
    status = RehabStatus.objects.get(athlete=people.athlete_a)
    assert status.action == "hold"
    assert any(reason["code"] == codes.FIRST_PHASE_REVIEW for reason in status.reasons)
    assert any("nothing to step back to" in reason for reason in says(status.reasons))
    assert status.risk >= 3000  # sorts with step-backs
    with pytest.raises(ValidationError, match="now says hold, so there is nothing to apply"):
        services.recommendation_apply(plan=plan, action="regress", by=people.clinician.user)


def test_stop_and_refer_without_an_alert_sorts_above_notices(people, plan):
    log(people, 0, plan, pain_during=8, pain_next_morning=None)
    Alert.objects.filter(athlete=people.athlete_a).update(resolved_at=timezone.now())  # e.g. resolved by hand
    assert RehabStatus.objects.get(athlete=people.athlete_a).action == "stop_and_refer"
    noticed = AthleteFactory(clinic=people.clinic, last_name="Aardvark")
    alert_raise(athlete=noticed, kind="no_log", severity="notice", message="No log for 4 days.")
    order = list(caseload_order(people.clinician.user).values_list("pk", flat=True))
    assert order.index(people.athlete_a.pk) < order.index(noticed.pk)
    attention = caseload_order(people.clinician.user, show="attention").values_list("pk", flat=True)
    assert people.athlete_a.pk in attention and noticed.pk not in attention


# The pages: the clearance step on the plan and on the timeline.
def test_plan_page_and_timeline_show_the_clearance_step(client_for, people, plan):
    client = client_for("clinician")
    page = client.get(reverse("rehab:plan_detail", args=[plan.pk])).content.decode()
    assert "Needs clearance before it starts" in page and "Record clearance" in page
    timeline = client.get(reverse("rehab:timeline", args=[people.athlete_a.pk])).content.decode()
    assert "Next step: clearance" in timeline
    url = reverse("rehab:phase_clear", args=[plan.pk, phases(plan)[1].pk])
    version = Plan.objects.get(pk=plan.pk).version
    response = client.post(
        url, {"version": version, "imaging": "no", "note": "Hop test pain-free", "back": "timeline"}
    )
    assert response.status_code == 302 and response.url == reverse(
        "rehab:timeline", args=[people.athlete_a.pk]
    )
    cleared = phases(plan)[1]
    assert cleared.cleared_on_imaging is False and cleared.clearance_note == "Hop test pain-free"
    page = client.get(reverse("rehab:plan_detail", args=[plan.pk])).content.decode()
    assert "on clinical assessment, no imaging — Hop test pain-free" in page
    assert "Maya Okafor" in page
    assert f"Cleared to start “{cleared.name}” by Maya Okafor (no imaging) — Hop test pain-free" in page


@pytest.mark.parametrize("data", [{}, {"imaging": "maybe"}, {"imaging": "yes", "note": "x" * 501}])
def test_a_bad_clearance_post_changes_nothing_and_says_why(client_for, people, plan, data):
    client = client_for("clinician")
    url = reverse("rehab:phase_clear", args=[plan.pk, phases(plan)[1].pk])
    response = client.post(url, {"version": Plan.objects.get(pk=plan.pk).version, **data}, follow=True)
    assert response.status_code == 200
    assert phases(plan)[1].cleared_at is None
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_the_migration_marks_the_first_running_phase_of_bone_stress_plans(people):
    migration = importlib.import_module("rehab.migrations.0007_clinical_safety")
    template = PlanTemplateFactory(phases=4, phases__exercises_per_phase=1)
    template.phases.filter(order__in=(1, 2)).update(run_activity="cross_train")
    bone = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=TODAY(), pain_free=True
    )
    other = services.plan_assign(
        athlete=people.athlete_b, template=template, by=people.clinician.user, start=TODAY()
    )
    PlanPhase.objects.update(requires_clearance=False)
    migration.mark_clearance(apps, None)
    assert [p.requires_clearance for p in phases(bone)] == [False, False, True, False]
    assert not any(p.requires_clearance for p in phases(other))
    assert all(p.cleared_at is None for p in phases(bone))


def test_the_api_records_a_clearance_and_shows_it(people, plan, client_for):
    client = client_for("clinician")
    url = f"/api/v1/plans/{plan.pk}/clearance/"
    target = phases(plan)[1]
    refused = client.post(
        url, {"phase": phases(plan)[0].pk, "imaging": True}, content_type="application/json"
    )
    assert refused.status_code == 400 and "needs no clearance" in refused.content.decode()
    assert client.post(url, {"phase": target.pk}, content_type="application/json").status_code == 400
    response = client.post(
        url, {"phase": target.pk, "imaging": True, "note": "MRI clear"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    shown = next(p for p in response.json()["phases"] if p["id"] == target.pk)
    assert shown["requires_clearance"] is True and shown["cleared_on_imaging"] is True
    assert shown["cleared_by"] == people.clinician.user.email and shown["clearance_note"] == "MRI clear"
    athlete = client_for("athlete_a")
    assert (
        athlete.post(url, {"phase": target.pk, "imaging": True}, content_type="application/json").status_code
        == 403
    )


@pytest.mark.parametrize(
    "steps, ok",
    [
        ([], True),
        (None, True),  # an emptied admin field: no ladder
        ([{"jog": 1, "walk": 3}, {"jog": 5, "walk": 1}], True),
        ([{"jog": 1}], False),
        ([{"jog": "1", "walk": 3}], False),
        ([{"jog": 61, "walk": 0}], False),
        ([{"jog": 1, "walk": 3, "pace": 5}], False),
        ({"jog": 1, "walk": 3}, False),
    ],
)
def test_walk_jog_steps_are_checked(plan, steps, ok):
    phase = phases(plan)[1]
    phase.run_steps = steps
    if ok:
        phase.full_clean()
        assert isinstance(phase.run_steps, list)
    else:
        with pytest.raises(ValidationError, match="whole minutes"):
            phase.full_clean()


def test_my_plan_shows_the_whole_stop_list(client_for, people, plan):
    from rehab import wording

    page = client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    for line in wording.stop_list(pain_free=True):
        assert line in page
    assert wording.ANY_PAIN in page and wording.HIGH_PAIN not in page  # a bone stress plan: any pain stops it
    assert "go to an emergency department now" in page
    Plan.objects.filter(pk=plan.pk).update(pain_free=False)
    page = client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    assert wording.HIGH_PAIN in page and wording.ANY_PAIN not in page


def test_the_timeline_names_log_red_flags_in_words(client_for, people, plan):
    log(people, 1, plan, saddle_bladder_bowel=True)
    page = client_for("clinician").get(reverse("rehab:timeline", args=[people.athlete_a.pk])).content.decode()
    assert "saddle numbness or bladder/bowel change" in page and "saddlebladderbowel" not in page


def test_a_step_back_answers_the_ease_off_advice(client_for, people, plan):
    plan = second_phase_plan(people, plan)
    log(people, 1, plan, pain_during=4)
    client = client_for("athlete_a")
    assert "Ease off for a day or two" in client.get(reverse("rehab:athlete_today")).content.decode()
    services.plan_regress(plan=Plan.objects.get(pk=plan.pk), by=people.clinician.user)
    page = client.get(reverse("rehab:athlete_today")).content.decode()
    assert "Ease off for a day or two" not in page  # the clinician moved the plan: no stale limit quoted


def test_a_jump_cannot_pass_a_phase_waiting_for_clearance(people, plan):
    with pytest.raises(ValidationError, match="needs a clinician's clearance"):
        services.plan_move(plan=plan, to_phase=phases(plan)[2], by=people.clinician.user)
    assert Plan.objects.get(pk=plan.pk).current_phase.order == 1
    services.phase_clear(plan=plan, phase=phases(plan)[1], by=people.clinician.user, imaging=True)
    services.plan_move(plan=Plan.objects.get(pk=plan.pk), to_phase=phases(plan)[2], by=people.clinician.user)
    assert Plan.objects.get(pk=plan.pk).current_phase.order == 3


def test_an_old_red_flag_still_waiting_for_a_clinician_keeps_stop_and_refer(people, plan):
    Plan.objects.filter(pk=plan.pk).update(pain_free=False)
    log(people, 10, plan, night_pain=True)
    for days_ago in (7, 6, 5, 4, 3, 2, 1):
        log(people, days_ago, plan)
    status = RehabStatus.objects.get(athlete=people.athlete_a)
    assert status.action == "stop_and_refer" and status.reasons[0]["code"] == codes.RED_FLAG_WAITING
    assert "still waiting for a clinician" in says(status.reasons)[0]
    assert "ready_to_advance" not in open_kinds(people.athlete_a)
    alert = Alert.objects.open().get(athlete=people.athlete_a, kind="log_red_flag")
    from portal.services import alert_resolve

    alert_resolve(alert=alert, by=people.clinician.user, note="Called: settled, carry on.")
    services.status_refresh([people.athlete_a])
    assert RehabStatus.objects.get(athlete=people.athlete_a).action != "stop_and_refer"
