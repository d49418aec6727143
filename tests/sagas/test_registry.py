"""The registry finds sagas by name and refuses two sagas under one name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured

from sagas.definition import Saga, Step
from sagas.exceptions import SagaNotFound
from sagas.registry import get_saga, register


@dataclass
class Empty:
    pass


def _noop(ctx) -> None:
    pass


def test_a_registered_saga_is_found_by_name_and_registering_it_again_is_harmless():
    saga = Saga("registry-toy", [Step("a", _noop)], Empty)

    register(saga)
    register(saga)

    assert get_saga("registry-toy") is saga


def test_another_saga_under_a_taken_name_is_refused():
    register(Saga("registry-taken", [Step("a", _noop)], Empty))

    with pytest.raises(ImproperlyConfigured):
        register(Saga("registry-taken", [Step("b", _noop)], Empty))


def test_an_unknown_name_raises_saga_not_found():
    with pytest.raises(SagaNotFound):
        get_saga("registry-missing")
