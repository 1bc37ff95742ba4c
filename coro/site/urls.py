from django.urls import path

from coro.site import views

app_name = "site"
urlpatterns = [
    path("", views.setup, name="setup"),
]
