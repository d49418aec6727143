"""Send requests to the service under the settings of this process; print the answers.

Run as ``python -m tests.config.production_probe`` with the environment the test
chose (DJANGO_SETTINGS_MODULE=config.settings_production among it): the
production settings refuse to be imported into the test process itself, whose
settings are the development ones.
"""

from __future__ import annotations

import json
import sys

import django

PROBES = {
    "healthz over http": ("/healthz", {}),
    "readyz over http": ("/readyz", {}),
    "api over http": ("/api/products/", {}),
    "metrics without credentials": ("/metrics", {"secure": True}),
    "metrics with the token": (
        "/metrics",
        {"secure": True, "headers": {"Authorization": "Bearer probe-token"}},
    ),
    "api docs": ("/api/docs/", {"secure": True}),
    "shop": ("/", {"secure": True}),
}
HEADERS = ("Location", "Content-Security-Policy", "WWW-Authenticate")


def main() -> None:
    django.setup()
    from django.test import Client

    client = Client(raise_request_exception=False)
    answers = {}
    for name, (path, options) in PROBES.items():
        response = client.get(path, **options)
        answers[name] = {
            "status": response.status_code,
            **{h: response[h] for h in HEADERS if response.has_header(h)},
        }
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
