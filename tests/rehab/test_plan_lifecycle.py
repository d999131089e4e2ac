"""Building and changing plans in the portal: a plan from scratch, saving a plan as a clinic protocol,
cancelling with a reason, the engine's advice as the plan page's primary action, and editing an athlete."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry as LogEntry
from portal.services import anonymise_athlete
from rehab import selectors, services
from rehab.models import PhaseChange, PhaseTemplate, Plan, PlanPhase, PlanTemplate
from tests.access import LOGIN, PERSONAS, assert_outcome
from tests.factories import AthleteFactory, PlanTemplateFactory

TODAY = timezone.localdate


@pytest.fixture
def template(people):
    return PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)


@pytest.fixture
def plan(people, template):
    return services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=TODAY() - timedelta(days=10),
    )


def text(response) -> str:
    """The page's visible text, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- who may open the new pages -------------------------------------------------------------------------------

# Columns: anonymous, athlete_a, athlete_b, clinician, other_clinician, superuser.
ACCESS = {
    "cancel GET": ("get", lambda p, plan: reverse("rehab:plan_cancel", args=[plan.pk]),
                   [LOGIN, 403, 403, 200, 404, 200]),
    "cancel POST": ("post", lambda p, plan: reverse("rehab:plan_cancel", args=[plan.pk]),
                    [LOGIN, 403, 403, 200, 404, 200]),
    "save GET": ("get", lambda p, plan: reverse("rehab:plan_save_template", args=[plan.pk]),
                 [LOGIN, 403, 403, 200, 404, 200]),
    "save POST": ("post", lambda p, plan: reverse("rehab:plan_save_template", args=[plan.pk]),
                  [LOGIN, 403, 403, 200, 404, 200]),
    "edit GET": ("get", lambda p, plan: reverse("athlete_edit", args=[p.athlete_a.pk]),
                 [LOGIN, 403, 403, 200, 404, 200]),
    "edit POST": ("post", lambda p, plan: reverse("athlete_edit", args=[p.athlete_a.pk]),
                  [LOGIN, 403, 403, 200, 404, 200]),
}  # fmt: skip


