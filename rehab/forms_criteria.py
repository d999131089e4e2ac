"""A phase's measured exit criteria edited in words: one row a criterion, the boxes each kind needs.

The rows are a formset (prefix "crit") beside the tailor page's phase form (rehab.views.phase_edit). Each row
says its kind (questionnaire score, clinic test, strength symmetry, clinician's clearance) and shows that kind's
boxes; the phase still stores the same JSON list (PlanPhase.structured_criteria, outcomes.criteria.parse), so
the engine, the API and saved phases are unchanged. `CriteriaFormSet.value()` gives that list, rows in the
order shown, removed ones left out; `initial_rows(raw)` turns a stored list back into rows.

Every problem is said next to the box at fault in a physio's words; outcomes.criteria.parse checks each row
once more, and a problem it finds is put on the box its `key` names.
"""

from __future__ import annotations

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from outcomes import catalog, wording
from outcomes import criteria as outcome_criteria
from outcomes.codes import OutcomeError
from outcomes.instruments import TOTAL, Instrument
from outcomes.questionnaires import clinic_instruments
from portal.form_messages import friendly_errors
from rehab.criteria import error_text

PREFIX = "crit"
MAX_CRITERIA = 20
KIND_LABELS = {
    "prom": _("Questionnaire score"),
    "test": _("Clinic test"),
    "symmetry": _("Strength symmetry"),
    "clearance": _("Clinician's clearance"),
}
# The box where each kind's first choice is made (the page puts the keyboard there once a row is added).
FIRST_FIELD = {"prom": "instrument", "test": "test", "symmetry": "symmetry_test", "clearance": "kind"}
# The stored keys of each kind and the row's boxes holding them (the symmetry test has a box of its own).
KEY_FIELDS = {"symmetry": {"test": "symmetry_test"}}


def _field_of(kind: str, key: str) -> str:
    return KEY_FIELDS.get(kind, {}).get(key, key)


