"""Load the demo data: products with stock, API users, the reviewer, customer service.

Idempotent: running it again changes nothing that is already in place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from orders.models import Product
from warehouse.selectors import stock_list
from warehouse.services import stock_set

DEFAULT_DEMO_PASSWORD = "demo-pass-2026"

# sku, name, price (EUR), units on hand
DEMO_PRODUCTS: tuple[tuple[str, str, str, int], ...] = (
    ("TEE-001", "Saga T-shirt", "24.00", 50),
    ("MUG-001", "Compensation mug", "12.50", 30),
    ("CAP-001", "Idempotent cap", "19.90", 20),
    ("BOOK-001", "Distributed Transactions, the book", "39.00", 5),
)

API_USERS = ("alice", "bob")
REVIEWER = "reviewer"
# app_label, codename of the permission to act on sagas waiting for review.
REVIEW_PERMISSION = ("sagas", "review_sagarun")
# The reviewer may look at everything these apps show in the admin.
REVIEWED_APPS = (
    "orders",
    "sagas",
    "payments",
    "warehouse",
    "shipping",
    "notifications",
    "outbox",
    "idempotency",
    "faults",
    "desk",
)

CUSTOMER_SERVICE = "service"
CUSTOMER_SERVICE_GROUP = "customer_service"
# What customer service may do (app_label, codename): refund, record outside
# refunds, resend messages, receive and count stock, add and reprice products.
# Not the reviewer's rights: no review actions, no order events.
CUSTOMER_SERVICE_PERMISSIONS = (
    ("desk", "refund_order"),
    ("desk", "record_external_refund"),
    ("desk", "resend_notification"),
    ("desk", "view_deskaction"),
    ("warehouse", "receive_stock"),
    ("warehouse", "adjust_stock"),
    ("orders", "add_product"),
    ("orders", "change_product"),
)
# Customer service may look at what these apps show in the admin.
CUSTOMER_SERVICE_SEES = ("orders", "payments", "warehouse", "shipping", "sagas")


class Command(BaseCommand):
    help = "Create demo products, stock and users (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.DEMO_PASSWORD or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            self._seed_products()
            self._seed_stock()
            for username in API_USERS:
                self._seed_user(username, password, staff=False)
            reviewer = self._seed_user(REVIEWER, password, staff=True)
            self._grant_review_permission(reviewer)
            service = self._seed_user(CUSTOMER_SERVICE, password, staff=True)
            service.groups.add(self._seed_customer_service_group())
        users = ", ".join((*API_USERS, REVIEWER))
        users += f", {CUSTOMER_SERVICE} (group {CUSTOMER_SERVICE_GROUP})"
        if settings.DEMO_PASSWORD:
            shown = "the password in DEMO_PASSWORD"
        else:
            shown = f"password {DEFAULT_DEMO_PASSWORD!r} (DEMO_PASSWORD changes it)"
        self.stdout.write(f"Demo users: {users}; {shown}.")

    def _seed_products(self) -> None:
        for sku, name, price, _on_hand in DEMO_PRODUCTS:
            Product.objects.update_or_create(
                sku=sku,
                defaults={
                    "name": name,
                    "price": Decimal(price),
                    "currency": "EUR",
                    "active": True,
                },
            )

    def _seed_stock(self) -> None:
        # Only SKUs the warehouse does not know yet: a second run must not restock
        # what the demo has sold since.
        known = set(stock_list().values_list("sku", flat=True))
        for sku, _name, _price, on_hand in DEMO_PRODUCTS:
            if sku not in known:
                stock_set(sku=sku, on_hand=on_hand)

    def _seed_user(self, username: str, password: str, *, staff: bool) -> Any:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "is_staff": staff},
        )
        # Only write when something differs: set_password() salts anew each time,
        # so an unconditional call would change the row on every run.
        if created or not user.check_password(password) or user.is_staff != staff:
            user.set_password(password)
            user.is_staff = staff
            user.save()
        return user

    def _grant_review_permission(self, reviewer: Any) -> None:
        """Let the reviewer see every screen, act on reviews and move orders.

        Moving an order (the admin's event buttons, which go through the state
        machine) needs ``orders.change_order``; nothing else can be edited.
        """
        permissions = Permission.objects.filter(
            Q(content_type__app_label__in=REVIEWED_APPS, codename__startswith="view_")
            | Q(
                content_type__app_label=REVIEW_PERMISSION[0],
                codename=REVIEW_PERMISSION[1],
            )
            | Q(content_type__app_label="orders", codename="change_order")
        )
        reviewer.user_permissions.add(*permissions)

    def _seed_customer_service_group(self) -> Group:
        """Create the customer service group with exactly its permissions."""
        group, _ = Group.objects.get_or_create(name=CUSTOMER_SERVICE_GROUP)
        wanted = Q(
            content_type__app_label__in=CUSTOMER_SERVICE_SEES,
            codename__startswith="view_",
        )
        for app_label, codename in CUSTOMER_SERVICE_PERMISSIONS:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
        return group
