from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "coro.sharing"
    label = "sharing"
