from crispy_forms.helper import FormHelper
from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from portal.forms import DateInput
from rehab.models import PlanExercise, PlanPhase


class PlanAssignForm(forms.Form):
    template = forms.ChoiceField(label="Protocol")
    start_date = forms.DateField(widget=DateInput(), initial=timezone.localdate)
    goal = forms.CharField(
        max_length=300,
        required=False,
        help_text="In the athlete's words, e.g. “Run the spring half marathon pain-free”.",
    )

    def __init__(self, *args, suggested, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {str(t.pk): t for t in [*suggested, *others]}
        choices = [("", "Choose a protocol…")]
        if suggested:
            choices.append(("Suggested for this athlete", [(str(t.pk), t.name) for t in suggested]))
        if others:
            choices.append(
                ("All protocols" if suggested else "Protocols", [(str(t.pk), t.name) for t in others])
            )
        self.fields["template"].choices = choices
        if suggested:
            self.fields["template"].initial = str(suggested[0].pk)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_template(self):
        return self.templates[self.cleaned_data["template"]]

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        today = timezone.localdate()
        if abs((start - today).days) > 365:
            raise forms.ValidationError("Choose a start date within a year of today.")
        return start


class PlanPhaseForm(forms.ModelForm):
    class Meta:
        model = PlanPhase
        fields = [
            "name", "goal", "min_days", "max_pain_during", "max_pain_after", "must_settle_by_morning",
            "next_day_pain_allowed", "pain_note", "run_activity", "run_minutes", "sessions_per_week",
            "walk_minutes", "jog_minutes", "incline_pct", "weekly_increase_cap_pct", "run_note", "exit_criteria",
        ]  # fmt: skip
        widgets = {"exit_criteria": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("run_activity") == "walk_jog" and not (
            cleaned.get("walk_minutes") and cleaned.get("jog_minutes")
        ):
            self.add_error("walk_minutes", "Walk/jog intervals need both the walk and the jog minutes.")
        return cleaned


class PlanExerciseBaseFormSet(BaseInlineFormSet):
    """Exercise rows of one phase. The exercise dropdown is built once for all rows (one query, not one per row)."""

    def __init__(self, *args, exercises, **kwargs):
        self.exercise_queryset = exercises
        self.exercise_choices = [("", "Choose an exercise…")] + [(e.pk, e.name) for e in exercises.all()]
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["exercise"].queryset = self.exercise_queryset
        form.fields["exercise"].choices = self.exercise_choices
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["exercise"].choices = self.exercise_choices
        return form


PlanExerciseFormSet = inlineformset_factory(
    PlanPhase,
    PlanExercise,
    formset=PlanExerciseBaseFormSet,
    fields=[
        "order",
        "exercise",
        "sets",
        "reps",
        "hold_seconds",
        "duration_minutes",
        "per_side",
        "times_per_day",
        "days_per_week",
        "note",
    ],  # fmt: skip
    labels={
        "hold_seconds": "Hold (s)",
        "duration_minutes": "Minutes",
        "times_per_day": "× per day",
        "days_per_week": "Days / week",
    },  # fmt: skip
    extra=2,
    max_num=30,
    validate_max=True,
    can_delete=True,
)


class PhaseMoveForm(forms.Form):
    to_phase = forms.ModelChoiceField(queryset=PlanPhase.objects.none(), label="Move to phase")
    reason = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_phase"].queryset = plan.phases.all()
        self.helper = FormHelper()
        self.helper.form_tag = False
