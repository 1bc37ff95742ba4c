"""Person-level pages under /me/: my data, my working hours, deleting my account."""

from django.urls import URLPattern

app_name = "me"
urlpatterns: list[URLPattern] = []
