"""The share screen: the person's own words for one network, checked, then sent on exactly."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from coro.networks import NETWORKS
from coro.networks.links import tracked_link
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from coro.sharing.models import Share
from coro.sharing.personal_data import shares
from coro.sharing.services import shares_detach
from testing.factories import MembershipFactory, PostFactory, ShareFactory, TeamFactory

DISCLOSURE = "I work at Cerámicas Prueba"
SUGGESTION = "Our new Albufera collection is out: hand-glazed tiles inspired by the lake."
PROMPTED = "New tiles, hand-glazed. [[why this matters to you]]"
SIMILAR_HINT = "Several colleagues shared almost the same words. Make it your own?"


@pytest.fixture
def enrolled(tenancy):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    return tenancy.employee


@pytest.fixture
def post(tenancy):
    return PostFactory(
        organisation=tenancy.org,
        title="Colección Albufera",
        body="Nueva colección de primavera",
        link="https://x.example/p",
        suggestions={
            "es": {"x": "Sugerencia para X", "linkedin": "Sugerencia para LinkedIn"},
            "en": {"x": SUGGESTION},
        },
    )


@pytest.fixture
def client(tenancy, enrolled):
    return tenancy.client_for(enrolled.user)


def url(post, network="x", check=False):
    base = f"/o/{post.organisation.code}/posts/{post.code}/share/{network}/"
    return base + "check/" if check else base


def page(client, post, network="x", language="en"):
    response = client.get(url(post, network), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def shared(response) -> dict[str, list[str]]:
    assert response.status_code == 302, response.content.decode()[:2000]
    return parse_qs(urlsplit(response["Location"]).query)


def colleague_shared(post, text, network="x"):
    member = MembershipFactory(organisation=post.organisation)
    return ShareFactory(post=post, membership=member, network=network, text=text)


# --- What the screen shows ----------------------------------------------------------------


def test_the_screen_starts_from_the_suggestion_for_the_network_in_the_persons_language(
    client, post
):
    response = page(client, post, "x", "en")
    assert response.context["form"]["text"].value() == f"{SUGGESTION}\n\n{DISCLOSURE}"
    html = response.content.decode()
    assert "Colección Albufera" in html
    assert "Share on X" in html
    assert 'id="share-counter"' in html
    assert Share.objects.count() == 0  # looking makes no link


def test_the_suggestion_follows_the_language(tenancy, client, post):
    tenancy.org.disclosure = {"es": "Trabajo en {organisation}"}
    tenancy.org.save()
    response = page(client, post, "x", "es")
    assert response.context["form"]["text"].value() == (
        "Sugerencia para X\n\nTrabajo en Cerámicas Prueba"
    )


def test_without_a_suggestion_the_post_text_is_the_start(tenancy, client, post):
    # The post's text is only in Spanish: so is the disclosure, whatever the interface's
    # language (no text in two languages).
    tenancy.org.disclosure = {"es": "Trabajo en {organisation}"}
    tenancy.org.save()
    response = page(client, post, "email", "en")
    assert response.context["form"]["text"].value() == (
        "Nueva colección de primavera\n\nTrabajo en Cerámicas Prueba"
    )


def test_the_live_counter_counts_as_the_server_does(tenancy, client, post):
    """The page's counter (the widget's endpoint, with the page's link) agrees with the
    server's check, for a text that fits and one that does not."""
    response = page(client, post, "x", "en")
    html = response.content.decode()
    link = response.context["link"]
    assert f'name="link" value="{link}"' in html
    assert 'hx-post="/o/' in html.split("<textarea")[1].split(">")[0]  # the live counter
    assert f"{response.context['remaining']} characters left on X." in html  # without JS
    count_url = f"/o/{tenancy.org.code}/posts/count/"
    for words, fits in [("Hola", True), ("日" * 130 + "a" * 30, False)]:
        counted = client.post(
            count_url,
            {"network": "x", "text": words, "link": link, "link_field": "link"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert counted.status_code == 200
        remaining = NETWORKS["x"].remaining(words, link)
        assert remaining is not None and (remaining >= 0) is fits
        message = "characters left" if fits else "over the limit"
        assert f"{abs(remaining)} {message}" in counted.content.decode()
        status = client.post(url(post), {"text": words}).status_code
        assert status == (302 if fits else 200)


def test_a_network_whose_dialog_takes_only_the_link_says_so_once(client, post):
    html = page(client, post, "linkedin").content.decode()
    said = "LinkedIn opens with your link only: copy your text and paste it there."
    assert html.count(said) == 1
    # Nothing on the page says the opposite.
    assert "opens with your text" not in html
    # The copy button: hidden until share.js shows it (without it, the text is selected by
    # hand), with a status region to say it is done.
    button = html.split("data-copy-target=")[1].split(">")[0]
    assert button.startswith('"id_text"') and " hidden" in button
    assert 'id="share-copy-status" role="status" aria-live="polite"' in html
    assert "/static/coro/share.js" in html
    x = page(client, post, "x").content.decode()
    assert "opens with your link only" not in x and "data-copy-target" not in x
    assert "X opens with your text and your own link, to post it there." in x


# --- Sharing ------------------------------------------------------------------------------


def test_the_intent_carries_exactly_the_edited_text(client, post):
    words = "Mis palabras: azulejos & más #Valencia 🎉\r\nSegunda línea\r\n\r\n" + DISCLOSURE
    query = shared(client.post(url(post), {"text": words}))
    share = Share.objects.get()
    assert query["text"] == [words.replace("\r\n", "\n")]
    assert query["url"] == [f"{settings.BASE_URL}/r/{share.code}"]
    assert share.text == words.replace("\r\n", "\n")


def test_the_latest_text_is_kept(client, post):
    client.post(url(post), {"text": "Primero"})
    client.post(url(post), {"text": "Después"})
    assert list(Share.objects.values_list("text", flat=True)) == ["Después"]


def test_the_first_share_freezes_the_link(client, post):
    assert post.link_locked_at is None
    client.post(url(post), {"text": "Hola"})
    post.refresh_from_db()
    locked = post.link_locked_at
    assert locked is not None
    client.post(url(post, "linkedin"), {"text": "Otra vez"})
    post.refresh_from_db()
    assert post.link_locked_at == locked


def test_a_text_too_long_for_x_as_x_counts_is_refused_and_kept(client, post):
    x = NETWORKS["x"]
    link = tracked_link("a" * 10)
    # CJK weighs 2 on X: far fewer than 280 characters, 281 weighted.
    words = "日" * 100 + "a" * (281 - x.text_length("日" * 100, link))
    assert x.text_length(words, link) == 281
    assert len(words) < 280
    response = client.post(url(post), {"text": words}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["form"]["text"].value() == words
    assert "X allows 280 characters as X counts them; this text has 281." in (
        response.content.decode()
    )
    assert "1 character too many for X." in response.content.decode()
    assert Share.objects.count() == 0
    post.refresh_from_db()
    assert post.link_locked_at is None
    # One character less goes.
    assert shared(client.post(url(post), {"text": words[:-1]}))["text"] == [words[:-1]]


def test_an_unfilled_prompt_is_refused_then_the_filled_text_goes(client, post):
    post.suggestions = {"en": {"x": PROMPTED}}
    post.save()
    screen = page(client, post).content.decode()
    assert 'id="share-prompts"' in screen
    assert "<li>why this matters to you</li>" in screen

    text = page(client, post).context["form"]["text"].value()
    refused = client.post(url(post), {"text": text}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Fill in “why this matters to you” in your own words before sharing." in html
    assert refused.context["form"]["text"].value() == text
    # The error is in the region the field is described by, and the field says it is invalid.
    region = html.split('id="share-hints"')[1].split("<textarea")[0]
    assert 'id="share-errors"' in region and "why this matters to you" in region
    textarea = html.split("<textarea")[1].split(">")[0]
    assert 'aria-invalid="true"' in textarea and "share-hints" in textarea
    assert Share.objects.count() == 0

    mine = text.replace("[[why this matters to you]]", "My grandmother glazed tiles.")
    assert shared(client.post(url(post), {"text": mine}))["text"] == [mine]


def test_a_one_click_share_with_a_prompt_in_the_suggestion_shows_the_screen(client, post):
    post.suggestions = {"en": {"x": PROMPTED}}
    post.save()
    response = client.post(url(post), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "in your own words before sharing" in response.content.decode()
    assert Share.objects.count() == 0


# --- Almost the same words ----------------------------------------------------------------


def test_the_hint_shows_when_two_colleagues_shared_almost_the_same(client, post):
    colleague_shared(post, f"{SUGGESTION}\n\n{DISCLOSURE}")
    assert SIMILAR_HINT not in page(client, post).content.decode()  # one is not several
    colleague_shared(post, SUGGESTION.upper() + "\n\nTrabajo en Cerámicas Prueba", "linkedin")
    html = page(client, post).content.decode()
    assert SIMILAR_HINT in html


def test_one_colleague_on_several_networks_is_one(client, post):
    first = colleague_shared(post, SUGGESTION)
    ShareFactory(post=post, membership=first.membership, network="linkedin", text=SUGGESTION)
    assert SIMILAR_HINT not in page(client, post).content.decode()


def test_own_shares_and_other_posts_do_not_count(tenancy, client, post, enrolled):
    ShareFactory(post=post, membership=enrolled, network="linkedin", text=SUGGESTION)
    colleague_shared(PostFactory(organisation=tenancy.org), SUGGESTION)
    colleague_shared(post, SUGGESTION)
    assert SIMILAR_HINT not in page(client, post).content.decode()


def test_the_hint_never_blocks(client, post):
    colleague_shared(post, SUGGESTION)
    colleague_shared(post, SUGGESTION)
    text = f"{SUGGESTION}\n\n{DISCLOSURE}"
    assert shared(client.post(url(post), {"text": text}))["text"] == [text]


def test_the_hint_follows_the_text_as_it_is_typed(client, post):
    for _ in range(2):
        colleague_shared(post, SUGGESTION)

    def check(text):
        return client.post(
            url(post, check=True), {"text": text}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
        )

    same = check(SUGGESTION)
    assert same.status_code == 200
    assert SIMILAR_HINT in same.content.decode()
    mine = "I glazed some of these myself, and the blue is my favourite. Come and see!"
    other = check(mine)
    assert SIMILAR_HINT not in other.content.decode()
    prompt = check(PROMPTED)
    assert "<li>why this matters to you</li>" in prompt.content.decode()
    assert Share.objects.filter(text=mine).count() == 0  # checking shares nothing


def test_the_hint_names_and_counts_nobody(client, post):
    names = []
    for name in ("Julia Montesinos", "Vicent Palau", "Amparo Roig"):
        share = colleague_shared(post, SUGGESTION)
        share.membership.user.name = name
        share.membership.user.save()
        names.append(name)
    html = page(client, post).content.decode()
    assert SIMILAR_HINT in html
    assert not [name for name in names if name in html or name.split()[0] in html]
    assert "3" not in html.split('id="share-similar"')[1].split("</p>")[0]


# --- Who may share what -------------------------------------------------------------------


def test_not_enrolled_is_shown_the_terms(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    for response in (client.get(url(post)), client.post(url(post), {"text": "Hola"})):
        assert response.status_code == 302
        assert response["Location"] == f"/o/{tenancy.org.code}/program/"
    assert client.post(url(post, check=True), {"text": "Hola"}).status_code == 403
    assert Share.objects.count() == 0


def test_a_post_for_another_team_is_404(tenancy, client, enrolled):
    mine, theirs = TeamFactory(organisation=tenancy.org), TeamFactory(organisation=tenancy.org)
    enrolled.team = mine
    enrolled.save()
    for_them, for_us = PostFactory(organisation=tenancy.org), PostFactory(organisation=tenancy.org)
    for_them.teams.set([theirs])
    for_us.teams.set([mine, theirs])
    assert client.get(url(for_them)).status_code == 404
    assert client.post(url(for_them), {"text": "Hola"}).status_code == 404
    assert client.post(url(for_them, check=True), {"text": "Hola"}).status_code == 404
    assert client.get(url(for_us)).status_code == 200
    assert Share.objects.count() == 0


def test_a_post_for_some_team_is_404_to_someone_without_a_team(tenancy, client):
    post = PostFactory(organisation=tenancy.org)
    post.teams.set([TeamFactory(organisation=tenancy.org)])
    assert client.get(url(post)).status_code == 404


@pytest.mark.parametrize(
    "state",
    [
        {"status": "draft", "published_at": None},
        {"status": "in_review", "published_at": None},
        {"status": "archived"},
        {"status": "scheduled", "publish_at": timezone.now() + timedelta(hours=1)},
        {"expire_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["draft", "in_review", "archived", "scheduled_later", "expired"],
)
def test_posts_that_are_not_live_are_404(tenancy, client, state):
    post = PostFactory(organisation=tenancy.org, **state)
    assert client.get(url(post)).status_code == 404
    assert client.post(url(post), {"text": "Hola"}).status_code == 404
    assert Share.objects.count() == 0


def test_a_scheduled_post_whose_time_has_come_can_be_shared(tenancy, client):
    post = PostFactory(
        organisation=tenancy.org,
        status="scheduled",
        published_at=None,
        publish_at=timezone.now() - timedelta(minutes=1),
    )
    assert client.get(url(post)).status_code == 200


def test_unknown_network_is_404(client, post):
    assert client.get(url(post, "myspace")).status_code == 404
    assert client.post(url(post, "myspace"), {"text": "Hola"}).status_code == 404


# --- The words are the person's -----------------------------------------------------------


def test_leaving_detaches_and_forgets_the_words(tenancy, client, post, enrolled):
    client.post(url(post), {"text": "Mis palabras"})
    other = colleague_shared(post, "Sus palabras")
    program_leave(membership=enrolled)
    share = Share.objects.exclude(pk=other.pk).get()
    assert (share.membership, share.text) == (None, "")
    other.refresh_from_db()
    assert other.text == "Sus palabras"


def test_shares_detach_blanks_the_texts(tenancy, post, enrolled):
    ShareFactory(post=post, membership=enrolled, network="x", text="Uno")
    ShareFactory(post=post, membership=enrolled, network="email", text="Dos")
    assert shares_detach(membership=enrolled) == 2
    assert set(Share.objects.values_list("membership", "text")) == {(None, "")}


def test_the_words_are_in_the_persons_data(client, post, enrolled):
    client.post(url(post), {"text": "Mis palabras"})
    assert [row["text"] for row in shares(enrolled.user)] == ["Mis palabras"]
