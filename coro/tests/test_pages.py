"""Every page renders, in every language, in one register."""

import re

import pytest

from coro.orgs.tokens import invitation_token
from testing.factories import InvitationFactory, MembershipFactory, PostFactory, ShareFactory

LANGUAGES = {"es": "Novedades", "ca": "Novetats", "en": "Feed"}


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
def test_every_page_renders_in_every_language(tenancy, pages, language):
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
def test_public_pages_render_in_every_language(client, db, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_invitation_page_renders_in_every_language(client, tenancy, language):
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


# The formal register ("usted", "vostè"), which Coro never uses: Spanish and Catalan speak
# to the person as "tú" / "tu", including in Django's own texts (coro/core/django_texts.py).
FORMAL = {
    "es": re.compile(
        r"\b(usted|ustedes|introduzca|escoja|seleccione|asegúrese|observe|verifique|"
        r"haga clic|por favor|su contraseña|su cuenta|sus datos|vuelva a)\b",
        re.IGNORECASE,
    ),
    "ca": re.compile(
        r"\b(vostè|vostès|introduïu|esculliu|seleccioneu|assegureu-vos|observeu|"
        r"feu clic|si us plau|sisplau|la vostra|el vostre|els vostres|les vostres)\b",
        re.IGNORECASE,
    ),
}


def test_the_formal_patterns_are_recognised():
    assert FORMAL["es"].search("Por favor, introduzca su contraseña")
    assert FORMAL["ca"].search("Si us plau, introduïu la vostra contrasenya")
    assert not FORMAL["es"].search("Introduce tu contraseña")
    assert not FORMAL["ca"].search("Introdueix la teva contrasenya")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("language", ["es", "ca"])
def test_one_register_everywhere_even_in_form_errors(client, tenancy, pages, language):
    """Pages and the errors of their forms, Django's own messages included."""
    org = tenancy.org.code
    admin = tenancy.client_for(tenancy.admin.user)
    token = invitation_token(InvitationFactory(organisation=tenancy.org))
    header = {"HTTP_ACCEPT_LANGUAGE": language}
    responses = [admin.get(url, **header) for url in pages]
    responses += [
        client.post("/accounts/login/", {"login": "nadie@example.com", "password": "x"}, **header),
        client.post("/accounts/login/", {"login": "", "password": ""}, **header),
        client.get("/accounts/password-reset/", **header),
        client.post(f"/invite/{token}/", {"name": "Ana", "password": "1234"}, **header),
        client.post(f"/invite/{token}/", {"name": "", "password": "password"}, **header),
        admin.post(
            f"/o/{org}/posts/new/", {"title": "", "body": "", "link": "no es un enlace"}, **header
        ),
        admin.post(
            "/me/working-hours/", {"work_start": "25:00", "time_zone": "Mars/Base"}, **header
        ),
        admin.post("/me/delete/", {"password": "mal", "confirm_email": "otra"}, **header),
        admin.post(f"/o/{org}/settings/privacy/", {"min_group_size": "1"}, **header),
        admin.post(f"/o/{org}/people/invite/", {"email": "no-es-correo", "role": "jefe"}, **header),
    ]
    for response in responses:
        assert response.status_code in (200, 400), response.request["PATH_INFO"]
        text = _visible_text(response.content.decode())
        found = FORMAL[language].findall(text)
        assert not found, (response.request["PATH_INFO"], found)
