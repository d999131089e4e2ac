from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal import audit, jobs, services
from portal.cache import cache_state
from portal.capabilities import Cap, capability_required, require, resolve_capability
from portal.forms import (
    AlertResolveForm,
    AthleteEditForm,
    AthleteForm,
    ProfileForm,
    SetPasswordForm,
    ShoeFormSet,
)
from portal.models import Alert, Invite
from portal.permissions import (
    athlete_of,
    athlete_required,
    clinician_of,
    clinician_required,
    get_athlete_for_user,
    is_care_team,
)
from portal.version import VERSION


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if is_care_team(request.user):  # clinic staff, or an athlete's own coach from outside the clinic
        return redirect("athlete_list")
    if athlete_of(request.user) is not None:
        return redirect("rehab:athlete_today")
    return render(request, "portal/no_role.html")


@login_required
@capability_required(Cap.ADD_ATHLETE)
def athlete_add(request: HttpRequest) -> HttpResponse:
    form = AthleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        clinic = form.target_clinic
        primary = data.pop("primary", None)
        send_invite = data.pop("send_invite", False)
        data.pop("clinic", None)
        try:
            athlete = services.athlete_create(clinic=clinic, by=request.user, primary=primary, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Saved whatever becomes of the invite: a mail server that is down costs the email, not the form.
            messages.success(request, gettext("%(name)s was added.") % {"name": athlete.full_name})
            if send_invite:
                _send_invite(request, athlete)
            return redirect(athlete)
    return render(request, "portal/athlete_form.html", {"form": form})


@login_required
@capability_required(Cap.EDIT_ATHLETE)
def athlete_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The care team edits an athlete's details (date of birth, running profile, goal)."""
    athlete = get_athlete_for_user(request.user, pk)
    if athlete.is_anonymised:
        messages.error(request, services.ANONYMISED_MESSAGE)
        return redirect(athlete)
    form = AthleteEditForm(request.POST or None, instance=athlete)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("%(name)s's details were saved.") % {"name": athlete.full_name})
        return redirect(athlete)
    return render(request, "portal/athlete_form.html", {"form": form, "athlete": athlete})


