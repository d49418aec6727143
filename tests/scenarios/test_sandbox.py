"""The sandbox: a scenario runs on its own file, never on anybody's database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from scenarios import sandbox
from scenarios.sandbox import sandbox_check


def test_a_scenario_refuses_to_run_on_the_configured_database(tmp_path):
    with pytest.raises(RuntimeError, match="runs on its own database"):
        sandbox_check(str(tmp_path))


def test_the_sandbox_file_is_accepted(tmp_path, monkeypatch):
    database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": tmp_path / "demo.sqlite3",
    }
    monkeypatch.setattr(
        sandbox, "settings", SimpleNamespace(DATABASES={"default": database})
    )

    sandbox_check(str(tmp_path))
