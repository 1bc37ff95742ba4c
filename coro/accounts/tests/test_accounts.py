"""Logging in and out, resetting a password (django-allauth's views with Coro's forms and
pages), the profile and the language switch."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    check_password,
    identify_hasher,
    make_password,
)
from django.core import mail
from django.test import Client, override_settings
from django.utils import translation

from coro.accounts.models import User
from testing.factories import MembershipFactory, UserFactory
from testing.tenancy import PASSWORD

LOGIN_URL = "/accounts/login/"
NEW_PASSWORD = "tejas-de-barro-y-sol-2026"


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="marta.soler@example.com", name="Marta Soler", language="en")


# --- Login -------------------------------------------------------------------------------


def test_login_page_renders(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="login"' in html
    assert 'type="email"' in html
    assert 'autocomplete="email"' in html


def test_login_with_email_and_password(client, person):
    response = client.post(LOGIN_URL, {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == str(person.pk)


def test_login_sets_the_persons_language_cookie(client, person):
    response = client.post(LOGIN_URL, {"login": person.email, "password": PASSWORD})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"


def test_login_email_is_case_insensitive(client, person):
    response = client.post(LOGIN_URL, {"login": "  Marta.Soler@EXAMPLE.com ", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(person.pk)


def test_wrong_password_is_refused(client, person):
    response = client.post(LOGIN_URL, {"login": person.email, "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert logged_in_user_id(client) is None


def test_unknown_email_is_refused(client, person):
    response = client.post(LOGIN_URL, {"login": "nobody@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert logged_in_user_id(client) is None


def test_unknown_email_and_wrong_password_get_the_same_answer(client, person):
    wrong = client.post(LOGIN_URL, {"login": person.email, "password": "nope-nope-nope"})
    unknown = client.post(LOGIN_URL, {"login": "nobody@example.com", "password": PASSWORD})
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_inactive_person_cannot_log_in(client, person):
    person.is_active = False
    person.save()
    response = client.post(LOGIN_URL, {"login": person.email, "password": PASSWORD})
    assert logged_in_user_id(client) is None
    assert response["Location"] == "/accounts/inactive/"


def test_login_follows_a_local_next_but_not_a_foreign_one(client, person):
    data = {"login": person.email, "password": PASSWORD}
    response = client.post(f"{LOGIN_URL}?next=/accounts/profile/", data)
    assert response["Location"] == "/accounts/profile/"
    client.logout()
    response = client.post(f"{LOGIN_URL}?next=https://evil.example/", data)
    assert response["Location"] == "/"


def test_signed_in_person_is_sent_on_from_login_page(person):
    client = Client()
    client.force_login(person)
    assert client.get(LOGIN_URL).status_code == 302


def test_create_user_stores_the_email_lowercased(db):
    user = User.objects.create_user("Pablo.Gimenez@Example.COM", "x" * 12, name="Pablo")
    assert user.email == "pablo.gimenez@example.com"
    assert authenticate(username="pablo.gimenez@example.com", password="x" * 12) == user


# --- Logout ------------------------------------------------------------------------------


def test_logout_by_get_only_asks_and_keeps_the_session(person):
    client = Client()
    client.force_login(person)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert logged_in_user_id(client) == str(person.pk)


def test_logout_by_post_ends_the_session(person):
    client = Client()
    client.force_login(person)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert logged_in_user_id(client) is None
    assert client.get("/accounts/profile/").status_code == 302


def test_logout_is_csrf_protected(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.post("/accounts/logout/").status_code == 403
    assert logged_in_user_id(client) == str(person.pk)


# --- Password reset ----------------------------------------------------------------------

RESET_URL = "/accounts/password-reset/"
RESET_SENT = "/accounts/password/reset/done/"
RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")


def test_password_reset_round_trip(client, person):
    response = client.post(RESET_URL, {"email": person.email})
    assert response.status_code == 302
    assert response["Location"] == RESET_SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert message.subject == "Reset your Coro password"
    match = RESET_LINK.search(message.body)
    assert match, message.body

    # Following the link swaps the key for a session-bound form.
    response = client.get(urlsplit(match.group(0)).path, follow=True)
    assert response.status_code == 200
    assert not response.context.get("token_fail")
    set_password_url = response.redirect_chain[-1][0]

    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"

    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert not person.check_password(PASSWORD)

    fresh = Client()
    response = fresh.post(LOGIN_URL, {"login": person.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(fresh) == str(person.pk)

    # The link works once.
    again = Client().get(urlsplit(match.group(0)).path, follow=True)
    assert again.context["token_fail"] is True


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client, person):
    response = client.post(RESET_URL, {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == RESET_SENT
    assert mail.outbox == []


def test_password_reset_mail_speaks_the_persons_language(client, person):
    person.language = "ca"
    person.save()
    client.post(RESET_URL, {"email": person.email}, HTTP_ACCEPT_LANGUAGE="es")
    with translation.override("ca"):
        subject = translation.gettext("Reset your Coro password")
    assert subject != "Reset your Coro password"  # the catalogue has it
    assert mail.outbox[0].subject == subject


def test_password_reset_mail_without_a_chosen_language_follows_the_request(client, person):
    person.language = ""
    person.save()
    client.post(RESET_URL, {"email": person.email}, HTTP_ACCEPT_LANGUAGE="es")
    with translation.override("es"):
        assert mail.outbox[0].subject == translation.gettext("Reset your Coro password")


def test_tampered_reset_link_is_refused(client, person):
    client.post(RESET_URL, {"email": person.email})
    path = urlsplit(RESET_LINK.search(mail.outbox[0].body).group(0)).path
    tampered = path[:-2] + ("a" if path[-2] != "a" else "b") + "/"
    response = client.get(tampered, follow=True)
    assert response.context["token_fail"] is True
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_change_password_needs_the_current_one(person):
    client = Client()
    client.force_login(person)
    url = "/accounts/password/change/"
    response = client.post(
        url, {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["oldpassword"]
    response = client.post(
        url, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


# --- No public sign-up -------------------------------------------------------------------


def test_public_sign_up_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    client.post(
        "/accounts/signup/",
        {"email": "intruder@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not User.objects.filter(email="intruder@example.com").exists()


def test_email_addresses_cannot_be_managed_they_come_from_the_invitation(person):
    client = Client()
    client.force_login(person)
    response = client.post("/accounts/email/", {"action_add": "", "email": "other@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    person.refresh_from_db()
    assert person.email == "marta.soler@example.com"


# --- Password hashing --------------------------------------------------------------------


def test_production_settings_hash_passwords_with_argon2():
    import coro.settings as production

    assert "Argon2" in production.PASSWORD_HASHERS[0]
    assert settings.PASSWORD_HASHERS != production.PASSWORD_HASHERS  # tests use a fast one
    # The library behind it is installed, so the production list really hashes with Argon2.
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        encoded = make_password("secret")
        assert encoded.startswith("argon2$")
        assert isinstance(identify_hasher(encoded), Argon2PasswordHasher)
        assert check_password("secret", encoded)
        assert not check_password("Secret", encoded)


def test_passwords_are_never_stored_in_clear(person):
    assert PASSWORD not in person.password
    assert person.check_password(PASSWORD)


# --- Language switch ---------------------------------------------------------------------


def test_language_switch_sets_cookie_and_returns_to_next(client, db):
    response = client.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(LOGIN_URL)
    assert page.wsgi_request.LANGUAGE_CODE == "en"
    assert '<html lang="en">' in page.content.decode()


def test_language_switch_saves_the_choice_on_the_account(person):
    client = Client()
    client.force_login(person)
    response = client.post("/accounts/language/", {"language": "es", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    person.refresh_from_db()
    assert person.language == "es"


def test_language_switch_does_not_touch_other_accounts(person):
    other = UserFactory(language="es")
    Client().post("/accounts/language/", {"language": "en", "next": "/"})
    other.refresh_from_db()
    person.refresh_from_db()
    assert (other.language, person.language) == ("es", "en")


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://evil.example",
        "javascript:alert(1)",
        "https:///evil.example",
        "\\\\evil.example",
    ],
)
def test_language_switch_refuses_open_redirects(client, db, next_url):
    response = client.post("/accounts/language/", {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_language_switch_without_next_goes_home(client, db):
    response = client.post("/accounts/language/", {"language": "en"})
    assert response["Location"] == "/"


def test_unknown_language_falls_back_to_the_default(person):
    client = Client()
    client.force_login(person)
    response = client.post("/accounts/language/", {"language": "xx", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == settings.LANGUAGE_CODE
    person.refresh_from_db()
    assert person.language == settings.LANGUAGE_CODE


def test_language_switch_is_post_only(client, db):
    response = client.get("/accounts/language/?language=en&next=/")
    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- Profile -----------------------------------------------------------------------------


def test_profile_needs_login(client, db):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=")


def test_profile_shows_the_persons_own_data(person):
    client = Client()
    client.force_login(person)
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert person.email in html
    assert 'value="Marta Soler"' in html


def test_profile_saves_name_and_language(person):
    client = Client()
    client.force_login(person)
    response = client.post("/accounts/profile/", {"name": "Marta Soler Puig", "language": "es"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    person.refresh_from_db()
    assert person.name == "Marta Soler Puig"
    assert person.language == "es"


def test_profile_cannot_change_email_or_privileges(person):
    client = Client()
    client.force_login(person)
    client.post(
        "/accounts/profile/",
        {
            "name": "Marta",
            "language": "en",
            "email": "hijack@example.com",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    person.refresh_from_db()
    assert person.email == "marta.soler@example.com"
    assert not person.is_staff
    assert not person.is_superuser


@pytest.mark.parametrize(
    "data",
    [{"name": "", "language": "es"}, {"name": "Marta", "language": "fr"}],
    ids=["empty-name", "unknown-language"],
)
def test_profile_refuses_invalid_data(person, data):
    client = Client()
    client.force_login(person)
    response = client.post("/accounts/profile/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    person.refresh_from_db()
    assert (person.name, person.language) == ("Marta Soler", "en")


def test_member_of_an_organisation_can_log_in_and_land_in_its_feed(client, db):
    membership = MembershipFactory(user__email="lucia@example.com")
    response = client.post(
        LOGIN_URL, {"login": "lucia@example.com", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/o/{membership.organisation.code}/"
    assert response.status_code == 200
