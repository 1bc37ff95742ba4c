from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils.html import escape

from coro.core.codes import ALPHABET
from coro.networks import NETWORKS
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from coro.sharing.models import Click, Share
from testing.factories import PostFactory


@pytest.fixture
def enrolled(tenancy):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    return tenancy.employee


def both(title: str, body: str) -> dict[str, dict[str, str]]:
    """The same text in Spanish and English: the disclosure follows the text's language."""
    return {language: {"title": title, "body": body} for language in ("es", "en")}


@pytest.fixture
def post(tenancy):
    return PostFactory(
        organisation=tenancy.org,
        texts=both("Noticia", "Nueva colección de primavera"),
        link="https://x.example/p",
    )


def share_url(tenancy, post, network):
    return f"/o/{tenancy.org.code}/posts/{post.code}/share/{network}/"


def test_share_to_x_opens_intent_with_tracked_link(tenancy, enrolled, post):
    client = tenancy.client_for(enrolled.user)
    response = client.post(share_url(tenancy, post, "x"))
    assert response.status_code == 302
    intent = urlsplit(response["Location"])
    assert (intent.scheme, intent.netloc, intent.path) == ("https", "x.com", "/intent/tweet")
    query = parse_qs(intent.query)
    share = Share.objects.get()
    assert query["url"] == [f"{settings.BASE_URL}/r/{share.code}"]
    assert "Nueva colección de primavera" in query["text"][0]
    assert (share.post, share.membership, share.network) == (post, enrolled, "x")


def test_tracked_link_is_unique_per_post_person_network(tenancy, enrolled, post):
    client = tenancy.client_for(enrolled.user)
    first = client.post(share_url(tenancy, post, "x"))["Location"]
    again = client.post(share_url(tenancy, post, "x"))["Location"]
    client.post(share_url(tenancy, post, "linkedin"))
    program_join(membership=tenancy.editor, terms=terms_current(tenancy.org))
    tenancy.client_for(tenancy.editor.user).post(share_url(tenancy, post, "x"))
    assert first == again
    assert Share.objects.count() == 3
    assert len(set(Share.objects.values_list("code", flat=True))) == 3


def test_codes_are_random_not_sequential(tenancy, enrolled):
    client = tenancy.client_for(enrolled.user)
    for _ in range(5):
        client.post(share_url(tenancy, PostFactory(organisation=tenancy.org), "x"))
    codes = list(Share.objects.order_by("pk").values_list("code", flat=True))
    assert len(set(codes)) == 5
    assert all(len(code) == 10 and set(code) <= set(ALPHABET) for code in codes)
    pks = [str(pk) for pk in Share.objects.values_list("pk", flat=True)]
    assert not set(codes) & set(pks)


def test_linkedin_and_email_intents(tenancy, enrolled, post):
    client = tenancy.client_for(enrolled.user)
    email = client.post(share_url(tenancy, post, "email"))["Location"]
    client.post(share_url(tenancy, post, "linkedin"))
    codes = dict(Share.objects.values_list("network", "code"))
    assert email.startswith("mailto:?subject=")
    assert codes["email"] in email
    linkedin = NETWORKS["linkedin"].intent_url("", f"{settings.BASE_URL}/r/{codes['linkedin']}")
    assert linkedin.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")


