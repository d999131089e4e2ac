"""Questionnaire pages: the plan's schedule (clinicians), the athlete's list and fill-in form (partial saves,
PSFS activities, errors next to the field, double submits), the Today card, the timeline panel and the plan page's
card; who may open each."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes import services
from outcomes.models import QuestionnaireResponse, Schedule
from rehab import services as rehab_services
from tests.access import LOGIN, assert_outcome
from tests.factories import PlanTemplateFactory
from triage.models import Condition

PERSONAS = ["anonymous", "athlete_a", "athlete_b", "clinician", "coach", "other_clinician", "superuser"]
TIMING = {"every_weeks": 4, "at_intake": True, "at_discharge": True}


@pytest.fixture
def plan(people):
    template = PlanTemplateFactory(phases=2, phases__exercises_per_phase=1)
    template.conditions.set(Condition.objects.filter(code="greater_trochanteric_pain"))
    return rehab_services.plan_assign(
        athlete=people.athlete_a,
        template=template,
        by=people.clinician.user,
        start=timezone.localdate() - timedelta(days=3),
    )


@pytest.fixture
def scheduled(plan):
    Schedule.objects.create(plan=plan, instrument="psfs", every_weeks=4)
    Schedule.objects.create(plan=plan, instrument="nprs", every_weeks=4)
    return plan


def fill_url(code="psfs"):
    return reverse("outcomes:questionnaire_fill", args=[code])


PSFS_FIRST = {
    "n_activity_1": "Running 5 km",
    "a_activity_1": "3",
    "n_activity_2": "Stairs",
    "a_activity_2": "6",
    "n_activity_3": "Getting out of the car",
    "a_activity_3": "7",
}


# -------------------------------------------------------------------------------------------------- access

ACCESS = {
    "my_questionnaires": (
        lambda w: reverse("outcomes:my_questionnaires"),
        [LOGIN, 200, 200, 403, 403, 403, 403],
    ),
    # athlete_b has no plan: nothing is due, so the form sends them back to their list.
    "fill": (lambda w: fill_url(), [LOGIN, 200, 302, 403, 403, 403, 403]),
    # The reminder email's link: to the first questionnaire due (athlete_b has none: their list).
    "next": (lambda w: reverse("outcomes:questionnaire_next"), [LOGIN, 302, 302, 403, 403, 403, 403]),
    "schedule": (
        lambda w: reverse("outcomes:plan_questionnaires", args=[w.pk]),
        [LOGIN, 403, 403, 200, 403, 404, 200],
    ),
}


@pytest.mark.parametrize("page", list(ACCESS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_each_page(client_for, scheduled, page, persona):
    url, expected = ACCESS[page]
    assert_outcome(client_for(persona).get(url(scheduled)), expected[PERSONAS.index(persona)])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("athlete_a", 403), ("coach", 403), ("other_clinician", 404), ("anonymous", LOGIN)],
)
def test_only_the_clinic_may_change_the_schedule(client_for, plan, persona, expected):
    url = reverse("outcomes:plan_questionnaires", args=[plan.pk])
    data = {"psfs-ask": "on", "psfs-at_intake": "on", "psfs-every_weeks": "4"}
    assert_outcome(client_for(persona).post(url, data), expected)
    assert not Schedule.objects.exists()


def test_the_emailed_link_opens_the_first_questionnaire_due(client_for, people, scheduled):
    client = client_for("athlete_a")
    assert client.get(reverse("outcomes:questionnaire_next")).url == fill_url("psfs")
    Schedule.objects.filter(instrument="psfs").delete()
    assert client.get(reverse("outcomes:questionnaire_next")).url == fill_url("nprs")
    Schedule.objects.all().delete()
    assert client.get(reverse("outcomes:questionnaire_next")).url == reverse("outcomes:my_questionnaires")


def test_an_unknown_questionnaire_is_not_found(client_for, scheduled):
    assert client_for("athlete_a").get(fill_url("nosuch")).status_code == 404


# -------------------------------------------------------------------------------------------------- the schedule


def test_schedule_page_suggests_and_lists_what_needs_wording(client_for, plan, django_assert_max_num_queries):
    client = client_for("clinician")
    url = reverse("outcomes:plan_questionnaires", args=[plan.pk])
    with django_assert_max_num_queries(14):
        html = client.get(url).content.decode()
    assert "Suggested for every plan" in html  # PSFS
    assert "Suggested for greater trochanteric pain" in html.lower().replace("suggested", "Suggested")
    assert "Needs your licensed wording" in html
    assert (
        'name="psfs-ask" id="id_psfs-ask" aria-label="Ask PSFS" checked' in html
    )  # a suggestion, pre-ticked
    assert 'name="visag-ask"' not in html  # no wording: listed, not offered


def test_schedule_page_names_each_choice_for_the_phone_layout(client_for, plan):
    """On a phone each questionnaire is a block whose lines say their choice (questionnaires.css reads
    data-label); a questionnaire that needs its wording shows only that it is not available."""
    html = (
        client_for("clinician").get(reverse("outcomes:plan_questionnaires", args=[plan.pk])).content.decode()
    )
    assert 'class="table align-middle prom-schedule"' in html
    usable = 2  # NPRS and PSFS
    for label in ("At the start", "Follow-ups", "At discharge"):
        assert html.count(f'<td data-label="{label}">') == usable
        assert html.count(f'<td data-label="{label}" class="prom-empty">') == 6  # the six without wording


def test_schedule_page_saves_what_is_ticked(client_for, plan):
    url = reverse("outcomes:plan_questionnaires", args=[plan.pk])
    data = {
        "psfs-ask": "on", "psfs-at_intake": "on", "psfs-every_weeks": "4", "psfs-at_discharge": "on",
        "nprs-ask": "on", "nprs-at_discharge": "on", "nprs-every_weeks": "",
        "visag-ask": "on", "visag-at_intake": "on",  # disabled: ignored
    }  # fmt: skip
    response = client_for("clinician").post(url, data)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    rows = {r.instrument: r for r in Schedule.objects.filter(plan=plan)}
    assert set(rows) == {"psfs", "nprs"}
    assert (rows["psfs"].every_weeks, rows["psfs"].at_intake, rows["psfs"].at_discharge) == (4, True, True)
    assert (rows["nprs"].every_weeks, rows["nprs"].at_intake, rows["nprs"].at_discharge) == (
        None,
        False,
        True,
    )
    # Unticked: removed.
    client_for("clinician").post(url, {"psfs-ask": "on", "psfs-at_intake": "on", "psfs-every_weeks": "2"})
    assert list(Schedule.objects.values_list("instrument", "every_weeks")) == [("psfs", 2)]


def test_schedule_errors_are_next_to_the_questionnaire(client_for, plan):
    url = reverse("outcomes:plan_questionnaires", args=[plan.pk])
    response = client_for("clinician").post(url, {"psfs-ask": "on", "psfs-every_weeks": "99"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_psfs-ask_error"' in html and "Pick when to ask it" in html
    assert "Select a valid choice" in html
    assert not Schedule.objects.exists()


def test_plan_page_shows_the_schedule_and_links_to_it(client_for, scheduled):
    html = client_for("clinician").get(scheduled.get_absolute_url()).content.decode()
    assert "Change questionnaires" in html and "PSFS" in html
    coach_html = client_for("coach").get(scheduled.get_absolute_url()).content.decode()
    assert "PSFS" in coach_html and "Change questionnaires" not in coach_html


# -------------------------------------------------------------------------------------------------- filling in


def test_psfs_first_round_names_the_activities_and_scores(client_for, people, scheduled):
    client = client_for("athlete_a")
    html = client.get(fill_url()).content.decode()
    assert 'name="n_activity_1"' in html and "Your first round" in html
    response = client.post(fill_url(), {**PSFS_FIRST, "finish": "1"})
    assert response.status_code == 302
    assert response.url == reverse("outcomes:my_questionnaires") + "#result-psfs"
    row = QuestionnaireResponse.objects.get(athlete=people.athlete_a, instrument="psfs")
    assert row.is_complete and row.round == "intake" and row.total == round((3 + 6 + 7) / 3, 1)
    assert row.item_labels == {
        "activity_1": "Running 5 km", "activity_2": "Stairs", "activity_3": "Getting out of the car",
    }  # fmt: skip
    assert row.entered_by is None


def test_save_and_finish_later_keeps_the_answers(client_for, people, scheduled):
    client = client_for("athlete_a")
    response = client.post(fill_url(), {"n_activity_1": "Running", "a_activity_1": "4", "finish": "0"})
    assert response.status_code == 302
    row = QuestionnaireResponse.objects.get()
    assert not row.is_complete and row.answers == {"activity_1": 4} and row.total is None
    html = client.get(fill_url()).content.decode()
    assert 'value="Running"' in html and "your answers are kept" in html
    assert re.search(r'<input type="radio" name="a_activity_1" value="4"[^>]* checked>', html)
    list_html = client.get(reverse("outcomes:my_questionnaires")).content.decode()
    assert "Carry on" in list_html
    client.post(fill_url(), {**PSFS_FIRST, "finish": "1"})
    row = QuestionnaireResponse.objects.get()  # the same round, completed
    assert row.is_complete and row.answers["activity_1"] == 3


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"n_activity_1": "Running", "a_activity_1": "3"}, "n_activity_2", "Name at least 3 activities."),
        ({**PSFS_FIRST, "a_activity_3": ""}, "a_activity_3", "Rate this activity"),
        ({**PSFS_FIRST, "a_activity_4": "5"}, "n_activity_4", "Name the activity"),
        ({**PSFS_FIRST, "a_activity_2": "11"}, "a_activity_2", "Select a valid choice"),
        ({**PSFS_FIRST, "n_activity_1": "x" * 81}, "n_activity_1", "at most 80 characters"),
    ],
)
def test_errors_are_next_to_the_field_and_nothing_is_completed(client_for, scheduled, data, field, message):
    response = client_for("athlete_a").post(fill_url(), {**data, "finish": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in str(response.context["form"].errors[field])
    assert not QuestionnaireResponse.objects.filter(completed_at__isnull=False).exists()


def test_a_double_submit_completes_one_round(client_for, scheduled):
    client = client_for("athlete_a")
    body = {**PSFS_FIRST, "finish": "1"}
    assert client.post(fill_url(), body).status_code == 302
    second = client.post(fill_url(), body, follow=True)
    assert QuestionnaireResponse.objects.count() == 1
    assert "This questionnaire is already sent: thank you." in [str(m) for m in second.context["messages"]]


def test_later_rounds_rate_the_same_activities(client_for, people, scheduled):
    services.response_save(
        athlete=people.athlete_a, instrument="psfs", round="intake", complete=True,
        answers={"activity_1": 3, "activity_2": 4, "activity_3": 5},
        item_labels={"activity_1": "Running 5 km", "activity_2": "Stairs", "activity_3": "Squats"},
        now=timezone.now() - timedelta(days=30),
    )  # fmt: skip
    scheduled.start_date = timezone.localdate() - timedelta(days=30)
    scheduled.save()
    client = client_for("athlete_a")
    html = client.get(fill_url()).content.decode()
    assert "Running 5 km: how well can you do it today?" in html
    assert 'name="n_activity_1"' not in html and 'name="a_activity_4"' not in html
    response = client.post(
        fill_url(), {"a_activity_1": "7", "a_activity_2": "8", "a_activity_3": "8", "finish": "1"}
    )
    assert response.status_code == 302
    latest = QuestionnaireResponse.objects.completed().order_by("-completed_at").first()
    assert latest.round == "follow_up" and latest.item_labels["activity_3"] == "Squats"
    result = client.get(reverse("outcomes:my_questionnaires")).content.decode()
    # 7.7 − 4.0 = 3.7 points on PSFS (higher is better; 2 points matter).
    assert "3.7 points better than your first round. That is a change that matters." in result


def test_a_numeric_questionnaire_shows_buttons_and_reports_change_in_words(client_for, people, scheduled):
    client = client_for("athlete_a")
    html = client.get(fill_url("nprs")).content.decode()
    assert 'class="pain-scale answer-scale answer-scale-11"' in html and "0 = No pain" in html
    assert client.post(fill_url("nprs"), {"a_pain": "6", "finish": "1"}).status_code == 302
    html = client.get(reverse("outcomes:my_questionnaires")).content.decode()
    assert "Your first round: later rounds are compared with it." in html


def test_a_questionnaire_without_wording_is_never_shown(client_for, scheduled):
    Schedule.objects.create(plan=scheduled, instrument="visag", every_weeks=4)
    client = client_for("athlete_a")
    assert "VISA-G" not in client.get(reverse("outcomes:my_questionnaires")).content.decode()
    response = client.get(fill_url("visag"))
    assert response.status_code == 302 and response.url == reverse("outcomes:my_questionnaires")


def test_not_due_sends_back_to_the_list(client_for, people, scheduled):
    services.response_save(
        athlete=people.athlete_a, instrument="nprs", round="intake", answers={"pain": 2}, complete=True
    )
    response = client_for("athlete_a").get(fill_url("nprs"), follow=True)
    assert "not due at the moment" in [str(m) for m in response.context["messages"]][0]


def test_list_page_query_count(client_for, people, scheduled, django_assert_max_num_queries):
    for n in range(3):
        services.response_save(
            athlete=people.athlete_a, instrument="nprs", round="follow_up", answers={"pain": n}, complete=True
        )
    client = client_for("athlete_a")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("outcomes:my_questionnaires")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(fill_url()).status_code == 200


# -------------------------------------------------------------------------------------------------- Today, timeline


def test_today_shows_a_card_per_questionnaire_due(client_for, scheduled):
    html = client_for("athlete_a").get(reverse("rehab:athlete_today")).content.decode()
    assert "Questionnaire: PSFS" in html and "Questionnaire: NPRS" in html
    assert f'href="{fill_url()}"' in html


def test_today_shows_no_card_without_a_schedule(client_for, plan):
    html = client_for("athlete_a").get(reverse("rehab:athlete_today")).content.decode()
    assert "Questionnaire:" not in html


def test_timeline_panel_shows_rounds_change_and_the_flag(client_for, people, scheduled):
    a = people.athlete_a
    earlier = timezone.now() - timedelta(days=28)
    services.response_save(
        athlete=a, instrument="nprs", round="intake", answers={"pain": 7}, complete=True, now=earlier
    )
    services.response_save(
        athlete=a, instrument="nprs", answers={"pain": 3}, complete=True, by=people.clinician.user
    )
    html = client_for("clinician").get(reverse("rehab:timeline", args=[a.pk])).content.decode()
    assert "Numeric pain rating scale" in html
    assert "(-4)" in html and ">meaningful</span>" in html
    assert "(entered by the clinic)" in html
    assert '<svg class="prom-trend"' in html and "from 7 to 3" in html
    assert "Due now: PSFS (intake" in html
    assert reverse("outcomes:plan_questionnaires", args=[scheduled.pk]) in html
    coach_html = client_for("coach").get(reverse("rehab:timeline", args=[a.pk])).content.decode()
    assert reverse("outcomes:plan_questionnaires", args=[scheduled.pk]) not in coach_html


# -------------------------------------------------------------------------------------------------- entered by the clinic


def enter_url(athlete, code=""):
    return reverse("outcomes:questionnaire_enter", args=[athlete.pk]) + (f"?code={code}" if code else "")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", LOGIN),
        ("athlete_a", 403),
        ("athlete_b", 403),
        ("clinician", 200),
        ("coach", 403),
        ("other_clinician", 404),
        ("superuser", 200),
    ],
)
def test_who_may_enter_a_round_for_the_athlete(client_for, people, scheduled, persona, expected):
    client = client_for(persona)
    assert_outcome(client.get(enter_url(people.athlete_a, "nprs")), expected)
    assert_outcome(
        client.post(enter_url(people.athlete_a), {"code": "nprs", "a_pain": "4"}),
        302 if expected == 200 else expected,
    )
    assert QuestionnaireResponse.objects.exists() is (expected == 200)


def test_a_clinician_enters_a_round_once(client_for, people, scheduled, django_assert_max_num_queries):
    client = client_for("clinician")
    with django_assert_max_num_queries(12):
        html = client.get(enter_url(people.athlete_a, "nprs")).content.decode()
    assert '<option value="intake" selected>' in html  # the round due
    body = {"code": "nprs", "round": "intake", "a_pain": "4"}
    response = client.post(enter_url(people.athlete_a), body)
    assert response.status_code == 302 and response.url == reverse(
        "rehab:timeline", args=[people.athlete_a.pk]
    )
    assert client.post(enter_url(people.athlete_a), body).status_code == 302  # a double submit
    row = QuestionnaireResponse.objects.get()
    assert (row.round, row.total, row.entered_by, row.is_complete) == (
        "intake",
        4.0,
        people.clinician.user,
        True,
    )
    # The athlete's intake is done: their list no longer asks for it.
    due = client_for("athlete_a").get(reverse("outcomes:my_questionnaires")).context["due"]
    assert [item.code for item in due] == ["psfs"]


def test_a_clinicians_entry_needs_every_answer_and_a_known_round(client_for, people, scheduled):
    client = client_for("clinician")
    response = client.post(enter_url(people.athlete_a), {"code": "psfs", "round": "intake"})
    assert response.status_code == 200
    assert "Name at least 3 activities." in str(response.context["form"].errors["n_activity_1"])
    response = client.post(enter_url(people.athlete_a), {"code": "nprs", "round": "someday", "a_pain": "3"})
    assert response.status_code == 200 and "Pick the round" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_the_chooser_offers_only_questionnaires_with_wording(client_for, people):
    html = client_for("clinician").get(enter_url(people.athlete_a)).content.decode()
    assert '<option value="psfs">' in html and '<option value="visag">' not in html
    html = client_for("clinician").get(enter_url(people.athlete_a, "visag")).content.decode()
    assert 'name="a_Q1"' not in html  # no wording: back to the chooser


def _licensed(clinic, code, labels=None):
    from outcomes import instruments

    found = instruments.load(code)
    data = {
        "instrument": code,
        "version": found.version,
        "items": {c: f"Licensed question {c}" for c in found.item_codes},
    }
    if labels:
        data["answer_labels"] = labels
    services.wording_import(clinic=clinic, data=data)


def test_labelled_answers_are_a_list_and_a_visual_scale_a_number_box(client_for, people, scheduled):
    _licensed(people.clinic, "hagos", {str(v): f"Label {v}" for v in range(5)})
    _licensed(people.clinic, "ihot12")
    Schedule.objects.create(plan=scheduled, instrument="hagos", every_weeks=4)
    Schedule.objects.create(plan=scheduled, instrument="ihot12", every_weeks=4)
    client = client_for("athlete_a")
    html = client.get(fill_url("hagos")).content.decode()
    assert 'class="answer-list"' in html and "Label 4" in html and "Licensed question" in html
    html = client.get(fill_url("ihot12")).content.decode()
    assert 'type="number" name="a_Q1"' in html and 'inputmode="decimal"' in html
    response = client.post(fill_url("ihot12"), {"a_Q1": "101", "a_Q2": "55.5", "finish": "0"})
    assert response.status_code == 200
    assert 'id="id_a_Q1_error"' in response.content.decode()
    assert client.post(fill_url("ihot12"), {"a_Q2": "55.5", "finish": "0"}).status_code == 302
    assert QuestionnaireResponse.objects.get(instrument="ihot12").answers == {"Q2": 55.5}
