"""Form errors in plain words that name the field ("Weekly distance can't be negative."), instead of Django's
defaults ("Ensure this value is greater than or equal to 0."), and empty choices that say what empty means.

`friendly_errors(form)` loops over a form's fields once, after the form is built. A message a form sets itself
is kept: only Django's default wording is replaced. ModelForms pass these messages on to the model's own
validators too (the codes match), so a limit set on the model reads the same way.
"""

from __future__ import annotations

import re

from django import forms
from django.core import validators
from django.forms.utils import pretty_name

UNIT = re.compile(r"\s*\(([^)]*)\)\s*$")


def _defaults(field: forms.Field) -> dict:
    """Django's own messages for this kind of field (what a form has not changed)."""
    messages = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _label_parts(label: str) -> tuple[str, str]:
    """ "Usual weekly distance (km)" → ("usual weekly distance", "km"); a range such as "(0–10)" is no unit."""
    match = UNIT.search(label)
    unit = ""
    if match:
        label = label[: match.start()]
        if not re.search(r"\d", match.group(1)):
            unit = match.group(1)
    label = label.strip()
    return (label[:1].lower() + label[1:] if label[1:2].islower() or len(label) < 2 else label), unit


def _limits(form, name: str, field: forms.Field) -> tuple[list, list]:
    """The min and max validators of the field and, in a ModelForm, of the model field behind it."""
    checks = list(field.validators)
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        names = {f.name for f in model._meta.get_fields()}
        if name in names:  # not a form-only field
            checks += getattr(model._meta.get_field(name), "validators", [])
    lows = [v.limit_value for v in checks if isinstance(v, validators.MinValueValidator)]
    highs = [v.limit_value for v in checks if isinstance(v, validators.MaxValueValidator)]
    return lows, highs


def field_messages(form, name: str, field: forms.Field, *, whose: str = "the", noun: str = "") -> dict:
    """Plain messages for `field`, keyed by Django's error codes."""
    label, unit = _label_parts(str(field.label or pretty_name(name)))
    noun = noun or label
    subject = noun[:1].upper() + noun[1:]
    the = f"{whose} {noun}"
    per_unit = f" {unit}".replace("%", "%%") if unit else ""  # the messages are %-formatted with their limits
    choose = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
    messages = {"required": f"{'Choose' if choose else 'Enter'} {the}."}
    if isinstance(field, forms.CharField):
        messages["max_length"] = f"Keep {the} to %(limit_value)d characters (it has %(show_value)d)."
        messages["min_length"] = f"Make {the} at least %(limit_value)d characters long."
    if isinstance(field, forms.EmailField):
        messages["invalid"] = f"Check {the}: it should look like name@example.com."
    elif isinstance(field, forms.DecimalField | forms.FloatField):  # before IntegerField: they derive from it
        messages["invalid"] = f"{subject} must be a number."
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{subject} must be a whole number."
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"Enter {the} as a date."
    if choose:
        messages["invalid_choice"] = f"Choose {the} from the list."
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        lows, highs = _limits(form, name, field)
        if lows:
            messages["min_value"] = (
                f"{subject} can't be negative."
                if max(lows) == 0
                else f"{subject} must be at least %(limit_value)s{per_unit}."
            )
        if highs:
            messages["max_value"] = f"{subject} can be at most %(limit_value)s{per_unit}."
        if isinstance(field, forms.DecimalField) and field.decimal_places is not None:
            places = field.decimal_places
            messages["max_decimal_places"] = (
                f"Give {the} in whole numbers."
                if places == 0
                else f"Give {the} with at most {places} decimal place{'s' if places != 1 else ''}."
            )
            messages["max_digits"] = messages["max_whole_digits"] = f"{subject} is too large."
    return messages


def friendly_errors(
    form,
    *,
    whose: str = "the",
    nouns: dict[str, str] | None = None,
    messages: dict[str, dict[str, str]] | None = None,
    empty_labels: dict[str, str] | None = None,
) -> None:
    """Give every visible field of `form` messages in words (field_messages), keeping those the form set.

    `whose`: how required fields are asked for ("Enter the athlete's first name."); `nouns`: a field's name in
    messages where its label does not read well there; `messages`: exact messages per field and code;
    `empty_labels`: the words of a choice field's empty option instead of "---------".
    """
    nouns, messages, empty_labels = nouns or {}, messages or {}, empty_labels or {}
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        defaults = _defaults(field)
        plain = field_messages(form, name, field, whose=whose, noun=nouns.get(name, ""))
        for code, message in plain.items():
            if code not in field.error_messages or field.error_messages[code] == defaults.get(code):
                field.error_messages[code] = message
        field.error_messages.update(messages.get(name, {}))
        if name in empty_labels:
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = empty_labels[name]
            elif isinstance(field, forms.ChoiceField):
                field.choices = [
                    ("", empty_labels[name]) if value == "" else (value, label)
                    for value, label in field.choices
                ]
