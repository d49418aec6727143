"""The scenarios ``saga_demo`` can run: one idea each, its chapter, its lab faults.

One table, read by the command (``--list``, and what to run), by the
storefront's failure lab (a panel per scenario) and by the docs drift test.
A scenario's ``play`` is the dotted path of the function that acts it out; it
is imported only when the scenario runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    """One idea to see happen: what it shows, where it is explained, how to run it."""

    name: str
    title: str
    summary: str
    chapter: str
    play: str
    # The fault plan that shows the same idea in the storefront's failure lab;
    # None when the lab cannot (a crash kills the web process, two buyers...).
    lab_faults: dict[str, str] | None = field(default=None)
    # Settings (environment variables) this scenario's sandbox runs with.
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def chapter_name(self) -> str:
        """Return the chapter without folder and suffix (``01-partial-failure``)."""
        return self.chapter.removeprefix("docs/").removesuffix(".md")

    @property
    def command(self) -> str:
        """Return the command that runs this scenario."""
        return f"python manage.py saga_demo {self.name}"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "happy",
        "Everything works",
        "hold, charge, confirm, ship, notify: the order ships",
        "docs/03-saga-engine.md",
        "scenarios.checkout.happy",
        lab_faults={},
    ),
    Scenario(
        "partial-failure",
        "The carrier fails",
        "the booking keeps failing: compensations run in reverse, the card is refunded",
        "docs/01-partial-failure.md",
        "scenarios.checkout.partial_failure",
        lab_faults={"shipping.create": "error"},
    ),
    Scenario(
        "retry-vs-duplicate",
        "A timeout after the charge",
        "a blind retry charges twice; the saga reconciles and charges once",
        "docs/06-unknown-outcomes.md",
        "scenarios.checkout.retry_vs_duplicate",
        lab_faults={"payments.charge": "timeout"},
    ),
    Scenario(
        "idempotent-request",
        "The same request twice",
        "same Idempotency-Key: the stored answer again; another body: 422",
        "docs/04-idempotency.md",
        "scenarios.requests.idempotent_request",
    ),
    Scenario(
        "last-unit",
        "Two buyers, one unit",
        "the pending hold is the lock: one buyer wins, the other is out of stock",
        "docs/05-semantic-locks.md",
        "scenarios.concurrency.last_unit",
    ),
    Scenario(
        "crash-and-resume",
        "A worker dies mid-saga",
        "SIGKILL after the booking; the sweeper resumes, skipping what was done",
        "docs/06-unknown-outcomes.md",
        "scenarios.recovery.crash_and_resume",
        # The request only records the run: a worker process runs the saga.
        environment={"CHECKOUT_EXECUTION": "worker"},
    ),
    Scenario(
        "compensation-fails",
        "The refund keeps failing",
        "the rollback stops for review; a reviewer retries it once the fault is gone",
        "docs/08-manual-review.md",
        "scenarios.checkout.compensation_fails",
        lab_faults={"shipping.create": "error", "payments.refund": "error"},
    ),
    Scenario(
        "outbox",
        "Events that are never lost",
        "committed with the order, relayed, signed, delivered twice, deduplicated",
        "docs/07-outbox.md",
        "scenarios.delivery.outbox",
    ),
    Scenario(
        "return",
        "A return after shipping",
        "a new forward saga: the parcel booked and received, stock back, money back",
        "docs/14-after-the-pivot.md",
        "scenarios.aftersales.return_after_shipping",
    ),
    Scenario(
        "choreography",
        "Choreography against orchestration",
        "the same failure: the orchestrator undoes it, the event chain loses track",
        "docs/13-choreography.md",
        "scenarios.contrast.choreography",
    ),
)


def scenario_get(name: str) -> Scenario:
    """Return the scenario called ``name``; raise KeyError if there is none."""
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    raise KeyError(name)
