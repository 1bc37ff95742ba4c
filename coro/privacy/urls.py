"""Person-level pages under /me/: my data, my working hours, deleting my account."""

from django.urls import path

from coro.privacy import views

app_name = "me"
urlpatterns = [
    path("working-hours/", views.working_hours, name="working_hours"),
    path("data/", views.data, name="data"),
    path("delete/", views.delete, name="delete"),
]
