"""Signing in with the organisation's provider, against a real OpenID Connect provider on
loopback (see conftest.py): what gets in, and everything that must not."""

from datetime import timedelta

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import _app as mock_app

from coro.accounts.models import User
from coro.identity.tests.conftest import (
    DOMAIN,
    nobody_signed_in,
    provider_running,
    query_of,
    refused,
    replace_query,
    verified,
)
from coro.orgs.models import Membership, Role
from coro.program.models import Participation
from testing.factories import MembershipFactory, UserFactory
from testing.tenancy import PASSWORD

# --- Getting in ------------------------------------------------------------------------------


def test_first_sign_in_lands_in_the_feed_as_an_employee_who_has_not_joined_the_program(
    tenancy, provider
):
    client = Client()
    response = provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3")

    feed = reverse("content:feed", kwargs={"org_code": tenancy.org.code})
    assert response.status_code == 302
    assert response["Location"] == feed
    assert client.get(feed).status_code == 200

    user = User.objects.get(email=f"ana@{DOMAIN}")
    assert user.name == "Ana Pérez"
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert membership.organisation == tenancy.org
    assert membership.role == Role.EMPLOYEE
    # Joining the organisation never enrols anyone in the program (charter rule 1).
    assert not Participation.objects.filter(membership=membership).exists()
    assert int(client.session["_auth_user_id"]) == user.pk

    account = SocialAccount.objects.get(user=user)
    assert account.provider == f"org-{tenancy.org.code}"
    assert account.uid == "ana-7f3"
    # A few claims, never a token.
    assert set(account.extra_data) <= {"sub", "iss", "email", "email_verified", "name"}
    assert account.extra_data["email"] == f"ana@{DOMAIN}"
    assert SocialToken.objects.count() == 0


def test_the_authorization_request_carries_state_nonce_pkce_and_the_scopes(tenancy, provider):
    authorize_url = provider.start(Client(), f"ana@{DOMAIN}")
    query = query_of(authorize_url)
    assert query["client_id"] == provider.client_id
    assert set(query["scope"].split()) == {"openid", "email", "profile"}
    assert len(query["state"]) >= 16
    assert len(query["nonce"]) >= 32
    assert query["code_challenge_method"] == "S256"
    assert query["login_hint"] == f"ana@{DOMAIN}"


def test_a_second_sign_in_reuses_the_account(tenancy, provider):
    provider.sign_in(Client(), email=f"ana@{DOMAIN}", sub="ana-7f3")
    client = Client()
    response = provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3")
    assert response.status_code == 302
    assert User.objects.filter(email=f"ana@{DOMAIN}").count() == 1
    assert Membership.objects.filter(user__email=f"ana@{DOMAIN}").count() == 1
    assert SocialAccount.objects.count() == 1


def test_addresses_are_compared_without_case(tenancy, provider):
    provider.set_user("ana-upper", **verified(f"Ana.Lopez@{DOMAIN.upper()}"))
    response = provider.sign_in(Client(), email=f"ana.lopez@{DOMAIN}", sub="ana-upper")
    assert response.status_code == 302
    assert User.objects.filter(email=f"ana.lopez@{DOMAIN}").exists()


# --- Linking an existing account -------------------------------------------------------------


def test_an_existing_member_is_linked_through_the_verified_address(tenancy, provider):
    eva = MembershipFactory.create(
        organisation=tenancy.org, role=Role.EDITOR, user__email=f"eva@{DOMAIN}"
    ).user
    provider.set_user("eva-idp", **verified(f"Eva@{DOMAIN}"))
    client = Client()

    response = provider.sign_in(client, email=f"eva@{DOMAIN}", sub="eva-idp")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == eva.pk
    assert SocialAccount.objects.get(uid="eva-idp").user == eva
    assert User.objects.filter(email__iexact=f"eva@{DOMAIN}").count() == 1
    # Their role stays as it was, and their password keeps working.
    assert Membership.objects.get(user=eva).role == Role.EDITOR
    eva.refresh_from_db()
    assert eva.check_password(PASSWORD)


