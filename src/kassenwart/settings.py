"""The one settings module. Everything configurable comes from kassenwart.config."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kassenwart.config import Config, secret_key

CONFIG = Config.from_environment()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CONFIG.data_dir

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API docs page's Swagger UI, from django-ninja's own static files
    "kassenwart.core",
    "kassenwart.companies",
    "kassenwart.banking",
    "kassenwart.receivables",
    "kassenwart.payables",
    "kassenwart.reconciliation",
    "kassenwart.payments",
    "kassenwart.notifications",
    "kassenwart.dashboards",
    "kassenwart.webhooks",
    "kassenwart.accounting",
    "kassenwart.api",
    "kassenwart.web",
    "kassenwart.runtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kassenwart.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kassenwart.web.session_limits.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kassenwart.companies.middleware.CurrentCompanyMiddleware",
    "kassenwart.web.two_factor_gate.TwoFactorGate",
    "kassenwart.web.support_access.SupportLimitsMiddleware",
]

ROOT_URLCONF = "kassenwart.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kassenwart.companies.middleware.company_context",
                "kassenwart.web.csp.csp_nonce",
            ],
        },
    },
]
WSGI_APPLICATION = "kassenwart.wsgi.application"

DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# The web chooses per request (LocaleMiddleware); every command of the command line speaks
# this one (KASSENWART_LANGUAGE, English by default).
CLI_LANGUAGE = CONFIG.language
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body read at once: the API's bulk upsert of 10,000 invoices is 3 to 6 MB of JSON.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "kassenwart.web.views.session.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The Content-Security-Policy is kassenwart.web.csp's (a nonce per request).

# Sessions end with the browser, after KASSENWART_SESSION_IDLE_MINUTES without a request
# (30) and KASSENWART_SESSION_MAX_MINUTES after the login (12 hours) at the latest; the two
# limits are kept by kassenwart.web.session_limits, the cookie's age is the upper one.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_SECONDS = CONFIG.session_idle_minutes * 60
SESSION_MAX_SECONDS = CONFIG.session_max_minutes * 60
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS

# KASSENWART_URL=https://... : Kassenwart runs behind a proxy that ends TLS and says so in
# X-Forwarded-Proto (the proxy must set that header itself, overwriting what a client sent;
# `serve` believes it only from KASSENWART_TRUSTED_PROXY; README "Behind a reverse proxy").
# Cookies are then sent over HTTPS only, browsers are told to use nothing else for a year
# (HSTS), and forms posted from that origin pass the CSRF check.
if CONFIG.https:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    CSRF_TRUSTED_ORIGINS = [CONFIG.origin]

# E-mail (notification digests): SMTP from KASSENWART_SMTP_*; without a host, mails go to the log.
EMAIL_BACKEND = CONFIG.email_backend
EMAIL_HOST = CONFIG.smtp_host
EMAIL_PORT = CONFIG.smtp_port
EMAIL_HOST_USER = CONFIG.smtp_user
EMAIL_HOST_PASSWORD = CONFIG.smtp_password
EMAIL_USE_TLS = CONFIG.smtp_port == 587
EMAIL_USE_SSL = CONFIG.smtp_port == 465
DEFAULT_FROM_EMAIL = CONFIG.mail_from

# Calls one API token may make a minute (KASSENWART_API_RATE_PER_MINUTE), then 429 (per process).
KASSENWART_API_RATE = f"{CONFIG.api_rate_per_minute}/m"
# Webhooks go to public https addresses only unless this allows http and internal ones
# (KASSENWART_WEBHOOKS_ALLOW_PRIVATE); deliveries are kept this many days (webhooks/pruning.py).
KASSENWART_WEBHOOKS_ALLOW_PRIVATE = CONFIG.webhooks_allow_private
KASSENWART_WEBHOOK_DELIVERIES_KEEP_DAYS = CONFIG.webhook_deliveries_keep_days
# A matching run of at least this many payments runs its engine in a child interpreter, beside
# the writing (reconciliation.services._engine_child). Measured on 2 cores with other work
# beside (load 2): at 4,800 payments a child cost 0.90 s against 0.73 s in process, at 15,000
# 2.79 against 2.41 s (median; best runs even), at 60,000 best runs 7.9 against 9.4 s.
KASSENWART_MATCH_IN_CHILD_FROM = 20_000
# camt files of at least this many bytes are parsed in a child interpreter while the import
# writes (banking/formats/camt_child.py). The child costs some 65 ms of CPU (its start) and
# 4 ms a MB (pickles); on two free cores the import then takes about the parse's time instead
# of parse and write one after the other (some 23 + 21 ms a MB): a gain from about 3 MB on.
KASSENWART_CAMT_IN_CHILD_FROM = 4 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "kassenwart": {"level": "INFO"},
        # python-fints logs every bank answer (paging, hints) as a warning; errors still show.
        "fints": {"level": "ERROR"},
    },
}
