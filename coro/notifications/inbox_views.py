"""Placeholder: being written (issue 12)."""

from django.http import HttpRequest, HttpResponse


def inbox(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def bell(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def mark_all_read(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def mark_read(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
