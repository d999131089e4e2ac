"""Hip-check pages: who may open them, what they store, and what they say."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import Alert
from tests.access import ADMIN_LOGIN, LOGIN, assert_outcome, matrix_cases
from tests.factories import IntakeFactory
from tests.triage.utils import post_data, sample, with_unticked
from triage import engine
from triage.forms import IntakeForm
from triage.models import Condition, Intake


@pytest.fixture
def intake_a(people):
    return IntakeFactory(athlete=people.athlete_a, answers=sample("urgent_night_pain"))


def url_for(people, intake, name):
    a, i = people.athlete_a.pk, intake.pk
    return {
        "intake_new": ("get", reverse("triage:intake_new")),
        "intake_detail": ("get", reverse("triage:intake_detail", args=[i])),
        "intake_review": ("get", reverse("triage:intake_review", args=[i])),
        "intake_review_post": ("post", reverse("triage:intake_review", args=[i])),
        "intake_new_for_athlete": ("get", reverse("triage:intake_new_for_athlete", args=[a])),
        "intake_new_for_athlete_post": ("post", reverse("triage:intake_new_for_athlete", args=[a])),
        "admin_intakes": ("get", reverse("admin:triage_intake_changelist")),
        "admin_intake_a": ("get", reverse("admin:triage_intake_change", args=[i])),
        "admin_conditions": ("get", reverse("admin:triage_condition_changelist")),
        "admin_alerts": ("get", reverse("admin:portal_alert_changelist")),
    }[name]


# expected outcome per persona, in PERSONAS order
MATRIX = {
    "intake_new": [LOGIN, 200, 200, 403, 403, 403],
    "intake_detail": [LOGIN, 200, 404, 200, 404, 200],
    "intake_review": [LOGIN, 403, 403, 200, 404, 200],
    "intake_review_post": [LOGIN, 403, 403, 302, 404, 302],
    "intake_new_for_athlete": [LOGIN, 403, 403, 200, 404, 200],
    "intake_new_for_athlete_post": [LOGIN, 403, 403, 200, 404, 200],  # empty form: shown again
    "admin_intakes": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_intake_a": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 302, 200],
    "admin_conditions": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
    "admin_alerts": [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200],
}

CASES = matrix_cases(MATRIX)


@pytest.mark.parametrize("page,persona,expected", CASES)
def test_access_matrix(client_for, people, intake_a, page, persona, expected):
    method, url = url_for(people, intake_a, page)
    response = getattr(client_for(persona), method)(url)
    assert_outcome(response, expected)


def test_strangers_cannot_review_or_start_intakes(client_for, people, intake_a):
    condition = Condition.objects.get(code="osteoarthritis")
    client = client_for("other_clinician")
    client.post(reverse("triage:intake_review", args=[intake_a.pk]), {"condition": condition.pk})
    client.post(reverse("triage:intake_new_for_athlete", args=[people.athlete_a.pk]), post_data({"age": 30}))
    intake_a.refresh_from_db()
    assert intake_a.reviewed_at is None
    assert Intake.objects.count() == 1


# --------------------------------------------------------------------------- the athlete's form


def test_athlete_submits_the_form_and_sees_the_result(client_for, people):
    answers = sample("self_care_hip_flexor")
    response = client_for("athlete_a").post(reverse("triage:intake_new"), post_data(answers))
    intake = Intake.objects.get()
    assert response.status_code == 302 and response.url == intake.get_absolute_url()
    assert intake.athlete == people.athlete_a and intake.submitted_by == people.athlete_a.user
    assert intake.answers == with_unticked(answers)
    assert intake.result == engine.assess(answers).to_record()


def test_form_is_prefilled_from_the_profile(client_for, people):
    people.athlete_a.date_of_birth = people.athlete_a.created.date().replace(year=1980)
    people.athlete_a.save()
    form = client_for("athlete_a").get(reverse("triage:intake_new")).context["form"]
    assert form.initial["age"] == people.athlete_a.age()
    assert form.initial["sex"] == "female"
    assert form.initial["weekly_km"] == 40 and isinstance(form.initial["weekly_km"], int)
    assert form.initial["shoe_km"] == 820  # the most worn pair still in use


def test_form_has_every_section_and_the_hop_test_guard(client_for):
    html = client_for("athlete_a").get(reverse("triage:intake_new")).content.decode()
    for title in (
        "Where does it hurt?",
        "When did it start?",
        "What makes it worse?",
        "Warning signs",
        "Energy and bone health",
        "Quick self-tests",
    ):
        assert title in html
    assert "Three quick self-tests" not in html
    assert 'name="saddle_numbness"' in html and 'name="missed_periods"' in html and 'name="knee_pain"' in html
    assert 'name="low_energy_risk"' not in html  # retired: the three energy questions replace it
    assert "data-hop-test" in html and "data-hop-note" in html
    blockers = re.findall(r"<input[^>]*data-hop-blocker[^>]*>", html)
    assert {re.search(r'name="(\w+)"', tag).group(1) for tag in blockers} == {
        "cannot_bear_weight",
        "limping",
        "night_pain",
        "pain_at_rest",
    }
    assert html.count('value="not_done"') == 4  # every self-test can be skipped
    assert 'value="not_done" class="btn-check" id="id_test_leg_swing_2" checked' in html


def test_hop_answer_still_reaches_the_engine_when_walking_hurts(client_for, people):
    answers = {"locations": ["groin_deep"], "cannot_bear_weight": True, "tests": {"single_leg_hop": "pain"}}
    client_for("athlete_a").post(reverse("triage:intake_new"), post_data(answers))
    intake = Intake.objects.get()
    assert intake.urgency == "emergency"
    assert {"hop_test_pain", "groin_pain_cannot_bear_weight"} <= {
        f["code"] for f in intake.result["red_flags"]
    }


def test_an_empty_form_asks_for_something_and_stores_nothing(client_for):
    response = client_for("athlete_a").post(reverse("triage:intake_new"), post_data({}))
    assert response.status_code == 200
    assert "Please tick where it hurts" in response.content.decode()
    assert not Intake.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [
        ("age", "abc"),
        ("age", "300"),
        ("age", "4"),
        ("pain_running", "11"),
        ("pain_running", "-1"),
        ("weekly_km", "nan"),
        ("weekly_km", "1e400"),
        ("mileage_change_pct", "-101"),
        ("onset", "slowly"),
        ("sex", "robot"),
        ("locations", "knee"),
        ("test_leg_swing", "maybe"),
        ("duration_days", "3.5"),
    ],
)
def test_bad_input_is_shown_as_a_field_error_not_a_crash(client_for, field, value):
    data = post_data({"locations": ["front"]})
    data[field] = value
    response = client_for("athlete_a").post(reverse("triage:intake_new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert "There is a problem" in html and f'id="field-{field}"' in html
    link = re.search(rf'href="#(id_{field}(_0)?)"', html)  # the input, or a list's first option
    assert link and f'id="{link[1]}"' in html
    assert not Intake.objects.exists()


def test_engine_errors_land_on_the_matching_form_fields():
    form = IntakeForm(post_data({"locations": ["front"]}))
    assert form.is_valid()
    form.add_engine_errors(
        {"age": ["Too old."], "tests.leg_swing": ["Bad."], "__all__": ["Odd."], "x": ["?"]}
    )
    assert form.errors["age"] == ["Too old."]
    assert form.errors["test_leg_swing"] == ["Bad."]
    assert form.non_field_errors() == ["Odd.", "?"]


field_names = st.sampled_from(sorted(IntakeForm().fields))
junk = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["", "on", "pain", "1e999", "\x00", "1\x00"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(field_names, st.one_of(junk, st.lists(junk, max_size=3)), max_size=8))
def test_any_post_gives_a_page_or_a_redirect_never_an_error(client_for, people, data):
    response = client_for("athlete_a").post(reverse("triage:intake_new"), data)
    assert response.status_code in (200, 302)


def test_form_page_lists_earlier_checks_with_a_constant_query_count(
    client_for, people, django_assert_max_num_queries
):
    for name in ["urgent_night_pain", "self_care_hip_flexor"] * 5:
        IntakeFactory(athlete=people.athlete_a, answers=sample(name))
    client = client_for("athlete_a")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("triage:intake_new"))
    assert len(response.context["earlier"]) == 5
    assert "Your earlier checks" in response.content.decode()


# --------------------------------------------------------------------------- the result page


def result_html(client, people, name):
    client.post(reverse("triage:intake_new"), post_data(sample(name)))
    intake = Intake.objects.latest("pk")
    return client.get(intake.get_absolute_url()).content.decode()


def test_emergency_result_is_unmissable(client_for, people):
    html = result_html(client_for("athlete_a"), people, "emergency_stress_fracture")
    assert "result-emergency" in html and 'role="alert"' in html
    assert "Stop running now and get medical care today." in html
    assert "Warning signs in your answers" in html
    assert "Pain when hopping on one leg can be a sign of a bone stress injury." in html
    assert "Stress fracture" in html and "Why it came up" in html
    assert "less likely possibilit" in html  # beyond the top three, folded away
    assert engine.DISCLAIMER in html
    assert "please do not wait to hear from them: get medical care today" in html


def test_cauda_equina_result_sends_to_an_emergency_department(client_for, people):
    """The banner says what the red flag says (not only "care today"), and a doctor comes first."""
    html = result_html(client_for("athlete_a"), people, "emergency_cauda_equina")
    assert "Go to an emergency department now." in html
    assert "Stop running now and get medical care today." not in html
    assert "First step" in html and engine.REFER_MEDICAL.name in html


def test_self_care_result_is_calm(client_for, people):
    html = result_html(client_for("athlete_a"), people, "self_care_hip_flexor")
    assert "result-self_care" in html
    assert "This looks suitable for careful self-care." in html
    assert "Stop running" not in html and "Warning signs in your answers" not in html
    assert "Hip flexor strain" in html
    assert "Most likely cause" in html
    assert engine.CONDITIONS["hip_flexor_strain"].advice in html


def test_urgent_and_routine_results_say_what_to_do(client_for, people):
    client = client_for("athlete_a")
    assert "Stop running for now and see a clinician within 48 hours." in result_html(
        client, people, "urgent_night_pain"
    )
    assert "Book an assessment in the coming days." in result_html(client, people, "routine_outer_hip")


def test_needs_a_doctor_result_leads_and_gives_no_running_injury_tips(client_for, people):
    html = result_html(client_for("athlete_a"), people, "emergency_cauda_equina")
    assert "Go to an emergency department now" in html
    assert "Needs a doctor, not a running-injury plan" in html and "See a doctor first" in html
    assert "First step" in html and "Most likely cause" not in html
    assert engine.REFER_MEDICAL.advice in html
    assert not any(condition.advice in html for condition in engine.CONDITIONS.values())
    assert html.index("Needs a doctor") < html.index(engine.CONDITIONS["referred_lumbar"].name)


def test_athlete_never_sees_the_clinicians_notes(client_for, people, intake_a):
    from triage import services

    services.intake_review(
        intake=intake_a, by=people.clinician.user, condition=None, notes="Private remark 42"
    )
    html = client_for("athlete_a").get(intake_a.get_absolute_url()).content.decode()
    assert "Private remark 42" not in html
    assert "Reviewed" in html


# --------------------------------------------------------------------------- the clinician's review


def test_review_page_shows_answers_causes_and_red_flags(client_for, people, intake_a):
    response = client_for("clinician").get(intake_a.get_review_url())
    html = response.content.decode()
    assert "Deep in the groin, Front of the hip" in html  # answers in words
    assert "The pain wakes me at night" in html
    assert "Night or rest pain" in html  # red flag title
    assert 'role="progressbar"' in html
    for condition in intake_a.result["conditions"]:
        assert engine.CONDITIONS[condition["code"]].name in html


def test_review_form_offers_the_engines_suggestions_first(client_for, people, intake_a):
    form = client_for("clinician").get(intake_a.get_review_url()).context["form"]
    choices = form.fields["condition"].choices
    assert choices[1][0] == "Suggested by the check"
    suggested = [Condition.objects.get(pk=pk).code for pk, _ in choices[1][1]]
    assert suggested == intake_a.suggested_codes
    assert len(suggested) + len(choices[2][1]) == Condition.objects.count()


def test_review_of_a_needs_a_doctor_result_offers_only_real_conditions(client_for, people):
    intake = IntakeFactory(athlete=people.athlete_a, answers=sample("emergency_cauda_equina"))
    assert intake.suggested_codes[0] == "refer_medical"
    response = client_for("clinician").get(intake.get_review_url())
    html = response.content.decode()
    assert "Needs a doctor, not a running-injury plan" in html and "red flag" in html
    assert "possible cauda equina" in html
    choices = response.context["form"].fields["condition"].choices
    suggested = [Condition.objects.get(pk=pk).code for pk, _ in choices[1][1]]
    assert suggested == intake.suggested_codes[1:]  # "needs a doctor" is not a condition to confirm
    assert not Condition.objects.filter(code="refer_medical").exists()


def test_clinician_confirms_a_condition_and_the_alert_clears(client_for, people):
    from triage import services

    intake = services.intake_submit(
        athlete=people.athlete_a, by=people.athlete_a.user, answers=sample("urgent_night_pain")
    )
    condition = Condition.objects.get(code="osteoarthritis")
    response = client_for("clinician").post(
        intake.get_review_url(), {"condition": condition.pk, "notes": "X-ray ordered."}
    )
    assert response.status_code == 302 and response.url == intake.get_review_url()
    intake.refresh_from_db()
    assert intake.confirmed_condition == condition and intake.review_notes == "X-ray ordered."
    assert intake.reviewed_by == people.clinician.user
    assert not Alert.objects.open().exists()


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_review_with_an_unknown_condition_is_a_form_error(client_for, intake_a, value):
    response = client_for("clinician").post(intake_a.get_review_url(), {"condition": value})
    assert response.status_code == 200
    assert "condition" in response.context["form"].errors
    intake_a.refresh_from_db()
    assert intake_a.reviewed_at is None


def test_review_page_query_count_is_small(client_for, people, intake_a, django_assert_max_num_queries):
    client = client_for("clinician")
    with django_assert_max_num_queries(8):
        response = client.get(intake_a.get_review_url())
    assert response.status_code == 200


def test_clinician_starts_an_intake_for_an_athlete(client_for, people):
    url = reverse("triage:intake_new_for_athlete", args=[people.athlete_b.pk])
    client = client_for("clinician")
    assert "Hip check for Bruno Bianchi" in client.get(url).content.decode()
    response = client.post(url, post_data(sample("routine_outer_hip")))
    intake = Intake.objects.get()
    assert response.status_code == 302 and response.url == intake.get_absolute_url()
    assert intake.athlete == people.athlete_b and intake.submitted_by == people.clinician.user
    assert client_for("athlete_b").get(intake.get_absolute_url()).status_code == 200
