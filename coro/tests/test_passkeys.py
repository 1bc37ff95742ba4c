"""A passkey, registered and used in a real browser: Chromium's virtual authenticator plays
the phone or laptop (a platform authenticator with user verification), through the Chrome
DevTools Protocol. The pages run under Coro's Content-Security-Policy, and the browser must
report no violation of it."""

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from coro.orgs.models import Role
from testing.factories import MembershipFactory, OrganisationFactory, TermsFactory
from testing.tenancy import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(page: Page) -> tuple[object, str]:
    """A platform authenticator that keeps resident keys and verifies the person."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_register_a_passkey_then_log_in_with_it_alone(live_server, browser: Browser) -> None:
    org = OrganisationFactory(name="Cerámicas Prueba")
    TermsFactory(organisation=org)
    member = MembershipFactory(
        organisation=org, role=Role.EDITOR, user__email="pia@example.com", user__language="en"
    )
    # The pages are served from http://localhost:<port>: a secure context for WebAuthn, and
    # "localhost" is the relying party.
    base = live_server.url
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", watch)
    page.on("pageerror", lambda error: problems.append(str(error)))
    cdp, authenticator_id = virtual_authenticator(page)

    # Log in with the password, as today.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(member.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(f"{base}/o/{org.code}/")

    # From the profile to the security page, then add a passkey.
    page.goto(f"{base}/accounts/profile/")
    page.get_by_role("link", name="Two-factor authentication and passkeys").click()
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    page.get_by_role("link", name="Add a passkey").click()
    # Changing how one logs in asks for the password again.
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Add a passkey or security key")).to_be_visible()
    page.get_by_label("Name, to tell your keys apart").fill("Portátil")
    page.get_by_label("Use it as a passkey: log in with it alone, without your password").check()
    page.get_by_role("button", name="Add", exact=True).click()

    # The first key comes with recovery codes, shown once it is saved.
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    key = Authenticator.objects.get(user=member.user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Portátil"
    assert key.wrap().is_passwordless is True
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    [credential] = stored["credentials"]
    assert credential["isResidentCredential"] is True
    assert credential["rpId"] == "localhost"

    # Log out.
    page.goto(f"{base}/accounts/logout/")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/accounts/login/")

    # Log in with the passkey alone: no e-mail address, no password.
    page.get_by_role("button", name="Log in with a passkey").click()
    expect(page).to_have_url(f"{base}/o/{org.code}/")
    expect(page.get_by_label("Your menu")).to_be_visible()
    key.refresh_from_db()
    assert key.last_used_at is not None
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert stored["credentials"][0]["signCount"] >= 1

    assert problems == []
    context.close()
