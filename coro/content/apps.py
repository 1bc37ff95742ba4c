from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "coro.content"
    label = "content"
