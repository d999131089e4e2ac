"""The athlete's reminder emails: their own settings page, and the no-login unsubscribe link (rehab.reminders)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.models import Athlete
from portal.permissions import athlete_of, athlete_required
from rehab import reminders

# Offered in the settings' list; a zone set some other way (the admin) is added to the list for that athlete.
COMMON_TIME_ZONES = [
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Amsterdam",
    "Europe/Berlin", "Europe/Rome", "Europe/Stockholm", "Europe/Warsaw", "Europe/Helsinki", "Europe/Athens",
    "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Perth",
    "Australia/Sydney", "Pacific/Auckland", "America/Halifax", "America/New_York", "America/Chicago",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
    "America/Mexico_City", "America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
]  # fmt: skip


class ReminderSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        required=False, help_text="Where you are: the reminder follows your local time."
    )

    class Meta:
        model = Athlete
        fields = ["reminders", "reminder_time", "time_zone"]
        labels = {"reminders": "Email me a reminder on days I haven't logged yet", "reminder_time": "Time"}
        help_texts = {
            "reminders": "One short email a day at most, only while your plan is active.",
            "reminder_time": "Your local time, e.g. 19:00.",
        }
        widgets = {"reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        error_messages = {
            "reminder_time": {
                "required": "Choose a time, such as 19:00.",
                "invalid": "Enter a time such as 19:00.",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = COMMON_TIME_ZONES
        if self.instance.time_zone and self.instance.time_zone not in zones:
            zones = [self.instance.time_zone, *zones]
        clinic_zone = self.instance.clinic.time_zone
        self.fields["time_zone"].choices = [
            ("", f"Same as {self.instance.clinic.name} ({clinic_zone.replace('_', ' ')})"),
            *((zone, zone.replace("_", " ")) for zone in zones),
        ]
        self.fields["reminder_time"].required = False  # only while reminders are on (clean_reminder_time)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_reminder_time(self):
        value = self.cleaned_data.get("reminder_time")
        if value is None:
            if self.cleaned_data.get("reminders"):
                raise ValidationError(
                    self.fields["reminder_time"].error_messages["required"], code="required"
                )
            return (
                self.instance.reminder_time
            )  # reminders off: the time they had stays for when they come back
        return value


@login_required
@athlete_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    athlete = athlete_of(request.user)
    form = ReminderSettingsForm(request.POST if request.method == "POST" else None, instance=athlete)
    if form.is_bound and form.is_valid():
        try:
            reminders.reminder_settings_save(athlete=athlete, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if athlete.reminders:
                messages.success(
                    request, f"Saved. Reminders come at {athlete.reminder_time:%H:%M} your time."
                )
            else:
                messages.success(request, "Saved. No reminder emails from now on.")
            return redirect("rehab:reminder_settings")
    return render(request, "rehab/reminder_settings.html", {"form": form, "athlete": athlete})


# Mail clients that honour RFC 8058 POST here without a session or a CSRF token: the signed token is the key.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def reminders_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a mail scanner following the link changes nothing); POST, from the page's button or the
    mail client's one-click unsubscribe, turns the reminders off. Repeating it is harmless."""
    athlete = reminders.athlete_for_token(token)
    if athlete is None:
        return render(request, "rehab/reminders_unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        reminders.reminders_unsubscribe(athlete=athlete)
        return render(request, "rehab/reminders_unsubscribe.html", {"done": True})
    return render(
        request, "rehab/reminders_unsubscribe.html", {"done": False, "already_off": not athlete.reminders}
    )
