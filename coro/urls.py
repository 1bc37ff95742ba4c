from allauth.urls import build_provider_urlpatterns
from django.urls import URLPattern, URLResolver, include, path

from coro.accounts import views as account_views
from coro.core import views as core_views
from coro.orgs import logo_views
from coro.orgs import views as org_views
from coro.sharing import views as sharing_views

org_patterns: list[URLPattern | URLResolver] = [
    path("", include("coro.content.urls")),
    path("", include("coro.program.urls")),
    path("", include("coro.sharing.urls")),
    path("", include("coro.connections.urls")),
    path("", include("coro.analytics.urls")),
    path("", include("coro.community.urls")),
    path("", include("coro.people.urls")),
    path("", include("coro.audit.urls")),
    path("", include("coro.privacy.org_urls")),
    path("", include("coro.notifications.chat_urls")),
    path("logo.png", logo_views.logo, name="org_logo"),
]

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("coro.accounts.urls")),
    # django-allauth, as allauth.urls has it without its deprecated redirects: log-in
    # stages, password reset and change, two-factor authentication, social accounts and
    # their providers (OpenID Connect). Coro's own routes above come first.
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
    path("accounts/", include(build_provider_urlpatterns())),
    path("me/", include("coro.privacy.urls")),
    path("notifications/", include("coro.notifications.urls")),
    # Mastodon's OAuth callback: one address per installation (the flow names the organisation).
    path("", include("coro.connections.oauth_urls")),
    path("invite/<str:token>/", org_views.invitation_accept, name="invitation_accept"),
    # Company sign-in: the public /sign-in/company/ and, under /o/<org_code>/, its settings.
    path("", include("coro.identity.urls")),
    path("o/", org_views.organisation_list, name="organisation_list"),
    path("o/<str:org_code>/", include(org_patterns)),
    path("r/<str:code>", sharing_views.tracked_redirect, name="tracked_redirect"),
    path("setup/", include("coro.site.urls")),
]

# A rate limit reached (allauth.core.ratelimit): Coro's page, with status 429.
handler429 = account_views.rate_limited
