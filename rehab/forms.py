import json

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.utils.translation import gettext_lazy as _

from library.forms import ExerciseFilterForm
from portal.form_messages import friendly_errors
from portal.forms import DateInput
from portal.models import Shoe
from rehab import log_rules
from rehab.models import DOSAGE_FIELDS, PHASE_FIELDS, DailyLog, PlanExercise, PlanPhase, RedFlag, Trigger
from rehab.services.logs import RUN_IMPORT_EMPTY
from triage.engine import LOCATION_CHOICES

BLANK = "blank"  # the "start from scratch" choice of PlanAssignForm's template field


class PlanAssignForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Start from"),
        help_text=_(
            "A protocol is copied with its phases and exercises; an empty plan starts with empty phases you fill in."
        ),
    )
    name = forms.CharField(
        label=_("Plan name"),
        max_length=150,
        required=False,
        help_text=_("Needed for an empty plan; a protocol's plan takes the protocol's name when left empty."),
    )
    phases = forms.IntegerField(
        label=_("Number of phases (empty plan)"),
        min_value=1,
        max_value=12,
        initial=1,
        required=False,
        help_text=_("You can tailor each one next."),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput(), initial=timezone.localdate)
    goal = forms.CharField(
        label=_("Goal"),
        max_length=300,
        required=False,
        help_text=_("In the athlete's words, e.g. “Run the spring half marathon pain-free”."),
    )
    pain_free = forms.BooleanField(
        label=_("Pain-free rule (bone stress injury)"),
        required=False,
        help_text=_(
            "Any pain during, after or the next morning holds the phase. Always on with the bone stress injury "
            "protocol; ticked for you when a bone stress injury was confirmed on the latest intake."
        ),
    )

    def __init__(self, *args, suggested, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {str(t.pk): t for t in [*suggested, *others]}
        choices = [("", gettext("Choose a protocol or an empty plan…"))]
        if suggested:
            choices.append((gettext("Suggested for this athlete"), [(str(t.pk), t.name) for t in suggested]))
        if others:
            group = gettext("All protocols") if suggested else gettext("Protocols")
            choices.append((group, [(str(t.pk), t.name) for t in others]))
        choices.append((gettext("Build your own"), [(BLANK, gettext("An empty plan, built from scratch"))]))
        self.fields["template"].choices = choices
        if suggested:
            self.fields["template"].initial = str(suggested[0].pk)
        friendly_errors(self, messages={
            "template": {"required": gettext("Choose a protocol or an empty plan."),
                         "invalid_choice": gettext("Choose a protocol from the list, or an empty plan.")},
            "phases": {"min_value": gettext("Choose at least 1 phase."), "max_value": gettext("Choose at most 12 phases."),
                       "invalid": gettext("Give the number of phases as a whole number.")},
        })  # fmt: skip
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_template(self):
        """The chosen PlanTemplate, or None for an empty plan."""
        value = self.cleaned_data["template"]
        return None if value == BLANK else self.templates[value]

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        today = timezone.localdate()
        if abs((start - today).days) > 365:
            raise forms.ValidationError(gettext("Choose a start date within a year of today."))
        return start

    def clean(self):
        cleaned = super().clean()
        if "template" in cleaned and cleaned["template"] is None:  # an empty plan
            if not cleaned.get("name") and "name" not in self.errors:
                self.add_error("name", gettext("Give the empty plan a name, e.g. “Return to running”."))
            if cleaned.get("phases") is None and "phases" not in self.errors:
                cleaned["phases"] = 1
        return cleaned


class PlanCancelForm(forms.Form):
    """Why a plan is cancelled (required; kept on the plan and in its history)."""

    reason = forms.CharField(
        label=_("Why is the plan cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Kept in the plan's history and shown on the athlete's timeline, e.g. “Surgery booked: referred to the "
            "orthopaedic team”."
        ),
        error_messages={
            "required": _("Say why the plan is cancelled."),
            "max_length": _("Keep the reason to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class TemplateSaveForm(forms.Form):
    """The name of the clinic protocol a plan is saved as."""

    name = forms.CharField(
        label=_("Protocol name"),
        max_length=150,
        help_text=_("Your clinic's clinicians see it when they assign a plan; other clinics never do."),
        error_messages={"required": _("Give the protocol a name.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


WALK_JOG_MINUTES = _("Walk/jog intervals need a walk and a jog of at least 1 minute each.")
CRITERIA_HELP = _(
    "Optional. A list, one criterion a line, each recorded at a visit or in a questionnaire during this phase, "
    'e.g. {"kind": "test", "test": "single_leg_squat", "side": "each", "max_pain": 2, "min_count": 10}, '
    '{"kind": "symmetry", "test": "hhd_hip_abduction", "min_pct": 90}, '
    '{"kind": "prom", "instrument": "ihot12", "value": 70} or {"kind": "clearance"}. '
    "The engine advises moving on only when every one is met. Empty: the pain rules alone decide."
)


class CriteriaField(forms.JSONField):
    """Measured exit criteria as JSON, one criterion a line, for the admin's phase pages (the tailor page edits
    them in words, rehab.forms_criteria); checked by the model (outcomes.criteria.parse)."""

    default_error_messages = {
        "invalid": _(
            'Write the criteria as a list in JSON, e.g. [{"kind": "clearance"}]: check the brackets, commas and '
            "double quotes."
        ),
    }

    def to_python(self, value):
        # An empty box (or only the line break a textarea starts with) is no criteria: the empty list the phase
        # stores, never None, which the column refuses.
        if value is None or (isinstance(value, str) and not value.strip()):
            return []
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        if isinstance(value, str):
            return value
        if not value:
            return ""
        items = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in value)
        return f"[\n{items}\n]"


class PlanPhaseForm(forms.ModelForm):
    class Meta:
        model = PlanPhase
        # The position is the page's arrangement, the run steps the running editor's, the measured criteria
        # their rows' (rehab.forms_criteria, beside this form on the tailor page).
        fields = [name for name in PHASE_FIELDS if name not in ("order", "run_steps", "structured_criteria")]
        labels = {
            "name": _("Phase name"),
            "goal": _("Goal of this phase"),
            "min_days": _("Minimum days in this phase"),
            "max_pain_during": _("Most pain allowed during (0–10)"),
            "max_pain_after": _("Most pain allowed afterwards (0–10)"),
            "must_settle_by_morning": _("Pain must settle by the next morning"),
            "next_day_pain_allowed": _("Some pain the next day is acceptable"),
            "pain_note": _("Note on pain for the athlete"),
            "run_activity": _("Activity"),
            "run_minutes": _("Session length (minutes)"),
            "sessions_per_week": _("Sessions per week"),
            "walk_minutes": _("Walk (minutes)"),
            "jog_minutes": _("Jog (minutes)"),
            "incline_pct": _("Incline (%)"),
            "weekly_increase_cap_pct": _("Weekly increase cap (%)"),
            "run_note": _("Note on the run for the athlete"),
            "exit_criteria": _("Ready to move on when"),
            "requires_clearance": _("Needs clinician clearance before it starts"),
        }  # fmt: skip
        help_texts = {
            "weekly_increase_cap_pct": _("The most the running time may grow from one week to the next."),
            "incline_pct": _("Treadmill incline, if any."),
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 2}) for name in ("pain_note", "run_note", "exit_criteria")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        friendly_errors(self)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        # A walk or jog of 0 minutes is no interval: "needs both" must not be said to someone who gave both.
        if cleaned.get("run_activity") == "walk_jog" and not (
            cleaned.get("walk_minutes") and cleaned.get("jog_minutes")
        ):
            for name in ("walk_minutes", "jog_minutes"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, WALK_JOG_MINUTES)
        return cleaned


# The dosage of a plan row, in words with units (the tailor page and its error summary use these).
DOSAGE_LABELS = {
    "sets": _("Sets"),
    "reps": _("Reps per set"),
    "hold_seconds": _("Hold (seconds)"),
    "duration_minutes": _("Time (minutes)"),
    "per_side": _("Each side"),
    "times_per_day": _("Times a day"),
    "days_per_week": _("Days per week"),
    "note": _("Note for the athlete"),
}
DOSAGE_DEFAULTS = [name for name in DOSAGE_FIELDS if name != "note"]


class PlanExerciseBaseFormSet(BaseInlineFormSet):
    """Exercise rows of one phase, in the order shown on the page.

    Each row's exercise is fixed (chosen in the picker) and posted in a hidden field; its `order` is hidden too
    and only says where the row stands: rows are saved numbered 1, 2, 3… in that order, removed rows left out.
    `exercises`: the exercises a row may name (the clinician's visible, active ones).
    """

    default_error_messages = {
        "too_many_forms": _("A phase holds at most %(num)d exercises. Remove one before adding another."),
    }

    def __init__(self, *args, exercises, **kwargs):
        self.exercise_queryset = exercises
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        field = form.fields["exercise"]
        field.queryset = self.exercise_queryset
        field.error_messages["invalid_choice"] = gettext(
            "This exercise is no longer in your library: remove it."
        )
        friendly_errors(form)  # "Reps per set must be a whole number.", not Django's words
        return form

    @staticmethod
    def position(form) -> int:
        """Where a row stands: its posted (or saved) order; rows without one go last."""
        try:
            return int(form["order"].value())
        except (TypeError, ValueError):
            return 10_000

    def is_removed(self, form) -> bool:
        return bool(form["DELETE"].value()) if self.can_delete else False

    def in_order(self) -> list:
        """The rows as shown, by position; a removed row stays in its place (still posted, so it can be undone)."""
        forms_ = [form for form in self.forms if form.instance.pk or form["exercise"].value()]
        return sorted(forms_, key=lambda form: (self.position(form), self.forms.index(form)))

    def save(self, commit=True):
        saved = super().save(commit=commit)
        if commit:
            # Number the kept rows 1, 2, 3… in the order shown, whatever numbers were posted.
            kept = [f for f in self.in_order() if not self.is_removed(f) and f.instance.pk]
            renumbered = []
            for number, form in enumerate(kept, start=1):
                if form.instance.order != number or form.initial.get("order") != number:
                    form.instance.order = number
                    renumbered.append(form.instance)
            PlanExercise.objects.bulk_update(renumbered, ["order"])
        return saved


PlanExerciseFormSet = inlineformset_factory(
    PlanPhase,
    PlanExercise,
    formset=PlanExerciseBaseFormSet,
    fields=["order", "exercise", *DOSAGE_LABELS],
    labels=DOSAGE_LABELS,
    widgets={
        "order": forms.HiddenInput,
        "exercise": forms.HiddenInput,
        "note": forms.TextInput(attrs={"placeholder": _("e.g. band above the knees")}),
    },
    extra=0,
    max_num=30,
    validate_max=True,
    can_delete=True,
)


class ExercisePickerForm(ExerciseFilterForm):
    """The tailor page's exercise picker: the library's search with its region, kind and difficulty filters."""

    q = forms.CharField(label=_("Search exercises"), max_length=100, required=False)
    equipment = None
    field_order = ["q", "region", "kind", "difficulty"]

    def filters(self) -> dict:
        """The valid filters given; an invalid one (a hand-edited URL) is dropped, not an error."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


# Versions fit a 32-bit column; anything else in the hidden field was not written by our pages.
VERSION_MAX = 2**31 - 1
OUT_OF_DATE = _("This page is out of date, so nothing was saved. Reload it and try again.")


class PlanVersionForm(forms.Form):
    """The plan version a page was built from, sent back with every change (hidden)."""

    version = forms.IntegerField(
        min_value=1,
        max_value=VERSION_MAX,
        widget=forms.HiddenInput,
        error_messages={key: OUT_OF_DATE for key in ("required", "invalid", "min_value", "max_value")},
    )

    @classmethod
    def seen(cls, data) -> int | None:
        """The version in a POST, or None when it is missing or not one."""
        form = cls(data)
        return form.cleaned_data["version"] if form.is_valid() else None


def saved_now_hints(form: forms.ModelForm, saved) -> list[str]:
    """Under each field whose submitted value differs from `saved` (the row as stored now), say what is saved.

    For a form re-shown after someone else's change: the user keeps their values and sees what differs.
    Returns the names of the fields that differ.
    """
    differ = []
    for name, field in form.fields.items():
        if name not in form.cleaned_data or not hasattr(saved, name):
            continue
        now = getattr(saved, name)
        if form.cleaned_data[name] == now:
            continue
        differ.append(name)
        if isinstance(now, bool):
            shown = gettext("yes") if now else gettext("no")
        elif getattr(field, "choices", None) and now not in (None, ""):
            shown = dict(field.choices).get(now, now)
        else:
            shown = gettext("empty") if now in (None, "") else now
        # Help text is rendered unescaped: escape here. The bound field copied it when the form was validated.
        field.help_text = form[name].help_text = format_html(gettext("Saved now: {}"), shown)
    return differ


class MoveReasonForm(forms.Form):
    """Why the plan moves a phase (kept in its history): the advance and step-back buttons send only this."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PhaseMoveForm(MoveReasonForm):
    to_phase = forms.ModelChoiceField(queryset=PlanPhase.objects.none(), label=_("Move to phase"))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_phase"].queryset = plan.phases.all()
        friendly_errors(self, messages={"to_phase": {"required": gettext("Choose the phase to move to.")}},
                        empty_labels={"to_phase": gettext("Choose a phase…")})  # fmt: skip
        self.helper = FormHelper()
        self.helper.form_tag = False


CHECK = {"class": "form-check-input"}
NUMBER = {"class": "form-control form-control-sm"}
WHOLE = {**NUMBER, "inputmode": "numeric"}


PAIN_CHOICES = [(value, str(value)) for value in range(11)]
PAIN_VALUES = frozenset(label for _, label in PAIN_CHOICES)
# The pain questions, in the order the log page asks them.
PAIN_QUESTIONS = ("pain_during", "pain_after", "pain_next_morning", "this_morning")


class PainScale(forms.RadioSelect):
    """0–10 as a row of eleven buttons (templates/rehab/widgets/pain_scale.html).

    Not a slider: a slider always says something (0 when untouched), and an unanswered question saved as 0 reads
    as "no pain": a session "settled by the morning", a baseline pulled down. No number tapped = not answered.
    """

    template_name = "rehab/widgets/pain_scale.html"

    def __init__(self, attrs=None):
        super().__init__({"class": "btn-check", "autocomplete": "off", **(attrs or {})})


def pain_field(label: str, help_text: str = "") -> forms.TypedChoiceField:
    """A 0–10 pain question; None when it was not answered."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=PAIN_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=PainScale(),
    )


class EffortScale(PainScale):
    """Session effort (RPE) 0–10 on the pain scale's buttons, without its colours: hard is not bad."""

    template_name = "rehab/widgets/effort_scale.html"


# Marked for the catalog; the form gives it in the athlete's language (gettext where it is raised).
AS_PLANNED_NEEDS_PAIN = gettext_noop(
    "“Did it all as planned” still needs this answer: tap a number, 0 if it didn't hurt."
)


# triage.engine is pure Python (no Django): its words for where it hurts are marked for the catalog here, the same
# strings (tests/portal/test_spanish_pages.py checks them against the engine's).
LOCATION_WORDS = (
    gettext_noop("Front of the hip"),
    gettext_noop("Deep in the groin"),
    gettext_noop("Inner thigh / inner hip"),
    gettext_noop("Side of the hip"),
    gettext_noop("Outside of the thigh"),
    gettext_noop("Buttock"),
    gettext_noop("Sit bone, just below the buttock"),
)


def _translated_choices(choices) -> list[tuple[str, str]]:
    """Choices whose labels are kept in English where they are defined (exports, the API), marked there with
    gettext_noop, and shown on the log page in the athlete's language."""
    return [(value, gettext_lazy(label)) for value, label in choices]


class DailyLogForm(forms.Form):
    """One day: how much it hurt, the run or walk, the exercises ticked, anything worrying.

    Exercise checkboxes are added per planned row as `ex_<PlanExercise pk>`; a ticked box counts all its sets.
    A checkbox per red flag (rehab.models.RedFlag) is added too. Pain questions left alone are not answered (None).
    """

    pain_during = pain_field(_("Pain during activity"), _("The worst it got while you were moving."))
    pain_after = pain_field(_("Pain afterwards"), _("An hour or two after, or this evening."))
    pain_next_morning = pain_field(_("Pain the next morning"), _("When you got up the morning after."))
    this_morning = pain_field(
        _("How does the hip feel this morning?"),
        _("It goes with yesterday's log; skip it if you are not sure."),
    )
    did_run = forms.BooleanField(
        label=_("I did my run / walk session"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    run_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=1, max_value=600, required=False, widget=forms.NumberInput(WHOLE)
    )
    distance_km = forms.DecimalField(
        label=_("Distance (km)"),
        min_value=0,
        max_value=250,
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput({**NUMBER, "inputmode": "decimal"}),
    )
    walk_minutes = forms.IntegerField(
        label=_("Walk (min)"), min_value=0, max_value=60, required=False, widget=forms.NumberInput(WHOLE)
    )
    jog_minutes = forms.IntegerField(
        label=_("Jog (min)"), min_value=0, max_value=60, required=False, widget=forms.NumberInput(WHOLE)
    )
    session_rpe = forms.TypedChoiceField(
        label=_("Session effort"),
        help_text=_("How hard was the session, all in all?"),
        choices=PAIN_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=EffortScale(),
    )
    surface = forms.ChoiceField(
        label=_("Where did you run?"),
        choices=_translated_choices(DailyLog.Surface.choices),
        required=False,
        widget=forms.RadioSelect({"class": "btn-check", "autocomplete": "off"}),
    )
    avg_cadence = forms.IntegerField(
        label=_("Cadence"),
        min_value=DailyLog.CADENCE[0],
        max_value=DailyLog.CADENCE[1],
        required=False,
        widget=forms.NumberInput({**WHOLE, "placeholder": _("steps/min")}),
    )
    shoe = forms.ModelChoiceField(
        label=_("Shoe"),
        queryset=None,
        required=False,
        empty_label="—",
        widget=forms.Select({"class": "form-select form-select-sm"}),
    )
    pain_locations = forms.MultipleChoiceField(
        label=_("Where did it hurt?"),
        choices=_translated_choices(LOCATION_CHOICES),
        required=False,
        widget=forms.CheckboxSelectMultiple(CHECK),
    )
    triggers = forms.MultipleChoiceField(
        label=_("What set it off?"),
        choices=_translated_choices(Trigger.choices),
        required=False,
        widget=forms.CheckboxSelectMultiple(CHECK),
    )
    notes = forms.CharField(
        label=_("Notes for your clinician"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, day, today, phase=None, shoes=None, instance=None, ask_morning=False, **kwargs):
        """`shoes`: the athlete's shoes in use (a queryset). The form shown lists them (one query); a posted form
        reads the shoe it names, if any, and leaves the log's shoe alone when the page it came from had no
        shoe field (the athlete had no shoes then)."""
        self.day, self.today, self.phase, self.instance = day, today, phase, instance
        self.rows = list(phase.exercises.all()) if phase else []
        initial = kwargs.pop("initial", {})
        if instance is not None:
            initial |= {name: getattr(instance, name) for name in LOG_FORM_FIELDS}
            initial["did_run"] = bool(instance.run_minutes)
            initial["shoe"] = instance.shoe_id
        elif phase is not None and phase.run_activity not in ("none", "cross_train"):
            initial |= {"run_minutes": phase.run_minutes, "walk_minutes": phase.walk_minutes,
                        "jog_minutes": phase.jog_minutes}  # fmt: skip
        super().__init__(*args, initial=initial, **kwargs)
        for flag in RedFlag:
            self.fields[flag.value] = forms.BooleanField(
                label=gettext_lazy(flag.label), required=False, widget=forms.CheckboxInput(CHECK)
            )
        self._shoe_field(shoes if shoes is not None else Shoe.objects.none())
        # What was ticked before only matters when the form is shown unposted: a posted form shows its data.
        logged = (
            {row.plan_exercise_id: row for row in instance.exercises.all()}
            if instance and not self.is_bound
            else {}
        )
        for row in self.rows:
            self.fields[f"ex_{row.pk}"] = forms.BooleanField(
                label=row.exercise_name, help_text=row.dosage_text(), required=False, widget=forms.CheckboxInput(CHECK),
                initial=bool(logged.get(row.pk) and logged[row.pk].done),
            )  # fmt: skip
        if day >= today:
            del self.fields["pain_next_morning"]  # it is entered tomorrow, as "this morning"
        if not ask_morning:
            del self.fields["this_morning"]

    def _shoe_field(self, shoes) -> None:
        field = self.fields["shoe"]
        field.queryset = shoes  # a posted shoe is looked up in it: one of the athlete's, not retired
        if self.is_bound:
            if "shoe" not in self.data:
                del self.fields["shoe"]  # the page had no shoe to offer: the day keeps the shoe it has
            return
        listed = list(shoes)
        if not listed:
            del self.fields["shoe"]
            return
        field.choices = [
            ("", field.empty_label),
            *((shoe.pk, field.label_from_instance(shoe)) for shoe in listed),
        ]
        if self.instance is None:
            self.initial.setdefault("shoe", listed[0].pk)

    @property
    def exercise_fields(self):
        return [(self[f"ex_{row.pk}"], row) for row in self.rows]

    @property
    def red_flag_fields(self):
        return [self[name] for name in RedFlag.values]

    @property
    def pain_questions(self) -> list[tuple[forms.BoundField, int | None]]:
        """The pain questions asked, each with its answer as shown (None: not answered)."""
        asked = []
        for name in PAIN_QUESTIONS:
            if name in self.fields:
                value = self[name].value()
                answer = int(value) if str(value) in PAIN_VALUES else None
                asked.append((self[name], answer))
        return asked

    @property
    def effort_answer(self) -> int | None:
        """The session effort as shown (None: not answered)."""
        value = self["session_rpe"].value()
        return int(value) if str(value) in PAIN_VALUES else None

    def clean(self):
        data = super().clean()
        if self.data.get("same_as_planned"):
            # One tap must not say "no pain" for the athlete: the two pain answers are theirs to give.
            for name in ("pain_during", "pain_after"):
                if name in self.fields and name not in self.errors and data.get(name) is None:
                    self.add_error(name, gettext(AS_PLANNED_NEEDS_PAIN))
            data["did_run"] = bool(
                self.phase and self.phase.run_activity != "none" and self.phase.sessions_per_week
            )
            for row in self.rows:
                data[f"ex_{row.pk}"] = True
            if data["did_run"] and not data.get("run_minutes"):
                data["run_minutes"] = self.phase.run_minutes
        if data.get("did_run") and not data.get("run_minutes"):
            self.add_error(
                "run_minutes", gettext("How many minutes? Or untick “I did my run / walk session”.")
            )
        # The rules the API's PUT applies too (rehab.log_rules), on what would be saved. A field already refused
        # is not refused twice, nor the run's details when its minutes were.
        problems = log_rules.log_problems({}, self.log_data(), day=self.day, today=self.today)
        for name, message in problems.items():
            if name not in self.errors and not (
                name in log_rules.RUN_DETAILS and "run_minutes" in self.errors
            ):
                self.add_error(name if name in self.fields else None, log_rules.in_language(message))
        return data

    def log_data(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in LOG_FORM_FIELDS if name in self.fields}
        if not data.get("did_run"):
            values |= {**RUN_EMPTY, **RUN_IMPORT_EMPTY}
        if "shoe" in self.fields:
            values["shoe"] = data.get("shoe") if data.get("did_run") else None
        if self.phase is None or self.phase.run_activity == "none":
            # The page asked nothing about a run (log_form.html): a run already on the day (imported from a
            # watch, say) stays as it is.
            for name in (*RUN_EMPTY, "shoe", "session_rpe", *RUN_IMPORT_EMPTY):
                values.pop(name, None)
        return values

    def sets_done(self) -> dict[int, int]:
        return {
            row.pk: (
                (row.sets or 1) * (row.times_per_day or 1) if self.cleaned_data.get(f"ex_{row.pk}") else 0
            )
            for row in self.rows
        }


# The run's questions on the log page, each with its value when there was no run.
RUN_EMPTY = {"run_minutes": None, "distance_km": None, "walk_minutes": None, "jog_minutes": None, "surface": "",
              "avg_cadence": None}  # fmt: skip
LOG_FORM_FIELDS = [
    "pain_during", "pain_after", "pain_next_morning", "run_minutes", "distance_km", "walk_minutes", "jog_minutes",
    "session_rpe", "surface", "avg_cadence",
    *RedFlag.values, "pain_locations", "triggers", "notes",
]  # fmt: skip


class PhaseClearanceForm(forms.Form):
    """A clinician's clearance for a phase that needs one (bone stress injury: before running starts)."""

    imaging = forms.TypedChoiceField(
        label=_("Imaging"),
        choices=[("yes", _("Cleared with imaging")), ("no", _("Cleared on clinical assessment, no imaging"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether imaging was part of the clearance.")},
    )
    note = forms.CharField(
        label="Note",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. what the imaging showed, or the tests you did."),
    )