@pytest.mark.parametrize("page", list(ACCESS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_the_new_pages(client_for, people, plan, page, persona):
    method, url, expected = ACCESS[page]
    response = getattr(client_for(persona), method)(url(people, plan))  # an empty POST: a form error at most
    assert_outcome(response, expected[PERSONAS.index(persona)])
    assert Plan.objects.get(pk=plan.pk).status == "active"


def test_outsiders_change_nothing_with_a_full_post(client_for, people, plan):
    for persona in ("athlete_a", "other_clinician", "anonymous"):
        client = client_for(persona)
        client.post(reverse("rehab:plan_cancel", args=[plan.pk]), {"reason": "x", "version": plan.version})
        client.post(reverse("rehab:plan_save_template", args=[plan.pk]), {"name": f"By {persona}"})
        client.post(
            reverse("athlete_edit", args=[people.athlete_a.pk]), {"first_name": "X", "last_name": "Y"}
        )
    assert Plan.objects.get(pk=plan.pk).status == "active"
    assert not PlanTemplate.objects.filter(name__startswith="By ").exists()
    assert type(people.athlete_a).objects.get(pk=people.athlete_a.pk).first_name == "Anna"


# --- a plan from scratch --------------------------------------------------------------------------------------


def test_an_empty_plan_starts_with_the_phases_asked_for_and_the_engine_runs_on_it(people):
    plan = services.plan_start_blank(
        athlete=people.athlete_a, by=people.clinician.user, start=TODAY() - timedelta(days=9),
        name="Return to running", phases=3, goal="Parkrun in May",
    )  # fmt: skip
    phases = list(plan.phases.order_by("order"))
    assert [p.name for p in phases] == ["Phase 1", "Phase 2", "Phase 3"]
    assert [p.label for p in phases] == ["Phase 1", "Phase 2", "Phase 3"]  # never "Phase 1: Phase 1"
    assert plan.template is None and plan.current_phase == phases[0] and plan.status == "active"
    assert phases[0].started_on == TODAY() - timedelta(days=9)
    start = PhaseChange.objects.get(plan=plan)
    assert start.kind == "start" and start.reason_code == "plan_started_blank"
    assert start.reason_text == "Started as an empty plan, built by the clinician."
    # The engine: a log, the caseload status and the athlete's pages work on a plan without a protocol.
    services.log_save(athlete=people.athlete_a, day=TODAY(), data={"pain_during": 1, "pain_after": 1})
    _, snap = services.status_snapshots([people.athlete_a], TODAY())[people.athlete_a.pk]
    assert snap.recommendation is not None
    services.status_refresh([people.athlete_a])
    assert people.athlete_a.rehab_status.plan_id == plan.pk


def test_the_athlete_sees_an_empty_plan(client_for, people):
    services.plan_start_blank(
        athlete=people.athlete_a, by=people.clinician.user, start=TODAY(), name="Build up"
    )
    client = client_for("athlete_a")
    assert client.get(reverse("rehab:athlete_today")).status_code == 200
    assert "Build up" in text(client.get(reverse("rehab:my_plan")))
    assert client.get(reverse("rehab:log_today")).status_code == 200


@pytest.mark.parametrize("phases", [0, 13])
def test_an_empty_plan_refuses_a_phase_count_out_of_range(people, phases):
    with pytest.raises(ValidationError):
        services.plan_start_blank(athlete=people.athlete_a, by=people.clinician.user, start=TODAY(), name="X",
                                  phases=phases)  # fmt: skip
    assert not Plan.objects.exists()


def test_the_assign_page_starts_an_empty_plan(client_for, people):
    client = client_for("clinician")
    url = reverse("rehab:plan_assign", args=[people.athlete_a.pk])
    page = client.get(url)
    assert "An empty plan, built from scratch" in page.content.decode()
    response = client.post(url, {"template": "blank", "name": "Hip rebuild", "phases": "2",
                                 "start_date": TODAY().isoformat()})  # fmt: skip
    plan = Plan.objects.get(athlete=people.athlete_a)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.name == "Hip rebuild" and plan.phases.count() == 2 and plan.template is None
    detail = text(client.get(plan.get_absolute_url()))
    assert "built from scratch" in detail and "No exercises yet: add them with “Tailor”." in detail


def test_an_empty_plan_needs_a_name_and_a_sensible_phase_count(client_for, people):
    client = client_for("clinician")
    url = reverse("rehab:plan_assign", args=[people.athlete_a.pk])
    nameless = client.post(url, {"template": "blank", "start_date": TODAY().isoformat()})
    assert nameless.status_code == 200 and "Give the empty plan a name" in text(nameless)
    too_many = client.post(
        url, {"template": "blank", "name": "X", "phases": "40", "start_date": TODAY().isoformat()}
    )
    assert too_many.status_code == 200 and "Choose at most 12 phases." in text(too_many)
    assert not Plan.objects.exists()


def test_a_protocol_plan_may_be_renamed_when_assigned(client_for, people, template):
    client = client_for("clinician")
    url = reverse("rehab:plan_assign", args=[people.athlete_a.pk])
    client.post(url, {"template": template.pk, "name": "Anna's hip plan", "start_date": TODAY().isoformat()})
    assert Plan.objects.get(athlete=people.athlete_a).name == "Anna's hip plan"


# --- copy slip: the refusal of a second plan is said once --------------------------------------------------


def test_a_second_plan_is_refused_with_one_message(client_for, people, plan, template):
    client = client_for("clinician")
    url = reverse("rehab:plan_assign", args=[people.athlete_a.pk])
    page = text(client.get(url))
    # The page says so before anything is filled in, with the way to the current plan, and offers no form.
    assert page.count("already has an active plan") == 1 and "Open the current plan" in page
    assert "Assign and tailor" not in page
    refused = text(client.post(url, {"template": template.pk, "start_date": TODAY().isoformat()}))
    assert refused.count("already has an active plan") == 1
    assert Plan.objects.filter(athlete=people.athlete_a).count() == 1


# --- copy slip: "Phase 3: Phase 3" -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order,name,label,bare",
    [
        (
            3,
            "Phase 3: continuous easy jogging",
            "Phase 3: continuous easy jogging",
            "continuous easy jogging",
        ),
        (3, "Phase 3", "Phase 3", ""),
        (2, "Walk/jog", "Phase 2: Walk/jog", "Walk/jog"),
        (2, "Phase two", "Phase two", "Phase two"),
    ],
)
def test_a_phase_label_never_repeats_the_phase(order, name, label, bare):
    phase = PlanPhase(order=order, name=name)
    assert phase.label == label and phase.bare_name == bare


def test_the_portal_never_shows_phase_n_twice(client_for, people, template):
    PhaseTemplate.objects.filter(template=template, order=2).update(name="Phase 2: walk/jog intervals")
    plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                start=TODAY())  # fmt: skip
    client = client_for("clinician")
    moved = client.post(reverse("rehab:plan_move", args=[plan.pk]), {"action": "advance", "version": plan.version},
                        follow=True)  # fmt: skip
    pages = [text(moved), text(client.get(reverse("athlete_detail", args=[people.athlete_a.pk])))]
    for page in pages:
        assert "Phase 2: walk/jog intervals" in page
        assert not re.search(r"phase 2\W+phase 2", page, re.IGNORECASE), page
    assert "Now in Phase 2: walk/jog intervals." in pages[0]


