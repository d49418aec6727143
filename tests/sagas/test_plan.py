"""saga_plan: the recovery plan, drawn from the definition, as Markdown."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

import tests.sagas.toys  # noqa: F401  (registers the toy sagas)


def _plan(name: str) -> str:
    out = io.StringIO()
    call_command("saga_plan", name, stdout=out)
    return out.getvalue()


def _table_row(plan: str, start: str) -> list[str]:
    line = next(line for line in plan.splitlines() if line.startswith(start))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_the_step_table_describes_each_step_from_its_definition():
    plan = _plan("toy-order")

    assert plan.startswith("# Recovery plan: `toy-order`\n")
    assert _table_row(plan, "| 2 |") == [
        "2",
        "`charge`",
        "`charge`: Ask the toy service to charge.",
        "`refund`: Ask the toy service to refund.",
        "no",
        "`lookup_charge`: Ask the toy bank whether the charge went through.",
        "`charge_id`",
        "5 attempts, 0.1s x2 up to 0.3s, ±10% jitter",
        "a later step fails, or the run is cancelled",
    ]


def test_the_rollback_order_is_the_reverse_of_the_steps():
    plan = _plan("toy-order")

    order = plan.split("## Rollback order\n\n")[1].splitlines()[:4]
    assert [line.split("`")[1] for line in order] == [
        "ship",
        "pack",
        "charge",
        "reserve",
    ]


def test_the_rollback_order_stops_at_the_pivot():
    plan = _plan("toy-pivot")

    order = plan.split("## Rollback order\n\n")[1].splitlines()[0]
    assert order.startswith("1. `charge` (1)")
    assert _table_row(plan, "| 2 |")[-1] == "never automatically: it is the pivot"


def test_the_decision_matrix_follows_the_flags():
    plan = _plan("toy-pivot")
    order = _plan("toy-order")

    assert _table_row(order, "| 2 `charge`")[3].startswith("reconcile:")
    assert _table_row(order, "| 3 `pack`")[3].startswith("retry with the same key")
    assert _table_row(order, "| 4 `ship`")[1:] == [
        "retry (3 attempts), then compensate",
        "no retry: compensate",
        "manual review",
        "retry (4 attempts), then manual review",
    ]
    assert (
        _table_row(plan, "| 3 `email`")[2] == "no retry: record failed, run completes"
    )
    assert (
        _table_row(plan, "| 4 `receipt`")[1] == "retry (3 attempts), then manual review"
    )


def test_parallel_members_are_numbered_within_their_group():
    plan = _plan("toy-fanout")

    assert _table_row(plan, "| 2b |")[1] == "`beta` (parallel `fanout`)"


def test_an_unknown_saga_is_a_command_error_listing_the_known_ones():
    with pytest.raises(CommandError, match="toy-order"):
        _plan("no-such-saga")


def _section(plan: str, heading: str) -> str:
    return plan.split(f"## {heading}\n")[1].split("\n## ")[0]


def test_each_step_says_its_commit_rule_what_it_changes_and_keeps():
    plan = _section(_plan("toy-order"), "What each step changes, keeps and reports")

    reserve = _table_row(plan, "| 1 |")
    charge = _table_row(plan, "| 2 |")
    ship = _table_row(plan, "| 4 |")
    assert reserve[2].startswith("resumable: no write before the call")
    assert ship[2].startswith("record first: written `started` before it acts")
    assert charge[3] == "payment: a toy charge; queue: event `toy.charged`"
    assert charge[4] == (
        "the journal's `charge` entry: status, attempts, times, last error; "
        "its key `toy-order:<operation_id>:charge`; state `charge_id`; "
        "a toy charge, by step key"
    )
    # No record and not local: no recording runs it, so no step_completed.
    assert charge[5] == "`completed` in the journal; event `toy.charged`"
    assert "`reconciled` answers" in charge[6]
    assert reserve[3] == "not declared (`Step.effects`)"


def test_a_failed_rollback_says_what_is_retried_reviewed_and_who_hears_of_it():
    policy = _section(_plan("toy-order"), "When a rollback fails")

    assert "- the undo of `ship` (`unship`" in policy
    assert "- `compensation_failed`: an undo still fails" in policy
    assert "after 5 takeovers (`SAGA_MAX_TAKEOVERS`)" in policy
    # The receivers connected right now, the outbox's event among them.
    assert "`run_needs_review` → `outbox.receivers.run_needs_review_emit`" in policy
    assert "`compensation_failed` → `sagas.receivers.log_compensation_failed`" in policy
    assert "whoever `SAGA_ALERT_TARGET` names" in policy


def test_the_plan_cites_the_tests_marked_for_its_saga(tmp_path, settings):
    suite = tmp_path / "tests"
    suite.mkdir()
    (suite / "test_toys.py").write_text(
        "import pytest\n\n\n"
        '@pytest.mark.partial_failure("toy-order", "timeout")\n'
        "def test_a_lost_answer_is_reconciled():\n"
        '    """The charge happened: reconcile finds it."""\n\n\n'
        '@pytest.mark.partial_failure("other-saga", "timeout")\n'
        "def test_not_ours():\n    pass\n"
    )
    settings.SAGA_PLAN_TESTS = suite

    tests = _section(_plan("toy-order"), "Partial-failure tests")

    assert _table_row(tests, "| a timeout") == [
        "a timeout after the effect happened",
        "`tests/test_toys.py::test_a_lost_answer_is_reconciled`",
        "The charge happened: reconcile finds it.",
    ]
    assert _table_row(tests, "| two runs of one operation")[1] == "**none**"
    assert "test_not_ours" not in tests
