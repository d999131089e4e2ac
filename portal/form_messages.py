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
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

UNIT = re.compile(r"\s*\(([^)]*)\)\s*$")

# How a message names a field, per `whose` (English: "the athlete's weekly distance"). Spanish names the field
# by its label instead ("el campo «distancia semanal»"): the owner's word would need the noun's gender.
WHOSE = {
    "the": _("the %(noun)s"),
    "the athlete's": _("the athlete's %(noun)s"),
    "your": _("your %(noun)s"),
}


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
    noun = str(noun)
    subject = noun[:1].upper() + noun[1:]
    the = (gettext(WHOSE[whose]) if whose in WHOSE else f"{whose} %(noun)s") % {"noun": noun}
    # The messages are %-formatted again with their limits: the names and the unit keep their own % signs.
    the, subject = the.replace("%", "%%"), subject.replace("%", "%%")
    named = {"the": the, "subject": subject}
    per_unit = {**named, "unit": unit.replace("%", "%%"), "limit_value": "%(limit_value)s"}
    choose = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
    messages = {"required": (gettext("Choose %(the)s.") if choose else gettext("Enter %(the)s.")) % named}
    if isinstance(field, forms.CharField):
        messages["max_length"] = (
            gettext("Keep %(the)s to %%(limit_value)d characters (it has %%(show_value)d).") % named
        )
        messages["min_length"] = gettext("Make %(the)s at least %%(limit_value)d characters long.") % named
    if isinstance(field, forms.EmailField):
        messages["invalid"] = gettext("Check %(the)s: it should look like name@example.com.") % named
    elif isinstance(field, forms.DecimalField | forms.FloatField):  # before IntegerField: they derive from it
        messages["invalid"] = gettext("%(subject)s must be a number.") % named
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = gettext("%(subject)s must be a whole number.") % named
    elif isinstance(field, forms.DateField):
        messages["invalid"] = gettext("Enter %(the)s as a date.") % named
    if choose:
        messages["invalid_choice"] = gettext("Choose %(the)s from the list.") % named
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        lows, highs = _limits(form, name, field)
        if lows:
            messages["min_value"] = (
                gettext("%(subject)s can't be negative.") % named
                if max(lows) == 0
                else (
                    gettext("%(subject)s must be at least %(limit_value)s %(unit)s.")
                    if unit
                    else gettext("%(subject)s must be at least %(limit_value)s.")
                )
                % per_unit
            )
        if highs:
            messages["max_value"] = (
                gettext("%(subject)s can be at most %(limit_value)s %(unit)s.")
                if unit
                else gettext("%(subject)s can be at most %(limit_value)s.")
            ) % per_unit
        if isinstance(field, forms.DecimalField) and field.decimal_places is not None:
            places = field.decimal_places
            messages["max_decimal_places"] = (
                gettext("Give %(the)s in whole numbers.") % named
                if places == 0
                else ngettext(
                    "Give %(the)s with at most %(places)d decimal place.",
                    "Give %(the)s with at most %(places)d decimal places.",
                    places,
                )
                % {**named, "places": places}
            )
            messages["max_digits"] = messages["max_whole_digits"] = (
                gettext("%(subject)s is too large.") % named
            )
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
