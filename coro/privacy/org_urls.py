"""Organisation-level privacy pages under /o/<org>/me/."""

from django.urls import URLPattern

app_name = "privacy"
urlpatterns: list[URLPattern] = []
