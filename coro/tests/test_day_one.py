"""Day one, walked in a real browser: from an empty database to a first employee in the feed.

The admin sets Coro up through ``/setup/`` with the one-time token (read from what
``coro setup_token`` prints, as ``coro serve`` does), publishes the terms, creates four teams,
invites 30 people from a CSV file and switches company sign-in on; then one of those people
signs in through a real OpenID Connect provider on loopback (oidc-provider-mock) and lands in
the feed as an employee who has not joined the program.

Two steps cannot happen in a browser, because the mock provider has no pages for them: the
admin registering Coro's redirect URI at the provider (its dynamic client registration), and
the provider knowing the person's claims (its ``PUT /users/<sub>``). Both go to the mock over
HTTP on 127.0.0.1, as in coro/identity/tests/conftest.py.
"""

import csv
import io
import re
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.utils import translation
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import Browser, Page, expect

from coro.accounts.models import User
from coro.orgs.models import Invitation, Membership, Organisation, Role
from coro.program.models import Terms
from coro.program.selectors import is_enrolled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGE = "en"
DOMAIN = "turia.example"
ADMIN_EMAIL = f"lucia@{DOMAIN}"
ADMIN_PASSWORD = "azulejos-de-manises-1927"
TEAMS = ("Sales", "Workshop", "Design", "Logistics")
PEOPLE = 30
TIMEOUT = 10
TOKEN = re.compile(r"\b[a-z2-9]{5}(?:-[a-z2-9]{5}){4}\b")


def t(text: str) -> str:
    """``text`` as Coro shows it in English."""
    with translation.override(LANGUAGE):
        return translation.gettext(text)


def tn(singular: str, plural: str, count: int) -> str:
    with translation.override(LANGUAGE):
        return translation.ngettext(singular, plural, count) % {"count": count}


def people_csv(path: Path) -> list[tuple[str, str, str, str]]:
    """30 employees in the four teams, as an admin's spreadsheet would save them."""
    rows = [
        (f"Person {n:02d} Ferrer", f"person{n:02d}@{DOMAIN}", TEAMS[n % len(TEAMS)], "employee")
        for n in range(1, PEOPLE + 1)
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("name", "email", "team", "role"))
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return rows


def issue_setup_token() -> str:
    """The token as ``coro serve`` prints it on the server's console."""
    out = io.StringIO()
    call_command("setup_token", stdout=out)
    found = TOKEN.search(out.getvalue())
    assert found, out.getvalue()
    return found.group(0)


def set_up(page: Page, base: str, token: str) -> None:
    page.goto(f"{base}/setup/")
    page.get_by_label(t("Setup token")).fill(token)
    page.get_by_label(t("Organisation name")).fill("Cerámicas del Turia")
    page.get_by_label(t("Default language")).select_option("en")
    page.get_by_label(t("Time zone")).select_option("Europe/Madrid")
    page.get_by_label(t("Your name")).fill("Lucía Ferrer")
    page.get_by_label(t("Your e-mail address")).fill(ADMIN_EMAIL)
    page.get_by_label(t("Password")).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=t("Create the organisation")).click()


