from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from library.models import Difficulty, Equipment, Exercise, Kind, Region
from library.services import EDITABLE_FIELDS
from portal.models import Clinic
from portal.permissions import clinician_of
from portal.uploads import ACCEPT, validate_exercise_image, validate_video_url


class LinesField(forms.CharField):
    """A list of short texts edited as one line each."""

    widget = forms.Textarea(attrs={"rows": 3})
    LINE_MAX = 1000  # as the API's lists (library.api._lines)

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def run_validators(self, value):
        # CharField's validators (no NUL bytes: PostgreSQL refuses them in JSON) check the text, not the list.
        super().run_validators("\n".join(value))
        if any(len(line) > self.LINE_MAX for line in value):
            raise forms.ValidationError(
                _("Keep each line to %(limit)d characters."),
                code="max_length",
                params={"limit": self.LINE_MAX},
            )

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value


class ExerciseFilterForm(forms.Form):
    """The library's search and filters (pages and API); invalid values are reported, never a 500."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *Kind.choices], required=False)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Any region")), *Region.choices], required=False
    )
    equipment = forms.ChoiceField(
        label=_("Equipment"), choices=[("", _("Any equipment")), *Equipment.choices], required=False
    )
    difficulty = forms.TypedChoiceField(
        label=_("Difficulty"),
        choices=[("", _("Any difficulty")), *Difficulty.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    FILTERS = ["kind", "region", "equipment", "difficulty"]

    def active_filter_count(self) -> int:
        cleaned = getattr(self, "cleaned_data", {})
        return sum(1 for name in self.FILTERS if cleaned.get(name))


class BaseExerciseForm(forms.ModelForm):
    """Lists edited one item per line, and images checked with portal.uploads (pages and admin)."""

    aliases = LinesField(
        label=_("Aliases"), required=False, help_text=_("Other names people search for, one per line.")
    )
    steps = LinesField(
        label=_("Steps"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One step per line, in order, written so the athlete can follow them alone."),
    )
    cues = LinesField(label=_("Cues"), required=False, help_text=_("Short reminders, one per line."))
    mistakes = LinesField(label=_("Common mistakes"), required=False, help_text=_("One per line."))
    avoid_when = LinesField(
        label=_("Avoid when"), required=False, help_text=_("When not to do it or when to stop, one per line.")
    )
    image = forms.FileField(
        label=_("Image"),
        required=False,
        validators=[validate_exercise_image],
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PNG, JPEG or WebP, at most 5 MB and 4,096 × 4,096 pixels."),
    )
    video_url = forms.URLField(
        label=_("Video link"),
        max_length=300,
        required=False,
        assume_scheme="https",
        validators=[validate_video_url],
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = Exercise
        fields = EDITABLE_FIELDS
        widgets = {"dosage_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("regions", "equipment"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-check-input"

    def _update_errors(self, errors):
        # Model validation sees the old (or empty) value of a field this form refused already; its message
        # ("Add at least one step…" under steps that were typed but had a NUL byte) would only mislead.
        if hasattr(errors, "error_dict"):
            kept = {
                name: messages
                for name, messages in errors.error_dict.items()
                if name == NON_FIELD_ERRORS or name not in self._errors
            }
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)


class ExerciseForm(BaseExerciseForm):
    """Add or edit an exercise on the library pages. Superusers adding one choose its clinic."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        adding = self.instance.pk is None
        if adding:
            del self.fields["active"]
        if adding and user.is_superuser and clinician_of(user) is None:
            self.fields["clinic"] = forms.ModelChoiceField(
                queryset=Clinic.objects.visible_to(user),
                label=_("Clinic"),
                help_text=_(
                    "The clinic that owns this exercise. The shipped catalog comes only from its data file."
                ),
            )
            self.order_fields(["clinic"])
