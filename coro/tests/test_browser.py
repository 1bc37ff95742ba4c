"""The core loop, walked in a real browser as people would, in every language.

Labels are looked up in the catalogues (``t``), so each language's run also proves that the
texts a person needs to get through the loop are translated.
"""

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Locator, Page, expect

from coro.analytics.rollups import rollup_run
from coro.core.languages import language_name
from coro.orgs.models import Role
from coro.program.selectors import is_enrolled
from coro.sharing.models import Click
from testing.factories import MembershipFactory, OrganisationFactory, PostFactory, TermsFactory
from testing.landing import landing_server
from testing.tenancy import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser's locale for each of Coro's languages.
LOCALES = {"es": "es-ES", "ca": "ca-ES", "en": "en-GB"}


def t(language: str, text: str) -> str:
    """``text`` as Coro shows it in ``language``."""
    with translation.override(language):
        return translation.gettext(text)


def log_in(page: Page, base: str, email: str, language: str = "en") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(t(language, "E-mail address")).fill(email)
    page.get_by_label(t(language, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=t(language, "Log in"), exact=True).click()


PERSON_BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)


@pytest.fixture
def landing_base() -> Iterator[str]:
    with landing_server() as base:
        yield base


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_publish_join_share_follow_and_count(
    live_server, browser: Browser, language: str, settings, landing_base: str
) -> None:
    # Tracked links are made on the configured address: here, the test's server.
    settings.BASE_URL = live_server.url
    org = OrganisationFactory(name="Cerámicas Prueba")
    TermsFactory(organisation=org)
    editor = MembershipFactory(organisation=org, role=Role.EDITOR, user__email="eva@example.com")
    employee = MembershipFactory(
        organisation=org, role=Role.EMPLOYEE, user__email="emi@example.com"
    )
    base = live_server.url
    landing = f"{landing_base}/albufera?page=1"  # nothing leaves this machine

    # The editor writes and publishes a post.
    editor_context = browser.new_context(locale=LOCALES[language])
    editor_page = editor_context.new_page()
    log_in(editor_page, base, editor.user.email, language)
    editor_page.get_by_role("link", name=t(language, "Posts")).click()
    editor_page.get_by_role("link", name=t(language, "New post")).click()
    # The texts in the organisation's main language (the editor shows it first).
    in_main = {"language": language_name(org.language)}
    editor_page.get_by_label(t(language, "Title (%(language)s)") % in_main).fill(
        "Nueva colección Albufera"
    )
    editor_page.get_by_label(t(language, "Text (%(language)s)") % in_main, exact=True).fill(
        "Azulejos esmaltados a mano, inspirados en el lago."
    )
    link_label = re.compile("^" + re.escape(t(language, "Link")))  # not "…for LinkedIn"
    editor_page.get_by_role("textbox", name=link_label).fill(landing)
    editor_page.get_by_role("button", name=t(language, "Publish now")).click()
    expect(editor_page.get_by_text(t(language, "The post is published."))).to_be_visible()

    # The employee is not enrolled: the feed invites, it does not offer sharing.
    context = browser.new_context(locale=LOCALES[language])
    # Playwright does not route the target of a redirect, so watch requests instead;
    # the machine has no way out, so the X page itself never loads.
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    log_in(page, base, employee.user.email, language)
    expect(page.get_by_role("heading", name="Nueva colección Albufera")).to_be_visible()
    expect(page.locator("a[data-network=x]")).to_have_count(0)

    # Joining: read the terms, accept them explicitly.
    page.get_by_role("link", name=t(language, "Read the program")).click()
    page.get_by_label(t(language, "I have read these terms and I accept them.")).check()
    page.get_by_role("button", name=t(language, "Join the program")).click()
    expect(
        page.get_by_text(t(language, "Welcome to the program. You can leave at any moment."))
    ).to_be_visible()

    # Choosing X opens the share screen, starting from the post's text and the disclosure.
    page.locator("a[data-network=x]").click()
    text = page.get_by_label(t(language, "Your text"))
    expect(text).to_have_value(re.compile("Azulejos esmaltados"))
    expect(text).to_have_value(re.compile("Cerámicas Prueba$"))
    expect(page.locator("#id_text-counter")).to_contain_text(re.compile(r"\d"))  # live counter

    # The person writes their own words; exactly those leave for X's own dialog, with the
    # tracked link.
    words = "Mis azulejos favoritos: Albufera 💙 & #Valencia\nAzulejos esmaltados a mano."
    text.fill(words)
    share_button = page.get_by_role(
        "button", name=t(language, "Share on %(network)s") % {"network": "X"}
    )
    # The network's own dialog opens in a new tab.
    with context.expect_event("request", lambda request: request.url.startswith("https://x.com/")):
        share_button.click()
    intents = [url for url in requested if url.startswith("https://x.com/")]
    assert intents, "the X intent was never opened"
    intent = urlsplit(intents[-1])
    assert (intent.netloc, intent.path) == ("x.com", "/intent/tweet")
    query = parse_qs(intent.query)
    tracked = query["url"][0]
    assert tracked.startswith(f"{base}/r/")
    assert query["text"] == [words]

    # Someone follows the tracked link and lands on the post's page.
    # A person's browser: headless Chromium's own user agent counts as a preview fetcher.
    visitor = browser.new_context(user_agent=PERSON_BROWSER)
    visit = visitor.new_page()
    visit.goto(tracked)
    landed = urlsplit(visit.url)
    assert urlunsplit(landed._replace(query="")) == landing.split("?")[0]
    assert parse_qs(landed.query)["page"] == ["1"]  # the link's own parameter, kept
    assert parse_qs(landed.query)["utm_medium"] == ["employee_advocacy"]
    assert Click.objects.count() == 1
    rollup_run()  # the job that adds visits up every minute

    # The editor sees the click, as a number.
    # exact: in Catalan the thank-you board's link also starts with "Tauler".
    editor_page.get_by_role("link", name=t(language, "Dashboard"), exact=True).click()
    expect(editor_page.locator("#total-clicks")).to_have_text("1")
    expect(editor_page.locator("#total-shares")).to_have_text("1")
    row = editor_page.locator("tr", has_text="Nueva colección Albufera")
    expect(row.locator("[data-col=clicks]")).to_have_text("1")
    for ctx in (editor_context, context, visitor):
        ctx.close()


