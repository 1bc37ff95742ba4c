from django.urls import path

from coro.orgs import settings_views, views

app_name = "orgs"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/invite/", views.invitation_create, name="invitation_create"),
    path(
        "people/invitations/<str:code>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("people/teams/", views.team_create, name="team_create"),
    path("people/<str:code>/", views.member_edit, name="member_edit"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/disclosure/", settings_views.disclosure_update, name="disclosure_update"),
    path("settings/disclosure/off/", settings_views.disclosure_disable, name="disclosure_disable"),
    path("settings/disclosure/on/", settings_views.disclosure_enable, name="disclosure_enable"),
    path("settings/privacy/", settings_views.privacy_update, name="privacy_update"),
]
