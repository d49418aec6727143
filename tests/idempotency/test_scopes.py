"""Scope resolution: which user's keys a request uses."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.authtoken.models import Token

from idempotency.scopes import request_scope, user_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_request(rf):
    request = rf.post("/api/things/")
    request.user = AnonymousUser()
    return request


def test_token_user_is_the_scope(alice, rf):
    """A valid token scopes the request to its user."""
    token = Token.objects.create(user=alice)
    request = rf.post("/api/things/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert user_scope(request) == str(alice.pk)


def test_token_wins_over_the_session(alice, bob, rf):
    """With both, the token decides, as it does for the API view."""
    token = Token.objects.create(user=bob)
    request = rf.post("/api/things/", HTTP_AUTHORIZATION=f"Token {token.key}")
    request.user = alice

    assert user_scope(request) == str(bob.pk)


def test_session_user_is_the_scope(alice, rf):
    """Without a token the session's user is the scope."""
    request = rf.post("/api/things/")
    request.user = alice

    assert user_scope(request) == str(alice.pk)


def test_invalid_token_has_no_scope(alice, rf):
    """A bad token is anonymous, even with a session: the view answers 401."""
    request = rf.post("/api/things/", HTTP_AUTHORIZATION="Token nope")
    request.user = alice

    assert user_scope(request) is None


def test_anonymous_request_has_no_scope(anonymous_request):
    assert user_scope(anonymous_request) is None


def test_resolver_is_configurable(anonymous_request, settings):
    """IDEMPOTENCY_SCOPE_RESOLVER names the function that decides the scope."""
    settings.IDEMPOTENCY_SCOPE_RESOLVER = "tests.idempotency.test_scopes.tenant_scope"

    assert request_scope(anonymous_request) == "tenant-7"


def tenant_scope(request) -> str:
    """A resolver for the test above: every request belongs to tenant 7."""
    return "tenant-7"
