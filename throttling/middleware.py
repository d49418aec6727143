"""Answer a throttled login form with 429 and Retry-After, not a server error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from config.api_errors import API_PREFIX, application_error_response
from throttling.exceptions import LoginThrottled

TEMPLATE = "registration/login_throttled.html"


class LoginThrottledMiddleware:
    """Turn a LoginThrottled raised in a view into its 429 response.

    DRF views answer it themselves (config.api_errors); Django's login views,
    the storefront's and the admin's, let it propagate to here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, LoginThrottled):
            return None
        if request.path.startswith(API_PREFIX):
            return application_error_response(exception)
        response = render(
            request, TEMPLATE, {"retry_after": exception.retry_after}, status=429
        )
        response["Retry-After"] = str(exception.retry_after)
        return response
