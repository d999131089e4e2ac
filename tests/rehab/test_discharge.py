"""The discharge report: what it says (phases, questionnaires, tests, pain, what to keep doing), its PDF, the job
that renders it when a plan is completed, and who may download it."""

import io
from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from outcomes import services as outcomes
from rehab import discharge, services
from rehab.models import PhaseChange, Plan
from rehab.services.coach import coach_limits_set
from tests.access import LOGIN, assert_outcome
from tests.factories import PlanTemplateFactory

TODAY = timezone.localdate
DAYS = 70


def text_of(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def pages_of(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def _backdate(change, day) -> None:
    moment = timezone.make_aware(datetime.combine(day, time(9, 0)))
    PhaseChange.objects.filter(pk=change.pk).update(created=moment)


@pytest.fixture
def plan(people):
    """Anna's ten-week plan, in its last phase: three phases of three weeks and a bit."""
    template = PlanTemplateFactory(phases=3, phases__exercises_per_phase=2)
    start = TODAY() - timedelta(days=DAYS)
    plan = services.plan_assign(
        athlete=people.athlete_a, template=template, by=people.clinician.user, start=start
    )
    for order, after in ((2, 21), (3, 42)):
        day = start + timedelta(days=after)
        change = services.plan_move(
            plan=plan, to_phase=plan.phases.get(order=order), by=people.clinician.user, today=day
        )
        _backdate(change, day)
    return Plan.objects.select_related("athlete", "current_phase").get(pk=plan.pk)


def at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


@pytest.fixture
def measured(people, plan):
    """A baseline two days before the start and a follow-up in week 9: questionnaires, tests and some logs."""
    athlete, start = people.athlete_a, plan.start_date
    labels = {"activity_1": "Running 5 km", "activity_2": "Stairs", "activity_3": "Sitting an hour"}
    for day, pain, psfs, squat, strength in (
        (start - timedelta(days=2), 6, (3, 4, 2), (6, 4), 160),
        (start + timedelta(days=60), 1, (8, 9, 7), (12, 1), 196),
    ):
        outcomes.response_save(athlete=athlete, instrument="nprs", answers={"pain": pain}, complete=True,
                               now=at(day))  # fmt: skip
        outcomes.response_save(
            athlete=athlete, instrument="psfs", complete=True, item_labels=labels, now=at(day),
            answers={f"activity_{n}": value for n, value in enumerate(psfs, start=1)},
        )  # fmt: skip
        visit = outcomes.visit_save(athlete=athlete, clinician=people.clinician, on=day)
        outcomes.visit_test_save(visit=visit, test="single_leg_squat", side="right",
                                 values={"reps": squat[0], "pain": squat[1]})  # fmt: skip
        outcomes.visit_test_save(visit=visit, test="hhd_hip_abduction", side="right",
                                 values={"left": 200, "right": strength, "unit": "N"})  # fmt: skip
    for offset, pain in ((0, 4), (2, 5), (4, 3), (63, 1), (65, 0)):
        day = start + timedelta(days=offset)
        services.log_save(athlete=athlete, day=day, data={"pain_during": pain, "pain_after": max(0, pain - 1)},
                          today=day)  # fmt: skip
    return plan


def complete(plan, people):
    return services.plan_set_status(plan=plan, status=Plan.Status.COMPLETED, by=people.clinician.user)


# What the report says


def test_phases_are_listed_with_their_dates_and_lengths(people, plan):
    complete(plan, people)
    report = discharge.report_for(plan)
    start = plan.start_date
    assert report.completed and report.start == start and report.end == TODAY()
    assert report.total_days == DAYS + 1
    assert [(s.order, s.start, s.end, s.days) for s in report.phases] == [
        (1, start, start + timedelta(days=20), 21),
        (2, start + timedelta(days=21), start + timedelta(days=41), 21),
        (3, start + timedelta(days=42), TODAY(), DAYS - 42 + 1),
    ]
    assert sum(s.days for s in report.phases) == report.total_days
    assert report.weeks == "10 weeks 1 day"


def test_a_phase_stepped_back_into_appears_again(people, plan):
    day = plan.start_date + timedelta(days=50)
    change = services.plan_regress(plan=plan, by=people.clinician.user, today=day)
    _backdate(change, day)
    report = discharge.report_for(plan)
    assert [(s.order, s.again) for s in report.phases] == [(1, False), (2, False), (3, False), (2, True)]
    assert report.phases[2].days == 8 and not report.completed


def test_baseline_against_final_with_the_meaningful_change_flag(people, measured):
    complete(measured, people)
    report = discharge.report_for(measured)
    nprs, psfs = report.proms
    assert nprs.code == "nprs" and nprs.baseline_on == measured.start_date - timedelta(days=2)
    assert nprs.final_on == measured.start_date + timedelta(days=60)
    (score,) = nprs.scales
    assert (score.baseline, score.final, score.difference) == (6, 1, -5)
    assert score.improved is True and score.meaningful is True  # lower pain is better; 5 ≥ 2 points
    assert psfs.scales[0].baseline == 3.0 and psfs.scales[0].final == 8.0 and psfs.scales[0].meaningful
    assert [(a.label, a.baseline, a.final) for a in psfs.activities] == [
        ("Running 5 km", 3, 8), ("Stairs", 4, 9), ("Sitting an hour", 2, 7),
    ]  # fmt: skip
    assert "2 points or 30 % of the first score" in nprs.threshold


def test_the_discharge_round_after_completion_counts_but_a_later_plans_intake_does_not(people, plan):
    complete(plan, people)
    end = TODAY() - timedelta(days=20)
    Plan.objects.filter(pk=plan.pk).update(completed_at=at(end))
    plan.refresh_from_db()
    for day, pain, round_ in ((plan.start_date, 6, "intake"), (end + timedelta(days=5), 1, "discharge"),
                              (end + timedelta(days=9), 4, "intake")):  # fmt: skip
        outcomes.response_save(athlete=people.athlete_a, instrument="nprs", answers={"pain": pain},
                               complete=True, round=round_, now=at(day))  # fmt: skip
    report = discharge.report_for(plan)
    assert report.end == end
    (nprs,) = report.proms
    assert nprs.final_on == end + timedelta(days=5) and nprs.scales[0].final == 1
    assert nprs.scales[0].meaningful


def test_the_report_ends_on_the_day_the_plan_was_completed_whatever_changes_later(client_for, people, plan):
    complete(plan, people)
    plan.refresh_from_db()
    assert timezone.localdate(plan.completed_at) == TODAY()
    end = TODAY() - timedelta(days=10)
    Plan.objects.filter(pk=plan.pk).update(completed_at=at(end), updated=at(end))
    plan.refresh_from_db()
    # A week and a half later the physio changes the completed plan (the coach's limits): it moves `updated`.
    coach_limits_set(plan=plan, by=people.clinician.user, seen=None, coach_advance_to=2)
    plan.refresh_from_db()
    assert timezone.localdate(plan.updated) == TODAY()
    report = discharge.report_for(plan)
    assert report.end == end and report.total_days == DAYS - 10 + 1
    page = client_for("clinician").get(reverse("rehab:plan_detail", args=[plan.pk])).content.decode()
    assert f"completed {end:%-d %b %Y}" in page
    athlete_page = client_for("clinician").get(people.athlete_a.get_absolute_url()).content.decode()
    assert f"started {plan.start_date:%-d %b %Y} · completed {end:%-d %b %Y}" in athlete_page
    assert f"since {plan.start_date:%-d %b %Y}" not in athlete_page  # not "Completed since <its start>"


def test_a_completed_plan_made_active_again_is_no_longer_completed(people, plan):
    complete(plan, people)
    services.plan_set_status(plan=plan, status=Plan.Status.ACTIVE, by=people.clinician.user)
    plan.refresh_from_db()
    assert plan.completed_at is None
    assert discharge.end_of(plan) == TODAY()
    complete(plan, people)
    plan.refresh_from_db()
    assert timezone.localdate(plan.completed_at) == TODAY()


def test_a_small_change_is_not_flagged(people, plan):
    athlete = people.athlete_a
    for day, pain in ((plan.start_date, 3), (plan.start_date + timedelta(days=30), 2)):
        outcomes.response_save(athlete=athlete, instrument="psfs", complete=True, now=at(day),
                               answers={"activity_1": pain, "activity_2": pain, "activity_3": pain})  # fmt: skip
    (psfs,) = discharge.report_for(plan).proms
    assert psfs.scales[0].difference == -1 and psfs.scales[0].meaningful is False
    assert psfs.scales[0].improved is False


def test_tests_first_against_latest_with_pass_and_side_to_side(people, measured):
    report = discharge.report_for(measured)
    squat, strength = report.tests
    assert squat.name == "Single-leg squat" and squat.side == "Right"
    assert (squat.first, squat.first_passed) == ("6 reps, pain 4/10", False)
    assert (squat.last, squat.last_passed) == ("12 reps, pain 1/10", True)
    assert squat.pass_mark == "at least 10 reps, pain at most 2/10"
    assert strength.first == "left 200 N, right 160 N: 80 %" and strength.first_passed is False
    assert strength.last == "left 200 N, right 196 N: 98 %" and strength.last_passed is True


def test_weekly_pain_is_the_average_of_each_days_worst_pain(people, measured):
    report = discharge.report_for(measured)
    weeks = report.pain_weeks
    assert len(weeks) == 10  # 71 days: ten weeks and a day without a log, left out
    assert (weeks[0].average, weeks[0].days_logged) == (4.0, 3)
    assert weeks[1].average is None
    assert (weeks[9].average, weeks[9].days_logged) == (0.5, 2)
    assert report.pain_summary == "Average pain fell from 4/10 in week 1 to 0.5/10 in week 10."


def test_a_last_part_week_is_kept_only_with_a_log():
    start = TODAY() - timedelta(days=8)
    assert len(discharge.pain_weeks([(start, 3, None, None)], start, TODAY())) == 1
    weeks = discharge.pain_weeks([(start, 3, None, None), (TODAY(), 1, 2, None)], start, TODAY())
    assert [(w.number, w.average, w.days_logged) for w in weeks] == [(1, 3, 1), (2, 2, 1)]
    assert discharge.pain_summary(weeks) == "Average pain fell from 3/10 in week 1 to 2/10 in week 2."
    assert discharge.pain_summary(()) == discharge.NO_PAIN


def test_what_to_keep_doing_comes_from_the_last_phase(people, plan):
    last = plan.phases.get(order=3)
    last.run_note = "Keep one easy run a week on grass."
    last.save()
    report = discharge.report_for(plan)
    rows = list(last.exercises.select_related("exercise").order_by("order"))
    assert [e.name for e in report.keep_exercises] == [row.exercise.name for row in rows]
    assert report.keep_exercises[0].dosage == rows[0].dosage_text()
    assert report.keep_phase == "Phase 3" and report.keep_running
    assert report.keep_advice[0] == "Keep one easy run a week on grass."


def test_empty_sections_read_as_sentences(people, plan):
    complete(plan, people)
    report = discharge.report_for(plan)
    assert report.proms == () and report.tests == ()
    assert report.pain_summary == discharge.NO_PAIN
    text = text_of(discharge.render_discharge(report))
    for sentence in (discharge.NO_PROMS, discharge.NO_TESTS, discharge.NO_PAIN):
        assert sentence in text


def test_one_round_only_says_there_is_nothing_to_compare(people, plan):
    outcomes.response_save(athlete=people.athlete_a, instrument="nprs", answers={"pain": 4}, complete=True,
                           now=at(plan.start_date))  # fmt: skip
    visit = outcomes.visit_save(athlete=people.athlete_a, clinician=people.clinician, on=plan.start_date)
    outcomes.visit_test_save(
        visit=visit, test="single_leg_squat", side="left", values={"reps": 10, "pain": 0}
    )
    report = discharge.report_for(plan)
    assert report.proms[0].final_on is None and report.proms[0].scales[0].difference is None
    assert report.tests[0].last_on is None
    text = text_of(discharge.render_discharge(report))
    assert discharge.ONE_PROM_ROUND in text and discharge.ONE_TEST in text


def test_the_report_is_read_in_a_fixed_number_of_queries(people, measured, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        discharge.report_for(measured)


# The PDF


def test_the_pdf_shows_everything_on_one_or_two_pages(people, measured):
    complete(measured, people)
    data = discharge.render_discharge(discharge.report_for(measured))
    assert data.startswith(b"%PDF")
    assert 1 <= pages_of(data) <= 2
    text = text_of(data)
    for part in ("Discharge report", "Anna Aalto", "Riverside", "Maya Okafor", "Phase 1", "Phase 3",
                 "Numeric pain rating scale (NPRS)", "Meaningful improvement", "Running 5 km", "Single-leg squat",
                 "80 %", "98 %", "Average pain fell", "What to keep doing"):  # fmt: skip
        assert part in text, part


# The job and the cache


def test_completing_a_plan_renders_its_report_for_the_first_download(client_for, people, plan, jobs,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    complete(plan, people)
    assert "rehab.discharge_report" in jobs.names()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.run()
    rendered = mock.patch.object(discharge, "render_discharge", side_effect=AssertionError("rendered"))
    with rendered:
        response = client_for("athlete_a").get(reverse("rehab:plan_discharge_pdf", args=[plan.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_a_new_result_renders_the_report_again(people, plan):
    complete(plan, people)
    with mock.patch.object(discharge, "render_discharge", return_value=b"%PDF one") as render:
        discharge.discharge_pdf(plan)
        discharge.discharge_pdf(plan)
        assert render.call_count == 1
        outcomes.response_save(
            athlete=people.athlete_a, instrument="nprs", answers={"pain": 1}, complete=True
        )
        discharge.discharge_pdf(plan)
        assert render.call_count == 2


def test_deleting_the_athletes_data_forgets_the_report(people, plan):
    from django.core.cache import cache

    complete(plan, people)
    with mock.patch.object(discharge, "render_discharge", return_value=b"%PDF"):
        discharge.discharge_prerender(plan)
    assert cache.get(discharge.cache_key(plan.pk)) is not None
    discharge.discharge_cache_evict([plan])
    assert cache.get(discharge.cache_key(plan.pk)) is None


# Who may download it

ACCESS = [
    # persona, before completion, after completion
    ("anonymous", LOGIN, LOGIN),
    ("athlete_a", 404, 200),  # their own: once completed
    ("athlete_b", 404, 404),
    ("clinician", 200, 200),  # before completion: a progress report
    ("coach", 403, 403),  # no questionnaires or clinic tests for the running coach
    ("other_clinician", 404, 404),
    ("superuser", 200, 200),
]


@pytest.mark.parametrize(("persona", "before", "after"), ACCESS, ids=[row[0] for row in ACCESS])
def test_who_may_download_the_report(client_for, people, plan, persona, before, after):
    url = reverse("rehab:plan_discharge_pdf", args=[plan.pk])
    with mock.patch.object(discharge, "render_discharge", return_value=b"%PDF report"):
        assert_outcome(client_for(persona).get(url), before)
        complete(plan, people)
        response = client_for(persona).get(url)
    assert_outcome(response, after)
    if after == 200:
        assert response.content == b"%PDF report"
        assert "discharge-report-anna-aalto" in response["Content-Disposition"]


def test_a_cancelled_plan_has_no_report(client_for, people, plan):
    services.plan_cancel(plan=plan, by=people.clinician.user, reason="Moved away")
    response = client_for("clinician").get(reverse("rehab:plan_discharge_pdf", args=[plan.pk]))
    assert response.status_code == 404


def test_the_plan_pages_link_the_report_once_completed(client_for, people, plan):
    url = reverse("rehab:plan_discharge_pdf", args=[plan.pk])
    mine = client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    assert url not in mine
    complete(plan, people)
    assert url in client_for("athlete_a").get(reverse("rehab:my_plan")).content.decode()
    page = client_for("clinician").get(reverse("rehab:plan_detail", args=[plan.pk])).content.decode()
    assert url in page and "Discharge report" in page
    assert url not in client_for("coach").get(reverse("rehab:plan_detail", args=[plan.pk])).content.decode()


def test_the_athlete_reads_when_their_plan_was_completed_not_a_day_count(client_for, people, plan):
    client = client_for("athlete_a")
    for url in (reverse("rehab:athlete_today"), reverse("rehab:my_plan")):
        assert f"Day {DAYS + 1} of your plan" in client.get(url).content.decode()
    complete(plan, people)
    end = TODAY() - timedelta(days=3)
    Plan.objects.filter(pk=plan.pk).update(completed_at=at(end))
    for url in (reverse("rehab:athlete_today"), reverse("rehab:my_plan")):
        page = client.get(url).content.decode()
        assert f"Your plan was completed on {end:%-d %B}" in page, url
        assert "of your plan" not in page and "in this phase since" not in page


# The demo


def test_the_demo_has_a_discharged_athlete_with_a_full_report_and_loads_once(db):
    from django.core.management import call_command

    from outcomes.models import QuestionnaireResponse, TestResult

    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    counts = (QuestionnaireResponse.objects.count(), TestResult.objects.count())
    assert counts == (20, 30)  # five athletes: NPRS and PSFS, three tests, at baseline and follow-up
    plan = Plan.objects.get(athlete__email="priya@demo.example")
    report = discharge.report_for(plan)
    assert report.completed and report.end == TODAY() - timedelta(days=7)
    assert report.condition == "Proximal hamstring tendinopathy"
    assert [s.order for s in report.phases] == [1, 2, 3]
    assert sum(s.days for s in report.phases) == report.total_days
    assert [p.code for p in report.proms] == ["nprs", "psfs"]
    assert all(p.final_on and p.scales[0].meaningful and p.scales[0].improved for p in report.proms)
    assert len(report.tests) == 3 and all(t.last_on and t.last_passed for t in report.tests)
    assert report.tests[0].first_passed is False  # the affected side's squat hurt at the start
    assert report.pain_summary.startswith("Average pain fell") and report.keep_exercises
    for email in ("anna@demo.example", "luis@demo.example", "sara@demo.example", "jade@demo.example"):
        active = Plan.objects.get(athlete__email=email)
        rounds = discharge.report_for(active).proms
        assert all(
            start <= active.start_date < end for start, end in [(p.baseline_on, p.final_on) for p in rounds]
        )
    # Every demo plan asks the questionnaires its rounds belong to: the plan page agrees with the timeline, and
    # Priya, completed a week ago, has her discharge round to fill in while the others' next round is weeks off.
    from outcomes import questionnaires
    from outcomes.models import Schedule

    for demo_plan in Plan.objects.filter(athlete__email__endswith="@demo.example"):
        asked = sorted(Schedule.objects.filter(plan=demo_plan).values_list("instrument", flat=True))
        assert asked == ["nprs", "psfs"], demo_plan
        due = [(d.code, d.due.round) for d in questionnaires.due_for(demo_plan.athlete)]
        if demo_plan == plan:
            assert sorted(due) == [("nprs", "discharge"), ("psfs", "discharge")]
        else:
            assert due == [], demo_plan
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    assert (QuestionnaireResponse.objects.count(), TestResult.objects.count()) == counts
    assert Schedule.objects.count() == 10
