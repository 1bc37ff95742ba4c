"""The share screen reserves the person's tracked link: the link it shows is the one that
goes out, so the page can copy it or hand it to the phone's share sheet in the click."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from coro.networks.links import tracked_link
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.models import Share
from coro.sharing.reserved import reservation
from testing.factories import MembershipFactory, PostFactory, ShareFactory


@pytest.fixture
def enrolled(tenancy):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    return tenancy.employee


@pytest.fixture
def post(tenancy):
    return PostFactory(organisation=tenancy.org, body="Nueva colección", link="https://x.example/p")


@pytest.fixture
def client(tenancy, enrolled):
    return tenancy.client_for(enrolled.user)


def url(post, network="x", part=""):
    return f"/o/{post.organisation.code}/posts/{post.code}/share/{network}/{part}"


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def screen(client, post, network="x"):
    response = client.get(url(post, network), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def sent_link(response) -> str:
    assert response.status_code == 302, response.content.decode()[:1500]
    return parse_qs(urlsplit(response["Location"]).query)["url"][0]


def test_the_link_shown_is_the_link_that_goes_out(client, post):
    html = screen(client, post)
    link = hidden(html, "link")
    assert link.startswith(f"{settings.BASE_URL}/r/")
    assert f'<span class="share-preview-link">{link}</span>' in html
    assert Share.objects.count() == 0  # looking records nothing
    response = client.post(
        url(post), {"text": "Mis palabras", "link": link, "reserved": hidden(html, "reserved")}
    )
    assert sent_link(response) == link
    assert Share.objects.get().tracked_link == link
    # The link works.
    assert client.get(urlsplit(link).path).status_code == 302


def test_a_refused_try_keeps_the_same_link(client, post):
    html = screen(client, post)
    reserved, link = hidden(html, "reserved"), hidden(html, "link")
    again = client.post(url(post), {"text": "[[tu opinión]]", "reserved": reserved})
    assert again.status_code == 200
    assert hidden(again.content.decode(), "link") == link
    assert hidden(again.content.decode(), "reserved") == reserved


def test_each_screen_without_a_share_reserves_a_new_code(client, post):
    assert hidden(screen(client, post), "link") != hidden(screen(client, post), "link")


def test_an_existing_share_shows_its_own_link_and_needs_no_reservation(client, enrolled, post):
    earlier = ShareFactory(post=post, membership=enrolled, network="x", text="antes")
    html = screen(client, post)
    assert hidden(html, "link") == earlier.tracked_link
    assert hidden(html, "reserved") == ""
    # A token from before the share (another tab) does not change it.
    token = reservation(post=post, membership=enrolled, network="linkedin").token
    response = client.post(url(post), {"text": "Otra vez", "reserved": token})
    assert sent_link(response) == earlier.tracked_link
    assert Share.objects.count() == 1


@pytest.mark.parametrize("whose", ["another person", "another post", "another network"])
def test_a_code_reserved_for_something_else_is_not_used(tenancy, client, enrolled, post, whose):
    other_post = PostFactory(organisation=tenancy.org)
    other_person = MembershipFactory(organisation=tenancy.org)
    reserved = {
        "another person": reservation(post=post, membership=other_person, network="x"),
        "another post": reservation(post=other_post, membership=enrolled, network="x"),
        "another network": reservation(post=post, membership=enrolled, network="bluesky"),
    }[whose]
    response = client.post(url(post), {"text": "Mis palabras", "reserved": reserved.token})
    assert sent_link(response) != reserved.link
    assert Share.objects.get().code != reserved.code


@pytest.mark.parametrize("token", ["", "nonsense", "a:b:c", "x" * 500])
def test_a_forged_token_gets_a_new_code(client, post, token):
    response = client.post(url(post), {"text": "Mis palabras", "reserved": token})
    code = Share.objects.get().code
    assert sent_link(response) == tracked_link(code)


def test_a_code_someone_already_uses_is_not_used_again(tenancy, client, enrolled, post):
    reserved = reservation(post=post, membership=enrolled, network="x")
    ShareFactory(post=PostFactory(organisation=tenancy.org), code=reserved.code)
    response = client.post(url(post), {"text": "Mis palabras", "reserved": reserved.token})
    assert sent_link(response) != reserved.link
    assert Share.objects.filter(code=reserved.code).count() == 1


def test_more_shares_with_the_link_the_screen_reserved_for_elsewhere(client, post):
    html = screen(client, post)
    elsewhere = hidden(html, "reserved_elsewhere")
    shown = re.search(r'data-share-url="([^"]*)"', html)
    assert shown
    device = f"/o/{post.organisation.code}/posts/{post.code}/share-device/"
    answer = client.post(device, {"text": "Mis palabras", "reserved_elsewhere": elsewhere})
    assert answer.status_code == 200, answer.content
    assert answer.json()["url"] == shown.group(1)
    assert Share.objects.get(network="copy").tracked_link == shown.group(1)


# --- A GET on the screen's POST-only addresses: the screen, never a blank page ------------


@pytest.mark.parametrize("part", ["server/", "check/", "count/"])
def test_a_get_on_a_post_only_address_goes_back_to_the_screen(client, post, part):
    network = "mastodon" if part == "server/" else "x"
    response = client.get(url(post, network, part))
    assert response.status_code == 302
    assert response["Location"] == url(post, network)
    assert client.get(response["Location"]).status_code == 200


def test_a_get_on_the_device_address_goes_to_the_feed(client, post):
    response = client.get(f"/o/{post.organisation.code}/posts/{post.code}/share-device/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{post.organisation.code}/"
    assert Share.objects.count() == 0


def test_other_methods_still_are_not_allowed(client, post):
    assert client.put(url(post, "x", "check/")).status_code == 405
