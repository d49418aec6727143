"""The same checkout request sent again: the stored answer, never a second order."""

from __future__ import annotations

import json

from django.test import Client
from rest_framework.authtoken.models import Token

from orders.models import Order
from scenarios.facts import facts_for
from scenarios.stage import ADDRESS, LINES, Demo

ORDERS_URL = "/api/orders/"


def idempotent_request(demo: Demo) -> None:
    """Send one checkout twice with its key, then its key with another body."""
    demo.shelves()
    alice = demo.buyer("alice")
    token, _ = Token.objects.get_or_create(user=alice)
    # Django's test client: the real middleware, views and saga, in this process.
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = {
        "lines": list(LINES),
        "payment_token": "tok_visa",
        "shipping_address": ADDRESS,
    }
    other = {**body, "lines": [{"sku": "CAP-001", "quantity": 1}]}

    demo.name_operation(alice, key="order-1")
    with demo.watching():
        first = _post(demo, client, body, key="order-1", why="first request")
    replay = _post(demo, client, body, key="order-1", why="the same request again")
    changed = _post(demo, client, other, key="order-1", why="same key, another body")

    order = demo.show_order(Order.objects.get())
    facts = facts_for(order.operation_id)
    demo.note(facts.describe())
    demo.check("the first request placed the order", first.status_code == 201)
    demo.check(
        "the repeat got the stored answer",
        replay.status_code == 201
        and replay.headers.get("Idempotent-Replayed") == "true"
        and replay.content == first.content,
        f"{replay.status_code}, Idempotent-Replayed: "
        f"{replay.headers.get('Idempotent-Replayed')}",
    )
    demo.check(
        "another body under the same key is refused",
        changed.status_code == 422,
        f"{changed.status_code} {changed.json().get('code')}",
    )
    demo.check("one order", Order.objects.count() == 1, Order.objects.count())
    demo.check("one charge", facts.processor_charges == 1, facts.processor_charges)
    demo.audit()


def _post(demo: Demo, client: Client, body: dict, *, key: str, why: str):
    demo.note(why)
    response = client.post(
        ORDERS_URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=f'"{key}"',
    )
    replayed = response.headers.get("Idempotent-Replayed")
    document = response.json()
    what = document.get("state") or document.get("code")
    demo.emit(
        "http",
        f'POST {ORDERS_URL} Idempotency-Key: "{key}" → {response.status_code} '
        f"{what}" + (f", Idempotent-Replayed: {replayed}" if replayed else ""),
        status=response.status_code,
        replayed=replayed or "",
    )
    return response
