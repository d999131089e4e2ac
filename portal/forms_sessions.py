"""The login form with "keep me signed in", and the password asked again before a sensitive action."""

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

KEEP_LABEL = _("This is my own phone — keep me signed in")


class LoginForm(AuthenticationForm):
    """Django's, plus the box an athlete ticks on their own phone (portal.devices; ignored for clinic staff)."""

    keep_signed_in = forms.BooleanField(
        label=KEEP_LABEL,
        required=False,
        help_text="",  # set in __init__: the lengths come from the settings
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = settings.SESSION_COOKIE_AGE // 3600
        self.fields["keep_signed_in"].help_text = gettext(
            "For runners on a phone no one else uses: stay signed in while you use it at least every %(days)d "
            "days. Otherwise, and for clinic staff, a login lasts %(hours)d hours."
        ) % {"days": settings.DEVICE_SESSION_DAYS, "hours": hours}


class ConfirmPasswordForm(forms.Form):
    """The signed-in person's password, checked as a login is (a wrong one counts towards the login lockout)."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        checked = authenticate(self.request, username=user.get_username(), password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError(
                _("That is not your password. Type the password you log in with."), code="invalid_password"
            )
        return password
