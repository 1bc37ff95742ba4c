"""Coro settings, read from the environment (see docs/configuration.md)."""

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from coro.env import ConfigError, env_bool, env_choice, env_int, env_keys, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CORO_DATA_DIR", str(PACKAGE_DIR.parent / "data")))

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "development-only-key-never-use-in-production")
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ConfigError("SECRET_KEY must be at least 50 characters long outside development.")

# The consent ledger's chain is keyed (HMAC-SHA256): "id:secret" pairs, the first signs new
# records, the others still check what they signed. Development derives one from SECRET_KEY.
LEDGER_KEYS = env_keys("LEDGER_KEY", {"dev": "dev-" + SECRET_KEY} if DEBUG else None)

BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
if _base.scheme not in ("http", "https") or not _base.hostname:
    raise ConfigError(f"BASE_URL must be an http(s) address, not {BASE_URL!r}.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [_base.hostname, "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "pgtrigger",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "csp",
    "coro.core",
    "coro.accounts",
    "coro.orgs",
    "coro.identity",
    "coro.people",
    "coro.program",
    "coro.content",
    "coro.connections",
    "coro.sharing",
    "coro.analytics",
    "coro.community",
    "coro.audit",
    "coro.notifications",
    "coro.privacy",
    "coro.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coro.accounts.middleware.session_lifetime",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "coro.urls"
WSGI_APPLICATION = "coro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coro.orgs.context_processors.memberships",
                "coro.program.context_processors.program",
            ],
        },
    },
]

# Database: SQLite in the data folder unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'coro.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL)
except ValueError as exc:
    raise ConfigError(f"DATABASE_URL cannot be parsed: {exc}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    if _database["NAME"] and _database["NAME"] != ":memory:":
        Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        # WAL lets readers work while a writer writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on the busy timeout instead of failing.
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    _database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_choice(
            "TASK_BACKEND",
            "database",
            {
                "database": "django_tasks_db.DatabaseBackend",
                "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            },
        ),
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# django-allauth: people sign in with their e-mail address; there are no usernames.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Accounts exist only through invitations (and `coro setup`): allauth's public sign-up is
# closed by the adapter, and an address is proven by the invitation sent to it.
ACCOUNT_ADAPTER = "coro.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "coro.accounts.forms.LoginForm",
    "reset_password": "coro.accounts.forms.PasswordResetForm",
    "reset_password_from_key": "coro.accounts.forms.PasswordResetKeyForm",
    "change_password": "coro.accounts.forms.PasswordChangeForm",
}
ACCOUNT_EMAIL_VERIFICATION = "none"
# Never tell whether an account exists: the same answer and no e-mail for unknown addresses.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = True  # the session lasts as below, not until the browser closes
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Rate limits (allauth's syntax: amount/period/per, per "ip", "key" or "user"; docs/security.md).
# Failed log-ins and reset requests count per e-mail address typed, whether or not an
# account has it, so the answer never tells.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    # Coro's own, through allauth.core.ratelimit: accepting an invitation (per address
    # invited) and the password check before erasing an account (per account).
    "invitation_accept": "10/m/ip,5/5m/key",
    "erasure_password": "10/m/ip,5/15m/user",
}
# Two-factor authentication (allauth.mfa): an authenticator app with recovery codes, and
# passkeys / security keys (WebAuthn), which can also sign in without a password.
MFA_ADAPTER = "coro.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Coro"
# WebAuthn needs an https origin; development and the browser tests run on http loopback.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Company sign-in (coro/identity, docs/identity.md): each organisation's OpenID Connect
# provider. The adapter checks the nonce, a verified address at a listed domain and the
# linking rules; tokens are not kept; accounts are linked only by the adapter's rules.
SOCIALACCOUNT_ADAPTER = "coro.identity.adapters.CompanySignInAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Sessions end after SESSION_IDLE_SECONDS without a request (the cookie and the stored
# session are renewed on every request) and, in any case, SESSION_MAX_AGE_SECONDS after the
# log-in (coro.accounts.middleware.session_lifetime).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 8 * 60 * 60)
SESSION_MAX_AGE_SECONDS = env_int("SESSION_MAX_AGE_SECONDS", 14 * 24 * 60 * 60)
if SESSION_IDLE_SECONDS < 60:
    raise ConfigError(f"SESSION_IDLE_SECONDS must be at least 60, not {SESSION_IDLE_SECONDS}.")
if SESSION_MAX_AGE_SECONDS < SESSION_IDLE_SECONDS:
    raise ConfigError(
        f"SESSION_MAX_AGE_SECONDS ({SESSION_MAX_AGE_SECONDS}) must be at least "
        f"SESSION_IDLE_SECONDS ({SESSION_IDLE_SECONDS})."
    )
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7)