@pytest.mark.parametrize(
    "name,heading",
    [
        ("Phase 1: brisk incline walking", "Phase 1 of 3: brisk incline walking"),
        ("Phase 1", "Phase 1 of 3"),
        ("Settle the hip", "Phase 1 of 3: Settle the hip"),
    ],
)
def test_the_athletes_plan_names_the_phase_once(client_for, people, template, name, heading):
    PhaseTemplate.objects.filter(template=template, order=1).update(name=name)
    services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user, start=TODAY())
    html = client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    assert re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip() == heading


# --- save as a clinic protocol -----------------------------------------------------------------------------


def test_a_plan_saved_as_a_protocol_belongs_to_the_clinic_only(client_for, people, plan):
    phase = plan.phases.get(order=2)
    phase.name, phase.min_days = "Tailored phase", 12
    phase.save()
    client = client_for("clinician")
    url = reverse("rehab:plan_save_template", args=[plan.pk])
    assert "Save as clinic protocol" in client.get(plan.get_absolute_url()).content.decode()
    response = client.post(url, {"name": "Riverside hip rebuild"})
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    saved = PlanTemplate.objects.get(name="Riverside hip rebuild")
    assert saved.clinic == people.clinic and saved.slug == "riverside-hip-rebuild"
    phases = list(saved.phases.order_by("order"))
    assert [p.name for p in phases] == [p.name for p in plan.phases.order_by("order")]
    assert phases[1].min_days == 12 and all(p.exercises.count() == 2 for p in phases)
    assert set(saved.conditions.all()) == set(plan.template.conditions.all())
    # The clinic's clinicians can assign it; another clinic never sees it.
    suggested, others = selectors.templates_for_assign(people.coach.user, people.athlete_b)
    assert saved in suggested + others
    assert not PlanTemplate.objects.visible_to(people.other_clinician.user).filter(pk=saved.pk).exists()
    assert not PlanTemplate.objects.visible_to(people.other_athlete.user).filter(pk=saved.pk).exists()
    # The plan itself is untouched.
    assert Plan.objects.get(pk=plan.pk).version == plan.version


