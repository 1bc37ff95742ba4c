from django.urls import path

from coro.connections import bluesky_views, profile_views, views

app_name = "connections"
urlpatterns = [
    path("me/networks/", profile_views.profiles, name="profiles"),
    path("me/networks/mastodon/connect/", views.mastodon_connect, name="mastodon_connect"),
    path("me/networks/bluesky/connect/", bluesky_views.connect, name="bluesky_connect"),
    path(
        "me/networks/accounts/<str:code>/disconnect/",
        views.account_disconnect,
        name="account_disconnect",
    ),
]
