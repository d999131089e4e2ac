"""Plan pages, admin and API: who may see what, and what they do."""

from datetime import date

import pytest
from django.urls import reverse

from rehab import services
from rehab.models import PhaseChange, Plan, PlanExercise
from tests.access import ADMIN_LOGIN, LOGIN, assert_outcome, matrix_cases
from tests.factories import ExerciseFactory, PlanTemplateFactory


@pytest.fixture
def template(people):
    return PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)


@pytest.fixture
def plan(people, template):
    return services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )


def urls(people, plan):
    phase = plan.phases.first()
    return {
        "assign": ("get", reverse("rehab:plan_assign", args=[people.athlete_a.pk])),
        "detail": ("get", reverse("rehab:plan_detail", args=[plan.pk])),
        "phase_edit": ("get", reverse("rehab:phase_edit", args=[plan.pk, phase.pk])),
        "move": ("post", reverse("rehab:plan_move", args=[plan.pk])),
        "status": ("post", reverse("rehab:plan_status", args=[plan.pk])),
        "my_plan": ("get", reverse("rehab:my_plan")),
        "admin_plans": ("get", reverse("admin:rehab_plan_changelist")),
        "admin_plan": ("get", reverse("admin:rehab_plan_change", args=[plan.pk])),
        "admin_phase": ("get", reverse("admin:rehab_planphase_change", args=[phase.pk])),
        "admin_templates": ("get", reverse("admin:rehab_plantemplate_changelist")),
        "api_plans": ("get", reverse("plan-list")),
        "api_plan": ("get", reverse("plan-detail", args=[plan.pk])),
        "api_templates": ("get", reverse("plantemplate-list")),
    }


MATRIX = {
    "assign": [LOGIN, 403, 403, 200, 404, 200],
    "detail": [LOGIN, 403, 403, 200, 404, 200],
    "phase_edit": [LOGIN, 403, 403, 200, 404, 200],
    "move": [LOGIN, 403, 403, 302, 404, 302],
    "status": [LOGIN, 403, 403, 302, 404, 302],
    "my_plan": [LOGIN, 200, 200, 403, 403, 403],
    "admin_plans": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_plan": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 302, 200],
    "admin_phase": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 302, 200],
    "admin_templates": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "api_plans": [401, 200, 200, 200, 200, 200],
    "api_plan": [401, 200, 404, 200, 404, 200],
    "api_templates": [401, 200, 200, 200, 200, 200],
}
CASES = matrix_cases(MATRIX)


@pytest.mark.parametrize("page,persona,expected", CASES)
def test_access_matrix(client_for, people, plan, page, persona, expected):
    method, url = urls(people, plan)[page]
    response = getattr(client_for(persona), method)(url)
    assert_outcome(response, expected)


def test_api_plan_list_is_scoped(client_for, people, plan):
    assert [p["id"] for p in client_for("athlete_a").get(reverse("plan-list")).json()["results"]] == [plan.pk]
    assert client_for("athlete_b").get(reverse("plan-list")).json()["results"] == []
    assert client_for("other_clinician").get(reverse("plan-list")).json()["results"] == []


def test_assign_page_creates_plan_and_refuses_a_second(client_for, people, template):
    client = client_for("clinician")
    url = reverse("rehab:plan_assign", args=[people.athlete_a.pk])
    response = client.post(url, {"template": template.pk, "start_date": "2026-11-23", "goal": "Spring 10K"})
    plan = Plan.objects.get(athlete=people.athlete_a)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.goal == "Spring 10K" and plan.assigned_by == people.clinician.user
    again = client.post(url, {"template": template.pk, "start_date": "2026-11-23"})
    assert again.status_code == 200
    assert "already has an active plan" in again.content.decode()
    assert Plan.objects.filter(athlete=people.athlete_a).count() == 1


