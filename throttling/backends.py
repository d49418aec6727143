"""The authentication backend: Django's, with password guesses throttled.

Throttling where the password is checked covers every door at once: the API's
token endpoint, the storefront's login form and the admin's.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from throttling.logins import login_attempt_record, login_attempt_refund


class ThrottledModelBackend(ModelBackend):
    """Check passwords like ModelBackend, after counting the attempt.

    Over a limit, LoginThrottled propagates out of ``authenticate()`` before any
    password is hashed: the API answers it as a 429 problem, and
    ``throttling.middleware`` answers a login form with a 429 page.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        hits = login_attempt_record(request=request, username=str(username))
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None:
            login_attempt_refund(hits=hits)
        return user

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        # ModelBackend's async twin checks the password itself: route it here.
        return await sync_to_async(self.authenticate)(
            request, username, password, **kwargs
        )
