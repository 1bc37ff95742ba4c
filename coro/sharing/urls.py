from django.urls import path

from coro.sharing import posting_views, views

app_name = "sharing"
urlpatterns = [
    path("posts/<str:code>/share/<str:network>/", views.share, name="share"),
    path("posts/<str:code>/share/<str:network>/check/", views.share_check, name="share_check"),
    path("posts/<str:code>/share/<str:network>/count/", views.share_count, name="share_count"),
    path("posts/<str:code>/share/<str:network>/server/", views.share_server, name="share_server"),
    path("posts/<str:code>/share-device/", views.share_device, name="share_device"),
    # Posting on the person's own connected account (posting_views.py).
    path(
        "posts/<str:code>/share/<str:network>/post/",
        posting_views.post_schedule,
        name="post_schedule",
    ),
    path("me/scheduled-posts/", posting_views.scheduled_posts, name="scheduled_posts"),
    path(
        "me/scheduled-posts/<str:code>/cancel/",
        posting_views.scheduled_post_cancel,
        name="scheduled_post_cancel",
    ),
]