def test_an_unverified_address_never_links_an_existing_account(tenancy, provider):
    eva = MembershipFactory.create(organisation=tenancy.org, user__email=f"eva@{DOMAIN}").user
    provider.set_user("eva-idp", email=f"eva@{DOMAIN}", email_verified=False)
    client = Client()

    response = provider.sign_in(client, email=f"eva@{DOMAIN}", sub="eva-idp")

    refused(response, "unverified", 403)
    nobody_signed_in(client)
    assert not SocialAccount.objects.filter(user=eva).exists()


def test_an_account_of_another_organisation_is_not_linked(tenancy, provider):
    """A provider vouches for its own organisation's people only."""
    elsewhere = MembershipFactory.create(
        organisation=tenancy.other_org, user__email=f"otto@{DOMAIN}"
    ).user
    provider.set_user("otto-idp", **verified(f"otto@{DOMAIN}"))
    client = Client()

    response = provider.sign_in(client, email=f"otto@{DOMAIN}", sub="otto-idp")

    page = refused(response, "account_elsewhere", 403)
    assert tenancy.org.name in page
    assert tenancy.other_org.name not in page
    nobody_signed_in(client)
    assert not SocialAccount.objects.exists()
    assert not Membership.objects.filter(user=elsewhere, organisation=tenancy.org).exists()


def test_an_account_without_organisation_is_not_linked(tenancy, provider):
    UserFactory.create(email=f"nadie@{DOMAIN}")
    provider.set_user("nadie-idp", **verified(f"nadie@{DOMAIN}"))
    client = Client()
    refused(
        provider.sign_in(client, email=f"nadie@{DOMAIN}", sub="nadie-idp"), "account_elsewhere", 403
    )
    nobody_signed_in(client)
    assert not SocialAccount.objects.exists()


