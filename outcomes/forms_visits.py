"""The visit page's forms: the visit (date, notes) and one form per catalog test (outcomes/catalog.py).

A test form holds a column per side the test is done on ("left" and "right", or one column), each with the
test's measures; a column left empty is not recorded. Strength (paired) tests have one column with both legs,
the unit and the affected leg. Ranges and choices are the catalog's: `catalog.clean_values` decides, and its
refusal (an OutcomeError code) is said in words next to the field it is about (outcomes/wording.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from outcomes import catalog, wording
from outcomes.codes import OutcomeError, Reason
from outcomes.models import TestResult
from portal.forms import DateInput

AFFECTED = "affected"
UNIT = "unit"
PAIRED_COLUMN = "both"
SIDE_LABELS = {
    catalog.LEFT: pgettext_lazy("leg", "Left"),
    catalog.RIGHT: pgettext_lazy("leg", "Right"),
    catalog.NONE: "",
}
EARLIEST = date(2000, 1, 1)


def pass_mark(test: catalog.ObjectiveTest) -> str:
    """What "pass" means for a test, in a physio's words."""
    rule = test.pass_rule
    if rule is None:
        return gettext("No pass mark: recorded to follow the trend.")
    if rule.kind == "negative":
        if not test.provokes_pain:  # Trendelenburg: the pelvis stays level
            return gettext("Pass: negative (the pelvis stays level, the trunk upright).")
        return gettext("Pass: negative (it does not bring on the familiar pain).")
    if rule.kind == "symmetry":
        return gettext("Pass: side-to-side at least %(pct)s %% (affected leg ÷ other leg).") % {
            "pct": f"{rule.min_pct:g}"
        }
    pain = rule.max_pain
    if rule.count_measure:
        unit = wording.unit_text(test.measure(rule.count_measure).unit)
        text = gettext("Pass: pain at most %(pain)s/10 with at least %(count)s %(unit)s") % {
            "pain": pain,
            "count": f"{rule.min_count:g}",
            "unit": unit,
        }
    else:
        text = gettext("Pass: pain at most %(pain)s/10") % {"pain": pain}
    if test.any_of:
        text += " " + gettext("(a pressure alone has no pass mark)")
    return text + "."


def range_text(measure: catalog.Measure, test: catalog.ObjectiveTest) -> str:
    if measure.choices:
        return gettext(" or ").join(wording.choice_label(c) for c in measure.choices)
    if test.sides == catalog.PAIRED:
        return gettext("0–%(newtons)s N or 0–%(kilos)s kg") % {
            "newtons": catalog.STRENGTH_UNITS["N"],
            "kilos": catalog.STRENGTH_UNITS["kg"],
        }
    unit = wording.unit_text(measure.unit) if measure.unit != "/10" else ""
    return f"{measure.min:g}–{measure.max:g}{' ' + unit if unit else ''}"


def columns_of(test: catalog.ObjectiveTest) -> tuple[str, ...]:
    if test.sides == catalog.EACH:
        return (catalog.LEFT, catalog.RIGHT)
    if test.sides == catalog.PAIRED:
        return (PAIRED_COLUMN,)
    return (catalog.NONE,)


class VisitForm(forms.Form):
    date = forms.DateField(widget=DateInput(), label=_("Date of the visit"))
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        label=_("Notes"),
        help_text=_("What you found and discussed. Seen by the care team only."),
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate() + timedelta(days=1):
            raise forms.ValidationError(gettext("A visit cannot be recorded ahead of its date."))
        if day < EARLIEST:
            raise forms.ValidationError(gettext("Enter the date of the visit."))
        return day


def _number_widget(measure: catalog.Measure, test: catalog.ObjectiveTest) -> forms.NumberInput:
    high = catalog.STRENGTH_UNITS["N"] if test.sides == catalog.PAIRED else measure.max
    attrs = {"min": f"{measure.min:g}", "max": f"{high:g}", "step": "1" if measure.integer else "any"}
    attrs["inputmode"] = "numeric" if measure.integer else "decimal"
    attrs["class"] = "form-control form-control-sm"
    return forms.NumberInput(attrs=attrs)


