"""Every destination from the feed's share dialog, in a real browser: the person types their
own words, shares, and the words are what leaves (issue 10, "Done means": checked for every
destination). The page the browser tries to open is caught before it leaves this machine:
every request to anywhere but loopback is recorded and aborted."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Route, expect

from coro.accounts.models import User
from coro.connections.models import NetworkProfile
from coro.content.models import LinkPreview
from coro.networks import NETWORKS
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.models import Share
from testing.factories import MembershipFactory, OrganisationFactory, PostFactory, TermsFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def signed_in(browser: Browser, base: str, user: User, width: int = 1280) -> BrowserContext:
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-GB")
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    return context


def flat(text: str) -> str:
    """Line breaks and runs of spaces as one space (a Reddit title has no line breaks: the
    only destination whose text is compared flattened)."""
    return " ".join(text.split())


def values_of(url: str) -> list[str]:
    return [value for _, value in parse_qsl(urlsplit(url).query)]


def test_every_destination_sends_the_persons_own_words(live_server, browser: Browser) -> None:
    org = OrganisationFactory(name="Cerámicas del Turia")
    TermsFactory(organisation=org)
    person = MembershipFactory(organisation=org)
    program_join(membership=person, terms=terms_current(org))
    post = PostFactory(
        organisation=org,
        title="Presentamos Albufera",
        body="Azulejos de primavera.",
        link="https://www.ceramicas-del-turia.example/albufera",
    )
    LinkPreview.objects.create(
        post=post, url=post.link, status=LinkPreview.Status.READY, title="Albufera tiles"
    )

    left: list[str] = []
    opened_pages: set[str] = set()

    def outside(route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context = signed_in(browser, live_server.url, person.user)
    context.route("**/*", outside)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/o/{org.code}/")
    card = page.locator(f"#post-{post.code}")
    dialog = page.locator("dialog.share-dialog")

    for key, network in NETWORKS.items():
        words = f"Mis palabras para {key}: azulejos & más #Valencia 🎉\nHechos a mano, 100%"
        button = card.locator(f'a[data-network="{key}"]')
        if not network.featured and not button.is_visible():
            # The less common networks are one click further, behind "More networks".
            card.get_by_text("More networks").click()
        button.click()
        expect(dialog).to_be_visible()
        assert page.evaluate("location.pathname") == f"/o/{org.code}/"  # still the feed

        if network.needs_server:
            # Asked once, in the dialog.
            dialog.get_by_label(f"Your {network.label} server, e.g. mastodon.social").fill(
                "mastodon.social"
            )
            dialog.get_by_role("button", name="Continue").click()
        text = dialog.get_by_label("Your text")
        text.fill(words)
        # The preview shows their words as they type them.
        expect(dialog.locator("[data-preview-words]")).to_have_text(words)
        before = len(left)
        dialog.locator('#share-form button[type="submit"]').click()
        expect(dialog.locator(".share-done")).to_be_visible()

        share = Share.objects.get(post=post, network=key)
        assert share.text == words
        link = share.tracked_link
        opened = dialog.locator("a[data-share-open]")
        if network.intent_url is None:  # "Copy text": the words and the link, copied
            expect(dialog.locator("#share-status")).to_contain_text("Copied")
            assert page.evaluate("navigator.clipboard.readText()") == f"{words}\n\n{link}"
        elif not network.opens_in_new_tab:  # mailto: the mail program, the page stays
            intent = opened.get_attribute("href") or ""
            assert intent.startswith("mailto:")
            body = {k: v for k, v in parse_qsl(urlsplit(intent).query)}["body"]
            assert body.replace("\r\n", "\n") == f"{words}\n\n{link}"
        else:  # a page of the network, opened in a new tab: caught as it tries to leave
            intent = opened.get_attribute("href") or ""
            for _ in range(50):
                if intent in left[before:]:
                    break
                page.wait_for_timeout(100)
            assert intent in left[before:], (key, intent, left[before:])
            opened_pages.add(intent)
            assert link in " ".join(values_of(intent))
            if network.needs_server:
                assert urlsplit(intent).hostname == "mastodon.social"
            if network.takes_text:
                sent = values_of(intent)
                if key == "reddit":  # a title: one line, the only text compared flattened
                    assert flat(words) in sent, (key, sent)
                else:  # exactly their words, alone or as the network gets them with the link
                    assert words in sent or network.outgoing(words, link) in sent, (key, sent)
            else:  # the link only: their words were copied, and the screen said so
                assert not any("palabras" in value for value in values_of(intent))
                assert page.evaluate("navigator.clipboard.readText()") == words
                expect(dialog.locator("#share-copy-status")).to_contain_text(
                    f"Your text is copied: paste it in {network.label}."
                )
        # What happened is said: the heading has the focus.
        expect(dialog.locator("#share-heading")).to_be_focused()
        for popup in context.pages[1:]:
            popup.close()
        # Escape closes the dialog; the focus is back on the button that opened it.
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(button).to_be_focused()

    assert errors == []
    assert set(left) == opened_pages  # nothing else tried to leave
    assert NetworkProfile.objects.get(membership=person).instance == "mastodon.social"
    assert Share.objects.filter(post=post).count() == len(NETWORKS)
    context.close()


def test_the_dialog_fits_a_phone_closes_and_hides_more_without_web_share(
    live_server, browser: Browser
) -> None:
    org = OrganisationFactory()
    TermsFactory(organisation=org)
    person = MembershipFactory(organisation=org)
    program_join(membership=person, terms=terms_current(org))
    long_word = "Electroencefalografistas" * 4
    post = PostFactory(
        organisation=org,
        title=f"Albufera {long_word}",
        link=f"https://www.ceramicas.example/{long_word}",
        suggestions={"en": {"x": f"Mis palabras {long_word}"}},
    )
    LinkPreview.objects.create(
        post=post, url=post.link, status=LinkPreview.Status.READY, title=long_word * 2
    )
    context = signed_in(browser, live_server.url, person.user, width=390)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.code}/")
    button = page.locator(f'#post-{post.code} a[data-network="x"]')
    button.click()
    dialog = page.locator("dialog.share-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".link-card")).to_be_visible()
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.querySelector('dialog').scrollWidth") <= box["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    has_share = page.evaluate("typeof navigator.share === 'function'")
    more = dialog.get_by_role("button", name="More…")
    expect(more).to_have_count(1 if has_share else 0)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    context.close()


def test_more_records_the_share_and_hands_the_tracked_link_to_the_share_sheet(
    live_server, browser: Browser
) -> None:
    """navigator.share is the phone's; here a stand-in records what the page hands it."""
    org = OrganisationFactory()
    TermsFactory(organisation=org)
    person = MembershipFactory(organisation=org)
    program_join(membership=person, terms=terms_current(org))
    post = PostFactory(organisation=org, title="Presentamos Albufera")
    context = signed_in(browser, live_server.url, person.user)
    context.add_init_script(
        "navigator.share = function (data) {"
        " window.sharedData = Object.assign({active: navigator.userActivation.isActive}, data);"
        " return Promise.resolve(); };"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.code}/posts/{post.code}/share/whatsapp/")
    page.get_by_label("Your text").fill("Mis palabras, para todos")
    # The share is recorded alongside (fetch keepalive): read once its answer is in.
    with page.expect_response(lambda response: "/share-device/" in response.url):
        page.get_by_role("button", name="More…").click()
    shared = None
    for _ in range(50):
        shared = page.evaluate("window.sharedData || null")
        if shared:
            break
        page.wait_for_timeout(100)
    share = Share.objects.get()
    assert shared == {
        "title": "Presentamos Albufera",
        "text": "Mis palabras, para todos",
        "url": share.tracked_link,
        # Called in the click itself: Safari allows the share sheet only then.
        "active": True,
    }
    assert (share.network, share.text) == ("copy", "Mis palabras, para todos")
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_closing_after_editing_asks_first_and_close_sits_in_the_card(
    live_server, browser: Browser, width: int
) -> None:
    org = OrganisationFactory()
    TermsFactory(organisation=org)
    person = MembershipFactory(organisation=org)
    program_join(membership=person, terms=terms_current(org))
    post = PostFactory(organisation=org, title="Presentamos Albufera", body="Azulejos. " * 60)
    context = signed_in(browser, live_server.url, person.user, width=width)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.code}/")
    button = page.locator(f'#post-{post.code} a[data-network="x"]')
    button.click()
    dialog = page.locator("dialog.share-dialog")
    expect(dialog).to_be_visible()
    close = dialog.get_by_role("button", name="Close")
    # The close button is inside the card, beside the heading, covering nothing.
    card, box = dialog.locator(".share-screen").bounding_box(), close.bounding_box()
    heading = dialog.locator("#share-heading").bounding_box()
    assert card and box and heading
    assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
    assert card["y"] <= box["y"] and box["y"] + box["height"] <= card["y"] + card["height"]
    assert heading["x"] + heading["width"] <= box["x"]
    # Unchanged: it closes at once.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    asked: list[str] = []
    answer = {"accept": False}

    def on_dialog(question) -> None:  # the browser's confirm
        asked.append(question.message)
        question.accept() if answer["accept"] else question.dismiss()

    page.on("dialog", on_dialog)
    button.click()
    expect(dialog).to_be_visible()
    text = dialog.get_by_label("Your text")
    text.fill("Mis propias palabras")
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()  # "keep": the text stays
    expect(text).to_have_value("Mis propias palabras")
    close.click()
    expect(dialog).to_be_visible()
    assert asked == ["Close and lose the changes to your text?"] * 2
    answer["accept"] = True
    close.click()
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    context.close()


def test_the_counter_speaks_only_when_the_text_goes_over_or_fits_again(
    live_server, browser: Browser
) -> None:
    org = OrganisationFactory()
    TermsFactory(organisation=org)
    person = MembershipFactory(organisation=org)
    program_join(membership=person, terms=terms_current(org))
    post = PostFactory(organisation=org, title="Presentamos Albufera")
    context = signed_in(browser, live_server.url, person.user)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.code}/posts/{post.code}/share/x/")
    counter = page.locator("#id_text-counter")
    live = page.locator("#share-counter-live")
    expect(counter).to_have_attribute("aria-live", "off")
    text = page.get_by_label("Your text")
    text.fill("Unas palabras")
    expect(counter).to_contain_text("characters left")
    page.wait_for_timeout(400)
    expect(live).to_have_text("")
    text.fill("palabra " * 50)
    expect(counter).to_contain_text("over")
    expect(live).to_have_text("The text is now too long for this network.")
    text.fill("Cortas")
    expect(counter).to_contain_text("characters left")
    expect(live).to_have_text("The text fits again.")
    context.close()
