"""Samsyn settings: the only settings module.

Every value can be set from the environment; the defaults are for development on the
embedded SQLite database. Each variable is documented once, in README.md.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "dev-only-secret-key-change-me"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_date(name: str, default: str) -> date:
    value = os.environ.get(name) or default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a date as YYYY-MM-DD, got {value!r}"
        ) from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str) -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


# Off unless turned on: a production install that forgets it is not a debug server.
# `make demo`, `make serve` and the test suite (pytest-env, pyproject.toml) turn it on.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY", PLACEHOLDER_SECRET)
if not DEBUG and SECRET_KEY == PLACEHOLDER_SECRET:
    raise ImproperlyConfigured(
        "Set SECRET_KEY (or SECRET_KEY_FILE) when DEBUG is off, or DEBUG=true for "
        "development."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "samsyn.accounts.apps.AdminConfig",  # django.contrib.admin under the 2FA rule
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "django_htmx",
    "template_partials",
    "django_tasks",
    # Before django_tasks_db: its db_worker command (heartbeat, stale-claim recovery)
    # replaces django_tasks_db's.
    "samsyn.jobs",
    "django_tasks_db",
    "samsyn.accounts",
    "samsyn.organisations",
    "samsyn.areas",
    "samsyn.reports",
    "samsyn.analysis",
    "samsyn.police",
    "samsyn.pictures",
    "samsyn.meetings",
    "samsyn.interventions",
    "samsyn.problems",
    "samsyn.feedback",
    "samsyn.patrols",
    "samsyn.integrations",
    "samsyn.notifications",
    "samsyn.coverage",
    "samsyn.residents",
    "samsyn.walks",
    "samsyn.surveys",
    "samsyn.annual",
    "samsyn.files",
    "samsyn.routing",
    "samsyn.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "samsyn.integrations.middleware.RequestMetricsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the body: 413 above the view's size limit, 400 for
    # JSON that is not text (samsyn/lib/limits.py).
    "samsyn.lib.limits.RequestLimitsMiddleware",
    # Before CSRF and the views: a NUL in a parameter is a 400, never a 500.
    "samsyn.lib.nul.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samsyn.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "samsyn.accounts.middleware.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "samsyn.organisations.middleware.ActiveCollaborationMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samsyn.urls"
WSGI_APPLICATION = "samsyn.wsgi.application"

# Forms and fields render through templates/forms/ (hint ids, fieldsets).
FORM_RENDERER = "samsyn.lib.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samsyn.organisations.context_processors.collaboration",
            ],
        },
    },
]

# SQLite by default (a file under var/); DATABASE_URL switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections are checked before reuse, so a request after a database
    # restart gets a new connection instead of failing on the dead one.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE makes every write transaction take the write lock at BEGIN,
                # so two concurrent report submissions queue instead of failing with
                # "database is locked" halfway through.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            # A file, not memory, so tests with threads see one database.
            # SAMSYN_TEST_DB lets two test runs on one machine use separate files.
            "TEST": {
                "NAME": os.environ.get(
                    "SAMSYN_TEST_DB", str(BASE_DIR / "var" / "test.sqlite3")
                )
            },
        }
    }

# A read replica (PostgreSQL): analyses, new pictures' and annual reports' figures and
# exports read from it when it has caught up with the primary (samsyn/lib/replica.py,
# decision 0022); waiting at most SAMSYN_REPLICA_WAIT_MS, then the primary serves.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
SAMSYN_REPLICA_WAIT_MS = env_int("SAMSYN_REPLICA_WAIT_MS", 1000)
DATABASE_ROUTERS = ["samsyn.lib.replica.ReplicaRouter"]
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL too.")
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses locked-out username+address pairs before the password is checked.
    "samsyn.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
# The language of what people write and of frozen figures (category names are frozen
# in Swedish): pages in another language mark it (samsyn/organisations/templatetags/
# stored_text.py, WCAG 3.1.2).
SAMSYN_CONTENT_LANGUAGE = "sv"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["samsyn.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Stored files (job results, PDFs, photos, documents): on this node's disk under
# MEDIA_ROOT, or in the database when several web nodes and workers share the work
# (SAMSYN_FILE_STORAGE=database; docs/decisions/0020-files-in-the-database.md).
FILE_STORAGE_BACKENDS = {
    "filesystem": "django.core.files.storage.FileSystemStorage",
    "database": "samsyn.files.storage.DatabaseStorage",
}
FILE_STORAGE = os.environ.get("SAMSYN_FILE_STORAGE", "filesystem").strip().lower()
if FILE_STORAGE not in FILE_STORAGE_BACKENDS:
    raise ImproperlyConfigured(
        "SAMSYN_FILE_STORAGE must be one of: " + ", ".join(FILE_STORAGE_BACKENDS)
    )
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKENDS[FILE_STORAGE]},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Boundary files uploaded on the areas import page wait here between the preview and
# the confirmation (a folder per upload, removed on import or after a day).
SAMSYN_BOUNDARY_UPLOADS = Path(
    os.environ.get("SAMSYN_BOUNDARY_UPLOADS")
    or Path(tempfile.gettempdir()) / "samsyn-boundaries"
)
MEDIA_URL = "/media/"
# Request bodies: a form or JSON body up to 2.5 MB (Django's default, stated here);
# a page that takes a file says its own limit beside the view (samsyn.lib.limits
# .max_body). Larger requests are refused (413) before they are read. Uploads above
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("SAMSYN_MAX_BODY_BYTES", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Background work (PDFs, e-mail, webhooks): in production a queue in the database that
# `samsyn db_worker` runs; in development inside the request unless TASKS_BACKEND says
# otherwise (`make demo` sets the database queue and starts a worker beside the server).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND")
        or (
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "samsyn@localhost")
# Where people report accessibility shortcomings (the accessibility statement).
SAMSYN_ACCESSIBILITY_CONTACT = (
    os.environ.get("SAMSYN_ACCESSIBILITY_CONTACT", "") or DEFAULT_FROM_EMAIL
)
# The date of the last review by hand against WCAG 2.1 AA that the statement gives.
# A deployment that reviews its own service sets its own date; `samsyn doctor` warns
# when it is more than a year old (statements are to be kept up to date).
SAMSYN_ACCESSIBILITY_REVIEWED = env_date("SAMSYN_ACCESSIBILITY_REVIEWED", "2026-11-22")

# Security: cookies, HTTPS, headers. See docs/security.md.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Off by default so a plain-HTTP run (tests, a local server) works; turn them on in
# production, where a proxy terminates TLS and sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Sent by samsyn.accounts.middleware.SecurityHeadersMiddleware.
SAMSYN_PERMISSIONS_POLICY = os.environ.get(
    "SAMSYN_PERMISSIONS_POLICY",
    "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()",
)

# Two-factor authentication (TOTP). Required for coordinators, analysts and
# administrators when on; defaults to on whenever DEBUG is off.
SAMSYN_REQUIRE_2FA = env_bool("SAMSYN_REQUIRE_2FA", not DEBUG)
SAMSYN_2FA_ROLES = ["coordinator", "analyst", "admin"]
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Samsyn")

# Lockout after repeated failed sign-ins (django-axes), per username + address.
AXES_ENABLED = env_bool("SAMSYN_LOCKOUT", True)
AXES_FAILURE_LIMIT = env_int("SAMSYN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SAMSYN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False

# OpenID Connect single sign-on (optional): on when an issuer is set.
SAMSYN_OIDC_ISSUER = os.environ.get("SAMSYN_OIDC_ISSUER", "").rstrip("/")
SAMSYN_OIDC_CLIENT_ID = os.environ.get("SAMSYN_OIDC_CLIENT_ID", "")
SAMSYN_OIDC_CLIENT_SECRET = env_secret("SAMSYN_OIDC_CLIENT_SECRET", "")
SAMSYN_OIDC_NAME = os.environ.get("SAMSYN_OIDC_NAME", "single sign-on")

# Map tiles: any XYZ template. Empty disables tiles; pages still show areas and points.
SAMSYN_TILE_URL = os.environ.get(
    "SAMSYN_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
SAMSYN_TILE_ATTRIBUTION = os.environ.get(
    "SAMSYN_TILE_ATTRIBUTION", "© OpenStreetMap contributors"
)


def _tile_origin(template: str) -> list[str]:
    """The origin of the tile URL template, for the CSP (`{s}.` becomes `*.`)."""
    if not template:
        return []
    parts = urlsplit(template.replace("{s}.", "x-sub."))
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc.replace("x-sub.", "*.")
    return [f"{parts.scheme}://{host}"]


# Content Security Policy (django-csp 4): no inline scripts anywhere; images may come
# from the tile server and data: URLs (Leaflet's and the favicon).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The hash admits the one <style> element htmx adds for its indicators
        # (htmx.config.includeIndicatorStyles); nothing else inline.
        "style-src": [
            "'self'",
            "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='",
        ],
        "img-src": ["'self'", "data:", "blob:", *_tile_origin(SAMSYN_TILE_URL)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if SAMSYN_OIDC_ISSUER:
    # The sign-on redirect leaves for the provider after a form post.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(SAMSYN_OIDC_ISSUER)

# Integrations and notifications (see README's configuration table).
SAMSYN_METRICS_TOKEN = env_secret("SAMSYN_METRICS_TOKEN", "")
SAMSYN_OPEN311_PUBLIC = env_bool("SAMSYN_OPEN311_PUBLIC", False)
SAMSYN_WEBHOOK_TIMEOUT = env_int("SAMSYN_WEBHOOK_TIMEOUT", 5)
# Outbound HTTP (samsyn/lib/outbound.py): webhooks, the police feed, doctor, single
# sign-on. Only public addresses are called; these hosts, addresses and networks
# (CIDR) may be called although they are not public (on-premise receivers).
SAMSYN_OUTBOUND_ALLOW = env_list("SAMSYN_OUTBOUND_ALLOW", [])
SAMSYN_OUTBOUND_CONNECT_TIMEOUT = env_int("SAMSYN_OUTBOUND_CONNECT_TIMEOUT", 3)
SAMSYN_OUTBOUND_READ_TIMEOUT = env_int("SAMSYN_OUTBOUND_READ_TIMEOUT", 10)
SAMSYN_REMINDER_DAYS_AHEAD = env_int("SAMSYN_REMINDER_DAYS_AHEAD", 3)
# Residents' public page: accepted submissions per hour per (daily hashed) address and
# per collaboration (samsyn/residents/guard.py).
SAMSYN_RESIDENTS_PER_IP_HOUR = env_int("SAMSYN_RESIDENTS_PER_IP_HOUR", 5)
SAMSYN_RESIDENTS_PER_COLLAB_HOUR = env_int("SAMSYN_RESIDENTS_PER_COLLAB_HOUR", 200)
# Exports with more rows than this run as a background job with progress.
SAMSYN_EXPORT_JOB_ROWS = env_int("SAMSYN_EXPORT_JOB_ROWS", 5000)
# An export over the API is one response: above this many rows it is refused (413)
# with advice to narrow it, page through /api/v1/reports or use `samsyn export`.
SAMSYN_API_EXPORT_MAX_ROWS = env_int("SAMSYN_API_EXPORT_MAX_ROWS", 100_000)
# A finished job's file (an export, a walk or feedback PDF) is removed after this many
# days, and the job's row after SAMSYN_JOB_KEEP_DAYS (`samsyn purge_jobs`, daily).
SAMSYN_JOB_FILE_DAYS = env_int("SAMSYN_JOB_FILE_DAYS", 7)
# A task worker writes a heartbeat every quarter of this; a task claimed by a worker
# not heard from for this long (killed, its machine lost) goes back to the queue and
# another worker runs it (samsyn/jobs/workers.py). Longer than a database failover.
SAMSYN_WORKER_STALE_SECONDS = env_int("SAMSYN_WORKER_STALE_SECONDS", 60)
# A task handed back this many times (it kills its worker each time) fails instead.
SAMSYN_TASK_MAX_ATTEMPTS = env_int("SAMSYN_TASK_MAX_ATTEMPTS", 3)
SAMSYN_JOB_KEEP_DAYS = env_int("SAMSYN_JOB_KEEP_DAYS", 90)
# The reports map draws one point per report up to this many; above it, the server
# counts the reports per grid square of SAMSYN_MAP_CELL_M metres (doubled until there
# are at most this many squares), so the map always represents every report.
SAMSYN_MAP_MAX_POINTS = env_int("SAMSYN_MAP_MAX_POINTS", 5000)
SAMSYN_MAP_CELL_M = env_int("SAMSYN_MAP_CELL_M", 250)
# Page size of list endpoints in the API.
SAMSYN_API_PAGE_SIZE = env_int("SAMSYN_API_PAGE_SIZE", 500)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # LOG_FORMAT=json writes one JSON object per line (for log collectors).
    "formatters": {"json": {"()": "samsyn.integrations.logging.JsonFormatter"}},
    # Keys in query strings (the Open311 api_key) never reach a log line.
    "filters": {
        "mask_secrets": {"()": "samsyn.integrations.logging.MaskSecretsFilter"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_secrets"],
            **({"formatter": "json"} if os.environ.get("LOG_FORMAT") == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful sign-in at INFO; the audit log has them.
    "loggers": {"axes": {"level": "WARNING"}},
}

try:
    from samsyn.local_settings import *  # noqa: F403
except ImportError:
    pass
