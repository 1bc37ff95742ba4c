from django.urls import include, path

from coro.core import views as core_views
from coro.orgs import views as org_views
from coro.sharing import views as sharing_views

org_patterns = [
    path("", include("coro.content.urls")),
    path("", include("coro.program.urls")),
    path("", include("coro.sharing.urls")),
    path("", include("coro.analytics.urls")),
    path("", include("coro.people.urls")),
    path("", include("coro.audit.urls")),
    path("", include("coro.privacy.org_urls")),
]

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("coro.accounts.urls")),
    path("me/", include("coro.privacy.urls")),
    path("invite/<str:token>/", org_views.invitation_accept, name="invitation_accept"),
    path("o/", org_views.organisation_list, name="organisation_list"),
    path("o/<str:org_code>/", include(org_patterns)),
    path("r/<str:code>", sharing_views.tracked_redirect, name="tracked_redirect"),
]
