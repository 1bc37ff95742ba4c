from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coro.audit"
    label = "audit"
