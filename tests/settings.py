"""Settings for the test suite: the real ones plus speed-ups that do not change behaviour."""

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
