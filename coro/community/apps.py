from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "coro.community"
    label = "community"
