"""A real OpenID Connect provider on loopback (oidc-provider-mock: signed ID tokens, client
registration, nonce required) and a browser that walks through it: Django's test client for
Coro, ``requests`` for the provider's authorization form."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from oidc_provider_mock import User as MockUser
from oidc_provider_mock import run_server_in_thread

from coro.identity import services
from coro.identity.models import IdentityProvider, provider_id_for
from coro.identity.presets import Preset
from coro.orgs.models import Organisation

DOMAIN = "acme.example"
TIMEOUT = 10


def replace_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


@dataclass
class Provider:
    """The mock provider, registered as the organisation's provider in Coro."""

    issuer: str
    organisation: Organisation
    record: IdentityProvider
    client_id: str
    client_secret: str
    users: dict[str, dict[str, object]] = field(default_factory=dict)

    def set_user(self, sub: str, **claims: object) -> None:
        """Create or change a person at the provider (its PUT /users/<sub>)."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=TIMEOUT)
        assert response.status_code == 204, response.text

    def start(self, client: Client, email: str) -> str:
        """Coro's start page: the address of the provider's authorization endpoint."""
        response = client.post(reverse("identity:start"), {"email": email})
        assert response.status_code == 302, response.content.decode()
        location = response["Location"]
        assert location.startswith(f"{self.issuer}/oauth2/authorize?"), location
        return location

    def authorize(self, authorize_url: str, sub: str) -> str:
        """The person picks their account at the provider: the callback address it sends the
        browser back to."""
        response = requests.post(
            authorize_url, data={"sub": sub}, allow_redirects=False, timeout=TIMEOUT
        )
        assert response.status_code == 302, response.text
        return str(response.headers["Location"])

    def callback(self, client: Client, callback_url: str) -> HttpResponse:
        parts = urlsplit(callback_url)
        assert parts.netloc == "testserver", callback_url
        return client.get(f"{parts.path}?{parts.query}")  # type: ignore[return-value]

    def sign_in(
        self,
        client: Client,
        *,
        email: str,
        sub: str,
        tamper_authorize: Callable[[str], str] = lambda url: url,
        tamper_callback: Callable[[str], str] = lambda url: url,
    ) -> HttpResponse:
        authorize_url = tamper_authorize(self.start(client, email))
        callback_url = tamper_callback(self.authorize(authorize_url, sub))
        return self.callback(client, callback_url)


def callback_uri(organisation: Organisation) -> str:
    path = reverse("openid_connect_callback", kwargs={"provider_id": provider_id_for(organisation)})
    return f"http://testserver{path}"


@contextmanager
def provider_running(
    organisation: Organisation,
    *,
    users: Sequence[MockUser] = (),
    preset: Preset = Preset.GENERIC,
    domains: Sequence[str] = (DOMAIN,),
    require_nonce: bool = True,
    access_token_max_age: timedelta = timedelta(hours=1),
) -> Iterator[Provider]:
    with run_server_in_thread(
        require_client_registration=True,
        require_nonce=require_nonce,
        access_token_max_age=access_token_max_age,
        user_claims=users,
    ) as server:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"  # loopback only
        issuer = f"http://127.0.0.1:{port}"
        registered = requests.post(
            f"{issuer}/oauth2/clients",
            json={
                "redirect_uris": [callback_uri(organisation)],
                "token_endpoint_auth_method": "client_secret_post",
            },
            timeout=TIMEOUT,
        ).json()
        # Plain http on loopback is accepted only with DEBUG on (pytest-django turns it off).
        with override_settings(DEBUG=True):
            record = services.identity_provider_save(
                organisation=organisation,
                preset=preset,
                issuer=issuer,
                client_id=registered["client_id"],
                new_secret=registered["client_secret"],
                domains=list(domains),
                enabled=True,
            )
        yield Provider(
            issuer=issuer,
            organisation=organisation,
            record=record,
            client_id=registered["client_id"],
            client_secret=registered["client_secret"],
        )


def refused(response: HttpResponse, refusal: str, status: int) -> str:
    assert response.status_code == status, response.content.decode()[:500]
    page = response.content.decode()
    assert f'data-refusal="{refusal}"' in page
    return page


def nobody_signed_in(client: Client) -> None:
    assert "_auth_user_id" not in client.session


def verified(email: str, **claims: Any) -> dict[str, Any]:
    return {"email": email, "email_verified": True, **claims}


@pytest.fixture
def ana() -> MockUser:
    return MockUser(sub="ana-7f3", claims=verified(f"ana@{DOMAIN}", name="Ana Pérez"))


@pytest.fixture
def provider(tenancy: Any, ana: MockUser) -> Iterator[Provider]:
    """The tenancy organisation's provider, with Ana, a verified employee, at the provider."""
    with provider_running(tenancy.org, users=[ana]) as running:
        yield running
