from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.form_messages import friendly_errors
from portal.models import Athlete, Clinic, Clinician, Shoe


class DateInput(forms.DateInput):
    """A native date picker; it only understands ISO dates, whatever the site's locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _check_birth_date(value):
    if value is None:
        return value
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(_("The date of birth cannot be in the future."))
    if today.year - value.year > 100:
        raise forms.ValidationError(_("Please check the year: that would make the athlete over 100."))
    if today.year - value.year < 5:
        raise forms.ValidationError(_("Please check the year: athletes must be at least 5 years old."))
    return value


# The athlete's own profile speaks to the athlete ("Your normal week…"); the care team's forms speak about them.
CLINICIAN_HELP_TEXTS = {
    "email": _("Used to send the invite link and for the athlete's login."),
    "weekly_km": _("The athlete's usual weekly distance before the pain started."),
    "goal_event": _("The race or event the athlete is working towards, e.g. Berlin Marathon."),
}
# Errors on the care team's athlete forms: "Enter the athlete's first name.", "Weekly distance can't be negative."
ATHLETE_MESSAGES = {
    "whose": "the athlete's",
    "nouns": {"weekly_km": _("weekly distance")},
    "empty_labels": {"sex": _("Not given"), "primary": _("No one yet"), "clinic": _("Choose a clinic…")},
}


class AthleteForm(forms.ModelForm):
    """A clinician adds an athlete; optionally sends the invite link at once."""

    clinic = forms.ModelChoiceField(label=_("Clinic"), queryset=Clinic.objects.none(), required=False)
    primary = forms.ModelChoiceField(
        label=_("Primary clinician"), queryset=Clinician.objects.none(), required=False
    )
    send_invite = forms.BooleanField(
        label=_("Email an invite link so the athlete can log in"), required=False, initial=True
    )

    class Meta:
        model = Athlete
        fields = [
            "first_name",
            "last_name",
            "email",
            "date_of_birth",
            "sex",
            "weekly_km",
            "years_running",
            "goal_event",
            "goal_date",
        ]
        widgets = {"date_of_birth": DateInput(), "goal_date": DateInput()}
        help_texts = CLINICIAN_HELP_TEXTS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.clinician = user.clinician_or_none
        if self.clinician is not None:
            del self.fields["clinic"]
            self.fields["primary"].queryset = Clinician.objects.filter(
                clinic=self.clinician.clinic
            ).select_related("user")
            self.fields["primary"].initial = self.clinician.pk
        else:  # a superuser picks the clinic
            self.fields["clinic"].queryset = Clinic.objects.visible_to(user)
            self.fields["clinic"].required = True
            self.fields["primary"].queryset = Clinician.objects.visible_to(user).select_related(
                "user", "clinic"
            )
        friendly_errors(self, **ATHLETE_MESSAGES)
        self.helper = FormHelper()
        self.helper.form_tag = False

    @property
    def target_clinic(self):
        if self.clinician is not None:
            return self.clinician.clinic
        return self.cleaned_data.get("clinic")

    def clean_date_of_birth(self):
        return _check_birth_date(self.cleaned_data.get("date_of_birth"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        clinic = self.target_clinic
        # Only this clinic's own athletes are checked: whether the address has a login elsewhere on the
        # platform is not this clinic's to know (portal.services.invite_send handles that case by email).
        if email and clinic and Athlete.objects.filter(clinic=clinic, email__iexact=email).exists():
            self.add_error("email", _("An athlete with this email address is already in the clinic."))
        if cleaned.get("send_invite") and not email:
            self.add_error(
                "email", _("Add an email address to send the invite, or untick “Email an invite link”.")
            )
        primary = cleaned.get("primary")
        if primary and clinic and primary.clinic_id != clinic.pk:
            self.add_error("primary", _("Choose a clinician from the athlete's clinic."))
        return cleaned

    def _post_clean(self):
        # The clinic is not a model field of this form; set it before model validation runs.
        if self.target_clinic is not None:
            self.instance.clinic = self.target_clinic
        super()._post_clean()


class AthleteEditForm(forms.ModelForm):
    """The care team edits an athlete's details. The email address is only editable until the athlete has a
    login (it is where the invite goes; a login keeps its own address)."""

    class Meta:
        model = Athlete
        fields = [
            "first_name", "last_name", "email", "date_of_birth", "sex", "weekly_km", "years_running", "goal_event",
            "goal_date",
        ]  # fmt: skip
        widgets = {"date_of_birth": DateInput(), "goal_date": DateInput()}
        help_texts = CLINICIAN_HELP_TEXTS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            del self.fields["email"]
        friendly_errors(self, **ATHLETE_MESSAGES)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_date_of_birth(self):
        return _check_birth_date(self.cleaned_data.get("date_of_birth"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if email and (
            Athlete.objects.filter(clinic_id=self.instance.clinic_id, email__iexact=email)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("email", _("Another athlete in the clinic has this email address."))
        return cleaned


class ProfileForm(forms.ModelForm):
    """The athlete's own running profile."""

    class Meta:
        model = Athlete
        fields = ["date_of_birth", "sex", "weekly_km", "years_running", "goal_event", "goal_date"]
        widgets = {"date_of_birth": DateInput(), "goal_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        friendly_errors(
            self,
            whose="your",
            nouns={"weekly_km": _("weekly distance")},
            empty_labels={"sex": _("Not given")},
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_date_of_birth(self):
        return _check_birth_date(self.cleaned_data.get("date_of_birth"))


ShoeFormSet = inlineformset_factory(
    Athlete,
    Shoe,
    fields=["name", "km", "retired"],
    labels={"name": _("Shoe"), "km": _("km so far")},
    help_texts={"name": ""},
    widgets={"name": forms.TextInput(attrs={"placeholder": _("e.g. Pegasus 41")})},
    extra=1,
    max_num=20,
    validate_max=True,
    can_delete=True,
)


class SetPasswordForm(forms.Form):
    """Choosing a first password from an invite link (there is no user yet to pass to Django's form)."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invite, **kwargs):
        super().__init__(*args, **kwargs)
        self.invite = invite
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            athlete = self.invite.athlete
            candidate = get_user_model()(
                email=self.invite.email, first_name=athlete.first_name, last_name=athlete.last_name
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AlertResolveForm(forms.Form):
    """The note a clinician leaves when closing an alert (athlete page and caseload)."""

    note = forms.CharField(
        max_length=300,
        error_messages={
            "required": _("Add a short note saying what you did about the alert."),
            "max_length": _("Keep the note to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
