"""Text that people read as names and goals holds no invisible formatting characters.

Bidirectional overrides (U+202A–U+202E, U+2066–U+2069) reorder what is displayed, so "Anna‮ssoR" reads as
another name in the caseload, an email or the audit trail; zero-width characters (U+200B–U+200F, U+2060,
U+FEFF…) make two names that look the same different. No real name or goal needs them.
"""

import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVISIBLE_CONTROLS = re.compile(
    "[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)

# The model fields that hold a person's or a clinic's name, or a plan's goal.
VISIBLE_TEXT_FIELDS = [
    ("portal.User", "first_name"),
    ("portal.User", "last_name"),
    ("portal.Athlete", "first_name"),
    ("portal.Athlete", "last_name"),
    ("portal.Clinic", "name"),
    ("rehab.PlanTemplate", "name"),
    ("rehab.PhaseTemplate", "name"),
    ("rehab.PhaseTemplate", "goal"),
    ("rehab.Plan", "name"),
    ("rehab.Plan", "goal"),
    ("rehab.PlanPhase", "name"),
    ("rehab.PlanPhase", "goal"),
]


def validate_visible_text(value) -> None:
    """Refuse bidirectional-override and zero-width characters, naming the first one found."""
    if not isinstance(value, str):
        return
    found = INVISIBLE_CONTROLS.search(value)
    if found:
        raise ValidationError(
            _("Remove the invisible formatting character (U+%(code)04X): it changes how the text is shown."),
            code="invisible_character",
            params={"code": ord(found.group())},
        )


def register_visible_text_fields() -> None:
    """Add the validator to VISIBLE_TEXT_FIELDS (called once, from PortalConfig.ready).

    Model validation (every service's full_clean, the admin's forms) and DRF's model serializers read a field's
    `validators`, so each door refuses the characters. Added at start-up rather than in the field definitions:
    it changes nothing in the database, and so needs no migration.
    """
    for label, name in VISIBLE_TEXT_FIELDS:
        field = apps.get_model(label)._meta.get_field(name)
        if validate_visible_text not in field.validators:
            field.validators.append(validate_visible_text)
