"""Authentication: Django's ModelBackend loading the signed-in user with their role in one query, and API
tokens that expire."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.utils import timezone
from rest_framework import authentication, exceptions

TOKEN_EXPIRED = "This token has expired: get a new one with POST /api/v1/auth/token/ (email and password)."


class ModelBackend(backends.ModelBackend):
    """Every page asks "is this user a clinician (of which clinic) or an athlete?" (portal.context_processors,
    the role decorators). Joining both one-to-one rows when the session's user is loaded answers that without
    two more queries per request."""

    UserModel = get_user_model()

    def get_user(self, user_id):
        try:
            user = (
                self.get_user_queryset()
                .select_related("clinician__clinic", "athlete__clinic")
                .get(pk=user_id)
            )
        except (ValueError, self.UserModel.DoesNotExist):
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user_queryset(self):
        return self.UserModel._default_manager.all()


def token_expired(token) -> bool:
    """Older than API_TOKEN_DAYS: a lost phone's token stops working without anyone revoking it."""
    return token.created < timezone.now() - timedelta(days=settings.API_TOKEN_DAYS)


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (`Authorization: Token <key>`), refusing tokens older than API_TOKEN_DAYS
    with 401 and code "token_expired". Asking for a token again then issues a new one (portal.api_views)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED, code="token_expired")
        return user, token
