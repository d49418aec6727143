"""The API's token endpoint: trade a username and password for a token."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings

from config.api_schema import RETRY_AFTER, problem_responses


class TokenObtainApi(ObtainAuthToken):
    """Return the user's API token (the same one every time), for Authorization.

    No authentication is needed (or used) to call it, so a browser's session
    cookie does not make it demand a CSRF token.
    """

    authentication_classes = []
    # ObtainAuthToken also parses forms and multipart bodies; the API speaks JSON
    # only, and every other parser is one more door for a password guess.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(
        operation_id="auth_token_obtain",
        summary="Get an API token",
        description=(
            "Send it as `Authorization: Token <token>`. Wrong credentials answer "
            "400 `invalid_request`. Failed attempts are limited per user name "
            "(5 a minute by default) and per client address (20 a minute), "
            "counted before the password is checked: over either limit the "
            "answer is 429 `throttled` with `Retry-After`, even for the right "
            "password. A successful attempt does not count."
        ),
        request=inline_serializer(
            "TokenObtain",
            {
                "username": serializers.CharField(),
                "password": serializers.CharField(style={"input_type": "password"}),
            },
        ),
        responses={
            200: OpenApiResponse(
                inline_serializer("Token", {"token": serializers.CharField()}),
                description="The user's token.",
            ),
            **problem_responses(400, 413, 415, 429, 500, 503),
        },
        parameters=[RETRY_AFTER],
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
