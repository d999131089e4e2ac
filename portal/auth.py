"""Authentication backend: Django's ModelBackend, loading the signed-in user with their role in one query."""

from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    """Every page asks "is this user a clinician (of which clinic) or an athlete?" (portal.context_processors,
    the role decorators). Joining both one-to-one rows when the session's user is loaded answers that without
    two more queries per request."""

    UserModel = get_user_model()

    def get_user(self, user_id):
        try:
            user = self.get_user_queryset().select_related("clinician__clinic", "athlete").get(pk=user_id)
        except (ValueError, self.UserModel.DoesNotExist):
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user_queryset(self):
        return self.UserModel._default_manager.all()
