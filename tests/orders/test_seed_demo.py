"""manage.py seed_demo: demo products and users, and nothing changes on a rerun."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from orders.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from orders.models import Product
from warehouse.models import StockItem, StockMovement
from warehouse.services import stock_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # Real PBKDF2 would make each login check slow; the behaviour is the same.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    """Return every row seed_demo owns, as plain values."""
    users = get_user_model().objects.order_by("username")
    return {
        "products": list(Product.objects.order_by("sku").values()),
        "stock": list(StockItem.objects.order_by("sku").values()),
        "movements": StockMovement.objects.count(),
        "users": list(users.values()),
        "permissions": [
            (user.username, sorted(user.user_permissions.values_list("codename")))
            for user in users
        ],
        "groups": [
            (group.name, sorted(group.permissions.values_list("codename")))
            for group in Group.objects.order_by("name")
        ],
        "members": sorted(users.values_list("username", "groups__name")),
    }


def test_seed_creates_products_and_users(settings):
    """At least four EUR products; alice and bob are API users, reviewer is staff."""
    settings.DEMO_PASSWORD = ""
    output = seed()

    assert Product.objects.filter(currency="EUR", active=True).count() >= 4
    users = {u.username: u for u in get_user_model().objects.all()}
    assert {"alice", "bob", "reviewer"} <= set(users)
    assert (users["alice"].is_staff, users["bob"].is_staff) == (False, False)
    assert users["reviewer"].is_staff
    for name in ("alice", "bob", "reviewer"):
        assert users[name].check_password(DEFAULT_DEMO_PASSWORD)
    assert DEFAULT_DEMO_PASSWORD in output


def test_seed_uses_demo_password_from_settings(settings):
    """DEMO_PASSWORD (read from the environment by settings) sets the password."""
    settings.DEMO_PASSWORD = "s3cret-from-env"
    output = seed()

    alice = get_user_model().objects.get(username="alice")
    assert alice.check_password("s3cret-from-env")
    assert "s3cret-from-env" not in output


def test_running_seed_twice_changes_nothing():
    """The second run leaves every product, user and permission as it was."""
    seed()
    first = snapshot()

    seed()

    assert snapshot() == first


def test_seed_stocks_every_product_once():
    """Every demo product has stock; a rerun does not restock what was sold."""
    seed()
    assert set(StockItem.objects.values_list("sku", flat=True)) == set(
        Product.objects.values_list("sku", flat=True)
    )
    stock_set(sku="BOOK-001", on_hand=1)  # sold down since the first run

    seed()

    assert StockItem.objects.get(sku="BOOK-001").on_hand == 1


def test_reviewer_can_view_the_service_and_act_on_reviews():
    """The reviewer may act on reviews and move orders, and edit nothing else."""
    seed()

    reviewer = get_user_model().objects.get(username="reviewer")
    assert reviewer.has_perm("sagas.review_sagarun")
    assert reviewer.has_perm("sagas.view_sagarun")
    assert reviewer.has_perm("orders.view_order")
    assert reviewer.has_perm("orders.change_order")
    assert not reviewer.has_perm("orders.change_product")
    assert not reviewer.has_perm("payments.change_charge")
    alice = get_user_model().objects.get(username="alice")
    assert not alice.has_perm("sagas.review_sagarun")


def test_customer_service_has_its_own_group_and_not_the_reviewers_rights(settings):
    """``service`` is staff in ``customer_service``: refunds and stock, no reviews."""
    settings.DEMO_PASSWORD = ""
    output = seed()

    service = get_user_model().objects.get(username="service")
    assert service.is_staff and service.check_password(DEFAULT_DEMO_PASSWORD)
    assert list(service.groups.values_list("name", flat=True)) == ["customer_service"]
    for perm in (
        "desk.refund_order",
        "desk.record_external_refund",
        "desk.resend_notification",
        "warehouse.receive_stock",
        "warehouse.adjust_stock",
        "orders.change_product",
        "orders.view_order",
    ):
        assert service.has_perm(perm), perm
    assert not service.has_perm("sagas.review_sagarun")
    assert not service.has_perm("orders.change_order")
    reviewer = get_user_model().objects.get(username="reviewer")
    assert not reviewer.has_perm("desk.refund_order")
    assert not reviewer.has_perm("warehouse.receive_stock")
    assert "service (group customer_service)" in output