@pytest.mark.parametrize("taken", ["Riverside hip rebuild", "  riverside HIP rebuild "])
def test_a_protocol_name_already_used_is_a_clear_error(client_for, people, plan, taken):
    PlanTemplateFactory(clinic=people.clinic, name="Riverside hip rebuild", phases=1)
    client = client_for("clinician")
    response = client.post(reverse("rehab:plan_save_template", args=[plan.pk]), {"name": taken})
    page = text(response)
    assert response.status_code == 200
    # In the summary at the top, linked to the field, and under the field itself.
    assert "There is a problem" in page and page.count("Your clinic already has a protocol called") == 2
    assert re.search(
        r'<input[^>]*name="name"[^>]*is-invalid|<input[^>]*is-invalid[^>]*name="name"',
        response.content.decode(),
    )
    assert PlanTemplate.objects.filter(name__iexact="riverside hip rebuild").count() == 1


def test_a_shipped_protocol_name_is_taken_too_but_another_clinics_is_not(client_for, people, plan, template):
    client = client_for("clinician")
    url = reverse("rehab:plan_save_template", args=[plan.pk])
    shipped = client.post(url, {"name": template.name})
    assert shipped.status_code == 200 and "already has a protocol called" in text(shipped)
    PlanTemplateFactory(clinic=people.other_clinic, name="Hilltop favourite", phases=1)
    assert client.post(url, {"name": "Hilltop favourite"}).status_code == 302
    assert PlanTemplate.objects.filter(name="Hilltop favourite", clinic=people.clinic).exists()


def test_a_protocol_needs_a_name(client_for, people, plan):
    response = client_for("clinician").post(
        reverse("rehab:plan_save_template", args=[plan.pk]), {"name": "  "}
    )
    assert response.status_code == 200 and "Give the protocol a name." in text(response)
    assert not PlanTemplate.objects.filter(clinic=people.clinic).exists()


def test_an_empty_plan_saved_as_a_protocol_can_be_assigned_again(client_for, people):
    blank = services.plan_start_blank(athlete=people.athlete_a, by=people.clinician.user, start=TODAY(),
                                      name="Scratch", phases=2)  # fmt: skip
    saved = services.plan_save_as_template(plan=blank, clinic=people.clinic, name="Scratch protocol")
    again = services.plan_assign(
        athlete=people.athlete_b, template=saved, by=people.clinician.user, start=TODAY()
    )
    assert again.phases.count() == 2 and again.template == saved


def test_nothing_about_the_athlete_is_copied_into_a_clinic_protocol(people, template):
    template.summary = "Graded return to running after a hip injury."
    template.save()
    PhaseTemplate.objects.filter(template=template, order=2).update(run_note="Soft surfaces where you can.")
    plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                start=TODAY(), goal="Run the Helsinki Half in May pain-free")  # fmt: skip
    one, two, three = plan.phases.order_by("order")
    one.pain_note = "Flat routes only until the hip settles."  # tailored, but about no one: kept
    one.goal = "Anna walks to work pain-free"
    one.save()
    two.run_note, two.name = "Anna: stay off the hills before the Helsinki Half", "Anna's walk/jog"
    two.save()
    three.exit_criteria = "Ready when Aalto says so"
    three.save()
    row = two.exercises.order_by("order").first()
    row.note = "Left side only (Anna)"
    row.save()
    saved = services.plan_save_as_template(plan=plan, clinic=people.clinic, name="Riverside hip")
    assert saved.summary == "Graded return to running after a hip injury."  # the protocol's, not the goal
    copied = list(saved.phases.order_by("order"))
    assert copied[0].pain_note == "Flat routes only until the hip settles." and copied[0].goal == "Goal 1"
    assert copied[1].run_note == "Soft surfaces where you can." and copied[1].name == "Phase 2"
    assert copied[2].exit_criteria == ""
    assert copied[1].exercises.order_by("order").first().note == ""
    texts = [saved.name, saved.summary] + [
        getattr(p, name) for p in copied for name in ("name", "goal", "pain_note", "run_note", "exit_criteria")
    ] + [ex.note for p in copied for ex in p.exercises.all()]  # fmt: skip
    assert not [t for t in texts if "Anna" in t or "Aalto" in t or "Helsinki" in t]


