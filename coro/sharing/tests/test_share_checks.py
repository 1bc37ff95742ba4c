"""The share screen's checks: a cap on the text's length, errors the live check keeps up to
date, the tracked link on the configured address, and the post's Markdown as plain text."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from coro.networks import MAX_TEXT, too_long_message
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.authenticity import prompts_message
from coro.sharing.models import Share
from testing.factories import PostFactory

PROMPTED = "New tiles, hand-glazed. [[why this matters to you]]"


@pytest.fixture
def client(tenancy):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    return tenancy.client_for(tenancy.employee.user)


@pytest.fixture
def post(tenancy):
    return PostFactory(organisation=tenancy.org, body="Nueva colección", link="https://x.example/p")


def url(post, network="x", check=False):
    base = f"/o/{post.organisation.code}/posts/{post.code}/share/{network}/"
    return base + "check/" if check else base


def check(client, post, data, network="x"):
    response = client.post(
        url(post, network, check=True), data, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return response.content.decode()


def english(message):
    with translation.override("en"):
        return message()


# --- Too long -----------------------------------------------------------------------------


@pytest.mark.parametrize("network", ["x", "email"])
def test_a_huge_text_is_refused_at_once_with_a_clear_message(client, post, network):
    huge = "https://azulejos.es/" + "a" * 3_000_000  # X would count it 23: still refused
    started = time.monotonic()
    response = client.post(url(post, network), {"text": huge}, HTTP_ACCEPT_LANGUAGE="en")
    live = check(client, post, {"text": huge}, network)
    assert time.monotonic() - started < 5  # counting 3 MB would take X's parser ~20 s
    assert response.status_code == 200
    message = english(too_long_message)
    assert message == f"This text is too long: Coro takes up to {MAX_TEXT} characters."
    assert message in response.content.decode()
    assert message in live
    assert Share.objects.count() == 0


def test_a_text_of_the_most_coro_takes_goes_by_email(client, post):
    text = "a" * MAX_TEXT
    response = client.post(url(post, "email"), {"text": text})
    assert response.status_code == 302
    assert Share.objects.get().text == text
    refused = client.post(url(post, "email"), {"text": text + "a"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert english(too_long_message) in refused.content.decode()


# --- Errors the live check keeps up to date -----------------------------------------------


def test_a_fixed_error_goes_away_as_the_person_types(client, post):
    refused = client.post(url(post), {"text": PROMPTED}, HTTP_ACCEPT_LANGUAGE="en")
    html = refused.content.decode()
    message = english(lambda: prompts_message(["why this matters to you"]))
    assert message in html
    # The refused page asks the live check to look at the errors again from now on.
    region = html.split('id="share-hints"')[1].split("<textarea")[0]
    assert 'name="recheck" value="1"' in region

    still = check(client, post, {"text": PROMPTED + " more", "recheck": "1"})
    assert message in still and 'id="share-errors"' in still
    assert 'name="recheck"' in still
    fixed = check(client, post, {"text": "My grandmother glazed tiles.", "recheck": "1"})
    assert 'id="share-errors"' not in fixed and message not in fixed
    assert 'name="recheck"' in fixed  # a new problem will show too
    too_long_for_x = check(client, post, {"text": "日" * 200, "recheck": "1"})
    assert "X allows 280 characters as X counts them" in too_long_for_x


def test_before_a_first_try_the_live_check_shows_hints_not_errors(client, post):
    html = check(client, post, {"text": PROMPTED})
    assert 'id="share-prompts"' in html
    assert 'id="share-errors"' not in html


# --- The tracked link ---------------------------------------------------------------------


def test_the_tracked_link_is_on_the_configured_address_whatever_the_request(client, post, settings):
    settings.BASE_URL = "https://coro.azulejos.es"
    screen = client.get(url(post), HTTP_ACCEPT_LANGUAGE="en")
    link = screen.context["link"]
    assert link.startswith("https://coro.azulejos.es/r/")
    assert f'name="link" value="{link}"' in screen.content.decode()
    # The counter without JavaScript counts with it: X counts this link as 23.
    assert screen.context["remaining"] == 280 - 24 - len(screen.context["form"]["text"].value())

    shared = client.post(url(post), {"text": "Hola"})
    share = Share.objects.get()
    assert parse_qs(urlsplit(shared["Location"]).query)["url"] == [
        f"https://coro.azulejos.es/r/{share.code}"
    ]
    # Once shared, the screen shows the person's own link.
    assert client.get(url(post)).context["link"] == share.tracked_link


# --- Markdown -----------------------------------------------------------------------------


def test_the_screen_starts_from_the_post_as_plain_text(tenancy, client):
    tenancy.org.disclosure_enabled = False
    tenancy.org.disclosure_off_reason = "Motivo"
    tenancy.org.save()
    post = PostFactory(
        organisation=tenancy.org,
        body="**Albufera** ya está aquí: [el catálogo](https://azulejos.es/c).\n\n- Uno\n- Dos",
    )
    text = client.get(url(post, "email")).context["form"]["text"].value()
    assert text == "Albufera ya está aquí: el catálogo.\n\n- Uno\n- Dos"
