"""saga_demo: every scenario runs on its own database and shows what it promises."""

from __future__ import annotations

import json

import pytest

from scenarios.registry import SCENARIOS
from tests.conftest import on_postgresql
from tests.scenarios.runs import saga_demo


@pytest.fixture(autouse=True)
def once_per_ci_run():
    """Run on the SQLite pass of the suite only.

    The command always makes its own SQLite database: running the scenarios
    again on the PostgreSQL pass would prove nothing new.
    """
    if on_postgresql():
        pytest.skip("saga_demo runs on its own SQLite file either way")


@pytest.mark.parametrize("scenario", [s.name for s in SCENARIOS])
def test_each_scenario_passes_its_checks_and_says_so_in_json(scenario):
    """--json: one document whose checks all held, with the audit and the orders."""
    run = saga_demo(scenario, "--json")

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["scenario"] == scenario
    assert report["ok"] is True
    assert report["checks"] and all(check["ok"] for check in report["checks"])
    assert report["audit"] is not None
    assert report["events"]


def test_piped_output_is_plain_text_with_the_timeline_and_the_verdict():
    run = saga_demo("partial-failure")

    assert run.returncode == 0, run.stderr
    assert "\033[" not in run.stdout
    lines = run.stdout.splitlines()
    undone = [line.split()[2] for line in lines if line.endswith(" undone")]
    assert undone == ["confirm-reservation", "charge-card", "hold-stock"]
    assert any("retry in" in line for line in lines)
    assert lines[-1] == "Scenario partial-failure passed."


def test_the_crash_scenario_shows_the_kill_and_the_takeover():
    run = saga_demo("crash-and-resume")

    assert "killed by SIGKILL" in run.stdout
    assert "run taken over by pid" in run.stdout
    assert "its journal: done hold-stock, charge-card, confirm-reservation" in (
        run.stdout
    )


def test_list_names_every_scenario_with_one_line_each():
    run = saga_demo("--list")

    assert run.returncode == 0
    assert [line.split()[0] for line in run.stdout.splitlines()] == [
        s.name for s in SCENARIOS
    ]


def test_an_unknown_scenario_is_refused_with_the_known_ones():
    run = saga_demo("no-such-idea")

    assert run.returncode == 1
    assert "happy, partial-failure" in run.stderr
