"""Placeholder: being written (issue 12)."""

from django.http import HttpRequest, HttpResponse


def webhooks(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def webhook_test(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def webhook_remove(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