def test_a_plan_from_scratch_saved_as_a_protocol_has_no_summary(people):
    blank = services.plan_start_blank(athlete=people.athlete_a, by=people.clinician.user, start=TODAY(),
                                      name="Scratch", phases=1, goal="Back to parkrun by June")  # fmt: skip
    saved = services.plan_save_as_template(plan=blank, clinic=people.clinic, name="Scratch protocol")
    assert saved.summary == ""


# --- cancelling -------------------------------------------------------------------------------------------------


def test_cancelling_needs_a_reason(client_for, people, plan):
    client = client_for("clinician")
    url = reverse("rehab:plan_cancel", args=[plan.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Why is the plan cancelled?" in text(page)
    response = client.post(url, {"reason": "   ", "version": plan.version})
    assert response.status_code == 200 and "Say why the plan is cancelled." in text(response)
    assert Plan.objects.get(pk=plan.pk).status == "active"


def test_a_cancelled_plan_shows_its_reason_and_the_athlete_no_longer_sees_it(client_for, people, plan):
    client = client_for("clinician")
    response = client.post(reverse("rehab:plan_cancel", args=[plan.pk]),
                           {"reason": "Surgery booked: referred on.", "version": plan.version})  # fmt: skip
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    cancelled = Plan.objects.get(pk=plan.pk)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "Surgery booked: referred on."
    assert cancelled.cancelled_by == people.clinician.user and cancelled.version == plan.version + 1
    change = PhaseChange.objects.filter(plan=plan).first()
    assert change.kind == "cancel" and change.reason == "Surgery booked: referred on."
    assert change.by == people.clinician.user
    # Audited like every plan change: the status change is in the audit trail, with who made it.
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Plan), object_id=plan.pk)
    assert any("cancelled" in str(e.changes) and e.actor == people.clinician.user for e in entries)
    detail = text(client.get(plan.get_absolute_url()))
    assert "Reason: Surgery booked: referred on." in detail
    assert "Plan cancelled during" in detail and "Cancel plan…" not in detail and "Make active" not in detail
    timeline = text(client.get(reverse("rehab:timeline", args=[people.athlete_a.pk])))
    assert "was cancelled on" in timeline and "Reason: Surgery booked: referred on." in timeline
    assert selectors.current_plan_for(people.athlete_a) is None
    athlete = client_for("athlete_a")
    assert plan.name not in text(athlete.get(reverse("rehab:my_plan")))
    assert plan.name not in text(athlete.get(reverse("rehab:athlete_today")))
    # A new plan can be assigned now.
    client = client_for("clinician")
    assert "Assign and tailor" in text(client.get(reverse("rehab:plan_assign", args=[people.athlete_a.pk])))


def test_cancelling_from_a_stale_page_changes_nothing(client_for, people, plan):
    services.plan_update(plan=plan, by=people.coach.user, goal="Back to 10 km")
    client = client_for("clinician")
    response = client.post(reverse("rehab:plan_cancel", args=[plan.pk]), {"reason": "Done", "version": 1},
                           follow=True)  # fmt: skip
    assert "since you opened the page, so nothing was changed" in text(response)
    assert Plan.objects.get(pk=plan.pk).status == "active"


def test_only_active_or_paused_plans_can_be_cancelled(client_for, people, plan):
    services.plan_set_status(plan=plan, status="completed", by=people.clinician.user)
    with pytest.raises(ValidationError, match="completed: it cannot be cancelled"):
        services.plan_cancel(plan=plan, by=people.clinician.user, reason="Oops")
    response = client_for("clinician").get(reverse("rehab:plan_cancel", args=[plan.pk]), follow=True)
    assert "there is nothing to cancel" in text(response)
    assert Plan.objects.get(pk=plan.pk).status == "completed"


