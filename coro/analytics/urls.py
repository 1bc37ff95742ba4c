from django.urls import path

from coro.analytics import settings_views, views

app_name = "analytics"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.export_csv, name="export_csv"),
    path("figures/settings/", settings_views.release_settings, name="release_settings"),
    path(
        "figures/settings/preview/",
        settings_views.release_settings_preview,
        name="release_settings_preview",
    ),
    path(
        "figures/settings/save/", settings_views.release_settings_save, name="release_settings_save"
    ),
]
