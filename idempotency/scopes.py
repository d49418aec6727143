"""Decide whose key a request uses: the user the API view is going to see."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import APIException
from rest_framework.request import Request

DEFAULT_SCOPE_RESOLVER = "idempotency.scopes.user_scope"

ScopeResolver = Callable[[HttpRequest], "str | None"]


def user_scope(request: HttpRequest) -> str | None:
    """Return the id of the user the API will authenticate, or None if anonymous.

    The middleware runs before the view, so it authenticates the way the API
    does, in the order of DEFAULT_AUTHENTICATION_CLASSES: token, then session.
    A bad token makes the request anonymous here, as the view will answer 401.
    """
    # A user forced by DRF's APIClient.force_authenticate() is the user the view
    # sees; only in-process test code can set this attribute.
    forced = getattr(request, "_force_auth_user", None)
    if forced is not None:
        return str(forced.pk)
    try:
        authenticated = TokenAuthentication().authenticate(Request(request))
    except APIException:
        return None
    if authenticated is not None:
        # Kept for the view: config.authentication.RequestTokenAuthentication reuses it
        # instead of looking the token up a second time.
        request.token_authentication = authenticated
        return str(authenticated[0].pk)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk)
    return None


@functools.cache
def _import_resolver(dotted_path: str) -> ScopeResolver:
    return import_string(dotted_path)


def request_scope(request: HttpRequest) -> str | None:
    """Return the scope of ``request`` with the IDEMPOTENCY_SCOPE_RESOLVER setting."""
    dotted_path = getattr(
        settings, "IDEMPOTENCY_SCOPE_RESOLVER", DEFAULT_SCOPE_RESOLVER
    )
    return _import_resolver(dotted_path)(request)
