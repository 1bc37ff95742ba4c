from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "coro.program"
    label = "program"
