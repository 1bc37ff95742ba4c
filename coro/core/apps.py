from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coro.core"
    label = "core"
