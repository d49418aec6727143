"""Shipments and the carrier client in front of a carrier simulator."""

from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = "Shipping"
