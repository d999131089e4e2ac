"""Forms for questionnaires: the athlete's fill-in form (built from the instrument's items) and the plan's
schedule (one row per questionnaire the clinic has)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from outcomes.instruments import Instrument

ANSWER_NEEDED = _("Answer this question, or save and finish later.")
NAME_NEEDED = _("Name the activity you are rating.")
RATING_NEEDED = _("Rate this activity from 0 to 10, or leave its name empty.")
MIN_ACTIVITIES = 3
LABEL_MAX = 80


class AnswerScale(forms.RadioSelect):
    """A whole-number answer on a short scale (0–10 and the like) as a row of buttons, the log page's pain
    scale without its colours; none checked = not answered. `ends` says what the two ends mean."""

    template_name = "outcomes/widgets/answer_scale.html"

    def __init__(self, attrs=None, ends=("", "")):
        super().__init__({"class": "btn-check", "autocomplete": "off", **(attrs or {})})
        self.ends = ends

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["ends"] = self.ends
        context["widget"]["columns"] = len(self.choices)
        return context


class AnswerList(forms.RadioSelect):
    """A short scale whose every answer has its own words (the licensed questionnaires' labels): one per line."""

    template_name = "outcomes/widgets/answer_list.html"

    def __init__(self, attrs=None):
        super().__init__({"class": "form-check-input", **(attrs or {})})


def _number(value: float) -> str:
    return f"{value:g}"


def answer_field(instrument: Instrument, item, label: str) -> forms.Field:
    """One item's answer field: buttons for a short whole-number scale, labelled choices when every value has
    words, a number box otherwise. Never required here: the form checks completeness only on submit."""
    anchors = instrument.anchors
    low, high = int(item.min), int(item.max)
    if item.integer and high - low <= 10:
        choices = [(v, str(v)) for v in range(low, high + 1)]
        if all(str(v) in anchors for v in range(low, high + 1)):
            choices = [(v, anchors[str(v)]) for v in range(low, high + 1)]
            widget = AnswerList()
        else:
            ends = (
                f"{low} = {anchors[str(low)]}" if str(low) in anchors else str(low),
                f"{high} = {anchors[str(high)]}" if str(high) in anchors else str(high),
            )
            widget = AnswerScale(ends=ends)
        return forms.TypedChoiceField(
            label=label, choices=choices, coerce=int, empty_value=None, required=False, widget=widget
        )
    help_text = gettext("A number from %(low)s to %(high)s") % {
        "low": _number(item.min),
        "high": _number(item.max),
    }
    ends = [f"{v} = {anchors[v]}" for v in (_number(item.min), _number(item.max)) if v in anchors]
    if ends:
        help_text += f" ({', '.join(ends)})"
    attrs = {"inputmode": "numeric" if item.integer else "decimal", "class": "form-control answer-number"}
    if item.integer:
        return forms.IntegerField(
            label=label, min_value=low, max_value=high, required=False, help_text=help_text,
            widget=forms.NumberInput(attrs),
        )  # fmt: skip
    return forms.FloatField(
        label=label, min_value=item.min, max_value=item.max, required=False, help_text=help_text,
        widget=forms.NumberInput({**attrs, "step": "any"}),
    )  # fmt: skip


class QuestionnaireForm(forms.Form):
    """One scrolling form for one questionnaire round.

    Fields `a_<item>` hold the answers. For PSFS the athlete names the activities at the first round (`n_<item>`,
    3 to 5 of them) and rates the same ones later (`activities`: item code → the name given then). "Save and
    finish later" (`finish` false) keeps whatever is answered; submitting (`finish` true) needs every question
    answered, each error next to its field.
    """

    def __init__(
        self,
        *args,
        instrument: Instrument,
        activities: dict[str, str] | None = None,
        complete: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.complete = complete  # a clinician's entry is always a whole round
        self.psfs = instrument.code == "psfs"
        self.activities = activities or {}
        self.naming = self.psfs and not self.activities
        for item in instrument.items:
            if self.psfs and not self.naming and item.code not in self.activities:
                continue  # later rounds rate the activities named at the first one, and only those
            label = item.text
            if self.psfs:
                number = item.code.rsplit("_", 1)[-1]
                if self.naming:
                    self.fields[f"n_{item.code}"] = forms.CharField(
                        label=gettext("Activity %(number)s") % {"number": number}, max_length=LABEL_MAX,
                        required=False,
                        help_text=gettext("For example: running 5 km, climbing stairs, getting in and out of the car.")
                        if number == "1" else "",
                    )  # fmt: skip
                    label = gettext("How well can you do activity %(number)s today?") % {"number": number}
                else:
                    label = gettext("%(activity)s: how well can you do it today?") % {
                        "activity": self.activities[item.code]
                    }
            self.fields[f"a_{item.code}"] = answer_field(instrument, item, label)

    def questions(self):
        """(item code, name field or None, answer field) in order, for the template."""
        rows = []
        for item in self.instrument.items:
            if f"a_{item.code}" not in self.fields:
                continue
            name = self[f"n_{item.code}"] if self.naming else None
            rows.append((item.code, name, self[f"a_{item.code}"]))
        return rows

    def clean(self):
        data = super().clean()
        finish = self.complete or self.data.get("finish") == "1"
        self.finish = finish
        for item in self.instrument.items:
            answer_key, name_key = f"a_{item.code}", f"n_{item.code}"
            if answer_key not in self.fields or answer_key in self.errors:
                continue
            answered = data.get(answer_key) is not None
            if self.naming:
                named = bool((data.get(name_key) or "").strip())
                if answered and not named:
                    self.add_error(name_key, NAME_NEEDED)
                elif finish and named and not answered:
                    self.add_error(answer_key, RATING_NEEDED)
                elif finish and not item.optional and not named:
                    self.add_error(
                        name_key,
                        ngettext(
                            "Name at least %(count)d activity.",
                            "Name at least %(count)d activities.",
                            MIN_ACTIVITIES,
                        )
                        % {"count": MIN_ACTIVITIES},
                    )
            elif finish and not answered and (not item.optional or self.psfs):
                self.add_error(answer_key, ANSWER_NEEDED)
        return data

    def answers(self) -> dict:
        return {
            key[2:]: value
            for key, value in self.cleaned_data.items()
            if key.startswith("a_") and value is not None
        }

    def item_labels(self) -> dict | None:
        if not self.psfs:
            return None
        if not self.naming:
            return dict(self.activities)
        return {
            key[2:]: value.strip()
            for key, value in self.cleaned_data.items()
            if key.startswith("n_") and value and value.strip()
        }


# -------------------------------------------------------------------------------------------------- schedules


def every_choices() -> list[tuple]:
    """The follow-up choices, in the active language."""
    return [("", gettext("No follow-ups"))] + [
        (n, ngettext("Every week", "Every %(count)d weeks", n) % {"count": n}) for n in (1, 2, 3, 4, 6, 8, 12)
    ]


class ScheduleRowForm(forms.Form):
    """One questionnaire on the plan's schedule page (prefix: its code)."""

    ask = forms.BooleanField(required=False, label=_("Ask"))
    every_weeks = forms.TypedChoiceField(
        choices=every_choices, coerce=int, empty_value=None, required=False, label=_("Follow-ups")
    )
    at_intake = forms.BooleanField(required=False, label=_("At the start"))
    at_discharge = forms.BooleanField(required=False, label=_("At discharge"))

    def __init__(self, *args, instrument: Instrument, suggestion=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.suggestion = suggestion
        self.usable = instrument.has_wording
        if not self.usable:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        data = super().clean()
        if data.get("ask") and not (
            data.get("at_intake") or data.get("at_discharge") or data.get("every_weeks")
        ):
            self.add_error(
                "ask", gettext("Pick when to ask it: at the start, every few weeks or at discharge.")
            )
        return data

    @property
    def timing(self) -> dict | None:
        data = self.cleaned_data
        if not self.usable or not data.get("ask"):
            return None
        return {k: data.get(k) for k in ("every_weeks", "at_intake", "at_discharge")}
