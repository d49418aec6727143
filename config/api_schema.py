"""OpenAPI pieces every API view shares: the problem+json body and its responses."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from problems.responses import PROBLEM_CONTENT_TYPE

PROBLEM_DESCRIPTIONS = {
    400: "The request is not valid (see `code`, and `errors` for field errors).",
    401: "No credentials, or credentials that are not valid.",
    402: "The payment was declined (`payment_declined`, `invalid_payment_token`).",
    403: "Not allowed (a session request without its CSRF token included).",
    404: "No such resource, or one that belongs to someone else.",
    409: "Conflicts with the resource's state or a request still running.",
    413: "The request body is larger than the server accepts.",
    415: "The body is not in a media type the operation accepts.",
    422: "The Idempotency-Key was already used with a different request body.",
    429: "Too many requests; wait for `Retry-After` seconds.",
    500: "The server failed; the request can be retried. No details are given.",
    503: (
        "A dependency is down (`database_unavailable`, `broker_unavailable`): "
        "nothing was lost; retry after `Retry-After` seconds, with the same "
        "Idempotency-Key if the request had one."
    ),
}


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem: a stable ``code`` plus the standard members.

    Extension members depend on the code: ``errors`` for a body that is not
    valid, ``order_id`` for a checkout that failed, ``allowed_events`` for an
    illegal transition.
    """

    type = serializers.CharField(help_text="A URI reference naming the problem.")
    title = serializers.CharField(help_text="A short summary of the problem.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(
        required=False, help_text="What went wrong in this occurrence."
    )
    code = serializers.CharField(help_text="A stable code that clients match on.")
    request_id = serializers.CharField(
        help_text="The request's id, as in its X-Request-ID header and log lines."
    )
    errors = serializers.JSONField(
        required=False, help_text="Field errors of a body that is not valid."
    )


RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    required=True,
    # Attached to whichever of these responses an operation documents.
    response=[429, 503],
    description="Seconds to wait before trying again.",
)


def problem_responses(*statuses: int) -> dict[tuple[int, str], OpenApiResponse]:
    """Return ``extend_schema`` responses for these statuses, as problem+json."""
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=PROBLEM_DESCRIPTIONS[status]
        )
        for status in statuses
    }
