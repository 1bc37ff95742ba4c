from django.urls import path

from coro.analytics import settings_views, views
from coro.analytics.exports import FORMATS, TABLES

app_name = "analytics"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.export_csv, name="export_csv"),
    path("dashboard.xlsx", views.export_workbook, name="export_xlsx"),
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
# dashboard/<table>.<format>: one route per table and format, so an unknown one is a 404
# and the route walkers (tenancy, "no lists") reach every download without arguments.
urlpatterns += [
    path(
        f"dashboard/{table}.{ext}",
        views.export,
        {"table": table, "ext": ext},
        name=f"export_{table}_{ext}",
    )
    for table in TABLES
    for ext in FORMATS
]
