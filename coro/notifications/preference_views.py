"""Placeholder: being written (issue 12)."""

from django.http import HttpRequest, HttpResponse


def preferences(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def unsubscribe(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
