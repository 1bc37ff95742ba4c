"""Every route is either public on purpose or closed to other organisations.

The test walks the URL resolver: a new route that is neither listed as public
here nor guarded by ``org_view`` makes it fail.
"""

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from testing.factories import (
    BlogFeedFactory,
    ChatWebhookFactory,
    CommentFactory,
    ConnectedAccountFactory,
    GoalFactory,
    InvitationFactory,
    MembershipFactory,
    PostFactory,
    PostImageFactory,
    ScheduledPostFactory,
    TermsFactory,
)

PUBLIC_ROUTES = {
    "home",
    "healthz",
    "organisation_list",  # lists only the signed-in person's own organisations
    "invitation_accept",  # the signed token is the proof
    "tracked_redirect",  # /r/<code>: anyone who follows a shared link
    # Mastodon's one callback for the installation: needs a log-in, and finishes only the
    # flow in the person's session, inside its organisation through org_view (member check).
    "oauth:mastodon_callback",
    # First run: 404 once any organisation exists; before, it needs the one-time token
    # that `coro serve` prints on the server's console.
    "site:setup",
    "accounts:login",
    "accounts:logout",
    "accounts:profile",
    "accounts:language",
    "accounts:password_reset",
    "accounts:email",  # takes the place of allauth's e-mail management, to the profile
    # django-allauth (coro/urls.py): log-in and its stages, password reset and change, the
    # person's own two-factor authentication; each works on the signed-in person only, or
    # on the signed token / stage in the session.
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",  # closed: says accounts come with an invitation
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_email",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_change_password",
    "account_set_password",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_login_code",
    "mfa_index",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_edit_webauthn",  # the key is looked up among the signed-in person's own
    "mfa_remove_webauthn",
    "mfa_login_webauthn",
    "mfa_reauthenticate_webauthn",
    "socialaccount_connections",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "socialaccount_signup",
    "openid_connect_login",
    "openid_connect_callback",
    # Company sign-in: anyone types their work address; it never says which organisations
    # exist (an unknown domain gets one plain answer).
    "identity:start",
    # The signed-in person's own pages: no organisation in them.
    "me:working_hours",
    "me:data",
    "me:delete",
    "notifications:inbox",
    "notifications:bell",
    "notifications:mark_all_read",
    "notifications:mark_read",  # looked up among the signed-in person's own
    "notifications:preferences",
    # One-click unsubscribe from an e-mail (RFC 8058): the signed token is the proof, and it
    # changes one kind of e-mail of one person, nothing else.
    "notifications:unsubscribe",
}


def walk(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        else:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


ROUTES = sorted(
    {(name, route, pattern) for name, route, pattern in walk(get_resolver())}, key=lambda r: r[1]
)


def test_every_route_is_public_on_purpose_or_organisation_scoped():
    unguarded = [
        name
        for name, route, pattern in ROUTES
        if name not in PUBLIC_ROUTES
        and not (
            route.startswith("o/<str:org_code>/") and getattr(pattern.callback, "org_scoped", False)
        )
    ]
    assert unguarded == []


def objects_of(org, membership):
    """URL kwargs naming objects that belong to ``org``."""
    return {
        "version": str(TermsFactory(organisation=org, version=7).version),
        "post": PostFactory(organisation=org).code,
        "member": MembershipFactory(organisation=org).code,
        "invitation": InvitationFactory(organisation=org).code,
        "goal": GoalFactory(organisation=org).code,
        "image": PostImageFactory(post=PostFactory(organisation=org)).code,
        "blog_feed": BlogFeedFactory(organisation=org).code,
        "comment": CommentFactory(post=PostFactory(organisation=org), author=membership).code,
        "scheduled_post": ScheduledPostFactory(
            share__post=PostFactory(organisation=org),
            share__membership=membership or MembershipFactory(organisation=org),
        ).code,
        "connected_account": ConnectedAccountFactory(
            membership=membership or MembershipFactory(organisation=org)
        ).code,
        "chat_webhook": ChatWebhookFactory(organisation=org).code,
    }


# Which kind of object the ``code`` argument names, per route.
CODE_KIND = {
    "content:post_edit": "post",
    "content:post_publish": "post",
    "content:post_unpublish": "post",
    "content:post_archive": "post",
    "content:proposal_edit": "post",
    "content:proposal_resubmit": "post",
    "content:proposal_decline": "post",
    "sharing:share": "post",
    "community:goal_edit": "goal",
    "community:goal_delete": "goal",
    "sharing:share_check": "post",
    "sharing:share_count": "post",
    "sharing:post_schedule": "post",
    "sharing:scheduled_post_cancel": "scheduled_post",
    "sharing:share_server": "post",
    "sharing:share_device": "post",
    "people:member_edit": "member",
    "people:invitation_revoke": "invitation",
    "people:invitation_resend": "invitation",
    "people:member_deactivate": "member",
    "people:member_reactivate": "member",
    "people:member_remove": "member",
    "content:post_image_add": "post",
    "content:post_image": "image",
    "content:post_image_alt": "image",
    "content:post_image_move": "image",
    "content:post_image_remove": "image",
    "content:link_preview_image": "post",
    "content:blog_feed_check_now": "blog_feed",
    "content:blog_feed_remove": "blog_feed",
    "content:post_detail": "post",
    "content:reaction_toggle": "post",
    "content:comment_add": "post",
    "content:comment_delete": "comment",
    "content:comment_hide": "comment",
    "connections:account_disconnect": "connected_account",
    "chat:webhook_test": "chat_webhook",
    "chat:webhook_remove": "chat_webhook",
}

ORG_ROUTES = [(name, route) for name, route, _ in ROUTES if name not in PUBLIC_ROUTES]


def fill(route: str, org_code: str, name: str, codes: dict[str, str]) -> str:
    url = "/" + route.replace("<str:org_code>", org_code).replace("<str:network>", "x")
    url = url.replace("<int:version>", codes["version"])
    if "<str:code>" in url:
        url = url.replace("<str:code>", codes[CODE_KIND[name]])
    assert "<" not in url, f"add the kind of object {name} takes to CODE_KIND"
    return url


@pytest.mark.parametrize(("name", "route"), ORG_ROUTES, ids=[n for n, _ in ORG_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404(tenancy, name, route, method):
    codes = objects_of(tenancy.org, tenancy.admin)
    url = fill(route, tenancy.org.code, name, codes)
    client = tenancy.client_for(tenancy.outsider.user)
    response = getattr(client, method)(url)
    assert response.status_code == 404, url


@pytest.mark.parametrize(
    ("name", "route"), [r for r in ORG_ROUTES if "<str:code>" in r[1] or "<int:version>" in r[1]]
)
def test_member_gets_404_for_another_organisations_object(tenancy, name, route):
    """Right organisation in the URL, but the object belongs to the other one."""
    foreign = objects_of(tenancy.other_org, tenancy.outsider)
    url = fill(route, tenancy.org.code, name, foreign)
    client = tenancy.client_for(tenancy.admin.user)
    statuses = {client.get(url).status_code, client.post(url).status_code}
    # 405 answers the method a route does not take; the other method must find nothing.
    assert statuses <= {404, 405} and 404 in statuses, (url, statuses)


@pytest.mark.parametrize(("name", "route"), ORG_ROUTES, ids=[n for n, _ in ORG_ROUTES])
def test_anonymous_is_sent_to_login(client, tenancy, name, route):
    codes = objects_of(tenancy.org, tenancy.admin)
    response = client.get(fill(route, tenancy.org.code, name, codes))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_organisation_is_404(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    assert client.get("/o/nosuchorg/").status_code == 404
