"""A login's own ways in: its API tokens, its other sign-ins, and a password change or reset that ends them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal import devices, tokens
from portal.models import ApiToken
from portal.recent_auth import password_typed, recent_auth_required


@never_cache
@login_required
@require_GET
def api_tokens(request: HttpRequest) -> HttpResponse:
    context = {"tokens": tokens.tokens_of(request.user), "days": settings.API_TOKEN_DAYS}
    return render(request, "portal/api_tokens.html", context)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    tokens.token_revoke(token=token)
    messages.success(
        request,
        gettext("The token “%(name)s” was revoked: it no longer works.")
        % {"name": token.name or token.key_start + "…"},
    )
    return redirect("api_tokens")


@login_required
@require_POST
def sign_out_elsewhere(request: HttpRequest) -> HttpResponse:
    """A lost phone or a shared computer: every other session and every API token of the login ends."""
    revoked, ended = tokens.logins_end(request.user, keep_session=request.session.session_key)
    messages.success(
        request,
        gettext("Signed out everywhere else: %(sessions)s ended and %(tokens)s revoked.")
        % {
            "sessions": ngettext("%(count)d other sign-in", "%(count)d other sign-ins", ended)
            % {"count": ended},
            "tokens": ngettext("%(count)d API token", "%(count)d API tokens", revoked) % {"count": revoked},
        },
    )
    return redirect("api_tokens")


@method_decorator(recent_auth_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, which keeps this session; the login's other sessions, their signed-in devices and its API
    tokens end. Asked for the password again first when it was not typed lately (portal.recent_auth)."""

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # saves, and keeps this session (update_session_auth_hash)
        devices.session_rekeyed(old_key, self.request.session.session_key)  # the key changed with it
        password_typed(self.request)
        tokens.logins_end(form.user, keep_session=self.request.session.session_key)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's: whoever had the old password (sessions, API tokens) is out once the new one is set."""

    def form_valid(self, form):
        response = super().form_valid(form)
        tokens.logins_end(form.user)
        return response