def _send_invite(request: HttpRequest, athlete) -> None:
    """Send the athlete an invite and tell the clinician what became of its email; the link is kept for the
    athlete page to show once, to pass on by hand."""
    try:
        invite, link = services.invite_send(athlete=athlete, by=request.user, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return
    request.session["invite_link"] = {"athlete": athlete.pk, "link": link}
    invite.refresh_from_db(fields=["email_sent_at", "email_failed_at"])  # without a worker: already tried
    state = invite.email_state()
    if state == "sent":
        messages.success(
            request, gettext("An invite link was emailed to %(email)s.") % {"email": athlete.email}
        )
    elif state == "sending":
        messages.success(
            request, gettext("An invite link is on its way to %(email)s.") % {"email": athlete.email}
        )
    # Not sent: the athlete page's "Email not sent" box says so once, beside the link to pass on.


@login_required
@clinician_required
def athlete_detail(request: HttpRequest, pk: int) -> HttpResponse:
    athlete = get_athlete_for_user(request.user, pk)
    audit.record_access(request.user, athlete)
    shown = request.session.pop("invite_link", None)
    invite_link = shown["link"] if shown and shown.get("athlete") == athlete.pk else None
    context = {
        "athlete": athlete,
        "shoes": athlete.shoes.all(),
        "care_team": athlete.care_team.select_related("clinician__user"),
        "last_invite": athlete.invites.first(),
        "invite_link": invite_link,
        "open_alerts": athlete.alerts.open().by_severity(),
        # The latest hip checks the user may see (an outside coach sees none), read through the relation as the
        # plans are, so that this page of portal's names no app above it.
        "intakes": athlete.intakes.visible_to(request.user).select_related("confirmed_condition")[:5],
        "plans": athlete.plans.select_related("current_phase"),
        "outside_members": athlete.shared_care.active(),
        # The athlete's own coach from outside the clinic reads the record without its hip checks (consent).
        "outside_viewer": not request.user.is_superuser
        and getattr(clinician_of(request.user), "clinic_id", None) != athlete.clinic_id,
    }
    return render(request, "portal/athlete_detail.html", context)


@login_required
@capability_required(Cap.ADD_ATHLETE)
@require_POST
def athlete_invite(request: HttpRequest, pk: int) -> HttpResponse:
    athlete = get_athlete_for_user(request.user, pk)
    _send_invite(request, athlete)
    return redirect(athlete)


@login_required
@athlete_required
def my_profile(request: HttpRequest) -> HttpResponse:
    athlete = athlete_of(request.user)
    form = ProfileForm(request.POST or None, instance=athlete)
    shoes = ShoeFormSet(request.POST or None, instance=athlete, prefix="shoes")
    if request.method == "POST" and form.is_valid() and shoes.is_valid():
        with transaction.atomic():
            form.save()
            shoes.save()
        messages.success(request, gettext("Your profile was saved."))
        return redirect("my_profile")
    context = {"athlete": athlete, "form": form, "shoes": shoes}
    return render(request, "portal/my_profile.html", context)


@never_cache
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    invite = Invite.objects.find(token)
    try:
        services.invite_check(invite)
    except services.InviteError as error:
        return render(
            request, "portal/invite_invalid.html", {"reason": str(error)}, status=410 if invite else 404
        )
    if request.user.is_authenticated:
        # Someone logged in opened the link: the person who already logs in with the invite's address
        # connects that login (services.invite_connect refuses anyone else and says why).
        if request.method == "POST":
            try:
                services.invite_connect(invite=invite, user=request.user)
            except services.InviteError as error:
                return render(request, "portal/invite_invalid.html", {"reason": str(error)}, status=409)
            messages.success(
                request,
                gettext("Your login is now connected to %(clinic)s.") % {"clinic": invite.athlete.clinic},
            )
            return redirect("home")
        return render(request, "portal/invite_connect.html", {"invite": invite, "athlete": invite.athlete})
    form = SetPasswordForm(request.POST or None, invite=invite)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_accept(invite=invite, password=form.cleaned_data["password1"])
        except services.InviteError as error:
            return render(request, "portal/invite_invalid.html", {"reason": str(error)}, status=410)
        login(request, user, backend="portal.auth.ModelBackend")
        messages.success(
            request, gettext("Welcome to Stride Clinic. Your password is set; you are logged in.")
        )
        return redirect("my_profile")
    context = {"form": form, "invite": invite, "athlete": invite.athlete}
    return render(request, "portal/invite_accept.html", context)


@login_required
@clinician_required
@require_POST
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert.objects.visible_to(request.user).select_related("athlete"), pk=pk)
    require(request.user, resolve_capability(alert), alert.athlete)
    form = AlertResolveForm(request.POST)
    if not form.is_valid():
        for message in form.errors["note"]:
            messages.error(request, message)
    else:
        services.alert_resolve(alert=alert, by=request.user, note=form.cleaned_data["note"])
        messages.success(request, gettext("Alert resolved for %(name)s.") % {"name": alert.athlete.full_name})
    back = request.POST.get("next", "")
    safe = back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # A path only: redirect() would take any other word for a URL name and fail to reverse it (a 500).
    return HttpResponseRedirect(back) if safe else redirect(alert.athlete)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers without touching the database, with the running version."""
    return JsonResponse({"status": "ok", "version": VERSION})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers a query, and the job broker and the cache answer when they are on Redis
    (without REDIS_URL jobs run in-process: "in-process", and the cache is the process's memory: "local").

    Only the database decides the status code (503 without it: no page works). A Redis that does not answer is
    reported as "degraded" with a 200: every instance shares that Redis and the pages still work from the
    database (portal.cache), so taking instances out of a load balancer for it would turn a degraded site into
    a dark one. Monitoring alerts on "degraded"."""
    body, ready = {"status": "ok", "database": "ok"}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        body["database"], ready = "error", False
    body["cache"] = cache_state()  # first: a Redis found down here is not asked again for the broker
    body["broker"] = jobs.broker_state()
    if not ready:
        body["status"] = "unavailable"
    elif "error" in (body["broker"], body["cache"]):
        body["status"] = "degraded"
    return JsonResponse(body, status=200 if ready else 503)
