from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "coro.orgs"
    label = "orgs"