def test_a_paused_plan_can_be_cancelled(people, plan):
    services.plan_set_status(plan=plan, status="paused", by=people.clinician.user)
    services.plan_cancel(plan=plan, by=people.clinician.user, reason="Moved away")
    assert Plan.objects.get(pk=plan.pk).status == "cancelled"


def test_the_status_buttons_cannot_cancel_without_a_reason(client_for, people, plan):
    client_for("clinician").post(reverse("rehab:plan_status", args=[plan.pk]),
                                 {"status": "cancelled", "version": plan.version})  # fmt: skip
    assert Plan.objects.get(pk=plan.pk).status == "active"
    response = client_for("clinician").patch(
        reverse("plan-detail", args=[plan.pk]), {"status": "cancelled"}, content_type="application/json"
    )
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_cancelling_is_refused_for_an_athlete_whose_data_was_deleted(people, plan):
    anonymise_athlete(people.athlete_a, by=people.clinician.user)
    plan = Plan.objects.get(pk=plan.pk)
    if plan.status == "cancelled":  # deleting the personal data ends the ongoing plans already
        return
    with pytest.raises(ValidationError):
        services.plan_cancel(plan=plan, by=people.clinician.user, reason="x")


# --- the plan page: the engine's advice is the primary action ---------------------------------------------------


def _over_the_allowance(people, plan):
    """The plan in phase 2, three sessions over its pain allowance: the engine says step back."""
    services.plan_advance(plan=plan, by=people.clinician.user, today=TODAY() - timedelta(days=5))
    plan.refresh_from_db()
    for days_ago in (3, 2, 1):
        services.log_save(athlete=people.athlete_a, day=TODAY() - timedelta(days=days_ago),
                          data={"run_minutes": 20, "pain_during": 4, "pain_after": 4, "pain_next_morning": 0})  # fmt: skip


def primary_buttons(response) -> list[str]:
    html = response.content.decode()
    return [
        re.sub(r"\s+", " ", label).strip()
        for label in re.findall(
            r'<button class="btn (?:btn-sm )?btn-(?:primary|danger)"[^>]*>(.*?)</button>', html
        )
    ]


def test_the_plan_page_makes_the_engines_step_back_the_primary_action(client_for, people, plan):
    _over_the_allowance(people, plan)
    page = client_for("clinician").get(plan.get_absolute_url())
    assert "Progression engine recommends" in text(page) and "above the allowance" in text(page)
    assert primary_buttons(page) == ["Step back one phase"]
    assert 'class="btn btn-sm btn-primary" name="action" value="advance"' not in page.content.decode()
    assert (
        'action="{}"'.format(reverse("rehab:recommendation_apply", args=[plan.pk])) in page.content.decode()
    )


def test_the_plan_page_has_no_primary_move_when_the_engine_says_hold(client_for, people, plan):
    page = client_for("clinician").get(plan.get_absolute_url())
    assert "Progression engine recommends" in text(page) and "Hold" in text(page)
    assert primary_buttons(page) == []
    assert "Advance a phase →" in text(page)  # still there, as a secondary button


def test_a_paused_plan_shows_no_recommendation(client_for, people, plan):
    services.plan_set_status(plan=plan, status="paused", by=people.clinician.user)
    assert "Progression engine recommends" not in text(client_for("clinician").get(plan.get_absolute_url()))


@pytest.mark.parametrize("phases,per_phase", [(2, 1), (6, 8)])
def test_the_plan_page_reads_a_fixed_number_of_queries(client_for, people, phases, per_phase,
                                                       django_assert_max_num_queries):  # fmt: skip
    template = PlanTemplateFactory(phases=phases, phases__exercises_per_phase=per_phase)
    plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                start=TODAY() - timedelta(days=12))  # fmt: skip
    _over_the_allowance(people, plan)
    client = client_for("clinician")
    # 10, the coach's requests and running changes, unread messages, the plan's questionnaires
    with django_assert_max_num_queries(14):
        assert client.get(plan.get_absolute_url()).status_code == 200
    for url in (
        reverse("rehab:plan_cancel", args=[plan.pk]),
        reverse("rehab:plan_save_template", args=[plan.pk]),
    ):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
    services.plan_cancel(plan=plan, by=people.clinician.user, reason="Referred")
    with django_assert_max_num_queries(12):
        assert client.get(plan.get_absolute_url()).status_code == 200


