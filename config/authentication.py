"""How the API authenticates: tokens (found once per request) and sessions."""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication


class RequestTokenAuthentication(TokenAuthentication):
    """Token authentication that reuses the answer found earlier in the request.

    The Idempotency-Key middleware must know the user before the view runs, so
    it authenticates the token first (idempotency.scopes); asking the database
    again in the view would cost a second identical query on every API call.
    """

    def authenticate(self, request):
        """Return the (user, token) the middleware found, or look the token up."""
        found = getattr(request._request, "token_authentication", None)
        return found if found is not None else super().authenticate(request)
