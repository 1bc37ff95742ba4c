"""The admins' page for the organisation's provider: who may open it, what it checks, and
that the client secret is stored encrypted and never shown."""

import pytest
from django.test import override_settings
from django.urls import reverse

from coro.core import crypto
from coro.identity.models import AllowedDomain, IdentityProvider
from coro.identity.presets import GOOGLE_ISSUER, Preset
from coro.identity.tests.conftest import DOMAIN

SECRET = "GOCSPX-very-secret-value-4242"


def page_url(org) -> str:
    return reverse("identity:settings", kwargs={"org_code": org.code})


def save_url(org) -> str:
    return reverse("identity:settings_save", kwargs={"org_code": org.code})


def google(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "preset": Preset.GOOGLE,
        "client_id": "1234-abc.apps.googleusercontent.com",
        "client_secret": SECRET,
        "domains": f"{DOMAIN}\nacme-ventas.example",
        "enabled": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def english(tenancy, user):
    """A signed-in client whose browser asks for English (the messages checked below)."""
    client = tenancy.client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def stored(org) -> IdentityProvider:
    return IdentityProvider.objects.get(organisation=org)


# --- Who may open it ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "employee"])
def test_editors_and_employees_get_403(tenancy, who):
    client = english(tenancy, getattr(tenancy, who).user)
    assert client.get(page_url(tenancy.org)).status_code == 403
    assert client.post(save_url(tenancy.org), google()).status_code == 403
    assert not IdentityProvider.objects.exists()


def test_an_outsider_gets_404(tenancy):
    client = english(tenancy, tenancy.outsider.user)
    assert client.get(page_url(tenancy.org)).status_code == 404
    assert client.post(save_url(tenancy.org), google()).status_code == 404
    assert not IdentityProvider.objects.exists()


def test_the_admin_sees_what_to_register(tenancy):
    response = english(tenancy, tenancy.admin.user).get(page_url(tenancy.org))
    assert response.status_code == 200
    page = response.content.decode()
    callback = reverse("openid_connect_callback", kwargs={"provider_id": f"org-{tenancy.org.code}"})
    assert f"http://127.0.0.1:8000{callback}" in page or callback in page
    assert "openid email profile" in page
    assert f"CORO_OIDC_SECRET_{tenancy.org.code.upper()}" in page


# --- Saving ------------------------------------------------------------------------------------


def test_google_preset_fills_the_issuer_and_stores_the_secret_encrypted(tenancy):
    client = english(tenancy, tenancy.admin.user)
    response = client.post(save_url(tenancy.org), google())
    assert response.status_code == 302, response.content.decode()

    provider = stored(tenancy.org)
    assert provider.preset == Preset.GOOGLE
    assert provider.issuer == GOOGLE_ISSUER
    assert provider.enabled
    assert sorted(d.domain for d in provider.domains.all()) == ["acme-ventas.example", DOMAIN]
    # At rest: the column holds a Fernet token naming its key, not the secret.
    column = IdentityProvider.objects.values_list("client_secret_encrypted", flat=True).get()
    assert SECRET not in column
    assert column.startswith("dev:")
    assert crypto.decrypt(column) == SECRET


def test_the_secret_is_never_shown_back(tenancy):
    client = english(tenancy, tenancy.admin.user)
    client.post(save_url(tenancy.org), google())
    column = stored(tenancy.org).client_secret_encrypted

    page = client.get(page_url(tenancy.org)).content.decode()
    assert SECRET not in page
    assert column.partition(":")[2] not in page
    assert 'id="secret-status"' in page
    assert "set (stored encrypted" in page

    # Nor on a form sent back with a mistake.
    page = client.post(save_url(tenancy.org), google(domains="not a domain!")).content.decode()
    assert SECRET not in page


def test_a_blank_secret_keeps_the_stored_one(tenancy):
    client = english(tenancy, tenancy.admin.user)
    client.post(save_url(tenancy.org), google())
    response = client.post(save_url(tenancy.org), google(client_secret="", client_id="other-id"))
    assert response.status_code == 302
    provider = stored(tenancy.org)
    assert provider.client_id == "other-id"
    assert crypto.decrypt(provider.client_secret_encrypted) == SECRET


def test_the_secret_can_come_from_the_environment(tenancy, monkeypatch):
    client = english(tenancy, tenancy.admin.user)
    data = google(client_secret="")
    response = client.post(save_url(tenancy.org), data)
    assert response.status_code == 400
    assert "environment variable" in response.content.decode()

    monkeypatch.setenv(f"CORO_OIDC_SECRET_{tenancy.org.code.upper()}", "from-the-env")
    assert client.post(save_url(tenancy.org), data).status_code == 302
    provider = stored(tenancy.org)
    assert provider.client_secret_encrypted == ""
    page = client.get(page_url(tenancy.org)).content.decode()
    assert "from-the-env" not in page
    assert "read from the server" in page


def test_forgetting_the_stored_secret(tenancy, monkeypatch):
    client = english(tenancy, tenancy.admin.user)
    client.post(save_url(tenancy.org), google())
    monkeypatch.setenv(f"CORO_OIDC_SECRET_{tenancy.org.code.upper()}", "from-the-env")
    response = client.post(save_url(tenancy.org), google(client_secret="", forget_secret="on"))
    assert response.status_code == 302
    assert stored(tenancy.org).client_secret_encrypted == ""


def test_microsoft_needs_the_organisations_own_tenant(tenancy):
    client = english(tenancy, tenancy.admin.user)
    data = google(preset=Preset.MICROSOFT)
    assert client.post(save_url(tenancy.org), data).status_code == 400
    for shared in ["common", "organizations", "Consumers"]:
        response = client.post(save_url(tenancy.org), {**data, "tenant": shared})
        assert response.status_code == 400
        assert "any organisation" in response.content.decode()
    tenant = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    assert client.post(save_url(tenancy.org), {**data, "tenant": tenant}).status_code == 302
    provider = stored(tenancy.org)
    assert provider.issuer == f"https://login.microsoftonline.com/{tenant}/v2.0"
    page = client.get(page_url(tenancy.org)).content.decode()
    assert f'value="{tenant}"' in page


@pytest.mark.parametrize(
    ("issuer", "message"),
    [
        ("", "Give the issuer"),
        ("not a url", "valid URL"),
        ("http://sso.acme.example", "https://"),
        ("ftp://sso.acme.example", "valid URL"),
        ("https://10.1.2.3/realms/acme", "public address"),
        ("https://127.0.0.1:8443", "public address"),
        ("https://localhost", "public address"),
        ("https://sso.acme.example/?x=1", "plain address"),
        ("http://127.0.0.1:9000", "https://"),  # plain http on loopback: only with DEBUG on
    ],
)
def test_a_generic_issuer_is_checked(tenancy, issuer, message):
    client = english(tenancy, tenancy.admin.user)
    response = client.post(save_url(tenancy.org), google(preset=Preset.GENERIC, issuer=issuer))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_a_generic_https_issuer_is_saved_without_its_trailing_slash(tenancy):
    client = english(tenancy, tenancy.admin.user)
    data = google(preset=Preset.GENERIC, issuer="https://sso.acme.example/realms/acme/")
    assert client.post(save_url(tenancy.org), data).status_code == 302
    assert stored(tenancy.org).issuer == "https://sso.acme.example/realms/acme"


def test_loopback_http_is_accepted_with_debug_on(tenancy):
    client = english(tenancy, tenancy.admin.user)
    data = google(preset=Preset.GENERIC, issuer="http://127.0.0.1:9000")
    with override_settings(DEBUG=True):
        assert client.post(save_url(tenancy.org), data).status_code == 302


@pytest.mark.parametrize(
    ("domains", "message"),
    [
        ("gmail.com", "public e-mail service"),
        ("acme", "not a domain name"),
        ("-acme.example", "not a domain name"),
        ("acme..example", "not a domain name"),
        ("ac me.example!", "not a domain name"),
    ],
)
def test_domains_are_checked(tenancy, domains, message):
    client = english(tenancy, tenancy.admin.user)
    response = client.post(save_url(tenancy.org), google(domains=domains))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_domains_are_normalised(tenancy):
    client = english(tenancy, tenancy.admin.user)
    data = google(domains=" @ACME.example, acme.example;cerámica.example ")
    assert client.post(save_url(tenancy.org), data).status_code == 302
    assert sorted(AllowedDomain.objects.values_list("domain", flat=True)) == [
        DOMAIN,
        "cerámica.example".encode("idna").decode(),
    ]


def test_switching_on_needs_a_domain(tenancy):
    client = english(tenancy, tenancy.admin.user)
    response = client.post(save_url(tenancy.org), google(domains=""))
    assert response.status_code == 400
    assert "at least one domain" in response.content.decode()
    # Saved switched off, it may wait for its domains.
    assert client.post(save_url(tenancy.org), google(domains="", enabled=None)).status_code == 302
    assert not stored(tenancy.org).enabled


def test_a_domain_of_another_organisation_is_refused(tenancy):
    other = english(tenancy, tenancy.outsider.user)
    assert other.post(save_url(tenancy.other_org), google(domains=DOMAIN)).status_code == 302
    client = english(tenancy, tenancy.admin.user)
    response = client.post(save_url(tenancy.org), google())
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another organisation on this Coro already lists this domain." in page
    assert tenancy.other_org.name not in page
    assert not IdentityProvider.objects.filter(organisation=tenancy.org).exists()


def test_removing_a_domain(tenancy):
    client = english(tenancy, tenancy.admin.user)
    client.post(save_url(tenancy.org), google())
    assert client.post(save_url(tenancy.org), google(domains=DOMAIN)).status_code == 302
    assert list(AllowedDomain.objects.values_list("domain", flat=True)) == [DOMAIN]


def test_an_unreadable_stored_secret_is_said_plainly(tenancy):
    client = english(tenancy, tenancy.admin.user)
    with override_settings(ENCRYPTION_KEYS={"gone": "g" * 40}):
        client.post(save_url(tenancy.org), google())
    page = client.get(page_url(tenancy.org)).content.decode()
    assert "cannot be decrypted" in page


def test_changes_are_audited_without_the_secret(tenancy):
    from coro.audit.models import AuditEntry

    client = english(tenancy, tenancy.admin.user)
    assert client.post(save_url(tenancy.org), google()).status_code == 302
    assert client.post(save_url(tenancy.org), google(client_secret="")).status_code == 302
    assert (
        client.post(save_url(tenancy.org), google(enabled=None, client_secret="")).status_code
        == 302
    )
    entries = list(
        AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN_CHANGED).order_by("pk")
    )
    # Created, then switched off; saving the same settings again records nothing.
    assert len(entries) == 2
    assert entries[0].before == {} and entries[0].after["secret"] == "changed"
    assert entries[1].before["enabled"] is True and entries[1].after["enabled"] is False
    assert all(e.actor_ref == tenancy.admin.code for e in entries)
    assert not any(SECRET in str(e.before) + str(e.after) for e in entries)
