from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Clinician


class TimeInput(forms.TimeInput):
    """A native time picker (hours and minutes), whatever the site's locale."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class NotificationSettingsForm(forms.ModelForm):
    """How a clinician hears of their athletes' alerts, per severity, and when the daily digest comes."""

    class Meta:
        model = Clinician
        fields = ["notify_emergency", "notify_urgent", "notify_notice", "digest_time"]
        widgets = {"digest_time": TimeInput()}
        labels = {"digest_time": _("Send it at")}
        error_messages = {
            "digest_time": {
                "invalid": _("Enter a time such as 07:30."),
                "required": _("Choose a time, such as 07:30."),
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["digest_time"].help_text = gettext(
            "%(time_zone)s time. One email a day, only when there is news."
        ) % {"time_zone": self.instance.clinic.time_zone}
        self.helper = FormHelper()
        self.helper.form_tag = False
