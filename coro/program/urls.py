from django.urls import path

from coro.program import settings_views, views

app_name = "program"
urlpatterns = [
    path("program/", views.terms, name="terms"),
    path("program/join/", views.join, name="join"),
    path("program/leave/", views.leave, name="leave"),
    path("program/invitation/dismiss/", views.invitation_dismiss, name="invitation_dismiss"),
    path("program/versions/<int:version>/", views.version, name="version"),
    path("program/manage/", views.manage, name="manage"),
    path("program/ledger.csv", views.ledger_csv, name="ledger_csv"),
    path("program/ledger.json", views.ledger_json, name="ledger_json"),
    path("program/my-ledger.csv", views.my_ledger_csv, name="my_ledger_csv"),
    path("program/my-ledger.json", views.my_ledger_json, name="my_ledger_json"),
    path("program/my-receipts.json", views.my_receipts, name="my_receipts"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/disclosure/", settings_views.disclosure_update, name="disclosure_update"),
    path("settings/disclosure/off/", settings_views.disclosure_disable, name="disclosure_disable"),
    path("settings/disclosure/on/", settings_views.disclosure_enable, name="disclosure_enable"),
    path("settings/privacy/", settings_views.privacy_update, name="privacy_update"),
]
