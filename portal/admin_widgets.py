"""Admin widgets that survive hostile input, that name every box they draw, and that edit lists as lines."""

import re

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's, except that a posted value which is no id of a row ("abc", a number past 64 bits) is shown as
    nothing chosen when the form comes back with errors. Django's own runs it through a `pk__in` query while
    rendering, and that query fails (a 500) instead of the form showing "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        field = self.choices.field
        usable = []
        for item in value:
            try:
                field.to_python(item)
            except ValidationError:
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


class AdminSplitDateTime(widgets.AdminSplitDateTime):
    """Django's date and time pair, with each box named after its field ("Last login: date"). Django's label for
    the pair points at neither box (a MultiWidget has no single id), so a screen reader heard only "edit text"."""

    def __init__(self, attrs=None, *, label=""):
        super().__init__(attrs)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, part in zip(context["widget"]["subwidgets"], ("date", "time"), strict=True):
            subwidget["attrs"]["aria-label"] = f"{self.label}: {part}" if self.label else part
        return context


class LinesTextarea(forms.Textarea):
    """A list edited as one item per line."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 4, "class": "stride-lines", **(attrs or {})})


class RunStepsField(forms.Field):
    """A walk/jog ladder ([{"jog": 1, "walk": 3}, …], rehab.models.PhaseFields.run_steps) edited as one step a
    line, in the words the athlete reads: "jog 1 min, walk 3 min". Empty lines are skipped; a line that is not
    a step gets an error naming it. What is shown is parsed back to the same list."""

    widget = LinesTextarea
    VERBS = ("jog", "walk")
    MAX_MINUTES = 60
    MAX_STEPS = 50
    EXAMPLE = "jog 1 min, walk 3 min"
    _PART = re.compile(r"^(jog|walk)\s*:?\s*(\d{1,3})\s*(?:m|min|mins|minute|minutes)?$", re.IGNORECASE)

    @classmethod
    def step_text(cls, step) -> str:
        if not isinstance(step, dict):
            return str(step)
        return ", ".join(f"{verb} {minutes} min" for verb, minutes in step.items())

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(self.step_text(step) for step in value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, list):
            return value
        if len(str(value)) > 5000:
            raise ValidationError(_("Keep the steps under 5,000 characters."), code="max_length")
        steps, problems = [], []
        lines = [line.strip() for line in str(value).splitlines()]
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            step = {}
            for part in (part.strip() for part in line.split(",")):
                match = self._PART.match(part)
                if match is None or match.group(1).lower() in step:
                    step = None
                    break
                minutes = int(match.group(2))
                if minutes > self.MAX_MINUTES:
                    step = None
                    break
                step[match.group(1).lower()] = minutes
            if not step:
                problems.append(
                    gettext("line %(number)d (“%(text)s”)") % {"number": number, "text": line[:40]}
                )
            else:
                steps.append(step)
        if problems:
            raise ValidationError(
                _(
                    "Write each step on its own line as “%(example)s”, in whole minutes from 0 to %(max)d. "
                    "Check %(where)s."
                ),
                code="invalid",
                params={"example": self.EXAMPLE, "max": self.MAX_MINUTES, "where": ", ".join(problems[:5])},
            )
        if len(steps) > self.MAX_STEPS:
            raise ValidationError(
                _("At most %(max)d steps."), code="max_steps", params={"max": self.MAX_STEPS}
            )
        return steps


def list_display_html(items, *, label=None, ordered=False, empty="—"):
    """A stored list, shown read-only as a bulleted (or numbered) list of words, labels for known codes, not
    as JSON."""
    if not items:
        return empty
    if not isinstance(items, list):
        return format_html("{}", items)
    words = [(label(item) if label else None) or item for item in items]
    tag = "ol" if ordered else "ul"
    return format_html(
        '<{} class="stride-list">{}</{}>',
        tag,
        format_html_join("", "<li>{}</li>", ((word,) for word in words)),
        tag,
    )
