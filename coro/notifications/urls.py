"""The person's own notifications, under /notifications/: the history and the bell
(inbox_views), what reaches them by e-mail and how often (preference_views), and the one-click
unsubscribe link of every e-mail, which works without signing in (signed token)."""

from django.urls import path

from coro.notifications import inbox_views, preference_views

app_name = "notifications"
urlpatterns = [
    path("", inbox_views.inbox, name="inbox"),
    path("bell/", inbox_views.bell, name="bell"),
    path("read-all/", inbox_views.mark_all_read, name="mark_all_read"),
    path("<str:code>/read/", inbox_views.mark_read, name="mark_read"),
    path("preferences/", preference_views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", preference_views.unsubscribe, name="unsubscribe"),
]
