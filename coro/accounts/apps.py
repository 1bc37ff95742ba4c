from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coro.accounts"
    label = "accounts"
