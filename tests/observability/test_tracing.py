"""Tracing is off by default and configured by the standard OTEL_* variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import ConsoleSpanExporter

from observability.tracing import _exporters, tracing_enabled
from sagas.api import get_tracer
from sagas.tracing import NullTracer

OTEL_MIDDLEWARE = "opentelemetry.instrumentation.django.middleware"


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with the project's settings and ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tracing_is_off_by_default():
    """No exporter named: no provider, a no-op engine tracer, no middleware."""
    assert settings.TRACING["exporters"] == []
    assert not tracing_enabled()
    assert isinstance(get_tracer(), NullTracer)
    assert not any(OTEL_MIDDLEWARE in name for name in settings.MIDDLEWARE)


def test_the_standard_variables_are_read_in_the_settings():
    result = run_python(
        "import json; from config import settings; print(json.dumps(settings.TRACING))",
        OTEL_TRACES_EXPORTER="console,otlp",
        OTEL_SERVICE_NAME="orders-eu",
        OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318/",
    )

    assert json.loads(result.stdout) == {
        "exporters": ["console", "otlp"],
        "service_name": "orders-eu",
        "otlp_endpoint": "http://collector:4318/v1/traces",
    }, result.stderr


def test_the_sdk_switch_turns_every_exporter_off():
    result = run_python(
        "from config import settings; print(settings.TRACING['exporters'])",
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_SDK_DISABLED="true",
    )

    assert result.stdout.strip() == "[]", result.stderr


def test_each_named_exporter_is_made():
    console, otlp = _exporters(
        {"exporters": ["console", "otlp"], "otlp_endpoint": "http://c:4318/v1/traces"}
    )

    assert isinstance(console, ConsoleSpanExporter)
    assert isinstance(otlp, OTLPSpanExporter)
    assert otlp._endpoint == "http://c:4318/v1/traces"


def test_with_the_console_exporter_a_request_prints_its_span():
    """As in ``make run``: spans are printed as JSON once their batch leaves."""
    result = run_python(
        "import django; django.setup(); from django.test import Client; "
        "print(Client().get('/nothing-here/', headers={'X-Request-ID': 'r-1'})"
        "['X-Request-ID'])",
        OTEL_TRACES_EXPORTER="console",
        OTEL_SERVICE_NAME="console-test",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("r-1\n")
    span = json.loads(result.stdout.split("\n", 1)[1])
    assert span["kind"] == "SpanKind.SERVER"
    assert span["attributes"]["request.id"] == "r-1"
    assert span["resource"]["attributes"]["service.name"] == "console-test"
