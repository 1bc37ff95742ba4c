from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coro.notifications"
    label = "notifications"
