"""Settings of the order service: every value that varies comes from the environment.

This is the only module that reads ``os.environ``. ``config.settings_production``
imports it and hardens what a public deployment needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Return the environment variable ``name`` read as a boolean."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Return the comma-separated environment variable ``name`` as a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


# --- Core -----------------------------------------------------------------------------

# The fallback key is for a laptop only; settings_production refuses to start with it.
INSECURE_DEV_SECRET_KEY = "django-insecure-dev-only-key-do-not-deploy"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Fault injection lets a request or the failure lab break the external services on
# purpose. It is a teaching and testing tool: off unless explicitly switched on.
FAULT_INJECTION = env_bool("FAULT_INJECTION")

# "inline": the request that starts a checkout runs its saga to the end (201);
# "worker": the request records the run and a django-q2 worker runs it (202).
CHECKOUT_EXECUTION = os.environ.get("CHECKOUT_EXECUTION", "inline")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Before django_q: its qcluster command waits for the broker (workers/).
    "workers",
    "django_q",
    # Domain-free building blocks.
    "sagas",
    "idempotency",
    "outbox",
    "throttling",
    # The "external" services and the orchestrator.
    "faults",
    "payments",
    "warehouse",
    "shipping",
    "notifications",
    "orders",
    "aftersales",
    # The people who run the shop: customer service actions on orders.
    "desk",
    "storefront",
    # Runnable scenarios of the checkout (manage.py saga_demo): teaching only.
    "scenarios",
    "observability",
]

MIDDLEWARE = [
    # The request's id, first, so that every answer carries it. With tracing on,
    # OpenTelemetry's middleware is put before it (observability.tracing).
    "observability.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "idempotency.middleware.IdempotencyKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "throttling.middleware.LoginThrottledMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def database_config(url: str) -> dict:
    """Return Django's DATABASES entry for ``url``, tuned for concurrent writers."""
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite allows one writer at a time. IMMEDIATE takes the write lock at BEGIN,
        # so a writer waits (up to the busy timeout) instead of failing with
        # "database is locked" when it upgrades a read lock mid-transaction; WAL lets
        # readers carry on while a writer holds the lock. Connections are kept
        # between requests, as on PostgreSQL: opening one costs more than a query.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Tests use a file beside the database ("test-<name>"), not Django's
        # in-memory default, so that threads and processes really share one
        # database, as they do in production.
        db_file = Path(config["NAME"])
        config["TEST"] = {"NAME": str(db_file.with_name(f"test-{db_file.name}"))}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # libpq waits forever for an unreachable server: give up after a few
        # seconds, so that the request answers 503 instead of hanging.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return config


