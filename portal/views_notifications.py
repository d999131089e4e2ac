"""The clinician's own email settings: how each severity of alert reaches them, and the digest time."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from portal import notifications
from portal.forms_notifications import NotificationSettingsForm
from portal.models import Notify
from portal.permissions import clinician_of


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    # A clinician's own page: athletes and superusers without a clinician profile are on no care team.
    clinician = clinician_of(request.user)
    if clinician is None:
        raise PermissionDenied
    form = NotificationSettingsForm(request.POST or None, instance=clinician)
    if request.method == "POST" and form.is_valid():
        notifications.notification_settings_save(clinician=clinician, **form.cleaned_data)
        messages.success(request, gettext("Your email settings were saved."))
        return redirect("notification_settings")
    context = {"form": form, "clinician": clinician, "off": Notify.OFF, "digest": Notify.DIGEST}
    return render(request, "portal/notification_settings.html", context)
