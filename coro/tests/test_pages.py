"""Every page renders, in Spanish and in English."""

import pytest

from coro.orgs.tokens import invitation_token
from testing.factories import InvitationFactory, MembershipFactory, PostFactory, ShareFactory

LANGUAGES = {"es": "Novedades", "en": "Feed"}


@pytest.fixture
def pages(tenancy):
    org = tenancy.org.code
    post = PostFactory(organisation=tenancy.org)
    ShareFactory(post=post, membership=tenancy.employee)
    member = MembershipFactory(organisation=tenancy.org)
    return [
        f"/o/{org}/",
        f"/o/{org}/program/",
        f"/o/{org}/posts/",
        f"/o/{org}/posts/new/",
        f"/o/{org}/posts/{post.code}/edit/",
        f"/o/{org}/dashboard/",
        f"/o/{org}/people/",
        f"/o/{org}/people/{member.code}/",
        f"/o/{org}/program/manage/",
        f"/o/{org}/program/versions/1/",
        f"/o/{org}/settings/",
        f"/o/{org}/audit/",
        f"/o/{org}/me/",
        "/accounts/profile/",
        "/me/working-hours/",
        "/me/data/",
        "/me/delete/",
    ]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_page_renders_in_both_languages(tenancy, pages, language):
    client = tenancy.client_for(tenancy.admin.user)
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, url
        if url.startswith("/o/"):
            assert LANGUAGES[language] in html, url


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/password-reset/"])
@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_public_pages_render_in_both_languages(client, db, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_invitation_page_renders_in_both_languages(client, tenancy, language):
    token = invitation_token(InvitationFactory(organisation=tenancy.org))
    response = client.get(f"/invite/{token}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


def test_spanish_is_the_default_language(client, db):
    assert '<html lang="es">' in client.get("/accounts/login/").content.decode()


def test_language_cookie_wins_over_the_browser(client, db):
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en">' in response.content.decode()


def test_unknown_pages_get_a_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404


def test_stylesheet_and_htmx_are_served(client, db):
    assert client.get("/static/coro/coro.css").status_code == 200
    assert client.get("/static/django_htmx/htmx-2.min.js").status_code == 200


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
