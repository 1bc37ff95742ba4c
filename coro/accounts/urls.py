from allauth.account import views as allauth_views
from django.urls import path
from django.views.generic import RedirectView

from coro.accounts import views

app_name = "accounts"
urlpatterns = [
    # allauth's views (also routed by allauth.urls as account_login, account_logout and
    # account_reset_password), under the names Coro's templates and links use.
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("password-reset/", allauth_views.password_reset, name="password_reset"),
    # allauth's e-mail management is not offered: the address is the one invited (and the
    # profile shows it). This route comes before allauth's and takes its place.
    path("email/", RedirectView.as_view(pattern_name="accounts:profile"), name="email"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.language_set, name="language"),
]
