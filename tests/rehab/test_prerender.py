"""Printed programs rendered in the background: after a plan, exercise or clinic change the next download of the
program is a cache hit (rehab/tasks/prints.py, rehab.pdf.hep_prerender).

Jobs are held (`jobs`) and run as a worker would, after the change committed (`committed`): the render reads
the committed change. The renderer is a stub that prints what a stale copy would get wrong (version, phase,
dosage); one test renders for real.
"""

import io
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse
from pypdf import PdfReader

from library import services as library_services
from portal.models import Clinic, Clinician
from rehab import pdf, services
from rehab.models import Plan
from rehab.tasks import prints
from tests.factories import AthleteFactory, ExerciseFactory, PlanTemplateFactory
from tests.rehab.test_views import tailor_data

START = date(2026, 11, 2)


def stub_render(plan, *, phase=None, paper="A4"):
    phase = pdf.phase_for(plan, phase)
    reps = [row.reps for row in phase.exercises.order_by("order")]
    return f"%PDF v{plan.version} phase {phase.order} reps {reps} {paper}".encode()


@pytest.fixture
def renders():
    with mock.patch.object(pdf, "render_hep", side_effect=stub_render) as spy:
        yield spy


@pytest.fixture
def committed(jobs, django_capture_on_commit_callbacks):
    """Run the held jobs as a worker does once the change has committed."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            jobs.run()

    return run


def from_the_cache():
    """Any render inside fails the test: the download must come from the cache."""
    return mock.patch.object(pdf, "render_hep", side_effect=AssertionError("rendered at download time"))


@pytest.fixture
def template():
    return PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)


def assign(athlete, template, by):
    return services.plan_assign(athlete=athlete, template=template, by=by, start=START)


def fresh(plan) -> Plan:
    return Plan.objects.select_related("athlete", "current_phase").get(pk=plan.pk)


def print_page(client, plan) -> bytes:
    response = client.get(reverse("rehab:plan_print", args=[plan.pk]))
    assert response.status_code == 200
    return response.content


# Plan changes


def test_a_new_plan_is_printed_from_the_cache(client_for, people, template, jobs, committed, renders):
    plan = assign(people.athlete_a, template, people.clinician.user)
    assert jobs.names().count("rehab.prerender_plan") == 1
    committed()
    assert renders.call_count == 1

    with from_the_cache():
        assert print_page(client_for("athlete_a"), plan) == b"%PDF v1 phase 1 reps [10, 10] A4"
        assert pdf.hep_pdf(fresh(plan)) == b"%PDF v1 phase 1 reps [10, 10] A4"


def test_after_tailoring_the_download_is_the_tailored_program(
    client_for, people, template, jobs, committed, renders
):
    plan = assign(people.athlete_a, template, people.clinician.user)
    committed()
    phase = plan.current_phase
    response = client_for("clinician").post(
        reverse("rehab:phase_edit", args=[plan.pk, phase.pk]), tailor_data(plan, phase, **{"2-DELETE": "on"})
    )
    assert response.status_code == 302
    assert "rehab.prerender_plan" in jobs.names()
    committed()

    with from_the_cache():
        assert print_page(client_for("athlete_a"), plan) == b"%PDF v2 phase 1 reps [12, 12] A4"


def test_after_an_advance_the_download_is_the_new_phase(
    client_for, people, template, jobs, committed, renders
):
    plan = assign(people.athlete_a, template, people.clinician.user)
    committed()
    services.plan_advance(plan=fresh(plan), by=people.clinician.user, reason="Ready")
    committed()
    assert renders.call_count == 2

    with from_the_cache():
        assert print_page(client_for("clinician"), plan) == b"%PDF v2 phase 2 reps [10, 10] A4"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda plan, by: services.plan_touch(plan, by=by), id="touch (admin forms)"),
        pytest.param(lambda plan, by: services.plan_update(plan=plan, by=by, name="Hip plan"), id="update"),
        pytest.param(
            lambda plan, by: services.plan_update(plan=plan, by=by, seen=plan.version, goal="10 km"),
            id="update with the version seen",
        ),
        pytest.param(
            lambda plan, by: services.plan_set_status(plan=plan, status="paused", by=by), id="pause"
        ),
    ],
)
def test_every_new_version_enqueues_its_render(people, template, jobs, change):
    plan = assign(people.athlete_a, template, people.clinician.user)
    jobs.sent.clear()
    version = plan.version
    change(plan, people.clinician.user)
    assert fresh(plan).version == version + 1
    assert [args for name, args, _ in jobs.sent if name == "rehab.prerender_plan"] == [(plan.pk,)]


def test_a_refused_change_renders_nothing(people, template, jobs, committed, renders):
    plan = assign(people.athlete_a, template, people.clinician.user)
    committed()
    with pytest.raises(services.PlanChanged):
        services.plan_update(plan=fresh(plan), by=people.clinician.user, seen=0, name="Stale")
    committed()
    assert renders.call_count == 1


# The job itself


def test_prerendering_twice_renders_once_and_a_new_version_renders_again(people, template, renders):
    plan = assign(people.athlete_a, template, people.clinician.user)  # its own job waits for a commit
    with mock.patch.object(prints.transaction, "on_commit", side_effect=lambda work: work()):
        prints.prerender_plan(plan.pk)
        prints.prerender_plan(plan.pk)
        assert renders.call_count == 1
        Plan.objects.filter(pk=plan.pk).update(version=7)
        prints.prerender_plan(plan.pk)
    assert renders.call_count == 2
    assert pdf.hep_pdf(fresh(plan)) == b"%PDF v7 phase 1 reps [10, 10] A4"
    assert renders.call_count == 2


@pytest.mark.parametrize(
    ("status", "rendered"),
    [("active", True), ("paused", True), ("completed", False), ("cancelled", False)],
)
def test_only_programs_someone_may_still_print_are_rendered(people, template, renders, status, rendered):
    plan = assign(people.athlete_a, template, people.clinician.user)
    Plan.objects.filter(pk=plan.pk).update(status=status)
    with mock.patch.object(prints.transaction, "on_commit", side_effect=lambda work: work()):
        prints.prerender_plans([plan.pk])
    assert renders.call_count == int(rendered)


def test_a_plan_without_phases_or_gone_is_skipped(people, renders):
    empty = Plan.objects.create(athlete=people.athlete_a, name="Empty", start_date=START)
    with mock.patch.object(prints.transaction, "on_commit", side_effect=lambda work: work()):
        prints.prerender_plans([empty.pk, 10**9])
    assert renders.call_count == 0


def test_the_job_waits_for_the_change_to_commit(
    people, template, renders, django_capture_on_commit_callbacks
):
    """Run at once inside the change (as the test suite runs jobs), it must not cache a half-made change."""
    plan = assign(people.athlete_a, template, people.clinician.user)
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        prints.prerender_plan(plan.pk)
    assert renders.call_count == 0 and len(waiting) == 1


def test_the_real_prerendered_program_is_what_the_page_serves(client_for, people, template, jobs, committed):
    plan = assign(people.athlete_a, template, people.clinician.user)
    with mock.patch.object(pdf, "render_hep", wraps=pdf.render_hep) as spy:
        committed()
    assert spy.call_count == 1
    with from_the_cache():
        data = print_page(client_for("athlete_a"), plan)
    assert "Anna Aalto" in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# Exercise and clinic changes fan out to the plans that print them


def test_an_exercise_change_renders_the_active_programs_that_show_it(
    people, template, jobs, committed, renders
):
    exercise = template.phases.get(order=1).exercises.first().exercise
    shown = assign(people.athlete_a, template, people.clinician.user)
    later = assign(people.athlete_b, template, people.clinician.user)
    services.plan_advance(
        plan=fresh(later), by=people.clinician.user
    )  # its current phase has other exercises
    done = assign(AthleteFactory(clinic=people.clinic), template, people.clinician.user)
    services.plan_set_status(plan=fresh(done), status="completed", by=people.clinician.user)
    committed()
    renders.reset_mock()

    exercise.clinic = people.clinic
    exercise.save()
    library_services.exercise_update(exercise=exercise, by=people.clinician.user, name="Side-lying clam")
    assert jobs.names() == ["rehab.prerender_exercises"]
    committed()

    assert [call.args[0].pk for call in renders.call_args_list] == [shown.pk]
    with from_the_cache():
        pdf.hep_pdf(fresh(shown))


def test_a_new_exercise_renders_nothing(people, jobs):
    library_services.exercise_save(ExerciseFactory.build(clinic=people.clinic))
    assert "rehab.prerender_exercises" not in jobs.names()


def test_the_fan_out_goes_in_chunks(people, template, jobs, monkeypatch):
    monkeypatch.setattr(prints, "PRERENDER_CHUNK", 2)
    plans = [assign(AthleteFactory(clinic=people.clinic), template, people.clinician.user) for _ in range(5)]
    jobs.sent.clear()
    exercise = template.phases.get(order=1).exercises.first().exercise

    assert prints.prerender_exercises([exercise.pk]) == 5
    chunks = [args[0] for name, args, _ in jobs.sent]
    assert jobs.names() == ["rehab.prerender_plans"] * 3
    assert sorted(pk for chunk in chunks for pk in chunk) == sorted(plan.pk for plan in plans)
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]


def test_the_shipped_catalog_reload_renders_programs_of_changed_exercises(people, template, jobs):
    exercise = template.phases.get(order=1).exercises.first().exercise
    exercise.clinic, exercise.slug = None, "clamshell-test"
    exercise.save()
    entries = library_services.catalog_read()
    entry = {**entries[0], "slug": "clamshell-test", "name": "Clamshell, renamed"}
    jobs.sent.clear()

    library_services.catalog_load([entry])
    assert ("rehab.prerender_exercises", ([exercise.pk],), {}) in jobs.sent
    jobs.sent.clear()
    library_services.catalog_load([entry])  # unchanged the second time: nothing to render
    assert "rehab.prerender_exercises" not in jobs.names()


def test_new_clinic_contact_details_render_the_clinics_programs(
    client_for, people, template, jobs, committed, renders
):
    ours = assign(people.athlete_a, template, people.clinician.user)
    assign(people.other_athlete, template, people.other_clinician.user)  # another clinic's: not rendered
    committed()
    renders.reset_mock()
    url = reverse("admin:portal_clinic_change", args=[people.clinic.pk])
    clinic = people.clinic
    body = {"phone": "020 7946 0321", "email": clinic.email, "time_zone": clinic.time_zone}
    # The clinic's details are its manager's to change.
    Clinician.objects.filter(pk=people.clinician.pk).update(is_manager=True)
    client = client_for("clinician")

    response = client.post(url, body)
    assert response.status_code == 302
    assert jobs.names() == ["rehab.prerender_clinic"]
    committed()
    assert [call.args[0].pk for call in renders.call_args_list] == [ours.pk]
    assert Clinic.objects.get(pk=people.clinic.pk).phone == "020 7946 0321"
    with from_the_cache():
        pdf.hep_pdf(fresh(ours))

    client.post(url, body)  # nothing changed
    assert jobs.names() == []