def _plain(number):
    """70.0 is stored as 70, as a hand-written list has it."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() else float(number)


# The count a test's pass mark counts, for the label of its box ("At least (reps)").
COUNT_UNITS = {"reps": _("reps"), "hops": _("hops"), "seconds": _("seconds")}


def test_pass_mark(test: catalog.ObjectiveTest) -> str:
    """What a test's own pass mark asks, in words, without the test's name ("pain at most 2/10, at least 10
    reps"; "" when it has none)."""
    rule = test.pass_rule
    if rule is None or rule.kind == "symmetry":
        return ""
    side = "each" if test.sides == catalog.EACH else catalog.NONE
    text = wording.describe(outcome_criteria.Criterion("test", test=test.code, side=side))
    return text.split(": ", 1)[-1]


def count_unit(test: catalog.ObjectiveTest | None) -> str:
    rule = test.pass_rule if test else None
    measure = rule.count_measure if rule else None
    return str(COUNT_UNITS.get(measure, measure or ""))


def count_label(unit: str) -> str:
    return gettext("At least (%(unit)s)") % {"unit": unit} if unit else gettext("At least (count)")


class DataSelect(forms.Select):
    """A select whose options carry data- attributes (`option_data`: value → {name: value}), which the page's
    script reads to offer only the parts of the chosen questionnaire and the sides of the chosen test."""

    def __init__(self, attrs=None, option_data=None):
        super().__init__(attrs)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


def _instrument_label(instrument: Instrument) -> str:
    if instrument.name.startswith(instrument.short_name):
        return instrument.name
    return f"{instrument.short_name} — {instrument.name}"


def _scales(instrument: Instrument) -> list[str]:
    return [s.code for s in instrument.subscales] + ([TOTAL] if instrument.total_rule else [])


class CriterionForm(forms.Form):
    """One measured exit criterion (a row of CriteriaFormSet); `cleaned_data["criterion"]` is its stored form."""

    kind = forms.ChoiceField(label=_("Kind of criterion"), choices=[("", _("Choose…")), *KIND_LABELS.items()])
    instrument = forms.ChoiceField(label=_("Questionnaire"), required=False)
    scale = forms.ChoiceField(label=_("Score or subscale"), required=False, initial=TOTAL)
    op = forms.ChoiceField(
        label=_("Must be"),
        choices=[(">=", pgettext_lazy("a score", "at least")), ("<=", pgettext_lazy("a score", "at most"))],
        initial=">=",
        required=False,
    )
    value = forms.FloatField(label=_("Score"), required=False)
    test = forms.ChoiceField(label=_("Test"), required=False)
    side = forms.ChoiceField(
        label=_("Side"),
        required=False,
        choices=[
            ("", _("As the test is done")),
            ("each", _("Each side")),
            (catalog.LEFT, _("Left only")),
            (catalog.RIGHT, _("Right only")),
            (catalog.NONE, _("One result (no side)")),
        ],
    )
    max_pain = forms.IntegerField(label=_("Pain at most (0–10)"), min_value=0, max_value=10, required=False)
    min_count = forms.FloatField(label=_("At least (count)"), min_value=0, max_value=10_000, required=False)
    symmetry_test = forms.ChoiceField(label=_("Strength test"), required=False)
    min_pct = forms.FloatField(
        label=_("Side-to-side at least (%)"),
        min_value=1,
        max_value=200,
        required=False,
        help_text=_("The affected side as a share of the other, e.g. 90."),
    )

    def __init__(self, *args, instruments: dict[str, Instrument], **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        fields = self.fields
        usable = [(code, _instrument_label(i)) for code, i in instruments.items() if i.has_wording]
        waiting = [(code, _instrument_label(i)) for code, i in instruments.items() if not i.has_wording]
        fields["instrument"].choices = [("", gettext("Choose a questionnaire…"))] + (
            [(gettext("Ready to send"), usable), (gettext("Need your licensed wording first"), waiting)]
            if usable and waiting
            else usable + waiting
        )
        order = list(wording.SCALE_NAMES)
        parts = {s.code for i in instruments.values() for s in i.subscales}
        scale_codes = [TOTAL, *sorted(parts, key=lambda c: (order.index(c) if c in order else len(order), c))]
        fields["scale"].widget = DataSelect(
            option_data={
                code: {"data-for": " ".join(c for c, i in instruments.items() if code in _scales(i))}
                for code in scale_codes
            }
        )
        fields["scale"].choices = [("", gettext("Choose…"))] + [
            (code, gettext("Total score") if code == TOTAL else capfirst(wording._scale(code)))
            for code in scale_codes
        ]
        tests = [
            t for t in catalog.TESTS
            if t.sides != catalog.PAIRED and (t.pass_rule or "pain" in {m.code for m in t.measures})
        ]  # fmt: skip
        chosen = self["test"].value() or ""
        if chosen in catalog.BY_CODE and chosen not in {t.code for t in tests}:
            tests.append(catalog.BY_CODE[chosen])  # a stored criterion on a test not offered: kept as it is
        fields["test"].widget = DataSelect(
            option_data={
                t.code: {"data-sides": t.sides, "data-pass": test_pass_mark(t), "data-unit": count_unit(t)}
                for t in tests
            }
        )
        fields["test"].choices = [("", gettext("Choose a test…"))] + [
            (t.code, wording.test_name(t.code)) for t in tests
        ]
        strength = [t for t in catalog.TESTS if t.sides == catalog.PAIRED]
        fields["symmetry_test"].choices = [("", gettext("Choose a test…"))] + [
            (t.code, wording.test_name(t.code)) for t in strength
        ]
        fields["min_count"].label = count_label(self.count_unit())
        friendly_errors(
            self, messages={"kind": {"required": gettext("Choose what kind of criterion this is.")}}
        )
        for name in ("value", "max_pain", "min_count", "min_pct"):
            fields[name].widget.attrs.update({"inputmode": "decimal" if name != "max_pain" else "numeric"})

    @property
    def chosen_kind(self) -> str:
        value = self["kind"].value()
        return value if value in KIND_LABELS else ""

    def pass_mark(self) -> str:
        """The chosen test's own pass mark in words, for the hint under the boxes."""
        test = catalog.BY_CODE.get(self["test"].value() or "")
        return test_pass_mark(test) if test else ""

    def decided_by_pass_mark(self) -> bool:
        """Whether the chosen test's own pass mark decides (it has one; no pain or count given)."""
        given = [self[name].value() for name in ("max_pain", "min_count")]
        return bool(self.pass_mark()) and all(value in (None, "") for value in given)

    def count_unit(self) -> str:
        return count_unit(catalog.BY_CODE.get(self["test"].value() or ""))

    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.chosen_kind, gettext("New criterion")))

    def words(self) -> str:
        """The row's criterion in a physio's words when it is complete ("" otherwise)."""
        criterion = self.cleaned_data.get("criterion") if hasattr(self, "cleaned_data") else None
        if criterion is None and not self.is_bound:
            try:
                criterion = outcome_criteria.parse([self.stored(self.initial)])[0]
            except (OutcomeError, TypeError, ValueError, KeyError):
                return ""
        if criterion is None:
            return ""
        try:
            return wording.describe(criterion)
        except (OutcomeError, KeyError, AttributeError):
            return ""

    @staticmethod
    def stored(values: dict) -> dict:
        """A row's boxes as the stored criterion (the keys of its kind only; empty boxes left out)."""
        kind = values.get("kind")
        data = {"kind": kind}
        for key in outcome_criteria.FIELDS.get(kind, ()):
            value = values.get(_field_of(kind, key))
            if value not in (None, ""):
                data[key] = _plain(value) if isinstance(value, int | float) else value
        return data

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        check = getattr(self, f"_check_{kind}", None)
        if check is not None:
            check(cleaned)
        if self.errors:
            return cleaned
        data = self.stored(cleaned)
        try:
            cleaned["criterion"] = outcome_criteria.parse([data])[0].as_dict()
        except OutcomeError as error:  # a problem the checks above did not foresee: on the box it names
            name = _field_of(kind, str(error.params.get("key") or next(
                (k for k in ("instrument", "scale", "test", "side") if k in error.params), "kind")))  # fmt: skip
            self.add_error(name if name in self.fields else None, error_text(error).split(": ", 1)[-1])
        return cleaned

    def _need(self, cleaned, name: str, message: str) -> bool:
        if cleaned.get(name) in (None, "") and name not in self.errors:
            self.add_error(name, message)
            return False
        return name not in self.errors

    def _check_prom(self, cleaned):
        if not self._need(cleaned, "instrument", gettext("Choose the questionnaire.")):
            return
        instrument = self.instruments[cleaned["instrument"]]
        scales = _scales(instrument)
        scale = cleaned.get("scale") or ""
        if not scale:
            if TOTAL not in scales:
                self.add_error("scale", gettext("%(name)s has no total score: choose which part.")
                               % {"name": instrument.short_name})  # fmt: skip
            else:
                cleaned["scale"] = TOTAL
        elif scale not in scales:
            self.add_error("scale", gettext("%(name)s has no such score: choose one of %(scales)s.") % {
                "name": instrument.short_name,
                "scales": ", ".join(gettext("total score") if s == TOTAL else wording._scale(s) for s in scales),
            })  # fmt: skip
        cleaned["op"] = cleaned.get("op") or ">="
        if self._need(cleaned, "value", gettext("Give the score to reach.")):
            low, high = instrument.score_min, instrument.score_max
            if not low <= cleaned["value"] <= high:
                self.add_error("value", gettext("%(name)s scores run from %(low)s to %(high)s.") % {
                    "name": instrument.short_name, "low": wording._number(low), "high": wording._number(high)})  # fmt: skip

    def _check_test(self, cleaned):
        if not self._need(cleaned, "test", gettext("Choose the test.")):
            return
        test = catalog.BY_CODE[cleaned["test"]]
        name = wording.test_name(test.code)
        side = cleaned.get("side") or ("each" if test.sides == catalog.EACH else catalog.NONE)
        cleaned["side"] = side
        if test.sides == catalog.EACH and side == catalog.NONE:
            self.add_error("side", gettext("%(test)s is done on each side: choose each side, left or right.")
                           % {"test": name})  # fmt: skip
        elif test.sides != catalog.EACH and side != catalog.NONE:
            self.add_error("side", gettext("%(test)s gives one result: choose “One result (no side)”.")
                           % {"test": name})  # fmt: skip
        has_count = bool(test.pass_rule and test.pass_rule.count_measure)
        if cleaned.get("min_count") is not None and not has_count and "min_count" not in self.errors:
            self.add_error("min_count", gettext("%(test)s has no count: leave this empty.") % {"test": name})
        if (
            cleaned.get("max_pain") is None
            and cleaned.get("min_count") is None
            and not test_pass_mark(test)
            and not self.errors
        ):
            self.add_error("max_pain", gettext("%(test)s has no pass mark of its own: give the most pain allowed.")
                           % {"test": name})  # fmt: skip

    def _check_symmetry(self, cleaned):
        self._need(cleaned, "symmetry_test", gettext("Choose the strength test."))
        self._need(cleaned, "min_pct", gettext("Give the side-to-side percentage to reach, e.g. 90."))


