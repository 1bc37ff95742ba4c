from django.urls import path

from coro.community import views

app_name = "community"
urlpatterns = [
    path("thanks/", views.thanks, name="thanks"),
    path("goals/", views.goals, name="goals"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<str:code>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<str:code>/delete/", views.goal_delete, name="goal_delete"),
]