def test_a_removed_member_is_not_let_back_in(tenancy, provider):
    provider.sign_in(Client(), email=f"ana@{DOMAIN}", sub="ana-7f3")
    Membership.objects.filter(user__email=f"ana@{DOMAIN}").delete()
    client = Client()
    refused(provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3"), "not_a_member", 403)
    nobody_signed_in(client)
    assert not Membership.objects.filter(user__email=f"ana@{DOMAIN}").exists()


def test_a_switched_off_account_is_refused(tenancy, provider):
    provider.sign_in(Client(), email=f"ana@{DOMAIN}", sub="ana-7f3")
    User.objects.filter(email=f"ana@{DOMAIN}").update(is_active=False)
    client = Client()
    refused(provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3"), "inactive", 403)
    nobody_signed_in(client)


# --- Refused: the person -----------------------------------------------------------------------


def test_a_domain_the_organisation_does_not_list_is_refused(tenancy, provider):
    """The start page knows the typed address, but the provider answers with another one."""
    provider.set_user("mallory", **verified("mallory@elsewhere.example"))
    client = Client()

    response = provider.sign_in(client, email=f"mallory@{DOMAIN}", sub="mallory")

    page = refused(response, "domain", 403)
    assert "elsewhere.example" in page
    nobody_signed_in(client)
    assert not User.objects.filter(email="mallory@elsewhere.example").exists()


def test_an_unknown_domain_gets_a_plain_answer_naming_no_organisation(tenancy, provider):
    client = Client()
    response = client.post(reverse("identity:start"), {"email": "someone@unknown.example"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "unknown.example" in page
    assert tenancy.org.name not in page
    assert tenancy.other_org.name not in page
    # A listed domain of a provider that is switched off gets the same answer.
    provider.record.enabled = False
    provider.record.save()
    response = client.post(reverse("identity:start"), {"email": f"ana@{DOMAIN}"})
    assert response.status_code == 400
    assert tenancy.org.name not in response.content.decode()


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 300 + "@acme.example"])
def test_a_malformed_address_gets_a_message(tenancy, email):
    response = Client().post(reverse("identity:start"), {"email": email})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_an_unverified_address_is_refused(tenancy, provider):
    provider.set_user("uma", email=f"uma@{DOMAIN}", email_verified=False)
    client = Client()
    refused(provider.sign_in(client, email=f"uma@{DOMAIN}", sub="uma"), "unverified", 403)
    nobody_signed_in(client)
    assert not User.objects.filter(email=f"uma@{DOMAIN}").exists()


def test_an_address_the_provider_does_not_call_verified_is_refused(tenancy, provider):
    provider.set_user("ulf", email=f"ulf@{DOMAIN}")  # no email_verified claim at all
    client = Client()
    refused(provider.sign_in(client, email=f"ulf@{DOMAIN}", sub="ulf"), "unverified", 403)
    assert not User.objects.filter(email=f"ulf@{DOMAIN}").exists()


def test_no_address_is_refused(tenancy, provider):
    provider.set_user("nomail", name="No Mail")
    client = Client()
    refused(provider.sign_in(client, email=f"nomail@{DOMAIN}", sub="nomail"), "no_email", 403)
    assert User.objects.count() == 4  # the tenancy's four people


def test_a_provider_switched_off_meanwhile_lets_nobody_in(tenancy, provider):
    client = Client()
    authorize_url = provider.start(client, f"ana@{DOMAIN}")
    provider.record.enabled = False
    provider.record.save()
    refused(
        provider.callback(client, provider.authorize(authorize_url, "ana-7f3")), "not_set_up", 403
    )
    nobody_signed_in(client)


# --- Refused: the protocol -----------------------------------------------------------------------


def test_a_tampered_state_is_refused(tenancy, provider):
    client = Client()
    response = provider.sign_in(
        client,
        email=f"ana@{DOMAIN}",
        sub="ana-7f3",
        tamper_callback=lambda url: replace_query(url, state="forged-state-value-1234"),
    )
    refused(response, "state", 400)
    nobody_signed_in(client)
    assert not User.objects.filter(email=f"ana@{DOMAIN}").exists()


def test_a_callback_from_another_browser_is_refused(tenancy, provider):
    """The state lives in the session of the browser that started: a code and state carried
    to another browser (login CSRF) get nowhere."""
    authorize_url = provider.start(Client(), f"ana@{DOMAIN}")
    callback_url = provider.authorize(authorize_url, "ana-7f3")
    victim = Client()
    refused(provider.callback(victim, callback_url), "state", 400)
    nobody_signed_in(victim)


def test_a_callback_used_twice_is_refused_the_second_time(tenancy, provider):
    client = Client()
    authorize_url = provider.start(client, f"ana@{DOMAIN}")
    callback_url = provider.authorize(authorize_url, "ana-7f3")
    assert provider.callback(client, callback_url).status_code == 302
    client.logout()
    refused(provider.callback(client, callback_url), "state", 400)
    nobody_signed_in(client)


def test_a_tampered_nonce_is_refused(tenancy, provider):
    """The provider signs into the ID token the nonce it was sent; one that is not the nonce
    Coro gave this sign-in (a replayed or injected token) is refused."""
    client = Client()
    response = provider.sign_in(
        client,
        email=f"ana@{DOMAIN}",
        sub="ana-7f3",
        tamper_authorize=lambda url: replace_query(
            url, nonce="attacker-chosen-nonce-0123456789abc"
        ),
    )
    refused(response, "nonce", 403)
    nobody_signed_in(client)
    assert not User.objects.filter(email=f"ana@{DOMAIN}").exists()


def test_a_sign_in_started_without_coros_nonce_is_refused(tenancy, ana):
    """allauth's own login address, used directly, sends no nonce: the answer is refused."""
    with provider_running(tenancy.org, users=[ana], require_nonce=False) as running:
        client = Client()
        login = reverse("openid_connect_login", kwargs={"provider_id": running.record.provider_id})
        response = client.post(login)
        assert response.status_code == 302
        assert "nonce" not in query_of(response["Location"])
        callback_url = running.authorize(response["Location"], "ana-7f3")
        refused(running.callback(client, callback_url), "nonce", 403)
        nobody_signed_in(client)


def failure_logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "coro.identity.adapters")


def test_expired_tokens_are_refused(tenancy, ana, caplog):
    """The provider issues tokens that expired two minutes ago."""
    with provider_running(
        tenancy.org, users=[ana], access_token_max_age=timedelta(seconds=-120)
    ) as running:
        client = Client()
        with caplog.at_level("INFO", logger="coro.identity.adapters"):
            response = running.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3")
        refused(response, "token", 403)
        nobody_signed_in(client)
        assert not User.objects.filter(email=f"ana@{DOMAIN}").exists()
        assert "401" in failure_logged(caplog)  # the provider refuses its expired token


def test_an_expired_id_token_is_refused_even_with_a_working_access_token(
    tenancy, provider, monkeypatch, caplog
):
    """Only the ID token is expired (the provider's userinfo endpoint still answers): its
    ``exp`` is what refuses the sign-in."""
    real = mock_app.OpenIDCode.get_jwt_config

    def expired_id_tokens(self, grant, client=None):
        return {**real(self, grant, client), "exp": -120}

    monkeypatch.setattr(mock_app.OpenIDCode, "get_jwt_config", expired_id_tokens)
    client = Client()
    with caplog.at_level("INFO", logger="coro.identity.adapters"):
        response = provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3")
    refused(response, "token", 403)
    nobody_signed_in(client)
    assert not User.objects.filter(email=f"ana@{DOMAIN}").exists()
    assert "ExpiredSignatureError" in failure_logged(caplog)


def test_an_id_token_from_another_issuer_is_refused(tenancy, provider, monkeypatch, caplog):
    """The ID token's issuer must be the provider's (its discovery document's)."""
    real = mock_app.OpenIDCode.get_jwt_config

    def other_issuer(self, grant, client=None):
        return {**real(self, grant, client), "iss": "http://127.0.0.1:9"}

    monkeypatch.setattr(mock_app.OpenIDCode, "get_jwt_config", other_issuer)
    client = Client()
    with caplog.at_level("INFO", logger="coro.identity.adapters"):
        response = provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3")
    refused(response, "token", 403)
    nobody_signed_in(client)
    assert "InvalidIssuerError" in failure_logged(caplog)


def test_a_cancelled_sign_in_says_so(tenancy, provider):
    client = Client()
    authorize_url = provider.start(client, f"ana@{DOMAIN}")
    response = requests.post(
        authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302
    refused(provider.callback(client, response.headers["Location"]), "cancelled", 400)
    nobody_signed_in(client)


def test_an_unreachable_provider_gets_a_message_not_an_error(tenancy, ana):
    with provider_running(tenancy.org, users=[ana]) as running:
        pass  # the provider has stopped
    client = Client()
    response = client.post(reverse("identity:start"), {"email": f"ana@{DOMAIN}"})
    refused(response, "unreachable", 502)
    assert running.record.pk


def test_a_wrong_client_secret_lets_nobody_in(tenancy, provider):
    from coro.core import crypto

    provider.record.client_secret_encrypted = crypto.encrypt("not-the-secret")
    provider.record.save()
    client = Client()
    refused(provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3"), "token", 403)
    nobody_signed_in(client)


def test_a_provider_listing_another_organisations_domain_cannot_exist(tenancy, provider):
    """A domain belongs to one organisation: another cannot claim it to catch its people."""
    from django.core.exceptions import ValidationError

    from coro.identity import services

    with pytest.raises(ValidationError):
        services.identity_provider_save(
            organisation=tenancy.other_org,
            preset=provider.record.preset,
            issuer=provider.issuer,
            client_id="theirs",
            new_secret="theirs",
            domains=[DOMAIN],
            enabled=True,
        )


def test_another_organisations_employee_cannot_sign_in_through_this_provider(tenancy, ana):
    """A person of the other organisation, at the other organisation's domain, is refused
    by this organisation's provider even if it vouches for them."""
    with provider_running(tenancy.org, users=[ana]) as running:
        running.set_user("spy", **verified("spy@otra.example"))
        client = Client()
        refused(running.sign_in(client, email=f"spy@{DOMAIN}", sub="spy"), "domain", 403)


def test_the_refusal_page_offers_a_way_on(tenancy, provider):
    provider.set_user("uma", email=f"uma@{DOMAIN}", email_verified=False)
    page = refused(provider.sign_in(Client(), email=f"uma@{DOMAIN}", sub="uma"), "unverified", 403)
    assert reverse("identity:start") in page
    assert reverse("accounts:login") in page


def test_the_start_page_renders(tenancy):
    response = Client().get(reverse("identity:start"))
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()