# Numbers about groups are shown only for groups at least this big (never below 3).
MIN_GROUP_SIZE_FLOOR = 3
MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 5)

# Tracked links' visits (docs/visits.md). The client address comes from X-Forwarded-For only
# when the request came through one of these proxies (addresses or networks).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1/32", "::1/128"])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ConfigError(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network (e.g. 10.0.0.0/8)."
        ) from None
# Each web process appends its visits here (a folder local to the machine) and counts them
# into the database every VISITS_FLUSH_SECONDS.
VISITS_SPOOL_DIR = env_str("VISITS_SPOOL_DIR", str(DATA_DIR / "visits"))
VISITS_FLUSH_SECONDS = env_int("VISITS_FLUSH_MILLISECONDS", 500) / 1000
# Each web process counts its own spool in a thread; `coro serve` turns this off for its
# server's processes and runs one counter process beside them instead (`coro count_visits`).
VISITS_COUNT_IN_PROCESS = env_bool("VISITS_COUNT_IN_PROCESS", True)
# Count each visit at once instead (the test suite).
VISITS_INLINE = env_bool("VISITS_INLINE", False)
# Raw visits are kept this many days, then deleted; hourly and daily figures stay.
VISITS_KEEP_DAYS = env_int("VISITS_KEEP_DAYS", 90)
if MIN_GROUP_SIZE < MIN_GROUP_SIZE_FLOOR:
    raise ConfigError(
        f"MIN_GROUP_SIZE must be at least {MIN_GROUP_SIZE_FLOOR}, not {MIN_GROUP_SIZE}."
    )

LANGUAGE_CODE = "es"
# The one list of languages: of the interface (a catalogue each under coro/locale) and of
# the texts stored per language (terms, disclosure, posts). Adding one needs no migration.
LANGUAGES = [("es", _("Spanish")), ("ca", _("Catalan")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Madrid")
USE_TZ = True

# Uploaded files (organisation logos) through Django's storage API.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Upload limits (bytes); a bigger request is refused with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Fetching links (previews, blog feeds): see docs/fetching.md. TESTS ONLY: None in real use.
# A list switches the fetcher to test mode: it fetches nothing beyond this machine and lets
# through exactly the loopback "127.0.0.1:<port>" / "[::1]:<port>" entries listed.
FETCH_TEST_ALLOW: list[str] | None = None

# Secrets stored in the database (identity providers' client secrets, later social tokens)
# are encrypted with these keys (Fernet): "id:key" pairs, the first encrypts, all decrypt.
# Development derives one from SECRET_KEY.
ENCRYPTION_KEYS = env_keys("ENCRYPTION_KEY", {"dev": "dev-enc-" + SECRET_KEY} if DEBUG else None)

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST", "-")
if EMAIL_HOST == "-":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Seconds an SMTP server may stall before sending fails (and is retried): never for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Coro <coro@{_base.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Rate limits count per client address. Behind the TLS-terminating proxy that https
# assumes (SECURE_PROXY_SSL_HEADER below), REMOTE_ADDR is the proxy's: the client is the
# address the proxies added to X-Forwarded-For, this many from the end.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if _base.scheme == "https" else 0)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ConfigError(f"TRUSTED_PROXY_COUNT cannot be negative, not {ALLAUTH_TRUSTED_PROXY_COUNT}.")
# The cache holds the rate limits' counters: with several server processes, use one they
# share ("database": run `coro createcachetable` once).
CACHES = {
    "default": {
        "BACKEND": env_choice(
            "CACHE_BACKEND",
            "memory",
            {
                "memory": "django.core.cache.backends.locmem.LocMemCache",
                "database": "django.core.cache.backends.db.DatabaseCache",
            },
        ),
        "LOCATION": "coro_cache",
    }
}

# Content-Security-Policy (django-csp; docs/security.md): scripts only from Coro's own
# static files, never inline; style attributes are allowed (templates use a few), style
# sheets only Coro's. Forms may lead elsewhere only over https (a share opens the network's
# own page, a company sign-in its identity provider, both chosen per organisation or person)
# or to mailto: (sharing by e-mail); development adds the loopback test providers.
_FORM_ACTION_DEV = ["http://127.0.0.1:*", "http://localhost:*"] if DEBUG else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, "https:", "mailto:", *_FORM_ACTION_DEV],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if _base.scheme == "https":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# One console. A refused or unknown page (4xx) is one line, not a traceback
# (coro/core/logging.py); Django's own console handler is dropped, or with DEBUG on
# every message of Django's would print twice.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "coro.core.logging.ClientErrorsOnOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
}