def test_saving_a_protocol_reads_a_fixed_number_of_queries(client_for, people, django_assert_max_num_queries):
    counts = []
    for phases, per_phase in ((2, 1), (6, 6)):
        athlete = AthleteFactory(clinic=people.clinic)
        template = PlanTemplateFactory(phases=phases, phases__exercises_per_phase=per_phase)
        plan = services.plan_assign(
            athlete=athlete, template=template, by=people.clinician.user, start=TODAY()
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client_for("clinician")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("rehab:plan_save_template", args=[plan.pk]), {"name": f"Saved {phases}"}
            )
        assert response.status_code == 302
        counts.append([q["sql"][:120] for q in queries.captured_queries])
    import difflib

    assert len(counts[0]) == len(counts[1]), "\n".join(
        difflib.unified_diff(counts[0], counts[1], lineterm="")
    )


def test_the_timeline_lists_cancelled_plans_in_a_fixed_number_of_queries(client_for, people, template,
                                                                         django_assert_max_num_queries):  # fmt: skip
    client = client_for("clinician")
    url = reverse("rehab:timeline", args=[people.athlete_a.pk])
    with django_assert_max_num_queries(40) as before:
        client.get(url)
    for n in range(3):
        plan = services.plan_assign(athlete=people.athlete_a, template=template, by=people.clinician.user,
                                    start=TODAY())  # fmt: skip
        services.plan_cancel(plan=plan, by=people.clinician.user, reason=f"Reason {n}")
    with django_assert_max_num_queries(len(before) + 1):
        page = text(client.get(url))
    assert all(f"Reason: Reason {n}" in page for n in range(3))


# --- editing an athlete's details ----------------------------------------------------------------------------


def test_the_athlete_page_links_to_editing_the_details(client_for, people):
    page = client_for("clinician").get(reverse("athlete_detail", args=[people.athlete_a.pk])).content.decode()
    assert reverse("athlete_edit", args=[people.athlete_a.pk]) in page and "Edit details" in page


def test_a_clinician_edits_the_date_of_birth_and_goal(client_for, people, django_assert_max_num_queries):
    client = client_for("clinician")
    url = reverse("athlete_edit", args=[people.athlete_a.pk])
    with django_assert_max_num_queries(8):
        page = client.get(url)
    assert "Edit Anna Aalto's details" in text(page)
    response = client.post(url, {
        "first_name": "Anna", "last_name": "Aalto", "date_of_birth": "1990-04-02", "sex": "female",
        "weekly_km": "35", "years_running": "8", "goal_event": "Helsinki Half", "goal_date": "2027-05-16",
    })  # fmt: skip
    assert response.status_code == 302 and response.url == people.athlete_a.get_absolute_url()
    athlete = type(people.athlete_a).objects.get(pk=people.athlete_a.pk)
    assert athlete.date_of_birth == date(1990, 4, 2) and athlete.goal_event == "Helsinki Half"
    assert athlete.email == people.athlete_a.email  # a login's address is not the care team's to change
    assert LogEntry.objects.filter(object_id=athlete.pk, actor=people.clinician.user).exists()


def test_editing_an_athlete_refuses_bad_input_with_field_errors(client_for, people):
    future = (TODAY() + timedelta(days=3)).isoformat()
    response = client_for("clinician").post(
        reverse("athlete_edit", args=[people.athlete_a.pk]),
        {"first_name": "", "last_name": "Aalto", "date_of_birth": future, "weekly_km": "-5"},
    )
    page = unescape(text(response))
    assert response.status_code == 200
    assert "The date of birth cannot be in the future." in page and "Enter the athlete's first name." in page
    assert "Weekly distance can't be negative." in page and "This field is required." not in page
    assert type(people.athlete_a).objects.get(pk=people.athlete_a.pk).first_name == "Anna"


