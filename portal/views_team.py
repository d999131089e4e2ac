"""Shared care pages (portal.shared_care): the athlete's "My care team", the clinic's invite on an athlete's
behalf, removing an outside member, and the coach accepting the invite."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal import shared_care
from portal.capabilities import Cap, can, require
from portal.forms_team import SharedCareInviteForm, SharedCarePasswordForm
from portal.models import CareTeamMember, SharedCare
from portal.permissions import athlete_of, athlete_required, get_athlete_for_user


def _invite(request, form, athlete) -> bool:
    """Send the invite from a valid form; errors go next to their fields. True when sent."""
    if not form.is_valid():
        return False
    try:
        row, _link = shared_care.invite(
            athlete=athlete, by=request.user, request=request, **form.cleaned_data
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return False
    messages.success(
        request,
        gettext("Invite sent to %(email)s. It is valid for %(days)d days.")
        % {"email": row.email, "days": shared_care.VALID_DAYS},
    )
    return True


def _team(athlete):
    clinic_members = (
        CareTeamMember.objects.filter(athlete=athlete)
        .select_related("clinician__user")
        .order_by("-is_primary", "clinician__user__last_name")
    )
    outside = athlete.shared_care.open().select_related("user").order_by("created")
    return clinic_members, outside


@login_required
@athlete_required
def my_team(request: HttpRequest) -> HttpResponse:
    athlete = athlete_of(request.user)
    form = SharedCareInviteForm(request.POST or None)
    if request.method == "POST" and _invite(request, form, athlete):
        return redirect("my_team")
    clinic_members, outside = _team(athlete)
    context = {
        "athlete": athlete, "form": form, "clinic_members": clinic_members, "outside": outside, "for_athlete": True,
    }  # fmt: skip
    return render(request, "portal/my_team.html", context)


@login_required
def athlete_shared_care(request: HttpRequest, pk: int) -> HttpResponse:
    """The clinic's page for an athlete's outside care-team members: invite one with the athlete's consent."""
    athlete = get_athlete_for_user(request.user, pk)
    require(request.user, Cap.EDIT_ATHLETE, athlete)
    form = SharedCareInviteForm(request.POST or None, ask_consent=True)
    if request.method == "POST" and _invite(request, form, athlete):
        return redirect("athlete_shared_care", pk=athlete.pk)
    clinic_members, outside = _team(athlete)
    context = {"athlete": athlete, "form": form, "clinic_members": clinic_members, "outside": outside}
    return render(request, "portal/athlete_shared_care.html", context)


@login_required
@require_POST
def shared_care_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """End an outside member's access (or withdraw the invite): the athlete, or a clinician who may edit the
    athlete. The outside member may also leave by themselves."""
    row = get_object_or_404(SharedCare.objects.visible_to(request.user).select_related("athlete"), pk=pk)
    athlete = row.athlete
    own = athlete_of(request.user)
    if own is not None and own.pk == athlete.pk:
        back = redirect("my_team")
    elif can(request.user, Cap.EDIT_ATHLETE, athlete):
        back = redirect("athlete_shared_care", pk=athlete.pk)
    elif row.user_id == request.user.pk:
        back = redirect("home")
    else:
        raise PermissionDenied
    shared_care.remove(row=row, by=request.user)
    if row.user_id == request.user.pk:
        messages.success(
            request, gettext("You have left %(name)s's care team.") % {"name": athlete.first_name}
        )
    else:
        messages.success(
            request,
            gettext("%(name)s is no longer on the care team and cannot see the record.") % {"name": row.name},
        )
    return back


def shared_care_accept(request: HttpRequest, token: str) -> HttpResponse:
    row = SharedCare.objects.find(token)
    try:
        shared_care.check(row)
    except shared_care.SharedCareError as error:
        return render(
            request, "portal/invite_invalid.html", {"reason": str(error)}, status=410 if row else 404
        )
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                shared_care.accept_as(row=row, user=request.user)
            except shared_care.SharedCareError as error:
                return render(request, "portal/invite_invalid.html", {"reason": str(error)}, status=409)
            messages.success(
                request, gettext("You are on %(name)s's care team.") % {"name": row.athlete.first_name}
            )
            return redirect("athlete_detail", pk=row.athlete_id)
        return render(request, "portal/shared_care_connect.html", {"row": row, "athlete": row.athlete})
    form = SharedCarePasswordForm(request.POST or None, row=row)
    if request.method == "POST" and form.is_valid():
        try:
            user = shared_care.accept_with_password(row=row, password=form.cleaned_data["password1"])
        except shared_care.SharedCareError as error:
            return render(request, "portal/invite_invalid.html", {"reason": str(error)}, status=410)
        login(request, user, backend="portal.auth.ModelBackend")
        messages.success(
            request, gettext("Welcome. You are on %(name)s's care team.") % {"name": row.athlete.first_name}
        )
        return redirect("athlete_detail", pk=row.athlete_id)
    return render(
        request, "portal/shared_care_accept.html", {"form": form, "row": row, "athlete": row.athlete}
    )
