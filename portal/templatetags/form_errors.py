"""The error summary every form shows after an invalid post, and the error class for hand-placed widgets.

Django (5.0+) already marks a field with errors aria-invalid="true" and points its aria-describedby at
"<id>_helptext" and "<id>_error"; crispy-bootstrap5 renders those ids. Templates that place widgets themselves
render the same ids (templates/rehab/log_form.html), so every described-by id exists.
"""

from dataclasses import dataclass

from django import forms, template
from django.forms.widgets import ChoiceWidget

register = template.Library()


@dataclass(frozen=True)
class Problem:
    message: str
    label: str = ""
    target: str = ""  # the id of the input a link in the summary moves focus to; "" for a form-wide error


def _target(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, ChoiceWidget):
        # Radios and checkbox lists have no single input: the first option's (Django's id_for_label gives ""
        # for radios, so that no <label> points at one option only).
        return widget.id_for_label(field.auto_id, "0") if field.auto_id else ""
    return field.id_for_label


def _form_problems(form: forms.BaseForm, row: int | None = None) -> list[Problem]:
    problems = [Problem(message) for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            if field.is_hidden:  # nothing to move to (the plan version a page was loaded with, say)
                problems.append(Problem(message))
                continue
            label = str(field.label or field.name)
            label = f"{label}, row {row}" if row else label
            # "Minutes: Enter a whole number.", but "How many days has it hurt? Enter a whole number."
            label = label if label.endswith(("?", ":")) else f"{label}:"
            problems.append(Problem(message, label, _target(field)))
    return problems


def problems_of(*forms_or_formsets) -> list[Problem]:
    """Every error of the given forms and formsets, form-wide ones first, in the order the fields are shown."""
    problems: list[Problem] = []
    for item in forms_or_formsets:
        if item is None or not item.is_bound:
            continue
        if isinstance(item, forms.BaseFormSet):
            problems += [Problem(message) for message in item.non_form_errors()]
            for number, form in enumerate(item.forms, start=1):
                problems += _form_problems(form, row=number)
        else:
            problems += _form_problems(item)
    return problems


@register.inclusion_tag("portal/error_summary.html")
def error_summary(*forms_or_formsets, intro: str = ""):
    """{% error_summary form formset intro="Nothing was saved yet." %}: "There is a problem", with a link to each
    invalid field; it takes the focus when the page loads (portal/static/portal/forms.js). Nothing when the
    forms are valid or not posted."""
    return {"problems": problems_of(*forms_or_formsets), "intro": intro}


@register.filter
def with_error_class(field: forms.BoundField):
    """The field's widget with Bootstrap's is-invalid class added when it has errors (red border)."""
    if not field.errors:
        return field
    classes = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{classes} is-invalid".strip()})
