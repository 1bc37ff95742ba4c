from django.urls import path

from coro.people import views

app_name = "people"
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
]
