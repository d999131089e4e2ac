"""The clinician's forms say what is wrong in words that name the field, not in Django's defaults, and their
empty choices say what empty means."""

from html import unescape

import pytest
from django import forms
from django.urls import reverse

from portal.form_messages import friendly_errors
from rehab.forms import BLANK, PlanAssignForm, PlanPhaseForm

DJANGO_WORDS = ("Ensure this value", "This field is required", "Enter a whole number", "Enter a number",
                "---------")  # fmt: skip


def page(response) -> str:
    return unescape(response.content.decode())


def test_editing_an_athlete_names_each_field_in_its_error(client_for, people):
    response = client_for("clinician").post(
        reverse("athlete_edit", args=[people.athlete_a.pk]),
        {"first_name": "", "last_name": "Aalto", "weekly_km": "-5", "years_running": "120", "sex": "female"},
    )
    html = page(response)
    assert response.status_code == 200
    assert "Enter the athlete's first name." in html
    assert "Weekly distance can't be negative." in html
    assert "Years running can be at most 80." in html
    assert not [words for words in DJANGO_WORDS if words in html]


def test_adding_an_athlete_offers_empty_choices_in_words(client_for, people):
    client = client_for("clinician")
    html = page(client.get(reverse("athlete_add")))
    assert '<option value="" selected>Not given</option>' in html or ">Not given</option>" in html
    assert ">No one yet</option>" in html and "---------" not in html
    response = client.post(reverse("athlete_add"), {"first_name": "", "last_name": "", "weekly_km": "10.55"})
    html = page(response)
    assert "Enter the athlete's first name." in html and "Enter the athlete's last name." in html
    assert "Give the athlete's weekly distance with at most 1 decimal place." in html
    assert not [words for words in DJANGO_WORDS if words in html]


@pytest.mark.parametrize(
    "phases, message",
    [("13", "Choose at most 12 phases."), ("0", "Choose at least 1 phase."),
     ("two", "Give the number of phases as a whole number.")],
)  # fmt: skip
def test_assigning_an_empty_plan_says_how_many_phases(phases, message):
    form = PlanAssignForm(
        {"template": BLANK, "name": "Scratch", "phases": phases, "start_date": "2026-12-06"},
        suggested=[],
        others=[],
    )
    assert not form.is_valid() and form.errors["phases"] == [message]
    form = PlanAssignForm({"template": "", "start_date": ""}, suggested=[], others=[])
    assert not form.is_valid()
    assert form.errors["template"] == ["Choose a protocol or an empty plan."]
    assert form.errors["start_date"] == ["Enter the start date."]


def test_tailoring_a_phase_names_the_limit_and_its_unit():
    form = PlanPhaseForm({"name": "", "min_days": "400", "max_pain_during": "9", "max_pain_after": "-1",
                          "run_activity": "run", "run_minutes": "500", "incline_pct": "30"})  # fmt: skip
    assert not form.is_valid()
    assert form.errors["name"] == ["Enter the phase name."]
    assert form.errors["min_days"] == ["Minimum days in this phase can be at most 365."]
    assert form.errors["max_pain_during"] == ["Most pain allowed during can be at most 5."]
    assert form.errors["max_pain_after"] == ["Most pain allowed afterwards can't be negative."]
    assert form.errors["run_minutes"] == ["Session length can be at most 300 minutes."]
    assert form.errors["incline_pct"] == ["Incline can be at most 20 %."]


def test_a_message_the_form_chose_itself_is_kept():
    class Form(forms.Form):
        note = forms.CharField(max_length=3, error_messages={"required": "Say what you did."})
        count = forms.IntegerField(label="Sessions a week", min_value=1, max_value=14)

    form = Form({"note": "", "count": "15"})
    friendly_errors(form)
    assert not form.is_valid()
    assert form.errors == {"note": ["Say what you did."], "count": ["Sessions a week can be at most 14."]}
