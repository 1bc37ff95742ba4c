from django.urls import path

from coro.audit import views

app_name = "audit"
urlpatterns = [
    path("audit/", views.log, name="log"),
    path("audit.csv", views.export_csv, name="export_csv"),
    path("audit.json", views.export_json, name="export_json"),
]
