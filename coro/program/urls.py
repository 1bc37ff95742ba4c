from django.urls import path

from coro.program import views

app_name = "program"
urlpatterns = [
    path("program/", views.terms, name="terms"),
    path("program/join/", views.join, name="join"),
    path("program/leave/", views.leave, name="leave"),
]