class TestForm(forms.Form):
    """One catalog test at a visit. `results` (after is_valid) maps the side recorded → its checked values."""

    __test__ = False  # pytest: a form, not a test class

    def __init__(self, test: catalog.ObjectiveTest, *args, existing=(), previous=None, **kwargs):
        kwargs.setdefault("prefix", test.code)
        super().__init__(*args, **kwargs)
        self.test = test
        self.columns = columns_of(test)
        self.existing = {row.side: row for row in existing}
        initial = {}
        for column in self.columns:
            for measure in test.measures:
                name = self.field_name(column, measure.code)
                label = (
                    wording.measure_label(measure)
                    if column in (catalog.NONE, PAIRED_COLUMN)
                    else f"{SIDE_LABELS[column]}: {wording.measure_label(measure)}"
                )
                if measure.choices:
                    field = forms.ChoiceField(
                        choices=[
                            ("", "—"),
                            *((c, wording.choice_label(c).capitalize()) for c in measure.choices),
                        ],
                        required=False,
                        label=label,
                        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                    )
                else:
                    field = forms.FloatField(
                        required=False, label=label, widget=_number_widget(measure, test)
                    )
                field.help_text = range_text(measure, test)
                field.measure = measure
                self.fields[name] = field
        if test.sides == catalog.PAIRED:
            self.fields[UNIT] = forms.ChoiceField(
                choices=[(unit, unit) for unit in catalog.STRENGTH_UNITS],
                initial="N",
                required=False,
                label=gettext("Unit"),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[AFFECTED] = forms.ChoiceField(
                choices=[
                    (catalog.NONE, pgettext_lazy("leg", "Neither")),
                    (catalog.LEFT, SIDE_LABELS[catalog.LEFT]),
                    (catalog.RIGHT, SIDE_LABELS[catalog.RIGHT]),
                ],
                initial=catalog.NONE,
                required=False,
                label=gettext("Affected leg"),
                help_text=gettext("Side-to-side %% is affected ÷ other; with neither, weaker ÷ stronger.")
                % {},
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            row = next(iter(self.existing.values()), None)
            if row is not None:
                initial |= {AFFECTED: row.side, UNIT: row.values.get(UNIT, "N")}
                initial |= {self.field_name(PAIRED_COLUMN, k): v for k, v in row.values.items() if k != UNIT}
            elif previous is not None:  # a new visit: the affected leg and unit of the last one, so % compare
                initial |= {AFFECTED: previous.side, UNIT: previous.values.get(UNIT, "N")}
        else:
            for side, row in self.existing.items():
                initial |= {self.field_name(side, k): v for k, v in row.values.items()}
        if not self.is_bound:
            self.initial = {**initial, **self.initial}
        self.results: dict[str, dict] = {}

    @staticmethod
    def field_name(column: str, measure: str) -> str:
        return measure if column in (catalog.NONE, PAIRED_COLUMN) else f"{column}_{measure}"

    @property
    def name(self) -> str:
        return wording.test_name(self.test.code)

    @property
    def how_to(self) -> str:
        return wording.how_to(self.test)

    @property
    def pass_mark(self) -> str:
        return pass_mark(self.test)

    @property
    def recorded(self) -> bool:
        """Open on the page: recorded at this visit already, being recorded now, or with an error."""
        return bool(self.existing) or bool(self.results) or bool(self.is_bound and self.errors)

    @property
    def symmetry(self):
        row = next(iter(self.existing.values()), None)
        return row.symmetry_pct if row is not None else None

    def rows(self):
        """(column label, [bound fields]) per column, for the template."""
        return [
            (
                SIDE_LABELS.get(column, ""),
                [self[self.field_name(column, m.code)] for m in self.test.measures],
            )
            for column in self.columns
        ]

    def _values(self, column: str) -> dict:
        values = {}
        for measure in self.test.measures:
            value = self.cleaned_data.get(self.field_name(column, measure.code))
            if value is None or value == "":
                continue
            if isinstance(value, float) and measure.integer and value == int(value):
                value = int(value)
            values[measure.code] = value
        return values

    def _fail(self, column: str, error: OutcomeError) -> None:
        params = dict(error.params)
        field = None
        key = params.get("item") or params.get("measure")
        if key:
            try:
                measure = self.test.measure(key)
            except KeyError:
                measure = None
            if measure is not None:
                field = self.field_name(column, key)
                params["item"] = wording.measure_label(measure)
        elif error.code == "bad_unit":
            field = UNIT
        elif error.code == "nothing_recorded" and params.get("needed"):
            field = self.field_name(column, params["needed"][0])
            label = wording.measure_label(self.test.measure(params["needed"][0]))
            self.add_error(field, gettext("%(measure)s: record it too.") % {"measure": label})
            return
        self.add_error(field, wording.render(Reason(error.code, params)))

    def clean(self):
        cleaned = super().clean()
        self.results = {}
        for column in self.columns:
            values = self._values(column)
            if not values:
                continue
            side = column
            if column == PAIRED_COLUMN:
                side = cleaned.get(AFFECTED) or catalog.NONE
                values[UNIT] = cleaned.get(UNIT)
            try:
                self.results[side] = catalog.clean_values(self.test, side, values)
            except OutcomeError as error:
                self._fail(column, error)
        return cleaned


def test_forms(data=None, *, visit=None, athlete=None) -> list[TestForm]:
    """A form for every catalog test, filled from the visit's recorded results. A new visit for `athlete` starts
    each strength test with the affected leg and unit of the athlete's latest result of it (one query), so the
    side-to-side % is worked out the same way from visit to visit."""
    by_test: dict[str, list] = {}
    previous: dict[str, TestResult] = {}
    if visit is not None:
        for row in visit.test_results.all():
            by_test.setdefault(row.test, []).append(row)
    elif athlete is not None:
        paired = [test.code for test in catalog.TESTS if test.sides == catalog.PAIRED]
        rows = TestResult.objects.filter(visit__athlete=athlete, test__in=paired).order_by(
            "-visit__date", "-visit__pk", "-pk"
        )
        for row in rows.only("test", "side", "values"):
            previous.setdefault(row.test, row)
    return [
        TestForm(test, data, existing=by_test.get(test.code, ()), previous=previous.get(test.code))
        for test in catalog.TESTS
    ]


test_forms.__test__ = False  # pytest: a helper, not a test
