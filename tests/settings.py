"""Settings for the test suite: the real ones plus speed-ups that do not change behaviour."""

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Hundreds of requests from one test client must not trip the API's limits; tests/portal/test_api_auth_errors.py
# lowers them on purpose to check the 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "token": "100000/minute"},
}
# django-axes stays on in tests (as in production); client.login() gets a request so that it still works.
AUTHENTICATION_BACKENDS = ["tests.auth_backend.TestClientAxesBackend", *AUTHENTICATION_BACKENDS[1:]]  # noqa: F405
# Background jobs run in-process, and at once: a test's transaction never commits, so "after commit" would be
# never (portal.jobs). A task that fails fails the test. Tests of the after-commit timing switch this off.
# One process: the unread-message count is cached as with Redis, so every test of messages checks its invalidation.
UNREAD_COUNT_CACHE = True
CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
JOBS_RUN_IMMEDIATELY = True
# The Strava connection is on in tests (dummy credentials; its HTTP is stubbed, tests/rehab/strava/): the
# authorization matrix checks its pages. Tests of the feature switched off clear STRAVA_CLIENT_ID.
STRAVA_CLIENT_ID = "4242"
STRAVA_CLIENT_SECRET = "test-client-secret"
STRAVA_VERIFY_TOKEN = "test-verify-token"
STRAVA_SUBSCRIPTION_ID = None
