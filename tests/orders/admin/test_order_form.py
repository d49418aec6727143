"""The order admin shows the state but never lets anyone edit it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.models import Order
from orders.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    superuser = get_user_model().objects.create_superuser("root", "root@example.com")
    client.force_login(superuser)
    return client


def form_data(response) -> dict[str, Any]:
    """Return the POST data a browser would send back for the rendered change form."""
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is not None:
                    data[subform.add_prefix(name)] = value
    return data


def test_change_form_has_no_state_field(admin_client, order):
    """The state is shown read-only, not as an input."""
    url = reverse("admin:orders_order_change", args=[order.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert "state" not in response.context["adminform"].form.fields
    assert 'name="state"' not in response.content.decode()
    assert '<div class="readonly">Created</div>' in response.content.decode()


def test_add_form_has_no_state_field(admin_client):
    """A new order gets its state from the machine, not from the admin."""
    response = admin_client.get(reverse("admin:orders_order_add"))

    assert response.status_code == 200
    assert "state" not in response.context["adminform"].form.fields


def test_posting_a_state_does_not_change_it(admin_client, order):
    """A forged POST with a state, a total or a message changes none of them."""
    url = reverse("admin:orders_order_change", args=[order.pk])
    data = form_data(admin_client.get(url))
    data["failure_message"] = "checked by support"
    data["state"] = State.SHIPPED
    data["total"] = "0.01"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Order.objects.get(pk=order.pk)
    assert stored.state == State.CREATED
    assert stored.total == order.total
    assert stored.failure_message == ""


def test_lines_and_history_are_read_only_inlines(admin_client, order):
    """The inlines list the order's lines and transitions without inputs."""
    url = reverse("admin:orders_order_change", args=[order.pk])

    response = admin_client.get(url)

    html = response.content.decode()
    assert "TEE-001" in html
    assert 'name="lines-0-sku"' not in html
    assert 'name="transitions-0-event"' not in html
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_add_permission
        assert not inline.has_change_permission
