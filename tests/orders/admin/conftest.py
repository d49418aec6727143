"""Fixtures of the order admin tests: staff with and without the right to act."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.test import Client

# The checkout's fixtures (faults on, no sleeping, a checkout starter), shared
# with the admin scenarios that start real checkouts.
from tests.orders.checkout.conftest import (  # noqa: F401
    checkout,
    faults_on,
    no_waiting,
)

VIEW = [("orders", "view_order"), ("sagas", "view_sagarun")]
REVIEW = [*VIEW, ("sagas", "review_sagarun")]
CLERK = [*VIEW, ("orders", "change_order")]


def staff_with(django_user_model, username: str, perms: list[tuple[str, str]]):
    """Return a logged-in-able staff user holding ``perms`` (app label, codename)."""
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    wanted = Q()
    for app_label, codename in perms:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    user.user_permissions.add(*Permission.objects.filter(wanted))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def onlooker(django_user_model):
    """Staff who may look at orders and runs, and change nothing."""
    return staff_with(django_user_model, "onlooker", VIEW)


@pytest.fixture
def reviewer(django_user_model):
    """Staff who may act on saga runs under review."""
    return staff_with(django_user_model, "reviewer", REVIEW)


@pytest.fixture
def clerk(django_user_model):
    """Staff who may change orders, so fire their events."""
    return staff_with(django_user_model, "clerk", CLERK)


@pytest.fixture
def onlooker_client(onlooker) -> Client:
    return client_for(onlooker)


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    return client_for(reviewer)


@pytest.fixture
def clerk_client(clerk) -> Client:
    return client_for(clerk)