@pytest.mark.parametrize("network", ["linkedin", "facebook", "xing"])
def test_without_javascript_a_network_taking_only_the_link_shows_the_text_first(
    tenancy, enrolled, post, network
):
    """Their share page drops the text: the person gets it to copy, and a link to go on."""
    client = tenancy.client_for(enrolled.user)
    response = client.post(
        share_url(tenancy, post, network),
        {"text": "Mis <palabras>\n\nlínea"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    share = Share.objects.get(network=network)
    assert share.text == "Mis <palabras>\n\nlínea"
    assert (
        '<textarea id="share-done-text" rows="6" readonly>Mis &lt;palabras&gt;\n\nlínea</textarea>'
        in html
    )
    intent = NETWORKS[network].intent_url(share.text, share.tracked_link)
    assert f'href="{escape(intent)}"' in html
    assert "Copy your text below and paste it in" in html


def test_the_person_can_edit_the_suggested_text(tenancy, enrolled, post):
    client = tenancy.client_for(enrolled.user)
    response = client.post(share_url(tenancy, post, "x"), {"text": "Mis palabras"})
    assert parse_qs(urlsplit(response["Location"]).query)["text"] == ["Mis palabras"]


def x_text(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["text"][0]


def test_suggested_text_fits_x_with_its_link_and_the_disclosure(tenancy, enrolled):
    long_post = PostFactory(organisation=tenancy.org, texts=both("Larga", "palabra " * 100))
    client = tenancy.client_for(enrolled.user)
    response = client.post(share_url(tenancy, long_post, "x"), HTTP_ACCEPT_LANGUAGE="en")
    text = x_text(response)
    # Counted with the link it goes out with (X counts a link without a real top-level
    # domain, such as the test's 127.0.0.1, in full).
    tracked = parse_qs(urlsplit(response["Location"]).query)["url"][0]
    assert NETWORKS["x"].text_length(text, tracked) <= 280
    assert NETWORKS["x"].text_length(text, tracked) >= 270  # shortened, not emptied
    assert text.endswith("…\n\nI work at Cerámicas Prueba")


def test_the_disclosure_ends_the_suggested_text(tenancy, enrolled, post):
    client = tenancy.client_for(enrolled.user)
    response = client.post(share_url(tenancy, post, "x"), HTTP_ACCEPT_LANGUAGE="en")
    assert x_text(response) == "Nueva colección de primavera\n\nI work at Cerámicas Prueba"


def test_the_disclosure_follows_the_sharers_language(tenancy, enrolled, post):
    tenancy.org.disclosure = {"es": "Trabajo en {organisation}"}
    tenancy.org.save()
    client = tenancy.client_for(enrolled.user)
    spanish = x_text(client.post(share_url(tenancy, post, "x"), HTTP_ACCEPT_LANGUAGE="es"))
    english = x_text(client.post(share_url(tenancy, post, "x"), HTTP_ACCEPT_LANGUAGE="en"))
    assert spanish.endswith("\n\nTrabajo en Cerámicas Prueba")
    assert english.endswith("\n\nI work at Cerámicas Prueba")


def test_the_disclosure_is_in_the_language_of_the_text(tenancy, enrolled):
    """A post only in Spanish, shared from an English interface: the text is Spanish, so
    the disclosure is the organisation's Spanish one, not a mix of languages."""
    tenancy.org.disclosure = {"es": "Trabajo en {organisation}", "en": "Mine: {organisation}"}
    tenancy.org.save()
    spanish_only = PostFactory(
        organisation=tenancy.org, texts={"es": {"title": "T", "body": "Solo en español"}}
    )
    client = tenancy.client_for(enrolled.user)
    text = x_text(client.post(share_url(tenancy, spanish_only, "x"), HTTP_ACCEPT_LANGUAGE="en"))
    assert text == "Solo en español\n\nTrabajo en Cerámicas Prueba"
    # The editor's suggestion for the network decides when there is one.
    spanish_only.suggestions = {"ca": {"x": "Només en català"}}
    spanish_only.save()
    text = x_text(client.post(share_url(tenancy, spanish_only, "x"), HTTP_ACCEPT_LANGUAGE="en"))
    assert text.startswith("Només en català\n\n")
    assert "Mine:" not in text and "Trabajo" not in text


def test_the_organisations_own_wording_is_used(tenancy, enrolled, post):
    tenancy.org.disclosure = {"en": "Proud to be part of {organisation}"}
    tenancy.org.save()
    client = tenancy.client_for(enrolled.user)
    response = client.post(share_url(tenancy, post, "x"), HTTP_ACCEPT_LANGUAGE="en")
    assert x_text(response).endswith("\n\nProud to be part of Cerámicas Prueba")


def test_no_disclosure_when_an_admin_switched_it_off(tenancy, enrolled, post):
    tenancy.org.disclosure_enabled = False
    tenancy.org.disclosure_off_reason = "Motivo"
    tenancy.org.save()
    client = tenancy.client_for(enrolled.user)
    assert x_text(client.post(share_url(tenancy, post, "x"))) == "Nueva colección de primavera"


def test_email_has_the_title_as_subject_and_the_text_and_link_as_body(tenancy, enrolled):
    post = PostFactory(
        organisation=tenancy.org,
        texts=both("Abrimos tienda", "En Valencia, el lunes.\nOs esperamos."),
    )
    client = tenancy.client_for(enrolled.user)
    location = client.post(share_url(tenancy, post, "email"), HTTP_ACCEPT_LANGUAGE="en")
    query = parse_qs(urlsplit(location["Location"]).query)
    code = Share.objects.get().code
    assert query["subject"] == ["Abrimos tienda"]
    # mailto: line breaks are CR LF (RFC 6068).
    assert query["body"] == [
        "En Valencia, el lunes.\r\nOs esperamos.\r\n\r\nI work at Cerámicas Prueba\r\n\r\n"
        f"{settings.BASE_URL}/r/{code}"
    ]


def test_feed_reminds_sharers_of_the_disclosure_for_linkedin(tenancy, enrolled, post):
    feed = f"/o/{tenancy.org.code}/"
    html = tenancy.client_for(enrolled.user).get(feed, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Remember to mention: “I work at Cerámicas Prueba”" in html
    assert "LinkedIn, Facebook and Xing take only the link" in html


def test_feed_has_no_reminder_when_the_disclosure_is_off(tenancy, enrolled, post):
    tenancy.org.disclosure_enabled = False
    tenancy.org.save()
    feed = f"/o/{tenancy.org.code}/"
    html = tenancy.client_for(enrolled.user).get(feed, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Remember to mention" not in html
    assert 'data-network="linkedin"' in html


def test_feed_has_no_reminder_for_people_not_in_the_program(tenancy, post):
    feed = f"/o/{tenancy.org.code}/"
    client = tenancy.client_for(tenancy.employee.user)
    assert "Remember to mention" not in client.get(feed, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_not_enrolled_cannot_share_and_is_shown_the_terms(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    response = client.post(share_url(tenancy, post, "x"))
    assert response.status_code == 302
    assert response["Location"] == f"/o/{tenancy.org.code}/program/"
    assert Share.objects.count() == 0


def test_after_leaving_no_new_shares(tenancy, enrolled, post):
    program_leave(membership=enrolled)
    client = tenancy.client_for(enrolled.user)
    client.post(share_url(tenancy, post, "x"))
    assert Share.objects.count() == 0


def test_unknown_network_is_404(tenancy, enrolled, post):
    client = tenancy.client_for(enrolled.user)
    assert client.post(share_url(tenancy, post, "myspace")).status_code == 404


def test_draft_cannot_be_shared(tenancy, enrolled):
    draft = PostFactory(organisation=tenancy.org, status="draft", published_at=None)
    client = tenancy.client_for(enrolled.user)
    assert client.post(share_url(tenancy, draft, "x")).status_code == 404


def test_share_then_follow_link_records_one_click(tenancy, enrolled, post, client):
    location = tenancy.client_for(enrolled.user).post(share_url(tenancy, post, "x"))["Location"]
    tracked = parse_qs(urlsplit(location).query)["url"][0]
    response = client.get(urlsplit(tracked).path, HTTP_USER_AGENT="Mozilla/5.0 Firefox/140")
    assert response["Location"].startswith(
        "https://x.example/p?utm_source=x&utm_medium=employee_advocacy&utm_campaign="
    )
    assert Click.objects.count() == 1


def test_the_feed_shows_a_few_networks_and_the_rest_behind_more_networks(tenancy, enrolled, post):
    """Fewer tab stops per post; every destination one or two clicks away."""
    feed = f"/o/{tenancy.org.code}/"
    html = tenancy.client_for(enrolled.user).get(feed, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = html.split('class="share-row"')[1].split("</details>")[0]
    first, more = row.split('<details class="share-more">')
    featured = {key for key, network in NETWORKS.items() if network.featured}
    for key in NETWORKS:
        button = f'data-network="{key}"'
        assert (button in first) == (key in featured), key
        assert (button in more) == (key not in featured), key
    assert "More networks" in more.split("</summary>")[0]


@pytest.mark.parametrize(
    ("network", "title"),
    [
        ("linkedin", "Share on LinkedIn"),
        ("x", "Share on X"),
        ("email", "Share by e-mail"),
        ("copy", "Copy the text to share it anywhere"),
    ],
)
def test_each_screen_has_its_own_title_and_heading(tenancy, enrolled, post, network, title):
    client = tenancy.client_for(enrolled.user)
    html = client.get(share_url(tenancy, post, network), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<title>{title}" in html
    assert f'tabindex="-1" data-focus-after-swap>{title}</h1>' in html


def test_the_feeds_reminder_is_in_the_language_of_the_posts_text(tenancy, enrolled):
    PostFactory(
        organisation=tenancy.org,
        texts={"es": {"title": "Abrimos tienda", "body": "En Valencia."}},
        suggestions={},
    )
    feed = f"/o/{tenancy.org.code}/"
    html = tenancy.client_for(enrolled.user).get(feed, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The post is only in Spanish, so is the suggested text and so the line it ends with.
    assert "Remember to mention: “Trabajo en Cerámicas Prueba”" in html
