"""The hip-check form (built from engine.FIELDS) and the clinician's review form."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from triage import engine
from triage.models import Condition
from triage.wording import (
    HELP_TEXTS,
    HOP_BLOCKERS,
    PAIN_FIELDS,
    PAIN_SCALE,
    SECTIONS,
    SELF_TESTS,
    STATEMENTS,
    TEST_RESULT_LABELS,
    choice_labels,
    field_label,
)

TEST_PREFIX = "test_"


def _form_field(spec: engine.Field) -> forms.Field:
    common = {"label": field_label(spec), "required": False, "help_text": HELP_TEXTS.get(spec.name, "")}
    if spec.kind == "bool":
        widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
        return forms.BooleanField(
            **{**common, "label": STATEMENTS.get(spec.name, common["label"]), "widget": widget}
        )
    if spec.name in PAIN_FIELDS:
        choices = [("", _("Not sure / skip")), *PAIN_SCALE]
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, **common)
    if spec.kind in ("int", "number"):
        field_class = forms.IntegerField if spec.kind == "int" else forms.FloatField
        widget = forms.NumberInput(attrs={"inputmode": "numeric" if spec.kind == "int" else "decimal"})
        return field_class(min_value=spec.min_value, max_value=spec.max_value, widget=widget, **common)
    if spec.kind == "choice":
        if len(spec.choices) > 2:
            widget, choices = forms.Select(), [("", "—"), *choice_labels(spec)]
        else:  # a row of toggle buttons
            widget, choices = (
                forms.RadioSelect(attrs={"class": "btn-check"}),
                [*choice_labels(spec), ("", _("Not sure"))],
            )
        return forms.ChoiceField(choices=choices, widget=widget, **common)
    if spec.kind == "multichoice":
        widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
        return forms.MultipleChoiceField(choices=choice_labels(spec), widget=widget, **common)
    raise ValueError(f"No form field for {spec.kind!r} ({spec.name})")


def _test_field(spec: engine.Field) -> forms.ChoiceField:
    choices = [(value, TEST_RESULT_LABELS.get(value, label)) for value, label in choice_labels(spec)]
    return forms.ChoiceField(
        label=SELF_TESTS[spec.name].title if spec.name in SELF_TESTS else field_label(spec),
        choices=choices,
        initial="not_done",
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )


class IntakeForm(forms.Form):
    """One field per engine question still asked (retired ones are left out); self-tests become
    `test_<name>` radio groups (pain / no pain / skip)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in engine.FIELDS.values():
            if spec.retired:
                continue
            if spec.kind == "tests":
                for sub in spec.subfields:
                    self.fields[TEST_PREFIX + sub.name] = _test_field(sub)
            else:
                self.fields[spec.name] = _form_field(spec)
        for name in HOP_BLOCKERS:
            self.fields[name].widget.attrs["data-hop-blocker"] = ""

    def sections(self) -> list[dict]:
        """The page, section by section: runs of tick boxes and of inputs are grouped for the layout."""
        page = []
        for section in SECTIONS:
            items: list[dict] = []
            for name in section.fields:
                spec = engine.FIELDS[name]
                if spec.retired:
                    continue
                if spec.kind == "tests":
                    for sub in spec.subfields:
                        test = SELF_TESTS.get(sub.name)
                        items.append({"kind": "test", "field": self[TEST_PREFIX + sub.name], "test": test})
                    continue
                if spec.kind == "bool":
                    kind = "ticks"
                elif spec.kind == "multichoice":
                    kind = "options"
                elif isinstance(self.fields[name].widget, forms.RadioSelect):
                    kind = "toggle"
                else:
                    kind = "inputs"
                if kind in ("ticks", "inputs") and items and items[-1]["kind"] == kind:
                    items[-1]["fields"].append(self[name])
                else:
                    items.append({"kind": kind, "fields": [self[name]], "field": self[name]})
            page.append({"section": section, "items": items})
        return page

    def fields_with_errors(self) -> list:
        return [self[name] for name in self.fields if name in self.errors]

    def clean(self):
        cleaned = super().clean()
        if (
            not self.errors
            and not cleaned.get("locations")
            and not any(
                cleaned.get(name) is True for name, spec in engine.FIELDS.items() if spec.kind == "bool"
            )
        ):
            raise forms.ValidationError(
                _(
                    "Please tick where it hurts (or any other box that applies), so the check has something "
                    "to go on."
                )
            )
        return cleaned

    def answers(self) -> dict:
        """The engine's answers from the cleaned data; empty values are left out (not answered)."""
        data = self.cleaned_data
        answers: dict[str, object] = {}
        for name, spec in engine.FIELDS.items():
            if spec.retired:
                continue
            if spec.kind == "tests":
                tests = {sub.name: data[TEST_PREFIX + sub.name] for sub in spec.subfields}
                tests = {test: result for test, result in tests.items() if result}
                if tests:
                    answers[name] = tests
                continue
            value = data.get(name)
            if value is None or value == "" or value == []:
                continue
            if spec.kind == "number" and float(value).is_integer():
                value = int(value)
            answers[name] = list(value) if spec.kind == "multichoice" else value
        return answers

    def add_engine_errors(self, errors: dict[str, list[str]]) -> None:
        """Put engine.InvalidAnswers errors on the matching fields (unknown keys become form errors)."""
        for key, messages in errors.items():
            field = TEST_PREFIX + key.removeprefix("tests.") if key.startswith("tests.") else key
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


def initial_answers(athlete) -> dict:
    """Pre-fill what the athlete's profile already says (they can change it)."""
    initial: dict[str, object] = {}
    if (age := athlete.age()) is not None:
        initial["age"] = age
    if athlete.sex:
        initial["sex"] = athlete.sex
    if athlete.weekly_km is not None:
        km = float(athlete.weekly_km)
        initial["weekly_km"] = int(km) if km.is_integer() else km
    shoe_km = [shoe.km for shoe in athlete.shoes.all() if not shoe.retired]
    if shoe_km:
        initial["shoe_km"] = int(max(shoe_km))
    return initial


class ReviewForm(forms.Form):
    condition = forms.TypedChoiceField(
        label=gettext_lazy("Confirmed condition"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy("What you found on assessment. Leave empty if it is not clear yet."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes for the care team"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Not shown on the athlete's pages, but included when they download their data."
        ),
    )

    def __init__(self, *args, intake, **kwargs):
        super().__init__(*args, **kwargs)
        catalogue = list(Condition.objects.all())
        self.conditions = {c.pk: c for c in catalogue}
        scores = {c["code"]: c["score"] for c in intake.result.get("conditions") or []}
        suggested = sorted((c for c in catalogue if c.code in scores), key=lambda c: -scores[c.code])
        others = [c for c in catalogue if c.code not in scores]
        choices: list = [("", _("Not confirmed yet"))]
        if suggested:
            choices.append((_("Suggested by the check"), [(c.pk, c.display_name) for c in suggested]))
        others_title = _("Other conditions") if suggested else _("Conditions")
        choices.append((others_title, [(c.pk, c.display_name) for c in others]))
        self.fields["condition"].choices = choices
        if not self.is_bound:
            self.initial = {"condition": intake.confirmed_condition_id, "notes": intake.review_notes}

    def clean_condition(self):
        pk = self.cleaned_data.get("condition")
        return None if pk is None else self.conditions[pk]
