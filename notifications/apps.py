"""Email, SMS and push notifications, each sent at most once per order and channel."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"
