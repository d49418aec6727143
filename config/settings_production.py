"""Production profile: the base settings, hardened for a public deployment.

Use with DJANGO_SETTINGS_MODULE=config.settings_production and a real SECRET_KEY and
ALLOWED_HOSTS in the environment. Fault injection is refused here whatever the
environment says.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import INSECURE_DEV_SECRET_KEY, SECRET_KEY

if SECRET_KEY == INSECURE_DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value in production.")

DEBUG = False
FAULT_INJECTION = False

# The business figures at /metrics: a bearer token (METRICS_TOKEN) or a staff
# session, whatever the environment says.
METRICS_PUBLIC = False

# Served behind TLS: cookies only over HTTPS, HSTS for a year, HTTP redirected,
# except the probes: a cluster's health checks speak plain HTTP to the pod.
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Static files are collected (manage.py collectstatic) and served compressed.
WHITENOISE_USE_FINDERS = False
