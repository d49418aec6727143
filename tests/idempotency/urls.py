"""A test-only URL map: tiny API views that record each run as a database row."""

from __future__ import annotations

import time
import uuid

from django.contrib.auth.models import Group
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def run_record() -> Group:
    """Record one run of a view; Group is a table every project has."""
    return Group.objects.create(name=f"run-{uuid.uuid4()}")


class RunView(APIView):
    """Record a run and answer 201 with a JSON body, a Location and extra headers."""

    delay = 0.0

    def post(self, request: Request) -> Response:
        if self.delay:
            time.sleep(self.delay)  # keep the claim in progress while others arrive
        run = run_record()
        response = Response(
            {"run": run.pk, "user": request.user.username, "received": request.data},
            status=201,
            headers={"Location": f"/api/things/{run.pk}/"},
        )
        # Neither may be replayed: only the headers that describe the result are.
        response["X-Run"] = str(run.pk)
        response.set_cookie("flavour", "vanilla")
        return response

    put = patch = delete = post


class SlowRunView(RunView):
    """Take long enough for concurrent requests to find the key in progress."""

    delay = 0.3


class StatusView(APIView):
    """Record a run and answer with the status code taken from the URL."""

    def post(self, request: Request, code: int) -> Response:
        run_record()
        return Response(None if code == 204 else {"code": code}, status=code)


class BoomView(APIView):
    """Record a run, then fail with an unhandled exception (a 500)."""

    def post(self, request: Request) -> Response:
        run_record()
        raise RuntimeError("boom")


class TokenView(APIView):
    """Stand in for the token endpoint, which is exempt from Idempotency-Keys."""

    permission_classes = []

    def post(self, request: Request) -> Response:
        run_record()
        return Response({"token": "t"})


urlpatterns = [
    path("api/orders/", RunView.as_view()),
    path("api/things/", RunView.as_view()),
    path("api/slow/", SlowRunView.as_view()),
    path("api/status/<int:code>/", StatusView.as_view()),
    path("api/boom/", BoomView.as_view()),
    path("api/auth/token/", TokenView.as_view()),
]
