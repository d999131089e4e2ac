"""Authentication backend: Django's ModelBackend, loading the signed-in user with their role in one query."""

from django.contrib.auth import backends


class ModelBackend(backends.ModelBackend):
    """Every page asks "is this user a clinician (of which clinic) or an athlete?" (portal.context_processors,
    the role decorators). Joining both one-to-one rows when the session's user is loaded answers that without
    two more queries per request."""

    def get_user(self, user_id):
        user = (
            self.get_user_queryset().select_related("clinician__clinic", "athlete").filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_queryset(self):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.all()
