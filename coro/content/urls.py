from django.urls import path

from coro.content import feed_views, views

app_name = "content"
urlpatterns = [
    path("", feed_views.feed, name="feed"),
    path("posts/", views.post_list, name="post_list"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<str:code>/edit/", views.post_edit, name="post_edit"),
    path("posts/<str:code>/publish/", views.post_publish, name="post_publish"),
    path("posts/<str:code>/unpublish/", views.post_unpublish, name="post_unpublish"),
]
