from django.urls import path

from coro.analytics import views

app_name = "analytics"
urlpatterns = [path("dashboard/", views.dashboard, name="dashboard")]
