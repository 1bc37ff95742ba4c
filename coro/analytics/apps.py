from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "coro.analytics"
    label = "analytics"
