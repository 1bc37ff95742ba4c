"""Connections' routes outside any organisation: the one address every Mastodon server sends
people back to (``mastodon.callback_uri``). Included at the top of ``coro/urls.py``."""

from django.urls import path

from coro.connections import views

app_name = "oauth"
urlpatterns = [
    path("oauth/mastodon/callback/", views.mastodon_callback, name="mastodon_callback"),
]
