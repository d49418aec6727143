"""The checkout flow of the system tests: scenarios, clients, a kill, sweeps, relays.

Each function drives or waits on the service that ``tests.system.harness``
started; none starts or stops a process except as the flow itself demands.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.utils import timezone

from outbox.models import OutboxMessage
from sagas.models import ACTIVE_STATUSES, SagaRun
from tests.system.conftest import Shop
from tests.system.harness import (
    Processes,
    Response,
    WebhookReceiver,
    http_request,
    wait_until,
)

CLIENTS = 8
RELAY = "from outbox.tasks import relay_outbox; relay_outbox()"
REVIEW = "needs_review"
# The checkout was refused in the request (no order), as a hold that keeps
# failing is: 503, nothing written.
REFUSED = "refused"
# How often a client sends a checkout again when its answer was lost (the web
# worker serving it died) or its first request still holds the key.
RESENDS = 60
ADDRESS = {
    "name": "Grace Hopper",
    "line1": "1 Harbour Road",
    "city": "Arlington",
    "postal_code": "22201",
    "country": "US",
}


@dataclass(frozen=True)
class Scenario:
    """Faults to inject into one checkout, and how that checkout must end."""

    name: str
    faults: dict[str, str]
    ends: str  # the order's state, "needs_review" for its run, or "refused"
    token: str = "tok_visa"
    answer: int = 202


SCENARIOS = [
    Scenario("happy", {}, "shipped"),
    Scenario("declined", {}, "cancelled", token="tok_chargeDeclined"),
    # The hold runs in the request, inside the order's own transaction: the
    # crash kills the web worker and rolls it all back; the client sends the
    # request again, with its key, and that one goes through.
    Scenario("crash after hold", {"warehouse.hold": "crash"}, "shipped"),
    Scenario("crash after charge", {"payments.charge": "crash"}, "shipped"),
    Scenario("crash after confirm", {"warehouse.confirm": "crash"}, "shipped"),
    Scenario("crash after shipment", {"shipping.create": "crash"}, "shipped"),
    Scenario("crash after email", {"notifications.email": "crash"}, "shipped"),
    Scenario("transient charge", {"payments.charge": "transient:2"}, "shipped"),
    Scenario("timeout charge", {"payments.charge": "timeout"}, "shipped"),
    Scenario("timeout shipment", {"shipping.create": "timeout"}, "shipped"),
    Scenario("hold down", {"warehouse.hold": "error"}, REFUSED, answer=503),
    Scenario("confirm down", {"warehouse.confirm": "error"}, "refunded"),
    Scenario("carrier down", {"shipping.create": "error"}, "refunded"),
    Scenario(
        "crash after refund",
        {"shipping.create": "error", "payments.refund": "crash"},
        "refunded",
    ),
    Scenario(
        "refund down", {"shipping.create": "error", "payments.refund": "error"}, REVIEW
    ),
]


@dataclass
class Checkout:
    """One checkout request of the flow, and what it got back."""

    scenario: Scenario
    token: str
    key: str
    body: dict
    response: Response | None = None


def plan_checkouts(shop: Shop, count: int) -> list[Checkout]:
    """Return ``count`` checkouts cycling through the scenarios and the buyers."""
    checkouts = []
    for number in range(count):
        scenario = SCENARIOS[number % len(SCENARIOS)]
        lines = [{"sku": shop.skus[number % len(shop.skus)], "quantity": 1}]
        if number % 2:
            lines.append(
                {"sku": shop.skus[(number + 1) % len(shop.skus)], "quantity": 2}
            )
        body = {
            "lines": lines,
            "payment_token": scenario.token,
            "shipping_address": ADDRESS,
        }
        if scenario.faults:
            body["faults"] = scenario.faults
        checkouts.append(
            Checkout(
                scenario=scenario,
                token=shop.tokens[number % len(shop.tokens)],
                key=f"system-{number}-{uuid.uuid4().hex[:8]}",
                body=body,
            )
        )
    return checkouts


def post_checkout(base_url: str, checkout: Checkout) -> Response:
    """POST one checkout with its token and Idempotency-Key, as a careful client.

    A lost answer (the connection dropped: the worker serving it died) is sent
    again with the same key; so is a 409 saying that the key's first request
    is still in progress, until that request's claim expires.
    """
    for _ in range(RESENDS):
        try:
            response = http_request(
                "POST",
                f"{base_url}/api/orders/",
                body=checkout.body,
                headers={
                    "Authorization": f"Token {checkout.token}",
                    "Idempotency-Key": checkout.key,
                },
            )
        except OSError:
            time.sleep(0.5)
            continue
        if response.status == 409 and b"idempotency_key_in_progress" in response.body:
            time.sleep(0.5)
            continue
        return response
    raise AssertionError(f"checkout {checkout.key} got no answer")


def drive(
    base_url: str, checkouts: list[Checkout], *, midway: Callable[[], None]
) -> None:
    """POST every checkout from a pool of clients; call ``midway`` halfway through."""

    def send(checkout: Checkout) -> None:
        checkout.response = post_checkout(base_url, checkout)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(send, checkout) for checkout in checkouts]
        wait_until(
            lambda: sum(f.done() for f in futures) >= len(futures) // 2,
            timeout=90,
            message="half of the checkouts were not answered",
        )
        midway()
        for future in futures:
            future.result(timeout=120)


def kill_mid_saga(processes: Processes, name: str) -> set[str]:
    """SIGKILL the cluster ``name`` while its workers run sagas; return the
    operation ids of the runs the kill interrupted.

    Waits until a live lease belongs to a process of the cluster's group, so the
    kill interrupts sagas in the middle rather than an idle cluster.
    """
    pids: set[int] = set()

    def interrupted() -> set[str]:
        # A lease owner reads "<host>:<pid>:<nonce>".
        runs = SagaRun.objects.filter(status__in=ACTIVE_STATUSES).exclude(
            lease_owner=""
        )
        return {
            operation_id
            for operation_id, owner in runs.values_list("operation_id", "lease_owner")
            if int(owner.split(":")[-2]) in pids
        }

    def busy() -> bool:
        pids.clear()
        pids.update(processes.group_pids(name))
        return bool(interrupted())

    wait_until(
        busy, timeout=60, interval=0.05, message=f"no worker of {name} ran a saga"
    )
    processes.kill(name)
    # The dead hold their leases until they expire: what they held, they dropped.
    return interrupted()


def replay(base_url: str, checkouts: list[Checkout]) -> list[Response]:
    """Send checkouts again with their keys: each must replay its first answer."""
    responses = [post_checkout(base_url, checkout) for checkout in checkouts]
    for checkout, response in zip(checkouts, responses, strict=True):
        assert (response.status, response.body) == (
            checkout.response.status,
            checkout.response.body,
        )
    return responses


def settle_runs(processes: Processes, *, timeout: float = 120) -> int:
    """Wait until no run is active, sweeping as the schedule would; return sweeps.

    The every-minute schedule is too slow for a test: whenever a lease has run
    out, run ``manage.py saga_recover`` in a process of its own, with the
    service's environment (faults included).
    """
    sweeps = 0

    def settled() -> bool:
        nonlocal sweeps
        active = SagaRun.objects.filter(status__in=ACTIVE_STATUSES)
        if not active.exists():
            return True
        if active.filter(lease_expires_at__lt=timezone.now()).exists():
            result = processes.manage("saga_recover")
            # A planned crash kills whichever process runs the step, the sweeper
            # included: the next sweep takes that run over in turn.
            assert result.returncode in (0, -signal.SIGKILL), result.stdout
            sweeps += 1
        return False

    wait_until(
        settled,
        timeout=timeout,
        interval=1,
        message=lambda: (
            "runs still active: "
            + str(
                list(
                    SagaRun.objects.filter(status__in=ACTIVE_STATUSES).values_list(
                        "operation_id", "status", "lease_owner", "lease_expires_at"
                    )
                )
            )
        ),
    )
    return sweeps


def deliver_outbox(
    processes: Processes, receiver: WebhookReceiver, *, timeout: float = 60
) -> int:
    """Wait until every message reached the receiver; relay when it lags; return
    how many relays the test ran."""
    relays, last_relay = 0, time.monotonic()

    def delivered() -> bool:
        nonlocal relays, last_relay
        ids = {
            str(i) for i in OutboxMessage.objects.values_list("message_id", flat=True)
        }
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        if not pending.exists() and ids <= receiver.handled_ids():
            return True
        # The workers relay after each commit and every minute; after a few
        # quiet seconds, run the task as the schedule would.
        if time.monotonic() - last_relay > 3:
            result = processes.manage("shell", "-c", RELAY)
            assert result.returncode == 0, result.stdout
            relays, last_relay = relays + 1, time.monotonic()
        return False

    wait_until(
        delivered,
        timeout=timeout,
        interval=0.5,
        message=lambda: (
            "outbox not delivered: "
            + str(Counter(OutboxMessage.objects.values_list("status", flat=True)))
        ),
    )
    return relays
