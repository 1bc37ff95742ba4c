"""Two-factor authentication: an authenticator app (TOTP) with recovery codes. Passkeys are
tested in a browser (coro/tests/test_passkeys.py); an organisation requiring a second factor
in coro/people/tests/test_security.py."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.test import Client

from coro.accounts.models import User
from coro.accounts.personal_data import email_addresses, sign_in_methods
from coro.core import crypto
from coro.privacy.services import account_erase
from testing.factories import UserFactory
from testing.tenancy import PASSWORD

LOGIN_URL = "/accounts/login/"
MFA_URL = "/accounts/2fa/"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (allauth's own HOTP helpers); waits for the
    next period when this one is about to end, so the server sees the same one."""
    period = mfa_settings.TOTP_PERIOD
    if time.time() % period > period - 2:
        time.sleep(2.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def log_in(client: Client, user: User) -> HttpResponse:
    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def with_totp(user: User) -> str:
    secret = generate_totp_secret()
    data = {"secret": crypto.encrypt(secret)}
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data=data)
    return secret


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="marta@example.com", language="en")


def activate_totp(client: Client) -> str:
    """Set up an app as the person would: confirm the password, scan, type the code."""
    response = client.get(f"{MFA_URL}totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(response["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get(f"{MFA_URL}totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # the key to type, besides the QR code
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    response = client.post(f"{MFA_URL}totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    return secret


# --- The pages ---------------------------------------------------------------------------


def test_the_profile_links_to_the_security_pages(person):
    client = Client()
    client.force_login(person)
    html = client.get("/accounts/profile/").content.decode()
    assert f'href="{MFA_URL}"' in html
    assert 'href="/accounts/password/change/"' in html


def test_the_two_factor_page_is_coros(person):
    client = Client()
    client.force_login(person)
    response = client.get(MFA_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.templates[0].name == "mfa/index.html"
    html = response.content.decode()
    assert "Add a passkey" in html
    assert "Set up an app" in html
    assert 'href="/accounts/2fa/webauthn/add/"' in html


def test_the_two_factor_pages_need_a_log_in(client, db):
    response = client.get(MFA_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_setting_up_an_app_asks_for_the_password_again(person):
    client = Client()
    log_in(client, person)
    response = client.get(f"{MFA_URL}totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Confirm it is you" in page.content.decode()
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert client.get(f"{MFA_URL}totp/activate/").status_code == 200


# --- TOTP and recovery codes -------------------------------------------------------------


def test_set_up_an_app_then_log_in_with_its_code(person):
    client = Client()
    log_in(client, person)
    secret = activate_totp(client)
    stored = Authenticator.objects.get(user=person, type="totp").data["secret"]
    assert secret not in stored  # kept encrypted (ENCRYPTION_KEY)
    assert crypto.decrypt(stored) == secret
    # The first factor comes with recovery codes.
    assert Authenticator.objects.filter(user=person, type="recovery_codes").exists()

    fresh = Client()
    response = log_in(fresh, person)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert SESSION_KEY not in fresh.session  # the password alone is not enough

    response = fresh.post("/accounts/2fa/authenticate/", {"code": "123456"})
    if response.status_code == 200:  # (unless 123456 happens to be the code now)
        assert response.context["form"].errors
        assert SESSION_KEY not in fresh.session

    response = fresh.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert fresh.session[SESSION_KEY] == str(person.pk)


def test_an_app_code_works_once(person):
    secret = with_totp(person)
    code = totp_code(secret)
    first = Client()
    log_in(first, person)
    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    second = Client()
    log_in(second, person)
    response = second.post("/accounts/2fa/authenticate/", {"code": code})
    if totp_code(secret) == code:  # still the same period: the replay is refused
        assert response.status_code == 200
        assert SESSION_KEY not in second.session


def test_a_recovery_code_logs_in_once(person):
    client = Client()
    log_in(client, person)
    activate_totp(client)
    codes = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes"))
    unused = codes.get_unused_codes()
    assert len(unused) == 10

    fresh = Client()
    log_in(fresh, person)
    response = fresh.post("/accounts/2fa/authenticate/", {"code": unused[0]})
    assert response.status_code == 302
    assert fresh.session[SESSION_KEY] == str(person.pk)
    codes = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes"))
    assert unused[0] not in codes.get_unused_codes()

    again = Client()
    log_in(again, person)
    response = again.post(
        "/accounts/2fa/authenticate/", {"code": unused[0]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    assert SESSION_KEY not in again.session


def test_the_recovery_codes_page_shows_them(person):
    client = Client()
    log_in(client, person)
    activate_totp(client)
    response = client.get(f"{MFA_URL}recovery-codes/")
    assert response.status_code == 200
    codes = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes"))
    for code in codes.get_unused_codes():
        assert code in response.content.decode()


def test_switching_the_app_off(person):
    client = Client()
    log_in(client, person)
    activate_totp(client)
    response = client.post(f"{MFA_URL}totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person, type="totp").exists()
    fresh = Client()
    response = log_in(fresh, person)
    assert fresh.session[SESSION_KEY] == str(person.pk)


# --- "Download my data" ------------------------------------------------------------------


def test_the_download_lists_the_methods_and_never_their_secrets(person):
    client = Client()
    log_in(client, person)
    secret = activate_totp(client)
    methods = sign_in_methods(person)
    assert [m["method"] for m in methods] == ["totp", "recovery_codes"]
    assert all(m["created_at"] for m in methods)
    text = repr(methods)
    assert secret not in text
    codes = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes"))
    for code in codes.get_unused_codes():
        assert code not in text
    assert "seed" not in text


def test_the_download_lists_the_email_addresses(person):
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    assert email_addresses(person) == [
        {"email": person.email, "verified": True, "primary": True, "confirmations_sent": []}
    ]
    assert email_addresses(UserFactory()) == []


def test_erasing_the_account_removes_its_methods_and_addresses(person):
    with_totp(person)
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    account_erase(user=person)
    assert not Authenticator.objects.exists()
    assert not EmailAddress.objects.exists()
