"""Organisation-level privacy pages under /o/<org>/me/."""

from django.urls import path

from coro.privacy import views

app_name = "privacy"
urlpatterns = [
    path("me/", views.transparency, name="transparency"),
    path("me/recognition/", views.recognition, name="recognition"),
    path("me/impact/", views.impact, name="impact"),
]
