"""What each kind of provider must say before Coro believes an address: Google's hosted
domain, Microsoft's xms_edov. Flows run against the loopback provider configured with the
preset's rules; the claim rules also have direct tests."""

import pytest
from django.test import Client
from oidc_provider_mock import User as MockUser

from coro.accounts.models import User
from coro.identity.claims import Answer, Refusal, SignInRefused, verified_email
from coro.identity.presets import Preset, tenant_of
from coro.identity.tests.conftest import (
    DOMAIN,
    nobody_signed_in,
    provider_running,
    refused,
    verified,
)


def test_google_workspace_accounts_sign_in(tenancy):
    leo = MockUser(sub="leo", claims=verified(f"leo@{DOMAIN}", hd=DOMAIN, name="Leo"))
    with provider_running(tenancy.org, users=[leo], preset=Preset.GOOGLE) as running:
        response = running.sign_in(Client(), email=f"leo@{DOMAIN}", sub="leo")
        assert response.status_code == 302
    assert User.objects.filter(email=f"leo@{DOMAIN}").exists()


def test_google_consumer_accounts_with_a_work_address_are_refused(tenancy):
    """A personal Google account can carry a verified work address; it has no "hd"."""
    leo = MockUser(sub="leo", claims=verified(f"leo@{DOMAIN}"))
    with provider_running(tenancy.org, users=[leo], preset=Preset.GOOGLE) as running:
        client = Client()
        refused(running.sign_in(client, email=f"leo@{DOMAIN}", sub="leo"), "workspace", 403)
        nobody_signed_in(client)


def test_microsoft_work_accounts_are_verified_by_xms_edov(tenancy):
    """Entra ID sends no email_verified; its optional xms_edov claim stands in."""
    mia = MockUser(sub="mia", claims={"email": f"mia@{DOMAIN}", "xms_edov": True, "name": "Mia"})
    with provider_running(tenancy.org, users=[mia], preset=Preset.MICROSOFT) as running:
        response = running.sign_in(Client(), email=f"mia@{DOMAIN}", sub="mia")
        assert response.status_code == 302
    assert User.objects.get(email=f"mia@{DOMAIN}").name == "Mia"


@pytest.mark.parametrize(
    "claims",
    [
        {"email": f"mia@{DOMAIN}"},
        {"email": f"mia@{DOMAIN}", "xms_edov": False},
        {"email": f"mia@{DOMAIN}", "xms_edov": True, "email_verified": False},
    ],
    ids=["no claim", "xms_edov false", "email_verified false wins"],
)
def test_microsoft_accounts_without_a_verified_domain_are_refused(tenancy, claims):
    mia = MockUser(sub="mia", claims=claims)
    with provider_running(tenancy.org, users=[mia], preset=Preset.MICROSOFT) as running:
        client = Client()
        refused(running.sign_in(client, email=f"mia@{DOMAIN}", sub="mia"), "unverified", 403)
        nobody_signed_in(client)


def test_xms_edov_means_nothing_for_other_providers(tenancy):
    mia = MockUser(sub="mia", claims={"email": f"mia@{DOMAIN}", "xms_edov": True})
    with provider_running(tenancy.org, users=[mia], preset=Preset.GENERIC) as running:
        refused(running.sign_in(Client(), email=f"mia@{DOMAIN}", sub="mia"), "unverified", 403)


# --- The claim rules on their own --------------------------------------------------------------


def check(id_token: dict, userinfo: dict | None = None, preset: Preset = Preset.GENERIC) -> str:
    return verified_email(
        Answer(id_token=id_token, userinfo=userinfo or {}),
        preset=preset,
        domains=[DOMAIN],
        organisation="Acme",
    )


def refusal_of(*args, **kwargs) -> Refusal:
    with pytest.raises(SignInRefused) as caught:
        check(*args, **kwargs)
    return caught.value.refusal


def test_the_string_true_counts_as_verified():
    assert check({"sub": "a", "email": f"A@{DOMAIN}", "email_verified": "true"}) == f"a@{DOMAIN}"
    assert refusal_of({"sub": "a", "email": f"a@{DOMAIN}", "email_verified": "yes"}) == (
        Refusal.UNVERIFIED
    )


def test_userinfo_about_another_subject_is_refused():
    id_token = {"sub": "a", "email": f"a@{DOMAIN}", "email_verified": True}
    userinfo = {"sub": "b", "email": f"b@{DOMAIN}", "email_verified": True}
    assert refusal_of(id_token, userinfo) == Refusal.TOKEN


def test_userinfo_claims_override_the_id_tokens():
    id_token = {"sub": "a", "email": f"a@{DOMAIN}"}
    userinfo = {"sub": "a", "email": f"a@{DOMAIN}", "email_verified": True}
    assert check(id_token, userinfo) == f"a@{DOMAIN}"


def test_no_id_token_is_refused():
    assert refusal_of({}, {"sub": "a", "email": f"a@{DOMAIN}", "email_verified": True}) == (
        Refusal.TOKEN
    )


@pytest.mark.parametrize("email", [None, "", "   ", 42, "no-at-sign", f"two@@{DOMAIN}"])
def test_a_missing_or_malformed_address_is_refused(email):
    assert refusal_of({"sub": "a", "email": email, "email_verified": True}) == Refusal.NO_EMAIL


def test_a_subdomain_is_not_the_domain():
    id_token = {"sub": "a", "email": f"a@eu.{DOMAIN}", "email_verified": True}
    assert refusal_of(id_token) == Refusal.DOMAIN


def test_microsoft_tenant_is_read_back_from_the_issuer():
    assert tenant_of("https://login.microsoftonline.com/contoso.example/v2.0") == (
        "contoso.example"
    )
    assert tenant_of("https://accounts.google.com") == ""
