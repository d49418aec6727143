"""Stock, reservations (the semantic lock) and the movements that audit stock."""

from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    name = "warehouse"
    verbose_name = "Warehouse"
