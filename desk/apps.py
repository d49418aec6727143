"""The customer service desk: refunds, refunds made elsewhere, resent messages."""

from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "Customer service desk"
