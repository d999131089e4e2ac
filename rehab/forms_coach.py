"""Forms of the coach's part of a plan: the clinician's limits, the coach's running form and requests, and the
clinician's decision on a request."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.form_messages import friendly_errors
from rehab.coach import RUN_FIELDS
from rehab.models import ChangeRequest, Plan, PlanPhase
from rehab.services.coach import LIMIT_FIELDS

RUN_LABELS = {
    "run_minutes": _("Session length (minutes)"),
    "sessions_per_week": _("Sessions per week"),
    "walk_minutes": _("Walk interval (minutes)"),
    "jog_minutes": _("Jog interval (minutes)"),
    "run_note": _("Note on running for the athlete"),
}


class CoachLimitsForm(forms.ModelForm):
    """What the coach may change without asking (all three running limits or none)."""

    class Meta:
        model = Plan
        fields = list(LIMIT_FIELDS)
        labels = {
            "coach_max_session_minutes": _("Longest session (minutes)"),
            "coach_max_week_minutes": _("Most running a week (minutes)"),
            "coach_max_weekly_increase_pct": _("Weekly increase at most (%)"),
            "coach_advance_to": _("May advance up to phase"),
        }
        help_texts = {
            "coach_max_weekly_increase_pct": _(
                "Over the current prescription's minutes a week. 0: the coach may rearrange the week but not add to it."
            ),
            "coach_advance_to": "",
        }

    def __init__(self, *args, plan: Plan, phases=None, **kwargs):
        super().__init__(*args, instance=plan, **kwargs)
        phases = plan.phases.all() if phases is None else phases
        orders = [phase.order for phase in phases if phase.order > 1]
        self.fields["coach_advance_to"] = forms.TypedChoiceField(
            label=_("May advance up to phase"),
            choices=[("", gettext("No phase: only a clinician moves the plan"))]
            + [(o, gettext("Phase %(number)s") % {"number": o}) for o in orders],
            coerce=int,
            empty_value=None,
            required=False,
        )
        for name in LIMIT_FIELDS[:3]:
            self.fields[name].widget.attrs |= {"placeholder": gettext("not set"), "min": 0}
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if name == "coach_advance_to"
                else ("form-control form-control-sm")
            )
        friendly_errors(self)

    def clean(self):
        data = super().clean()
        running = [name for name in LIMIT_FIELDS[:3] if data.get(name) is not None]
        if running and len(running) < 3:
            for name in LIMIT_FIELDS[:3]:
                if data.get(name) is None:
                    self.add_error(
                        name,
                        gettext(
                            "Set all three running limits, or none (the coach then asks for every change)."
                        ),
                    )
        return data


class RunningForm(forms.ModelForm):
    """The running part of the current phase, as the coach manages it, and why it changes."""

    reason = forms.CharField(
        label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the plan's history for the clinician, e.g. “three easy weeks, no pain the next morning”."),
    )  # fmt: skip

    class Meta:
        model = PlanPhase
        fields = list(RUN_FIELDS)
        labels = RUN_LABELS
        widgets = {"run_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        friendly_errors(self, messages={"reason": {"required": gettext("Say why you change the running.")}})

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in RUN_FIELDS}


class ChangeRequestForm(forms.Form):
    """A request to the clinician: a phase change, a running change or an exercise change."""

    kind = forms.ChoiceField(label=_("What do you propose?"), choices=ChangeRequest.Kind.choices,
                             widget=forms.RadioSelect)  # fmt: skip
    to_phase = forms.ModelChoiceField(
        label=_("Move the plan to"), queryset=PlanPhase.objects.none(), required=False
    )
    run_minutes = forms.IntegerField(
        label=RUN_LABELS["run_minutes"], min_value=0, max_value=300, required=False
    )
    sessions_per_week = forms.IntegerField(
        label=RUN_LABELS["sessions_per_week"], min_value=0, max_value=14, required=False
    )
    walk_minutes = forms.IntegerField(
        label=RUN_LABELS["walk_minutes"], min_value=0, max_value=60, required=False
    )
    jog_minutes = forms.IntegerField(
        label=RUN_LABELS["jog_minutes"], min_value=0, max_value=60, required=False
    )
    run_note = forms.CharField(
        label=RUN_LABELS["run_note"], max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("What and why"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For an exercise change, say which exercise and what to change."),
    )  # fmt: skip

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_phase"].queryset = plan.phases.exclude(pk=plan.current_phase_id)
        self.fields["to_phase"].label_from_instance = lambda phase: phase.label
        friendly_errors(
            self,
            messages={"reason": {"required": gettext("Say what you propose and why: the clinician decides from this.")},
                      "kind": {"required": gettext("Choose what the request is about.")}},
            empty_labels={"to_phase": gettext("Choose a phase…")},
        )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("kind") == ChangeRequest.Kind.PHASE and data.get("to_phase") is None:
            self.add_error("to_phase", gettext("Choose the phase to move to."))
        return data

    def proposed(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == ChangeRequest.Kind.PHASE:
            return {"to_phase": data["to_phase"].pk}
        if data["kind"] == ChangeRequest.Kind.RUNNING:
            return {name: data[name] if name != "run_note" else data[name] or "" for name in RUN_FIELDS}
        return {}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = forms.CharField(max_length=500, required=False)
