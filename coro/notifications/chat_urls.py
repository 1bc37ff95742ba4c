"""Team chat announcements, set up by admins per organisation (under /o/<org_code>/)."""

from django.urls import path

from coro.notifications import chat_views

app_name = "chat"
urlpatterns = [
    path("settings/chat/", chat_views.webhooks, name="webhooks"),
    path("settings/chat/<str:code>/test/", chat_views.webhook_test, name="webhook_test"),
    path("settings/chat/<str:code>/remove/", chat_views.webhook_remove, name="webhook_remove"),
]
