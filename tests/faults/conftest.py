"""Fixtures of the fault-injection tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def fault_injection(settings):
    """Switch fault injection on for the test."""
    settings.FAULT_INJECTION = True