def test_day_one(live_server, browser: Browser, settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"  # where the setup token's hash is kept
    settings.BASE_URL = live_server.url  # the redirect URI the settings page shows
    # Plain http to the provider on loopback is accepted only with DEBUG on.
    settings.DEBUG = True
    base = live_server.url

    # --- An empty database, and the token coro serve would print ------------------------
    assert not Organisation.objects.exists()
    assert not User.objects.exists()
    token = issue_setup_token()

    admin_context = browser.new_context(locale="en-GB")
    admin = admin_context.new_page()
    admin.set_default_timeout(10_000)

    # --- /setup/: the admin is signed in and lands on the example terms -----------------
    set_up(admin, base, token)
    organisation = Organisation.objects.get()
    expect(admin).to_have_url(f"{base}/o/{organisation.code}/program/manage/")
    expect(admin.locator("#example-terms")).to_be_visible()
    expect(admin.get_by_role("heading", name=t("Program terms"))).to_be_visible()
    membership = Membership.objects.get(organisation=organisation, user__email=ADMIN_EMAIL)
    assert membership.role == Role.ADMIN

    # --- The admin rewrites the example in their own words and publishes version 1 -----
    offer = admin.get_by_label(
        t("What the company offers (%(language)s)") % {"language": "English"}
    )
    expect(offer).not_to_be_empty()  # prefilled with the example
    offer.fill("Training on social media, and half an hour a week to use it at work.")
    publish = admin.get_by_role("button", name=t("Publish as version %(version)s") % {"version": 1})
    admin.get_by_label(t("Enrolled people will be asked to accept this version.")).check()
    publish.click()
    expect(
        admin.get_by_text(
            t("Version %(version)s is published. Enrolled people will be asked to accept it.")
            % {"version": 1}
        )
    ).to_be_visible()
    terms = Terms.objects.get(organisation=organisation)
    assert terms.version == 1
    assert "half an hour a week" in terms.texts["en"]["offer"]

    # --- Four teams, on the People page -------------------------------------------------
    admin.goto(f"{base}/o/{organisation.code}/people/")
    for team in TEAMS:
        admin.get_by_label(t("Team name")).fill(team)
        admin.get_by_role("button", name=t("Add team")).click()
        expect(admin.get_by_text(t("Team created."))).to_be_visible()
    teams = admin.get_by_role("region", name=t("Teams"))
    for team in TEAMS:
        expect(teams.get_by_role("listitem").filter(has_text=team)).to_have_count(1)

    # --- 30 people from a CSV file: preview, then confirm --------------------------------
    rows = people_csv(tmp_path / "people.csv")
    admin.get_by_role("link", name=t("Invite from a CSV file"), exact=True).click()
    admin.get_by_label(t("CSV file")).set_input_files(tmp_path / "people.csv")
    admin.get_by_role("button", name=t("Check the file")).click()
    expect(admin.get_by_role("heading", name=t("Check the people to invite"))).to_be_visible()
    expect(
        admin.get_by_text(tn("%(count)s new invitation", "%(count)s new invitations", PEOPLE))
    ).to_be_visible()
    expect(admin.locator(".import-line[data-status=new]")).to_have_count(PEOPLE)
    assert not Invitation.objects.exists()  # nothing is written before confirming
    admin.get_by_role(
        "button", name=tn("Send %(count)s invitation", "Send %(count)s invitations", PEOPLE)
    ).click()
    expect(
        admin.get_by_text(tn("%(count)s invitation sent.", "%(count)s invitations sent.", PEOPLE))
    ).to_be_visible()
    invitations = Invitation.objects.filter(organisation=organisation)
    assert invitations.count() == PEOPLE
    assert {i.team.name for i in invitations if i.team} == set(TEAMS)
    assert set(invitations.values_list("role", flat=True)) == {Role.EMPLOYEE}

    # --- Company sign-in, with a real OpenID Connect provider on loopback ---------------
    name, email, _team, _role = rows[6]
    sub = "person07-7f3"
    with run_server_in_thread(require_client_registration=True, require_nonce=True) as server:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"  # loopback only
        issuer = f"http://127.0.0.1:{port}"

        admin.goto(f"{base}/o/{organisation.code}/people/")
        admin.get_by_role("link", name=t("Company sign-in")).click()
        redirect_uri = admin.locator("#redirect-uri").inner_text().strip()
        assert redirect_uri.startswith(f"{base}/")
        # The admin registers Coro at the provider (no pages for it in the mock).
        registered = requests.post(
            f"{issuer}/oauth2/clients",
            json={
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "client_secret_post",
            },
            timeout=TIMEOUT,
        ).json()
        admin.get_by_label(t("Another OpenID Connect provider")).check()
        admin.get_by_label(t("Issuer")).fill(issuer)
        admin.get_by_label(t("Client ID")).fill(registered["client_id"])
        admin.get_by_label(t("Client secret")).fill(registered["client_secret"])
        admin.get_by_label(t("E-mail domains")).fill(DOMAIN)
        admin.get_by_label(t("People can sign in with it")).check()
        admin.get_by_role("button", name=t("Save")).click()
        expect(admin.get_by_text(t("Company sign-in is saved."))).to_be_visible()
        expect(
            admin.get_by_text(t("People at your domains can sign in with their company account."))
        ).to_be_visible()

        # The person exists at the provider, with a verified address (no pages for it either).
        response = requests.put(
            f"{issuer}/users/{sub}",
            json={"email": email, "email_verified": True, "name": name},
            timeout=TIMEOUT,
        )
        assert response.status_code == 204, response.text

        # --- One of the 30 signs in, in a browser of their own ----------------------------
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base}/accounts/login/")
        page.get_by_role("link", name=t("Sign in with your company account")).click()
        page.get_by_label(t("Your work e-mail address")).fill(email)
        page.get_by_role("button", name=t("Continue")).click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(issuer)}/oauth2/authorize\?"))
        page.get_by_placeholder("sub").fill(sub)  # the mock's own authorization form
        page.get_by_role("button", name="Authorize").click()

        expect(page).to_have_url(f"{base}/o/{organisation.code}/")
        expect(page.get_by_role("heading", name="Cerámicas del Turia")).to_be_visible()
        expect(page.locator("#invitation-banner")).to_be_visible()
        expect(page.get_by_role("link", name=t("Read the program"))).to_be_visible()

    person = Membership.objects.get(user__email=email)
    assert person.organisation == organisation
    assert person.role == Role.EMPLOYEE
    assert not is_enrolled(person)  # signing in never enrols anyone
    for ctx in (admin_context, context):
        ctx.close()
