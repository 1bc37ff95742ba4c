"""The People pages in a real browser at 390 px: nothing wider than the screen, and the
copy button copies the invitation link (and without JavaScript the link is still there)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, expect

from coro.orgs import services
from coro.orgs.models import Role
from testing.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    TermsFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_EMAIL = "maria.de.los.angeles.fernandez-villanueva@departamento-comercial.example.com"


@pytest.fixture
def org():
    organisation = OrganisationFactory(name="Cerámicas Prueba")
    TermsFactory(organisation=organisation)
    return organisation


@pytest.fixture
def admin(org):
    return MembershipFactory(organisation=org, role=Role.ADMIN, user__email="alicia@example.com")


def signed_in(browser: Browser, live_server, user, **options) -> BrowserContext:
    """A browser context with the person's session (no log-in form involved)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, locale="en-GB", **options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_people_pages_fit_a_phone_and_the_link_copies(browser: Browser, live_server, org, admin):
    team = TeamFactory(organisation=org, name="Departamento comercial y atención al cliente")
    member = MembershipFactory(organisation=org, team=team, user__email=LONG_EMAIL)
    pending = InvitationFactory(organisation=org, email="x" + LONG_EMAIL, team=team)
    InvitationFactory(
        organisation=org, email="y" + LONG_EMAIL, expires_at=timezone.now() - timedelta(days=1)
    )
    context = signed_in(browser, live_server, admin.user)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    base = f"{live_server.url}/o/{org.code}/people/"

    page.goto(base)
    assert_fits(page)
    button = page.locator(f'button[data-copy="invitation-link-{pending.code}"]')
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("[data-copy-status]")).to_have_text("Link copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator(f"#invitation-link-{pending.code}").input_value()
    assert copied.startswith(settings.BASE_URL + "/invite/")
    # The copied link is the invitation's own.
    token = copied.removeprefix(settings.BASE_URL + "/invite/").rstrip("/")
    assert services.invitation_from_token(token) == pending

    page.goto(f"{base}{member.code}/")
    assert_fits(page)
    page.get_by_text("Deactivate…").click()
    expect(page.get_by_role("button", name=f"Deactivate {member.user.name}")).to_be_visible()
    assert_fits(page)

    page.goto(f"{base}import/")
    assert_fits(page)
    rows = "".join(
        f"Persona {i},{i}{LONG_EMAIL},{team.name},{'jefe' if i == 3 else ''}\n" for i in range(6)
    )
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "gente.csv",
                "mimeType": "text/csv",
                "buffer": b"name,email,team,role\n" + rows.encode(),
            }
        ],
    )
    page.get_by_role("button", name="Check the file").first.click()
    expect(page.get_by_role("heading", name="Check the people to invite")).to_be_visible()
    assert_fits(page)
    page.get_by_role("button", name="Send 5 invitations").click()
    expect(page.get_by_text("5 invitations sent.")).to_be_visible()
    assert_fits(page)
    context.close()


def test_without_javascript_the_link_is_there_to_select(browser: Browser, live_server, org, admin):
    pending = InvitationFactory(organisation=org, email="nuria@example.com")
    context = signed_in(browser, live_server, admin.user, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.code}/people/")
    field = page.get_by_label("Invitation link nuria@example.com")
    token = field.input_value().removeprefix(settings.BASE_URL + "/invite/").rstrip("/")
    assert services.invitation_from_token(token) == pending
    expect(field).to_have_attribute("readonly", "")
    expect(page.locator(f'button[data-copy="invitation-link-{pending.code}"]')).to_be_hidden()
    assert_fits(page)
    context.close()
