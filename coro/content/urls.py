from django.urls import path

from coro.content import (
    blog_views,
    community_views,
    counter,
    feed_views,
    image_views,
    preview_views,
    proposal_views,
    views,
)

app_name = "content"
urlpatterns = [
    path("", feed_views.feed, name="feed"),
    path("posts/", views.post_list, name="post_list"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/count/", counter.text_count, name="text_count"),
    path("posts/<str:code>/edit/", views.post_edit, name="post_edit"),
    path("posts/<str:code>/publish/", views.post_publish, name="post_publish"),
    path("posts/<str:code>/unpublish/", views.post_unpublish, name="post_unpublish"),
    path("posts/<str:code>/archive/", views.post_archive, name="post_archive"),
    path("proposals/", proposal_views.proposals, name="proposals"),
    path("proposals/new/", proposal_views.proposal_create, name="proposal_create"),
    path("proposals/mine/", proposal_views.proposal_list_mine, name="proposal_list_mine"),
    path("proposals/<str:code>/edit/", proposal_views.proposal_edit, name="proposal_edit"),
    path(
        "proposals/<str:code>/resubmit/",
        proposal_views.proposal_resubmit,
        name="proposal_resubmit",
    ),
    path("proposals/<str:code>/decline/", proposal_views.proposal_decline, name="proposal_decline"),
    path("settings/blog-feeds/", blog_views.blog_feeds, name="blog_feeds"),
    path("settings/blog-feeds/add/", blog_views.blog_feed_add, name="blog_feed_add"),
    path(
        "settings/blog-feeds/<str:code>/check/",
        blog_views.blog_feed_check_now,
        name="blog_feed_check_now",
    ),
    path(
        "settings/blog-feeds/<str:code>/remove/",
        blog_views.blog_feed_remove,
        name="blog_feed_remove",
    ),
    # The post's own page, its reactions and comments (after every other posts/... route).
    path("posts/<str:code>/", feed_views.post_detail, name="post_detail"),
    path("posts/<str:code>/react/", community_views.reaction_toggle, name="reaction_toggle"),
    path("posts/<str:code>/comments/", community_views.comment_add, name="comment_add"),
    path("comments/<str:code>/delete/", community_views.comment_delete, name="comment_delete"),
    path("comments/<str:code>/hide/", community_views.comment_hide, name="comment_hide"),
    # A post's images (the code is the post's to add, the image's for the rest).
    path("posts/<str:code>/images/", image_views.post_image_add, name="post_image_add"),
    path(
        "posts/<str:code>/preview.jpg",
        preview_views.link_preview_image,
        name="link_preview_image",
    ),
    path("post-images/<str:code>/", image_views.post_image, name="post_image"),
    path("post-images/<str:code>/alt/", image_views.post_image_alt, name="post_image_alt"),
    path("post-images/<str:code>/move/", image_views.post_image_move, name="post_image_move"),
    path("post-images/<str:code>/remove/", image_views.post_image_remove, name="post_image_remove"),
]
