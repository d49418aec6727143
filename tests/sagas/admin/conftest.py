"""Fixtures of the saga admin tests: who is looking, and runs stuck in two ways."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from sagas.exceptions import CompensationError, OutcomeUnknown
from sagas.models import SagaRun
from sagas.services import saga_start
from tests.sagas.toys import OrderState, ToyService


def staff_user(django_user_model, username: str, *codenames: str):
    """Return a staff user holding the given ``sagas`` permissions."""
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="sagas", codename__in=codenames
        )
    )
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer(django_user_model):
    """Staff who may look at runs but not act on them."""
    return staff_user(django_user_model, "viewer", "view_sagarun")


@pytest.fixture
def reviewer(django_user_model):
    """Staff who may look at runs and act on those under review."""
    return staff_user(django_user_model, "reviewer", "view_sagarun", "review_sagarun")


@pytest.fixture
def viewer_client(viewer) -> Client:
    return logged_in(viewer)


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    return logged_in(reviewer)


@pytest.fixture
def stuck_refund(service, state) -> SagaRun:
    """Shipping failed and the refund kept failing: the run needs review."""
    service.fail("ship", "error")
    service.fail("refund", "error")
    with pytest.raises(CompensationError):
        saga_start(saga="toy-order", operation_id="op-stuck", state=state)
    return SagaRun.objects.get(operation_id="op-stuck")


@pytest.fixture
def unknown_shipment(tmp_path) -> SagaRun:
    """Shipping timed out and nobody can tell whether it happened (own toy systems)."""
    service = ToyService(tmp_path / "unknown")
    service.fail("ship", "timeout")
    with pytest.raises(OutcomeUnknown):
        saga_start(
            saga="toy-order",
            operation_id="op-unknown",
            state=OrderState(service=str(service.root)),
        )
    return SagaRun.objects.get(operation_id="op-unknown")


@pytest.fixture
def completed_run(tmp_path) -> SagaRun:
    """A run that went through without trouble (own, healthy toy systems)."""
    service = ToyService(tmp_path / "healthy")
    return saga_start(
        saga="toy-order",
        operation_id="op-done",
        state=OrderState(service=str(service.root)),
    ).run
