"""Names and goals refuse invisible formatting characters (bidirectional overrides, zero-width characters) at
every door: the site's forms, the API and model validation behind the admin and the services."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import Athlete, Clinic
from portal.validators import validate_visible_text
from rehab.models import Plan

HIDDEN = {
    "right-to-left-override": "Anna\u202essoR",
    "left-to-right-isolate": "\u2066Anna\u2069",
    "zero-width-space": "An\u200bna",
    "zero-width-joiner": "An\u200dna",
    "right-to-left-mark": "Anna\u200f",
    "byte-order-mark": "\ufeffAnna",
}


@pytest.mark.parametrize("value", HIDDEN.values(), ids=HIDDEN.keys())
def test_invisible_formatting_characters_are_refused(value):
    with pytest.raises(ValidationError, match="invisible formatting character"):
        validate_visible_text(value)


@pytest.mark.parametrize("value", ["Anna", "Zoë O'Brien-Ødegård", "Łukasz", "محمد", "李小龍", "Anna 🏃"])
def test_real_names_in_any_script_pass(value):
    validate_visible_text(value)


def test_the_add_athlete_form_refuses_a_reversed_name(client_for, people):
    data = {
        "first_name": "Anna\u202essoR",
        "last_name": "Smith",
        "email": "anna@example.com",
        "sex": "female",
    }
    response = client_for("clinician").post(reverse("athlete_add"), data)
    assert response.status_code == 200
    assert "invisible formatting character (U+202E)" in " ".join(
        response.context["form"].errors["first_name"]
    )
    assert not Athlete.objects.filter(last_name="Smith").exists()


def test_the_api_refuses_a_zero_width_character_in_a_name(client_for, people):
    body = {"first_name": "Anna", "last_name": "Sm\u200bith", "email": "anna@example.com", "sex": "female"}
    response = client_for("clinician").post("/api/v1/athletes/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "U+200B" in response.json()["errors"]["last_name"][0]


def test_model_validation_covers_clinic_names_and_plan_goals(people):
    clinic = Clinic(name="Stride\u2067 Clinic", slug="stride-x")
    with pytest.raises(ValidationError) as error:
        clinic.full_clean()
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError):
        Plan._meta.get_field("goal").clean("Run pain-free\u202e", None)


def test_the_validator_needs_no_migration(db):
    from django.core.management import call_command

    call_command("makemigrations", "portal", "rehab", "--check", "--dry-run", verbosity=0)
