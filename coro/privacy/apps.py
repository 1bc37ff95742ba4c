from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "coro.privacy"
    label = "privacy"
