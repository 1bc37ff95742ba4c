from django.urls import path

from coro.people import import_views, profile_views, security_views, views

app_name = "people"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/invite/", views.invitation_create, name="invitation_create"),
    path(
        "people/invitations/<str:code>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "people/invitations/<str:code>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("people/teams/", views.team_create, name="team_create"),
    path("people/import/", import_views.people_import, name="import"),
    path("people/import/confirm/", import_views.people_import_confirm, name="import_confirm"),
    path("people/import/sample.csv", import_views.people_import_sample, name="import_sample"),
    path("people/security/", security_views.security, name="security"),
    path("people/<str:code>/", views.member_edit, name="member_edit"),
    path("people/<str:code>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("people/<str:code>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("people/<str:code>/remove/", views.member_remove, name="member_remove"),
    path("profile/", profile_views.organisation_profile, name="organisation_profile"),
]
