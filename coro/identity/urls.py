"""Company sign-in. One module, so that both pages are in the ``identity`` namespace: the
public start page, and the admins' settings page under ``/o/<org_code>/`` (``org_view``)."""

from django.urls import path

from coro.identity import views

app_name = "identity"
urlpatterns = [
    path("sign-in/company/", views.start, name="start"),
    path("o/<str:org_code>/sign-in/settings/", views.settings_page, name="settings"),
    path("o/<str:org_code>/sign-in/settings/save/", views.settings_save, name="settings_save"),
]
