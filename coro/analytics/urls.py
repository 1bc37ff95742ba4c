from django.urls import path

from coro.analytics import views

app_name = "analytics"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.export_csv, name="export_csv"),
]
