"""A client generated from the live schema by openapi-python-client, unpatched.

A client nobody here wrote is the test of a schema: the code openapi-python-client
generates from /api/schema/ must import and drive the whole flow (token,
products, checkout, its replay, the order, a cancel refused as a Problem)
against the running service, exactly as generated.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from orders.models import Order
from payments.models import Charge

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "generated_order_client"
# The code as generated: no formatter run over it.
CONFIG = "post_hooks: []\n"


@pytest.fixture
def generated(live_server, tmp_path):
    """Generate the client from the live schema and import it."""
    config = tmp_path / "openapi-python-client.yaml"
    config.write_text(CONFIG)
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--url",
            f"{live_server.url}/api/schema/?format=json",
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
            "--config",
            str(config),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_the_generated_client_drives_the_whole_flow(
    generated, live_server, alice, catalog
):
    """Issue 12: token, products, checkout 201, the replay with the same id and
    Idempotent-Replayed, the order, and a refused cancel parsed as a Problem."""
    client_module = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    auth = importlib.import_module(f"{PACKAGE}.api.auth.auth_token_obtain")
    orders = importlib.import_module(f"{PACKAGE}.api.orders")
    products_list = importlib.import_module(f"{orders.__name__}.products_list")
    orders_create = importlib.import_module(f"{orders.__name__}.orders_create")
    orders_retrieve = importlib.import_module(f"{orders.__name__}.orders_retrieve")
    orders_cancel = importlib.import_module(f"{orders.__name__}.orders_cancel")

    anonymous = client_module.Client(base_url=live_server.url)
    token = auth.sync(
        client=anonymous,
        body=models.TokenObtainRequest(username="alice", password="x"),
    )
    assert isinstance(token, models.Token)
    client = client_module.AuthenticatedClient(
        base_url=live_server.url, token=token.token, prefix="Token"
    )

    products = products_list.sync(client=client)
    assert {p.sku for p in products} == {"TEE-001", "MUG-001"}

    body = models.CheckoutRequest(
        lines=[models.LineInputRequest(sku="TEE-001", quantity=1)],
        payment_token="tok_visa",
        shipping_address=models.AddressRequest(
            name="Ada", line1="1 Main St", city="London", postal_code="N1", country="GB"
        ),
    )
    first = orders_create.sync_detailed(
        client=client, body=body, idempotency_key='"generated-1"'
    )
    replay = orders_create.sync_detailed(
        client=client, body=body, idempotency_key='"generated-1"'
    )
    assert first.status_code == 201
    assert isinstance(first.parsed, models.Order)
    assert first.parsed.state == models.OrderStateEnum.SHIPPED
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.parsed.id == first.parsed.id

    order = orders_retrieve.sync(id=first.parsed.id, client=client)
    assert isinstance(order, models.Order)
    assert [line.sku for line in order.lines] == ["TEE-001"]

    refused = orders_cancel.sync_detailed(id=order.id, client=client)
    assert refused.status_code == 409
    assert isinstance(refused.parsed, models.Problem)
    assert refused.parsed.code == "illegal_transition"

    assert Order.objects.count() == 1
    assert Charge.objects.count() == 1
