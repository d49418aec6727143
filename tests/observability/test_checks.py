"""The start-up check that counters go where /metrics reads them."""

from __future__ import annotations

from observability.checks import check_multiprocess_dir


def test_no_directory_in_settings_or_environment_is_fine(settings):
    settings.PROMETHEUS_MULTIPROC_DIR = ""
    assert check_multiprocess_dir() == []


def test_a_directory_only_in_settings_is_an_error(settings, tmp_path):
    """prometheus_client did not see it at import: counters stay in memory."""
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    assert [e.id for e in check_multiprocess_dir()] == ["observability.E001"]


def test_a_directory_only_in_the_environment_is_an_error(settings, monkeypatch):
    """Counters go to files that /metrics would never read."""
    settings.PROMETHEUS_MULTIPROC_DIR = ""
    monkeypatch.setattr("observability.checks.multiprocess_mode", lambda: True)
    assert [e.id for e in check_multiprocess_dir()] == ["observability.E001"]


def test_a_missing_directory_is_an_error(settings, monkeypatch, tmp_path):
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path / "absent")
    monkeypatch.setattr("observability.checks.multiprocess_mode", lambda: True)
    assert [e.id for e in check_multiprocess_dir()] == ["observability.E002"]


def test_an_existing_directory_in_both_is_fine(settings, monkeypatch, tmp_path):
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    monkeypatch.setattr("observability.checks.multiprocess_mode", lambda: True)
    assert check_multiprocess_dir() == []