@pytest.mark.parametrize(
    "data,message",
    [
        ({"template": "", "start_date": "2026-11-23"}, "Choose a protocol or an empty plan."),
        (
            {"template": "999999", "start_date": "2026-11-23"},
            "Choose a protocol from the list, or an empty plan.",
        ),
        ({"start_date": "not a date"}, "Enter the start date as a date."),
        ({"start_date": "1990-01-01"}, "within a year of today"),
    ],
    ids=["no-template", "unknown-template", "bad-date", "date-far-away"],
)
def test_assign_bad_input_is_a_form_error(client_for, people, template, data, message):
    data = {"template": template.pk, **data}
    response = client_for("clinician").post(reverse("rehab:plan_assign", args=[people.athlete_a.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_suggested_templates_come_first(client_for, people, template):
    from tests.factories import IntakeFactory
    from triage.models import Condition
    from triage.services import intake_review

    condition = Condition.objects.get(code="labral_tear")
    suggested = PlanTemplateFactory(name="Deep hip programme", phases=1)
    suggested.conditions.add(condition)
    intake = IntakeFactory(athlete=people.athlete_a)
    intake_review(intake=intake, by=people.clinician.user, condition=condition)
    response = client_for("clinician").get(reverse("rehab:plan_assign", args=[people.athlete_a.pk]))
    assert response.context["suggested"] == [suggested]
    html = response.content.decode()
    assert html.index("Deep hip programme") < html.index(template.name)


def tailor_data(plan, phase, **phase_changes):
    rows = list(phase.exercises.order_by("order"))
    data = {
        "phase-name": phase.name, "phase-goal": phase.goal, "phase-min_days": phase.min_days,
        "phase-max_pain_during": 3, "phase-max_pain_after": 2, "phase-must_settle_by_morning": "on",
        "phase-run_activity": "walk_jog", "phase-run_minutes": 24, "phase-sessions_per_week": 3,
        "phase-walk_minutes": 2, "phase-jog_minutes": 2,
        "ex-TOTAL_FORMS": str(len(rows) + 1), "ex-INITIAL_FORMS": str(len(rows)), "ex-MIN_NUM_FORMS": "0",
        "ex-MAX_NUM_FORMS": "30", "version": plan.version,
    }  # fmt: skip
    for i, row in enumerate(rows):
        data |= {f"ex-{i}-id": row.pk, f"ex-{i}-order": row.order, f"ex-{i}-exercise": row.exercise_id,
                 f"ex-{i}-sets": 4, f"ex-{i}-reps": 12}  # fmt: skip
    data |= {f"ex-{k}": v for k, v in phase_changes.items()}
    return data


def test_tailor_phase_changes_plan_only(client_for, people, plan, template):
    phase = plan.phases.first()
    extra = ExerciseFactory(clinic=None, name="Added bridge")
    first_row = phase.exercises.order_by("order").first()
    data = tailor_data(plan, phase, **{"0-DELETE": "on", "2-order": 3, "2-exercise": extra.pk, "2-sets": 2,
                                       "2-reps": 8, "2-per_side": "on"})  # fmt: skip
    response = client_for("clinician").post(reverse("rehab:phase_edit", args=[plan.pk, phase.pk]), data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    phase.refresh_from_db()
    assert (phase.max_pain_during, phase.run_minutes, phase.walk_minutes) == (3, 24, 2)
    rows = list(phase.exercises.order_by("order"))
    assert first_row.pk not in [r.pk for r in rows]
    assert [(r.sets, r.reps) for r in rows] == [(4, 12), (2, 8)]
    assert rows[-1].exercise == extra and rows[-1].per_side
    plan.refresh_from_db()
    assert plan.version == 2
    original = template.phases.first()
    assert original.max_pain_during == 2 and original.exercises.count() == 2


def test_tailor_bad_input_keeps_everything(client_for, people, plan):
    phase = plan.phases.first()
    data = tailor_data(plan, phase, **{"0-sets": "lots"})
    data["phase-max_pain_during"] = "9"
    response = client_for("clinician").post(reverse("rehab:phase_edit", args=[plan.pk, phase.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Most pain allowed during can be at most 5." in html and "Sets must be a whole number." in html
    assert set(PlanExercise.objects.filter(phase=phase).values_list("sets", flat=True)) == {3}


def test_tailor_cannot_pick_another_clinics_exercise(client_for, people, plan):
    phase = plan.phases.first()
    foreign = ExerciseFactory(clinic=people.other_clinic)
    data = tailor_data(plan, phase, **{"2-order": 3, "2-exercise": foreign.pk, "2-sets": 1})
    response = client_for("clinician").post(reverse("rehab:phase_edit", args=[plan.pk, phase.pk]), data)
    assert response.status_code == 200
    assert not phase.exercises.filter(exercise=foreign).exists()


@pytest.mark.parametrize("action,order,kind", [("advance", 2, "advance"), ("regress", 1, None)])
def test_move_buttons(client_for, people, plan, action, order, kind):
    client = client_for("clinician")
    response = client.post(
        reverse("rehab:plan_move", args=[plan.pk]),
        {"action": action, "reason": "Pain-free", "version": plan.version},
        follow=True,
    )
    plan.refresh_from_db()
    assert plan.current_phase.order == order
    if kind:
        assert plan.phase_changes.first().kind == kind and plan.phase_changes.first().reason == "Pain-free"
    else:
        assert "first phase" in response.content.decode()


def test_jump_to_phase(client_for, people, plan):
    last = plan.phases.last()
    client_for("clinician").post(
        reverse("rehab:plan_move", args=[plan.pk]),
        {"action": "jump", "to_phase": last.pk, "version": plan.version},
    )
    plan.refresh_from_db()
    assert plan.current_phase == last and plan.phase_changes.first().kind == PhaseChange.Kind.JUMP


def test_my_plan_shows_current_phase_in_words(client_for, people, plan):
    html = client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    phase = plan.current_phase
    assert phase.name == "Phase 1" and "Phase 1 of 3</h1>" in html  # never "Phase 1 of 3: Phase 1"
    assert "Walk 3 min / jog 1 min × 5 (20 min), three times a week." in html
    assert "Up to 2/10 during is OK" in html
    for row in phase.exercises.all():
        assert row.exercise.name in html
    assert "Plan started" in html


def test_my_plan_without_plan(client_for, people):
    assert "No plan yet" in client_for("athlete_b").get(reverse("rehab:my_plan")).content.decode()


@pytest.mark.parametrize("per_phase", [2, 12])
def test_my_plan_query_count_is_constant(client_for, people, per_phase, django_assert_max_num_queries):
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=per_phase)
    services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    client = client_for("athlete_a")
    with django_assert_max_num_queries(9):
        assert client.get(reverse("rehab:my_plan")).status_code == 200


@pytest.mark.parametrize("per_phase", [2, 12])
def test_plan_admin_change_page_query_count_is_constant(
    client_for, people, per_phase, django_assert_max_num_queries
):
    template = PlanTemplateFactory(phases=4, phases__exercises_per_phase=per_phase)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    client = client_for("clinician")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("admin:rehab_plan_change", args=[plan.pk])).status_code == 200


def test_api_assign_and_errors(client_for, people, template):
    client = client_for("clinician")
    url = reverse("plan-list")
    created = client.post(url, {"athlete": people.athlete_b.pk, "template": template.pk, "start_date": "2026-11-23"},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201 and len(created.json()["phases"]) == 3
    again = client.post(url, {"athlete": people.athlete_b.pk, "template": template.pk, "start_date": "2026-11-23"},
                        content_type="application/json")  # fmt: skip
    assert again.status_code == 400
    assert "already has an active plan" in again.json()["errors"]["non_field_errors"][0]
    foreign = client.post(url, {"athlete": people.other_athlete.pk, "template": template.pk, "start_date": "x"},
                          content_type="application/json")  # fmt: skip
    assert foreign.status_code == 400 and set(foreign.json()["errors"]) == {"athlete", "start_date"}


def test_api_athlete_cannot_change_plan(client_for, people, plan):
    response = client_for("athlete_a").patch(
        reverse("plan-detail", args=[plan.pk]), {"status": "completed"}, content_type="application/json"
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == "active"


def test_api_clinician_pauses_plan(client_for, people, plan):
    response = client_for("clinician").patch(
        reverse("plan-detail", args=[plan.pk]),
        {"status": "paused", "goal": "Later"},
        content_type="application/json",
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert (plan.status, plan.goal) == ("paused", "Later")


def test_admin_advance_action_confirms_and_never_moves_a_plan_twice(client_for, people, plan):
    client = client_for("clinician")
    url = reverse("admin:rehab_plan_changelist")
    last = services.plan_assign(
        athlete=people.athlete_b,
        template=PlanTemplateFactory(phases=1),
        by=people.clinician.user,
        start=date(2026, 11, 2),
    )
    selected = {"action": "advance_phase", "_selected_action": [plan.pk, last.pk]}
    page = client.post(url, selected)
    assert page.status_code == 200  # the confirmation page: nothing moved yet
    plan.refresh_from_db()
    assert plan.current_phase.order == 1
    text = page.content.decode()
    assert plan.phases.get(order=2).label in text
    assert "this is its last phase" in text and 'value="Advance 1 plan"' in text
    seen = page.context["seen"]
    assert set(seen.split(",")) == {f"{plan.pk}:{plan.version}", f"{last.pk}:{last.version}"}

    done = client.post(url, {**selected, "seen": seen}, follow=True)
    plan.refresh_from_db()
    assert plan.current_phase.order == 2
    messages = [str(m) for m in done.context["messages"]]
    assert "1 plan advanced." in messages and any("This is the last phase" in m for m in messages)

    # The same confirmation sent again (a double click, a reload): the plan moved since, so it stays.
    again = client.post(url, {**selected, "seen": seen}, follow=True)
    plan.refresh_from_db()
    assert plan.current_phase.order == 2
    assert any("so it was not advanced" in str(m) for m in again.context["messages"])


@pytest.mark.parametrize("seen", ["", "x", "1:2:3", ",,,", "-1:1", "99999999999999999999:1", "1:99999999999"])
def test_admin_advance_action_with_a_broken_confirmation_moves_nothing(client_for, people, plan, seen):
    response = client_for("clinician").post(
        reverse("admin:rehab_plan_changelist"),
        {"action": "advance_phase", "_selected_action": [plan.pk], "seen": seen},
        follow=True,
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.current_phase.order == 1


def test_admin_shipped_template_is_read_only_for_clinicians(client_for, people, template):
    client = client_for("clinician")
    url = reverse("admin:rehab_plantemplate_change", args=[template.pk])
    client.post(url, {"name": "Hacked", "slug": template.slug})
    template.refresh_from_db()
    assert template.name != "Hacked"
    client.post(
        reverse("admin:rehab_plantemplate_changelist"),
        {"action": "duplicate", "_selected_action": [template.pk]},
    )
    copy = template.__class__.objects.get(clinic=people.clinic)
    assert copy.phases.count() == 3


def test_review_page_links_to_assign_once_a_condition_is_confirmed(client_for, people):
    from tests.factories import IntakeFactory
    from triage.models import Condition
    from triage.services import intake_review

    intake = IntakeFactory(athlete=people.athlete_a)
    client = client_for("clinician")
    assign_url = reverse("rehab:plan_assign", args=[people.athlete_a.pk])
    assert assign_url not in client.get(intake.get_review_url()).content.decode()
    intake_review(
        intake=intake, by=people.clinician.user, condition=Condition.objects.get(code="it_band_syndrome")
    )
    assert assign_url in client.get(intake.get_review_url()).content.decode()


@pytest.mark.parametrize("per_phase", [2, 12])
def test_plan_and_tailor_pages_query_count_is_constant(
    client_for, people, per_phase, django_assert_max_num_queries
):
    template = PlanTemplateFactory(phases=4, phases__exercises_per_phase=per_phase)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=date(2026, 11, 2)
    )
    client = client_for("clinician")
    # The plan page's coach panel and history add two: the coach's requests, the running changes; the
    # navigation one, its unread messages; the questionnaires card one, the plan's schedules.
    for url in (plan.get_absolute_url(), reverse("rehab:phase_edit", args=[plan.pk, plan.current_phase_id])):
        with django_assert_max_num_queries(13):
            assert client.get(url).status_code == 200