class CountingPage:
    """Counts the person's actions (clicks and ticks), to compare joining and leaving."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.actions = 0

    def click(self, locator: Locator) -> None:
        self.actions += 1
        locator.click()

    def check(self, locator: Locator) -> None:
        self.actions += 1
        locator.check()


def test_leaving_takes_no_more_steps_than_joining(live_server, browser: Browser) -> None:
    org = OrganisationFactory(name="Cerámicas Prueba")
    TermsFactory(organisation=org)
    PostFactory(organisation=org, title="Catálogo 2027")
    employee = MembershipFactory(organisation=org, user__email="emi@example.com")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    log_in(page, live_server.url, employee.user.email)

    joining = CountingPage(page)
    joining.click(page.get_by_role("link", name=t("en", "Read the program")))
    joining.check(page.get_by_label(t("en", "I have read these terms and I accept them.")))
    joining.click(page.get_by_role("button", name=t("en", "Join the program")))
    expect(page.locator("a[data-network=x]")).to_have_count(1)
    assert is_enrolled(employee)

    leaving = CountingPage(page)
    leaving.click(page.get_by_label(t("en", "Your menu")))  # the profile menu, on every page
    leaving.click(page.get_by_role("button", name=t("en", "Leave the program")))
    expect(page.get_by_text(t("en", "You have left the program."))).to_be_visible()
    expect(page.locator("a[data-network=x]")).to_have_count(0)
    assert not is_enrolled(employee)

    assert leaving.actions <= joining.actions, (leaving.actions, joining.actions)
    context.close()
