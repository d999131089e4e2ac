"""Forms of the shared care pages (portal.views_team): inviting an athlete's own coach, and the coach's password."""

from types import SimpleNamespace

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import SetPasswordForm
from portal.models import SharedCare


class SharedCareInviteForm(forms.Form):
    name = forms.CharField(label=_("Coach's name"), max_length=120)
    email = forms.EmailField(label=_("Coach's email"), max_length=254)
    organisation = forms.CharField(
        label=_("Club or organisation"),
        max_length=120,
        required=False,
        help_text=_("Optional, for example: Riverside Running Club"),
    )

    def __init__(self, *args, ask_consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Enter the coach's name.")
        self.fields["email"].error_messages.update(
            required=_("Enter the coach's email address."),
            invalid=_("Enter an email address like name@club.org."),
        )
        if ask_consent:
            self.fields["consent_recorded"] = forms.BooleanField(
                label=_("The athlete has agreed that this coach may see their plan, logs and pain"),
                error_messages={"required": _("Tick this once the athlete has agreed.")},
            )
        self.helper = FormHelper()
        self.helper.form_tag = False


class SharedCarePasswordForm(SetPasswordForm):
    """The coach's first password, checked against the invite's address and name."""

    def __init__(self, *args, row: SharedCare, **kwargs):
        first, _space, last = row.name.partition(" ")
        invite = SimpleNamespace(email=row.email, athlete=SimpleNamespace(first_name=first, last_name=last))
        super().__init__(*args, invite=invite, **kwargs)