DATABASES = {"default": database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (django-q2) -----------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_url_with_timeouts(url: str, *, connect: float, read: float) -> str:
    """Return ``url`` with socket timeouts, unless it sets its own.

    redis-py waits forever by default: a Redis that stops answering would hang
    the request (or the worker) that asked it, instead of failing fast.
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("socket_connect_timeout", str(connect))
    query.setdefault("socket_timeout", str(read))
    return urlunsplit(parts._replace(query=urlencode(query)))


# A task that outlives `timeout` is killed; the broker hands a task out again when
# it is not acknowledged within `retry` seconds. retry must exceed timeout or a slow
# task runs twice. The database, not the broker, is the source of truth for sagas:
# the recovery sweeper resumes runs that a dead worker left behind.
Q_CLUSTER = {
    "name": "orders",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 60,
    "retry": 90,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Task queue",
    # The broker reads with a 1 s blocking pop: its read timeout must be longer.
    **(
        {"redis": redis_url_with_timeouts(REDIS_URL, connect=2, read=5)}
        if REDIS_URL
        else {"orm": "default", "poll": 0.2}
    ),
}

# How long a worker owns a saga run before the sweeper may take it over, and how
# long a relay owns a claimed outbox batch. Lower them only to make a test see
# dead workers sooner.
SAGA_LEASE_SECONDS = float(os.environ.get("SAGA_LEASE_SECONDS", "30"))
OUTBOX_CLAIM_SECONDS = int(os.environ.get("OUTBOX_CLAIM_SECONDS", "120"))
# The checkout's messages (email, SMS, push) at the same time on threads kept
# for the process's life: as fast as one after the other with instant channels,
# twice as fast when each provider takes 30 ms (bench/parallel.py). "inline"
# runs them on the caller's thread and connection.
SAGA_PARALLEL_EXECUTOR = os.environ.get("SAGA_PARALLEL_EXECUTOR", "pool")
# Who is alerted when a rollback fails and a run waits for a person (an
# on-call rota, a channel): the needs-review log lines carry it, and the
# recovery plan and its readiness checklist name it (saga_plan --check fails
# while it is empty).
SAGA_ALERT_TARGET = os.environ.get("SAGA_ALERT_TARGET", "")
# The test suite whose partial-failure tests the recovery plans cite.
SAGA_PLAN_TESTS = BASE_DIR / "tests"
# How long a pending stock hold (the semantic lock) lives if its saga dies before
# confirming it; the recovery sweep then releases it.
STOCK_HOLD_TTL_SECONDS = int(os.environ.get("STOCK_HOLD_TTL_SECONDS", "900"))

# Returns (aftersales): how many days after shipping a customer may return
# units, and whether the carrier simulator reports a return parcel received as
# soon as it is asked (the demo) or only once a test says it arrived.
RETURN_WINDOW_DAYS = int(os.environ.get("RETURN_WINDOW_DAYS", "30"))
SHIPPING_RETURNS_ARRIVE_AT_ONCE = env_bool("SHIPPING_RETURNS_ARRIVE_AT_ONCE", True)

# --- REST API -----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.authentication.RequestTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON in and out: the schema documents exactly what the API speaks.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser with a nesting limit (see config.api_parsers).
    "DEFAULT_PARSER_CLASSES": ["config.api_parsers.JSONParser"],
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    # How many proxies in front of the service append to X-Forwarded-For: the
    # client's address for throttling is the one the last of them saw. 0 trusts
    # no such header, or every request could claim a new address.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
}

# Limits of one checkout, read when a request arrives. The body size limit is
# Django's own: a larger body is refused with 413 before any view runs.
CHECKOUT_MAX_LINES = int(os.environ.get("CHECKOUT_MAX_LINES", "20"))
CHECKOUT_MAX_QUANTITY = int(os.environ.get("CHECKOUT_MAX_QUANTITY", "10"))
CHECKOUT_THROTTLE_RATE = os.environ.get("CHECKOUT_THROTTLE_RATE", "60/min")
# Failed logins (API token, login form, admin) allowed per user name and per
# client address; a successful login does not count (see throttling.logins).
LOGIN_THROTTLE_USERNAME_RATE = os.environ.get("LOGIN_THROTTLE_USERNAME_RATE", "5/min")
LOGIN_THROTTLE_ADDRESS_RATE = os.environ.get("LOGIN_THROTTLE_ADDRESS_RATE", "20/min")
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(64 * 1024))
)

# The cache holds the throttles' counters. LocMemCache is per process: exact for
# the embedded default (one web process); several web processes share Redis, and
# gunicorn refuses to start several workers without it (gunicorn.conf.py).
# Short socket timeouts: an unreachable Redis costs a request half a second once,
# then the throttles count in memory for a while (throttling.counters).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "orders",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The interactive docs at /api/docs/ (the schema at /api/schema/ is always on).
API_DOCS_ENABLED = env_bool("API_DOCS_ENABLED", default=True)

SPECTACULAR_SETTINGS = {
    "TITLE": "Order service API",
    "DESCRIPTION": (
        "Checkout as a saga: send an Idempotency-Key with every POST /api/orders/ "
        "and retry safely. Errors are application/problem+json with a stable code."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc come from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request and response bodies as separate components: read-only fields are
    # not asked for, write-only ones not promised.
    "COMPONENT_SPLIT_REQUEST": True,
    # The enum components, then the links from checkout to the order's detail
    # and cancel (drf-spectacular has no decorator for links).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "orders.api_schema.order_links_add",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrderStateEnum": "orders.states.State",
        "SagaRunStatusEnum": "sagas.models.SagaRun.Status",
        "SagaStepStatusEnum": "sagas.models.StepStatus",
    },
}

# Idempotency keys are kept this long; a claim whose request never finished is
# released after IDEMPOTENCY_LOCK_SECONDS so a crashed request does not block forever.
IDEMPOTENCY_RETENTION_SECONDS = int(
    os.environ.get("IDEMPOTENCY_RETENTION_SECONDS", str(24 * 3600))
)
IDEMPOTENCY_LOCK_SECONDS = int(os.environ.get("IDEMPOTENCY_LOCK_SECONDS", "60"))

# --- Content-Security-Policy ---------------------------------------------------------

# Every page, admin and Swagger UI included, runs scripts from this site's files
# only: no inline code, no eval, nothing from elsewhere, so an injected <script>
# or on* handler does not run. Styles may be inline: Mermaid draws its diagrams
# with a <style> element and style attributes and takes no nonce. A style runs
# no code, and with images, fonts and connections limited to this site an
# injected one cannot send anything away. Data URIs are Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Auth, i18n, static ---------------------------------------------------------------

# Django's ModelBackend, with failed logins throttled before a password is hashed.
AUTHENTICATION_BACKENDS = ["throttling.backends.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Password of the demo users made by `manage.py seed_demo` (it prints its default).
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files in every process, gunicorn included. Outside
# production it finds them in the apps directly, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = True
# Files a browser asks for at the site's root (favicon.ico, on every page).
WHITENOISE_ROOT = BASE_DIR / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shop@example.com")
# Where SMS and push messages go (notifications.backends), as EMAIL_BACKEND
# says for email: the log by default; ``SimulatedProviderBackend`` records them
# in the simulated provider's table (the demo, multi-process tests).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "notifications.backends.ConsoleBackend")
PUSH_BACKEND = os.environ.get("PUSH_BACKEND", "notifications.backends.ConsoleBackend")

# --- Logging and metrics --------------------------------------------------------------

# A directory shared by every process of one deployment (gunicorn and qcluster
# workers): prometheus_client keeps each process's counters there and /metrics adds
# them up. Unset: counters live in the process that serves /metrics. It must be in
# the environment (prometheus_client reads it there at import), exist, and be
# emptied before the service starts.
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# Who may read /metrics (observability.access): anyone, unless closed (as the
# production settings do); then a staff session or "Authorization: Bearer
# <METRICS_TOKEN>", the token Prometheus is configured with.
METRICS_PUBLIC = env_bool("METRICS_PUBLIC", default=True)
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")


LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names its request (or the task it queued) and, when traced,
    # its trace and span: request_id, trace_id, span_id.
    "filters": {"request": {"()": "observability.logs.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # transitions logs every move at INFO; our history table already has them.
        "transitions": {"level": "WARNING"},
    },
}

# --- Traces (OpenTelemetry) -----------------------------------------------------------

# Off unless OTEL_TRACES_EXPORTER names where spans go: "console" (JSON on
# stdout, for a laptop), "otlp" (any OpenTelemetry collector, over HTTP with
# protobuf) or both, comma-separated. These are the standard variables; the
# SDK reads the others the standard defines by itself: OTEL_RESOURCE_ATTRIBUTES,
# the sampler (OTEL_TRACES_SAMPLER), batch sizes (OTEL_BSP_*), the exporter's
# headers and timeout (OTEL_EXPORTER_OTLP_HEADERS, ..._TIMEOUT).
OTEL_TRACES_EXPORTER = [
    name
    for name in env_list("OTEL_TRACES_EXPORTER", "none")
    if name != "none" and not env_bool("OTEL_SDK_DISABLED")
]
# A base URL (the exporter adds /v1/traces), unless the traces' own variable
# gives the full one.
OTEL_EXPORTER_OTLP_ENDPOINT = os.environ.get(
    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318"
)
TRACING = {
    "exporters": OTEL_TRACES_EXPORTER,
    "service_name": os.environ.get("OTEL_SERVICE_NAME", "order-service"),
    "otlp_endpoint": os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        f"{OTEL_EXPORTER_OTLP_ENDPOINT.rstrip('/')}/v1/traces",
    ),
}
# Where a trace id on the admin's run page and the order page links to, with
# "{trace_id}" in it: e.g. Jaeger's "http://127.0.0.1:16686/trace/{trace_id}".
# Unset: the id is shown, to paste into any back end's search.
SAGA_TRACE_URL = os.environ.get("SAGA_TRACE_URL", "")
