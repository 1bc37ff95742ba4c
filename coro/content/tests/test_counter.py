"""The live counter answers exactly what the networks' own rules (and the server check) say."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from coro.content.counter import (
    MAX_COUNTED,
    CountedTextarea,
    counted_text,
    counted_text_validate,
    counter_message,
)
from coro.networks import NETWORKS
from coro.networks.links import tracked_link, tracked_link_example
from coro.networks.tests.test_text_rules import TABLE

pytestmark = pytest.mark.django_db

LINK = "https://coro.azulejos.es/r/abcdefghij"
DISCLOSURE_EN = "I work at Cerámicas Prueba"


def count_url(org) -> str:
    return reverse("content:text_count", kwargs={"org_code": org.code})


@pytest.fixture
def client(tenancy):
    return tenancy.client_for(tenancy.employee.user)


def counter_text(response) -> str:
    return response.content.decode().strip()


def expected_fragment(remaining: int | None) -> str:
    message = counter_message(remaining)
    if remaining is not None and remaining < 0:
        return f'<span class="counter-over">{message}</span>'
    return message


STRINGS = [text for _label, text, _counts in TABLE] + [
    "a" * 256,
    "a" * 257,
    "日" * 140,
    "a" * 299,
    "a" * 2999 + "\U0001f1ea\U0001f1f8",
]


@pytest.mark.parametrize("key", sorted(NETWORKS))
@pytest.mark.parametrize("text", STRINGS)
def test_the_counter_says_what_the_network_counts(client, tenancy, key, text):
    response = client.post(count_url(tenancy.org), {"network": key, "text": text, "link": LINK})
    assert response.status_code == 200
    # Form fields arrive stripped, as the counter strips them.
    remaining = NETWORKS[key].remaining(text.strip(), LINK)
    assert counter_text(response) == expected_fragment(remaining)


def test_messages(client, tenancy):
    def say(text: str, **extra: str) -> str:
        data = {"network": "x", "text": text, "link": LINK, **extra}
        return counter_text(client.post(count_url(tenancy.org), data, HTTP_ACCEPT_LANGUAGE="en"))

    assert say("a" * 52) == "204 characters left"
    assert say("a" * 255) == "1 character left"
    assert say("a" * 256) == "0 characters left"
    assert say("a" * 257) == '<span class="counter-over">1 over the limit</span>'
    assert say("a" * 267) == '<span class="counter-over">11 over the limit</span>'
    assert say("a" * 200, network="email") == "No length limit"
    # The proposal form's counter names the network it counts for.
    assert say("a" * 52, show_network="1") == "X: 204 characters left"


def test_the_messages_are_in_the_pages_language(client, tenancy):
    data = {"network": "x", "text": "a" * 52, "link": LINK}
    spanish = counter_text(client.post(count_url(tenancy.org), data, HTTP_ACCEPT_LANGUAGE="es"))
    with translation.override("es"):
        assert spanish == counter_message(204)
    assert spanish != "204 characters left"


def test_the_disclosure_counts_when_the_form_asks(client, tenancy):
    data = {"network": "bluesky", "text": "Hola", "link": LINK, "language": "en"}
    without = counter_text(client.post(count_url(tenancy.org), data))
    with_it = counter_text(client.post(count_url(tenancy.org), {**data, "disclosure": "1"}))
    text = f"Hola\n\n{DISCLOSURE_EN}"
    assert without == counter_message(300 - len(f"Hola {LINK}"))
    assert with_it == counter_message(300 - len(f"{text} {LINK}"))


def test_the_disclosure_follows_the_language_and_the_switch(tenancy):
    org = tenancy.org
    org.disclosure = {"es": "Trabajo en {organisation}"}
    assert counted_text(" Hola ", organisation=org, language="es", disclosure=True) == (
        "Hola\n\nTrabajo en Cerámicas Prueba"
    )
    assert counted_text("", organisation=org, language="es", disclosure=True) == (
        "Trabajo en Cerámicas Prueba"
    )
    org.disclosure_enabled = False
    assert counted_text("Hola", organisation=org, language="es", disclosure=True) == "Hola"


def test_fields_are_read_by_the_names_the_widget_gives(client, tenancy):
    data = {
        "network": "bluesky",
        "text_field": "suggestion_en_bluesky",
        "suggestion_en_bluesky": "Hola",
        "link_field": "tracked",
        "tracked": LINK,
        "language_field": "lang",
        "lang": "en",
        "disclosure": "1",
        # The editor's own link field is not what shares carry: it is not counted.
        "link": "https://example.com/" + "x" * 200,
    }
    response = client.post(count_url(tenancy.org), data)
    assert counter_text(response) == counter_message(300 - len(f"Hola\n\n{DISCLOSURE_EN} {LINK}"))


def test_without_a_link_a_tracked_link_of_this_site_is_counted(client, tenancy):
    data = {"network": "bluesky", "text": "Hola", "link_field": ""}
    response = client.post(count_url(tenancy.org), data)
    tracked = tracked_link_example()
    assert counter_text(response) == counter_message(300 - len(f"Hola {tracked}"))


def test_the_tracked_link_is_on_the_sites_address_whatever_the_request(settings):
    settings.BASE_URL = "https://coro.azulejos.es"
    assert tracked_link("abcdefghij") == "https://coro.azulejos.es/r/abcdefghij"
    assert tracked_link_example() == "https://coro.azulejos.es/r/xxxxxxxxxx"


def test_bad_input_gets_a_message_not_an_error(client, tenancy):
    def ask(data: dict[str, str]):
        return client.post(count_url(tenancy.org), data, HTTP_ACCEPT_LANGUAGE="en")

    unknown = ask({"network": "myspace", "text": "Hola"})
    assert unknown.status_code == 400
    assert "does not know this network" in unknown.content.decode()
    huge = ask({"network": "x", "text": "a" * (MAX_COUNTED + 1)})
    assert huge.status_code == 200
    assert "far too long" in huge.content.decode()
    email = {"network": "email", "text": "a" * (MAX_COUNTED + 1)}
    assert counter_text(ask(email)) == "No length limit"
    empty = ask({})
    assert empty.status_code == 400


def test_only_members_post_to_the_counter(tenancy):
    data = {"network": "x", "text": "Hola"}
    outsider = tenancy.client_for(tenancy.outsider.user)
    assert outsider.post(count_url(tenancy.org), data).status_code == 404
    member = tenancy.client_for(tenancy.employee.user)
    assert member.get(count_url(tenancy.org), data).status_code == 405


def test_the_server_check_is_the_counter(tenancy):
    org = tenancy.org
    x = NETWORKS["x"]
    # 280 - 23 - 1 - 2 - len("I work at Cerámicas Prueba") = 228 letters fit with it.
    fits = "a" * 228
    counted_text_validate(x, fits, link=LINK, organisation=org, language="en", disclosure=True)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        counted_text_validate(
            x, fits + "…", link=LINK, organisation=org, language="en", disclosure=True
        )
    with translation.override("en"):
        assert error.value.messages == [
            "X allows 280 characters as X counts them; this text has 282."
        ]


def test_the_widget_renders_the_textarea_and_a_live_counter(tenancy):
    widget = CountedTextarea(
        "x", org_code=tenancy.org.code, link_field="link", language_field="language"
    )
    html = widget.render("suggestion_x", "Hola", attrs={"id": "id_suggestion_x"})
    url = count_url(tenancy.org)
    assert f'hx-post="{url}"' in html
    assert 'hx-trigger="input changed delay:150ms, load"' in html
    assert 'hx-target="#id_suggestion_x-counter"' in html
    assert 'hx-include="[name=&#x27;link&#x27;], [name=&#x27;language&#x27;]"' in html
    assert 'aria-describedby="id_suggestion_x-counter"' in html
    assert "&quot;text_field&quot;: &quot;suggestion_x&quot;" in html
    assert html.endswith(
        '</textarea><p class="counter" id="id_suggestion_x-counter" aria-live="polite"></p>'
    )


def test_the_widget_renders_the_first_count_and_asks_only_on_input(tenancy, settings):
    settings.BASE_URL = "https://coro.azulejos.es"
    widget = CountedTextarea(
        "x", org_code=tenancy.org.code, organisation=tenancy.org, language="en", disclosure=True
    )
    with translation.override("en"):
        html = widget.render("s", "Hola", attrs={"id": "id_s"})
        full = counted_text("Hola", organisation=tenancy.org, language="en", disclosure=True)
        expected = counter_message(NETWORKS["x"].remaining(full, tracked_link_example()))
    assert 'hx-trigger="input changed delay:150ms"' in html
    assert html.endswith(f'<p class="counter" id="id_s-counter" aria-live="polite">{expected}</p>')
    widget.show_network = True
    widget.count_link = LINK
    with translation.override("en"):
        over = widget.render("s", "a" * 300, attrs={"id": "id_s"})
    assert '<span class="counter-over">X: ' in over and " over the limit</span>" in over
    assert "&quot;show_network&quot;: &quot;1&quot;" in over


def test_the_widget_keeps_a_help_text_description(tenancy):
    widget = CountedTextarea("bluesky", org_code=tenancy.org.code, language="es", disclosure=True)
    html = widget.render("s", "", attrs={"id": "id_s", "aria-describedby": "id_s_helptext"})
    assert 'aria-describedby="id_s_helptext id_s-counter"' in html
    assert "&quot;language&quot;: &quot;es&quot;" in html
    assert "&quot;disclosure&quot;: &quot;1&quot;" in html
    assert "hx-include" not in html