class BaseCriteriaFormSet(BaseFormSet):
    """The rows of one phase's criteria, in the order shown (rows are only added at the end)."""

    default_error_messages = {
        "too_many_forms": _(
            "A phase holds at most %(num)d measured criteria. Remove one before adding another."
        ),
    }

    def __init__(self, *args, instruments, **kwargs):
        self.instruments = instruments
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "instruments": self.instruments}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = (
            False  # a row added with a kind is a criterion, even before its boxes are filled
        )
        form.use_required_attribute = False
        return form

    def is_removed(self, form) -> bool:
        return bool(form["DELETE"].value())

    def kept(self) -> list:
        return [form for form in self.forms if not self.is_removed(form)]

    def value(self) -> list[dict]:
        """The criteria as PlanPhase.structured_criteria stores them (call after is_valid())."""
        return [form.cleaned_data["criterion"] for form in self.kept() if "criterion" in form.cleaned_data]

    @staticmethod
    def initial_rows(raw) -> list[dict]:
        """A stored list as the rows' starting values (a row the page cannot read keeps its kind, if any)."""
        rows = []
        for item in raw if isinstance(raw, list | tuple) else []:
            if not isinstance(item, dict):
                continue
            kind = item.get("kind")
            rows.append({_field_of(kind, key): value for key, value in item.items()})
        return rows


CriteriaFormSet = formset_factory(
    CriterionForm,
    formset=BaseCriteriaFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_CRITERIA,
    validate_max=True,
)


def criteria_formset(data, phase, clinic) -> BaseCriteriaFormSet:
    """The tailor page's criteria rows for `phase` (bound to `data` when posted), questionnaires as `clinic` has
    them. A post without the rows (a page from before they existed) leaves the phase's criteria as they are."""
    if data is not None and f"{PREFIX}-TOTAL_FORMS" not in data:
        data = None
    return CriteriaFormSet(
        data,
        prefix=PREFIX,
        initial=BaseCriteriaFormSet.initial_rows(phase.structured_criteria or []),
        instruments=clinic_instruments(clinic),
    )
