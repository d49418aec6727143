"""The application error base: every business error carries a stable ``code``.

Each app subclasses ``ApplicationError`` in its ``exceptions.py``; the API maps the
whole family to ``application/problem+json`` in one place.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Base of every error the service raises on purpose.

    ``code`` is stable and machine-readable (clients and tests match on it);
    ``status`` is the HTTP status the API answers with; ``extra`` carries data
    about the failure (which SKUs are short, which events are allowed, ...).
    """

    code = "application_error"
    status = 400
    title = "The request could not be completed."
    # Seconds after which the same request may succeed (sent as Retry-After), for
    # errors that are about now, not about the request: throttled, busy, an outage.
    retry_after: int | None = None

    def __init__(self, message: str | None = None, **extra: Any) -> None:
        self.message = message or self.title
        self.extra = extra
        super().__init__(self.message)