def test_the_email_is_editable_until_the_athlete_has_a_login(client_for, people):
    newcomer = AthleteFactory(clinic=people.clinic, first_name="Nia", last_name="New", email="")
    AthleteFactory(clinic=people.clinic, email="taken@example.com")
    client = client_for("clinician")
    url = reverse("athlete_edit", args=[newcomer.pk])
    assert 'name="email"' in client.get(url).content.decode()
    assert (
        'name="email"' not in client.get(reverse("athlete_edit", args=[people.athlete_a.pk])).content.decode()
    )
    taken = client.post(url, {"first_name": "Nia", "last_name": "New", "email": "Taken@example.com"})
    assert "Another athlete in the clinic has this email address." in text(taken)
    client.post(url, {"first_name": "Nia", "last_name": "New", "email": " Nia@Example.com "})
    assert type(newcomer).objects.get(pk=newcomer.pk).email == "nia@example.com"


def test_an_anonymised_athlete_cannot_be_edited(client_for, people):
    anonymise_athlete(people.athlete_b, by=people.clinician.user)
    client = client_for("clinician")
    response = client.post(reverse("athlete_edit", args=[people.athlete_b.pk]),
                           {"first_name": "Back", "last_name": "Again"}, follow=True)  # fmt: skip
    assert "can no longer be changed" in text(response)
    assert type(people.athlete_b).objects.get(pk=people.athlete_b.pk).first_name != "Back"


@pytest.mark.parametrize("url", ["athlete_add", "athlete_edit"])
def test_the_clinicians_athlete_forms_speak_about_the_athlete(client_for, people, url):
    args = [people.athlete_a.pk] if url == "athlete_edit" else []
    page = text(client_for("clinician").get(reverse(url, args=args)))
    assert "Your normal week" not in page
    assert "The athlete's usual weekly distance before the pain started." in page


def test_the_athletes_own_profile_still_speaks_to_them(client_for, people):
    assert "Your normal week before the pain started." in text(
        client_for("athlete_a").get(reverse("my_profile"))
    )


# --- the API's cancel action -----------------------------------------------------------------------------------


def test_the_api_cancels_a_plan_with_a_reason(client_for, people, plan):
    url = reverse("plan-cancel", args=[plan.pk])
    body = {"reason": "Moved to another city.", "version": plan.version}
    assert client_for("athlete_a").post(url, body, content_type="application/json").status_code == 403
    assert client_for("other_clinician").post(url, body, content_type="application/json").status_code == 404
    client = client_for("clinician")
    empty = client.post(url, {}, content_type="application/json")
    assert empty.status_code == 400 and "reason" in empty.json()["errors"]
    stale = client.post(url, {**body, "version": plan.version + 5}, content_type="application/json")
    assert stale.status_code == 409
    assert Plan.objects.get(pk=plan.pk).status == "active"
    done = client.post(url, body, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["status"] == "cancelled" and done.json()["cancel_reason"] == "Moved to another city."
    assert done.json()["history"][0]["kind"] == "cancel"
    again = client.post(url, {"reason": "Twice"}, content_type="application/json")
    assert again.status_code == 400 and "cannot be cancelled" in str(again.json())


def test_a_completed_plans_page_offers_no_more_changes_and_names_its_last_phase(client_for, people, plan):
    url = reverse("rehab:plan_detail", args=[plan.pk])
    client = client_for("clinician")
    page = text(client.get(url))
    assert "current" in page and "Tailor" in page and "Save the coach’s limits" in page
    services.plan_set_status(plan=plan, status="completed", by=people.clinician.user)
    page = text(client.get(url))
    assert "last phase" in page and " current " not in f" {page} "
    assert "Tailor" not in page and "Save the coach’s limits" not in page
    assert "Discharge report" in page and "Make active" in page  # still there: the report, and undoing it
