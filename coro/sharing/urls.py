from django.urls import path

from coro.sharing import views

app_name = "sharing"
urlpatterns = [
    path("posts/<str:code>/share/<str:network>/", views.share, name="share"),
    path("posts/<str:code>/share/<str:network>/check/", views.share_check, name="share_check"),
]
