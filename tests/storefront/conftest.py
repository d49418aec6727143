"""The storefront's tests shop in the same catalogue as the checkout's tests."""

from tests.orders.checkout.conftest import faults_on, no_waiting  # noqa: F401
from tests.orders.conftest import buyer, catalog  # noqa: F401
