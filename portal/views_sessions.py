"""Signing in and staying signed in: the login page (with "keep me signed in"), the password asked again before
a sensitive action, and signing out one of the athlete's devices or all the others (portal.devices)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal import tokens
from portal.devices import device_end, key_hash
from portal.forms_sessions import ConfirmPasswordForm, LoginForm
from portal.models import SignedInDevice
from portal.permissions import athlete_required
from portal.recent_auth import password_typed


class LoginView(auth_views.LoginView):
    """Django's login; a ticked "keep me signed in" reaches portal.devices.signed_in through the request."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        self.request.keep_signed_in = form.cleaned_data.get("keep_signed_in", False)
        return super().form_valid(form)


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def confirm_password(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    form = ConfirmPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        password_typed(request)
        return HttpResponseRedirect(next_url)
    context = {"form": form, "next": next_url, "minutes": settings.RECENT_AUTH_MINUTES}
    return render(request, "registration/confirm_password.html", context)


def _devices_url() -> str:
    return reverse("my_profile") + "#devices"


@login_required
@athlete_required
@require_POST
def device_sign_out(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(SignedInDevice.objects.filter(user=request.user), pk=pk)
    if device.key_hash == key_hash(request.session.session_key):
        logout(request)  # this device: the usual sign-out
        return redirect(settings.LOGOUT_REDIRECT_URL)
    device_end(device)
    messages.success(request, gettext("%(device)s is signed out.") % {"device": device.device})
    return redirect(_devices_url())


@login_required
@athlete_required
@require_POST
def devices_sign_out_others(request: HttpRequest) -> HttpResponse:
    ended = tokens.sessions_end(request.user, keep=request.session.session_key)
    messages.success(
        request,
        ngettext(
            "Signed out on every other device (%(count)d sign-in).",
            "Signed out on every other device (%(count)d sign-ins).",
            ended,
        )
        % {"count": ended},
    )
    return redirect(_devices_url())
