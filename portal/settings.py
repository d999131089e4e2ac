"""Stride Clinic settings: one module, driven by environment variables.

Development needs no configuration at all. With DJANGO_DEBUG=false the defaults are the
safe production ones and `manage.py check --deploy` has nothing to report.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_networks, env_rate, env_str, redis_db_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=false) needs a long random secret key, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
        )
    SECRET_KEY = "dev-only-secret-key-not-for-production-0123456789-abcdefghijklmnop"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Links in emails and QR codes start with it (portal.links; at this default, the request's own host and port).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, as it asks: shipped content in each language (library.translation)
    "portal.admin_apps.StrideAdminConfig",  # django.contrib.admin with a scoped "view on site" (portal.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "auditlog",
    "portal",
    "library",
    "triage",
    "rehab",
    "outcomes",
]

MIDDLEWARE = [
    "portal.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the browser's language (or the cookie) until sign-in says
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.devices.DeviceSessionMiddleware",  # a kept-signed-in phone's session slides, at most once a day
    "portal.middleware.NoStoreMiddleware",  # logged-in pages and the API: Cache-Control: no-store, private
    # After authentication: the person's own clock (an athlete's or clinic's time zone), and the audit trail
    # of who changed or viewed a record (portal/audit.py).
    "portal.middleware.UserTimeZoneMiddleware",
    "portal.middleware.UserLanguageMiddleware",  # the person's language, else their clinic's
    "portal.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.RefuseNulQueryMiddleware",  # a NUL byte in a query string is a 400, never a 500
    # Last, as django-axes asks: it turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.roles",
                "portal.context_processors.version",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging lets pages read while an athlete's log is being saved; IMMEDIATE transactions take
    # the write lock up front, so two concurrent saves queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server, and a statement a connection has run twice is prepared: PostgreSQL then
    # skips parsing and planning it from the third run on (about 0.4 ms a statement here; a log POST runs 11 to
    # 13). Off for a pooler in transaction mode that cannot carry prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Redis down, frozen or refusing writes is an empty cache that stores nothing (portal.cache): pages, logins
    # and sessions carry on from the database. A call waits at most CACHE_TIMEOUT_MS for Redis; after a failure
    # Redis is tried again CACHE_RETRY_SECONDS later, so a frozen one does not cost every request the timeout.
    # The API throttles count in each process's memory meanwhile (their keys start with "throttle_").
    if env_int("CACHE_TIMEOUT_MS", 300) < 1 or env_int("CACHE_RETRY_SECONDS", 5) < 1:
        raise ImproperlyConfigured("CACHE_TIMEOUT_MS and CACHE_RETRY_SECONDS must be at least 1.")
    _cache_timeout = env_int("CACHE_TIMEOUT_MS", 300) / 1000
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": _cache_timeout,
                "socket_timeout": _cache_timeout,
                "RETRY_AFTER_SECONDS": env_int("CACHE_RETRY_SECONDS", 5),
                "LOCAL_FALLBACK_PREFIXES": ["throttle_"],
            },
        }
    }
    # Sessions read from Redis and written through to the database: one SQL query less on every signed-in
    # request, and still there after a Redis restart. Ending a login deletes both (portal.privacy); one ended
    # while Redis was away is deleted from it when it answers again (portal.cache).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The navigation's unread-message count is kept in the cache (portal.care_messages) when the cache is shared by
# every process (Redis); without Redis each process has its own cache, which another process's change would not
# reach, so the count is read from the database unless UNREAD_COUNT_CACHE=true says there is only one process.
UNREAD_COUNT_CACHE = env_bool("UNREAD_COUNT_CACHE", bool(REDIS_URL))

# Background jobs (portal/celery.py). With REDIS_URL the broker is the same Redis on its own database number
# (CELERY_REDIS_DB, default 1; the cache keeps the URL's own); without it every task runs in-process right after
# its transaction commits (the embedded default: `make run` and `make test` start nothing else).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or (
    redis_db_url(REDIS_URL, env_int("CELERY_REDIS_DB", 1)) if REDIS_URL else "memory://localhost/"
)
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL and not env_str("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = (
    False  # an in-process job that fails is logged; the page that enqueued it answers
)
CELERY_TASK_IGNORE_RESULT = (
    True  # no task's caller waits for a result: downloads record theirs in the database
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"  # ticks run in UTC; each one works out every clinic's and athlete's local time
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late: a killed worker holds back one task, not a batch
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # LOGGING below: one JSON object per line, as the web processes
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A page that enqueues while Redis is away waits about a second, then logs it and answers (portal.jobs).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 3,
    "visibility_timeout": 3600,
}
# Time-based work runs from beat ticks that pick what is due (never long countdowns); exactly one
# `celery -A portal beat` runs this schedule.
CELERY_BEAT_SCHEDULE = {
    # Each clinic's statuses are recomputed shortly after its own midnight (rehab.tasks.status.refresh_tick).
    "status-refresh": {"task": "rehab.refresh_tick", "schedule": 15 * 60},
    # "Log today" and "we haven't heard from you" emails at each athlete's local time (rehab.tasks).
    "athlete-reminders": {"task": "rehab.reminders_tick", "schedule": 5 * 60},
    # Questionnaire rounds due (intake, follow-ups, discharge): one email per round (outcomes.tasks).
    "questionnaire-reminders": {"task": "outcomes.questionnaire_reminders_tick", "schedule": 15 * 60},
    # The clinicians' daily digests at their chosen local time (portal.tasks.digest_tick).
    "clinician-digests": {"task": "portal.digest_tick", "schedule": 5 * 60},
    # Urgent and emergency alerts whose email was not sent (the broker was away): sent now.
    "alert-email-sweep": {"task": "portal.notify_sweep", "schedule": 60},
    # Care-team message emails held back by the 15-minute batching, or whose job was lost (portal.care_messages).
    "message-email-sweep": {"task": "portal.message_sweep", "schedule": 60},
    # Finished downloads (batch prints, exports) are deleted after a day.
    "downloads-cleanup": {"task": "portal.downloads_cleanup", "schedule": 60 * 60},
}

# Form widgets render through TEMPLATES, so the project's templates/ can hold custom widgets.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

AUTH_USER_MODEL = "portal.User"
# The audit trail (portal/audit.py): auditlog's entries, with the athlete and clinic as indexed columns.
AUDITLOG_LOGENTRY_MODEL = "portal.AuditEntry"
# Loading fixtures (raw saves) is not something anyone did to a record.
AUDITLOG_DISABLE_ON_RAW_SAVE = True
# AxesStandaloneBackend first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.auth.ModelBackend",  # Django's, loading the user's clinician/athlete row in the same query
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Invite links and password-reset links stay valid for three days.
INVITE_VALID_DAYS = env_int("INVITE_VALID_DAYS", 3)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# Password-reset emails per email address and, separately, per client address (portal.throttles); past it the
# page answers as usual and sends nothing, so it tells nobody whether an address has a login.
PASSWORD_RESET_RATE = env_rate("PASSWORD_RESET_RATE", "3/hour")

LANGUAGE_CODE = "en-gb"
# The languages the product speaks (issue #25). A person's own choice wins, then their clinic's, then the
# browser's (portal.languages); emails and the printed program go out in the recipient's language.
LANGUAGES = [("en-gb", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Shipped content (exercise names and instructions) has a column per language; a text not written in the
# active language yet is shown in the other one (English first).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en-gb"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en-gb", "es")
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The API (docs/api.md). Token authentication comes first so that a request without credentials is
# answered 401 with `WWW-Authenticate: Token`; the session serves the browsable API and the docs page.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.auth.ExpiringTokenAuthentication",  # DRF's tokens, refused after API_TOKEN_DAYS
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["portal.parsers.JSONParser"],  # DRF's, hardened against hostile bodies
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "portal.api_renderers.BrowsableAPIRenderer",  # the site's CSP, with one narrow allowance
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api_base.Pagination",
    "PAGE_SIZE": 25,
    # Lists refuse parameters they do not know, filter values of the wrong type and orderings they cannot do
    # (400 naming the parameter), rather than answer as if unfiltered (portal.api_base).
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api_base.KnownParametersFilter",
        "django_filters.rest_framework.DjangoFilterBackend",
        "portal.api_base.OrderingFilter",
    ],
    # Counted in the cache: per process without REDIS_URL, shared by all workers with it; per client address
    # as portal.clientip tells it (TRUSTED_PROXIES).
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttles.AnonRateThrottle",
        "portal.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "30/minute"),
        "user": env_rate("API_THROTTLE_USER", "300/minute"),
        "token": env_rate("API_THROTTLE_TOKEN", "10/minute"),  # password guesses at POST /api/v1/auth/token/
    },
    "EXCEPTION_HANDLER": "portal.api_base.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "portal.api_schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stride Clinic API",
    "DESCRIPTION": "Triage, rehab plans and daily logs for runners with hip pain. Guide: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from drf-spectacular-sidecar through staticfiles: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set shared by several fields.
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "portal.models.Alert.Severity",
        "UrgencyEnum": "triage.models.URGENCY_CHOICES",
        "ActionEnum": "rehab.models.Action",
        "ApplicableActionEnum": "rehab.api.APPLICABLE_ACTIONS",
    },
}

# Email: printed to the console in development, SMTP in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Stride Clinic <no-reply@stride.clinic>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds to wait on the mail server (connecting, and each reply) before giving up. Without REDIS_URL an invite
# is sent from the request that made it: a mail server that is down or frozen then costs the page this long,
# once, and the athlete page says "Email not sent" (portal.tasks.mail). With a worker it retries later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
if EMAIL_TIMEOUT < 1:
    raise ImproperlyConfigured("EMAIL_TIMEOUT must be at least 1 (seconds).")

# Security. Production defaults are strict; a deployment behind a TLS-terminating proxy
# sets DJANGO_SSL_REDIRECT=false (the proxy redirects) and DJANGO_PROXY_SSL_HEADER=true.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
if env_bool("DJANGO_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# The reverse proxies in front of the site (addresses or CIDR ranges). Only a request whose connection comes from
# one of them has its X-Forwarded-For read, from the right, past the proxies (portal.clientip): the client address
# that the API's throttles, the login lockout and the audit trail all use. None by default: the header is ignored.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT or DEBUG else ["security.W008"]

# Cookies. SameSite=Lax keeps both cookies off cross-site POSTs. No script reads the CSRF cookie (forms carry
# {% csrf_token %}; DRF's browsable API and Swagger UI take the token from the page), so it can be HttpOnly.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A login lasts a clinic's working day (counted from logging in), then asks for the password again.
SESSION_COOKIE_AGE = 60 * 60 * env_int("DJANGO_SESSION_HOURS", 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
# An athlete who ticks "This is my own phone — keep me signed in" stays signed in on that device this many days
# after last using it (portal.devices: the expiry slides at most once a day; clinicians keep the hours above).
DEVICE_SESSION_DAYS = env_int("DJANGO_DEVICE_SESSION_DAYS", 90)
# Sensitive actions (password change, data export, deleting personal data) ask for the password again when it
# was last typed longer ago than this (portal.recent_auth).
RECENT_AUTH_MINUTES = 15

# Login lockout (django-axes) on every login door: the site's form, the admin's and POST /api/v1/auth/token/.
# Failures count per email address *and* client IP together: one address guessing at one account is stopped
# after LOGIN_FAILURE_LIMIT tries, yet nobody can lock a physio out from elsewhere by typing their email
# wrongly, and a clinic's shared IP does not lock out its colleagues. Guessing across many accounts from one
# address is slowed by the token endpoint's throttle and the password validators.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
# An API token works this many days from when it was issued; then POST /api/v1/auth/token/ issues a new one.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
if min(AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME.total_seconds(), SESSION_COOKIE_AGE, API_TOKEN_DAYS) < 1:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES, DJANGO_SESSION_HOURS and API_TOKEN_DAYS must be at least 1."
    )
if DEVICE_SESSION_DAYS < 1:
    raise ImproperlyConfigured("DJANGO_DEVICE_SESSION_DAYS must be at least 1.")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries while locked out do not push the end of the lockout further: the lockout page can name the time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "portal.lockout.username"
AXES_CLIENT_IP_CALLABLE = "portal.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"

# The Strava connection (rehab.services.strava, README "Strava"): entirely off (no links, every Strava URL a 404)
# unless STRAVA_CLIENT_ID is set. The secret comes with it; the verify token answers Strava's check of the
# webhook subscription; with STRAVA_SUBSCRIPTION_ID set, events of any other subscription are ignored.
STRAVA_CLIENT_ID = env_str("STRAVA_CLIENT_ID").strip()
STRAVA_CLIENT_SECRET = env_str("STRAVA_CLIENT_SECRET")
STRAVA_VERIFY_TOKEN = env_str("STRAVA_VERIFY_TOKEN")
STRAVA_SUBSCRIPTION_ID = env_int("STRAVA_SUBSCRIPTION_ID", 0) or None
if STRAVA_CLIENT_ID and (
    not STRAVA_CLIENT_ID.isdigit() or not STRAVA_CLIENT_SECRET or not STRAVA_VERIFY_TOKEN
):
    raise ImproperlyConfigured(
        "STRAVA_CLIENT_ID must be the number of your Strava API application, and STRAVA_CLIENT_SECRET and "
        "STRAVA_VERIFY_TOKEN must be set with it (README, Strava)."
    )

# Content-Security-Policy (django-csp): only this site's own files. No inline script or style anywhere: the
# pages load their JavaScript and CSS from static files (tests/portal/test_csp.py keeps it that way).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "root": {"handlers": ["stdout"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # The request log below replaces Django's own, which would print every request twice.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # PDF rendering (rehab.pdf) logs every step and every subsetted font table at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Celery's own line per task repeats portal.jobs' (task, arguments, duration, outcome): failures only.
        "celery.app.trace": {"level": "WARNING"},
        # django-axes: failed logins and lockouts are warnings; its INFO lines repeat every login and start-up.
        "axes": {"level": "WARNING"},
    },
}

try:  # An untracked local_settings.py may override anything above.
    from portal.local_settings import *  # noqa: F403
except ImportError:
    pass
