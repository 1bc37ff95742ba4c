from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top of the layers: the demo company, and the wiring of the hooks that lower apps
    offer (``coro/site/wiring.py``). It may use every app; no app uses it."""

    name = "coro.site"
    label = "site"

    def ready(self) -> None:
        from coro.site import wiring

        wiring.connect()
