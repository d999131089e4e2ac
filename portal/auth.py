"""Authentication: Django's ModelBackend loading the signed-in user with their role in one query, and API
tokens that expire and end with a password change (portal.tokens)."""

from django.contrib.auth import backends, get_user_model
from rest_framework import authentication, exceptions

from portal import tokens
from portal.models import ApiToken

TOKEN_EXPIRED = "This token has expired: get a new one with POST /api/v1/auth/token/ (email and password)."
TOKEN_REVOKED = (
    "This token no longer works: the login's password or role changed since it was issued. Get a new one with "
    "POST /api/v1/auth/token/ (email and password)."
)


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


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with our tokens (portal.tokens): refused with 401 when unknown or revoked,
    with code "token_expired" when older than API_TOKEN_DAYS, and with code "token_revoked" when the login's
    password or role changed since it was issued. Asking for a token again then issues a new one."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user__clinician", "user__athlete")
            .filter(key_hash=ApiToken.hash_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if tokens.expired(token):
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED, code="token_expired")
        if not tokens.login_unchanged(token):
            raise exceptions.AuthenticationFailed(TOKEN_REVOKED, code="token_revoked")
        tokens.token_used(token)
        return token.user, token
