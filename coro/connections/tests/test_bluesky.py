"""Bluesky, against a real local PDS (``testing/bluesky.py``): connecting with an app
password through Coro's page, and posting with link facets and a link card."""

import io
import itertools
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.urls import reverse
from PIL import Image

from coro.connections.models import ConnectedAccount
from coro.core import crypto
from coro.networks.clients import AuthError, ClientError
from coro.networks.clients import bluesky as client
from testing.bluesky import LocalPds, bluesky_pds  # noqa: F401
from testing.tenancy import Tenancy


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read Coro's English texts (the default language is Spanish)."""
    settings.LANGUAGE_CODE = "en"


_handles = itertools.count()


@pytest.fixture
def pds(bluesky_pds: LocalPds, settings: Any) -> LocalPds:  # noqa: F811
    settings.FETCH_TEST_ALLOW = [bluesky_pds.endpoint]
    return bluesky_pds


def _account(pds: LocalPds) -> tuple[str, str, str]:
    """A new account on the PDS and an app password for it: (handle, did, app password)."""
    handle = f"ana{next(_handles)}.test"
    created = pds.account_create(handle)
    return handle, created["did"], pds.app_password_create(created["accessJwt"])


def _connect_url(tenancy: Tenancy) -> str:
    return reverse("connections:bluesky_connect", kwargs={"org_code": tenancy.org.code})


def _jpeg(width: int, height: int, *, noisy: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 60, 30))
    if noisy:  # random pixels compress badly: a big file
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def _credentials(pds: LocalPds, handle: str, did: str, password: str) -> dict[str, str]:
    return {"server": pds.url, "handle": handle, "did": did, "app_password": password}


# --- Connecting ----------------------------------------------------------------------------


def test_the_page_explains_how_to_make_an_app_password(tenancy: Tenancy) -> None:
    response = tenancy.client_for(tenancy.employee.user).get(_connect_url(tenancy))
    assert response.status_code == 200
    assert "Settings → Privacy and security → App passwords" in response.content.decode()


def test_connecting_with_an_app_password_stores_the_account_encrypted(
    pds: LocalPds, tenancy: Tenancy
) -> None:
    handle, did, password = _account(pds)
    response = tenancy.client_for(tenancy.employee.user).post(
        _connect_url(tenancy), {"handle": "@" + handle, "app_password": password, "server": pds.url}
    )
    assert response.status_code == 302, response.content.decode()
    account = ConnectedAccount.objects.get(membership=tenancy.employee, network="bluesky")
    assert (account.handle, account.remote_id, account.server) == (handle, did, pds.url)
    assert account.credentials == _credentials(pds, handle, did, password)
    assert password not in account.credentials_encrypted
    # The test PDS has no AppView: no follower count, and no error either.
    assert account.followers_count is None


def test_a_wrong_app_password_says_so_and_saves_nothing(pds: LocalPds, tenancy: Tenancy) -> None:
    handle, _did, _password = _account(pds)
    response = tenancy.client_for(tenancy.employee.user).post(
        _connect_url(tenancy),
        {"handle": handle, "app_password": "abcd-efgh-ijkl-mnop", "server": pds.url},
    )
    assert response.status_code == 422
    assert "Bluesky refused this handle and app password" in response.content.decode()
    assert not ConnectedAccount.objects.exists()


def test_a_main_password_is_refused_before_anything_is_sent(tenancy: Tenancy) -> None:
    response = tenancy.client_for(tenancy.employee.user).post(
        _connect_url(tenancy),
        {"handle": "ana.bsky.social", "app_password": "my own password", "server": ""},
    )
    assert response.status_code == 422
    assert "doesn&#x27;t look like an app password" in response.content.decode()
    assert not ConnectedAccount.objects.exists()


@pytest.mark.parametrize(
    ("handle", "server"),
    [("ana bsky.social", ""), ("ana.bsky.social", "http://10.0.0.5")],
)
def test_the_app_password_is_kept_when_only_the_handle_or_server_failed(
    tenancy: Tenancy, handle: str, server: str, settings: Any
) -> None:
    settings.FETCH_TEST_ALLOW = None  # bsky.social passes the first look (nothing is sent)
    response = tenancy.client_for(tenancy.employee.user).post(
        _connect_url(tenancy),
        {"handle": handle, "app_password": "abcd-efgh-ijkl-mnop", "server": server},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="abcd-efgh-ijkl-mnop"' in html
    assert "paste the app password again" not in html
    assert "no-store" in response["Cache-Control"]
    # The summary at the top, with a link to the field that failed.
    summary = html.split('id="form-errors"')[1].split("</div>")[0]
    assert ('href="#id_handle"' in summary) == (server == "")
    assert ('href="#id_server"' in summary) == (server != "")


def test_a_refused_app_password_is_not_shown_again_and_the_page_says_so(
    tenancy: Tenancy,
) -> None:
    response = tenancy.client_for(tenancy.employee.user).post(
        _connect_url(tenancy),
        {"handle": "ana.bsky.social", "app_password": "my own password", "server": ""},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "my own password" not in html
    summary = html.split('id="form-errors"')[1].split("</div>")[0]
    assert 'href="#id_app_password"' in summary
    assert "Coro emptied the app password field: paste the app password again." in summary
    # Nothing typed: nothing was emptied.
    blank = tenancy.client_for(tenancy.employee.user).post(
        _connect_url(tenancy), {"handle": "ana.bsky.social", "app_password": "", "server": ""}
    )
    assert "paste the app password again" not in blank.content.decode()


@pytest.mark.parametrize(
    "server",
    [
        "http://10.0.0.5",
        "https://192.168.1.1",
        "https://[::1]:8443",
        "https://localhost",
        "https://169.254.169.254",
        "ftp://bsky.social",
        "https://pds.internal",
    ],
)
def test_private_servers_are_refused(server: str) -> None:
    with pytest.raises(ClientError):
        client.server_normalise(server)


def test_a_public_server_is_normalised(settings: Any) -> None:
    settings.FETCH_TEST_ALLOW = None  # as in real use (nothing is contacted here)
    assert client.server_normalise("") == "https://bsky.social"
    assert client.server_normalise(" bsky.social/ ") == "https://bsky.social"
    assert client.server_normalise("https://PDS.Example.com:8443/xrpc") == (
        "https://pds.example.com:8443"
    )
    with pytest.raises(ClientError):
        client.server_normalise("http://pds.example.com")  # https only


# --- Posting -------------------------------------------------------------------------------


def test_facets_are_at_utf8_byte_offsets() -> None:
    text = "¡Olé! 🎉 Mira https://example.com/a(b) y (https://coro.test/r/x)."
    facets = client.link_facets(text)
    encoded = text.encode()
    found = [encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert found == ["https://example.com/a(b)", "https://coro.test/r/x"]
    assert [f["features"][0]["uri"] for f in facets] == found
    assert facets[0]["index"]["byteStart"] == len("¡Olé! 🎉 Mira ".encode()) != text.index("h")


def test_record_keys_are_valid_tids_and_stable() -> None:
    key = client.record_key("share-123")
    assert key == client.record_key("share-123") != client.record_key("share-124")
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    assert set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")


def test_a_post_reads_back_with_text_facets_and_card(pds: LocalPds) -> None:
    handle, did, password = _account(pds)
    link = "http://127.0.0.1:8000/r/AbC123"
    text = (
        "Nuestra café 🎉 abre en Sevilla: pásate, ¡te esperamos! Más en https://azulejos.test/cafe"
    )
    card = client.LinkCard(
        uri=link,
        title="Abrimos en Sevilla ☕",
        description="Todo sobre la apertura, con fotos.",
        image=_jpeg(800, 420),
    )
    posted = client.CLIENT.post(
        credentials=_credentials(pds, handle, did, password),
        text=text,
        link=link,
        idempotency_key="scheduled-1",
        preview=card,
    )
    rkey = client.record_key("scheduled-1")
    assert posted.remote_id == f"at://{did}/app.bsky.feed.post/{rkey}"
    record = pds.record_get(did, "app.bsky.feed.post", rkey)["value"]
    assert record["text"] == f"{text} {link}"
    encoded = record["text"].encode()
    spans = [
        encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in record["facets"]
    ]
    assert spans == ["https://azulejos.test/cafe", link]
    assert [f["features"][0] for f in record["facets"]] == [
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://azulejos.test/cafe"},
        {"$type": "app.bsky.richtext.facet#link", "uri": link},
    ]
    # The link starts after the accents and the emoji: bytes, not characters.
    assert record["facets"][1]["index"]["byteStart"] == len(f"{text} ".encode())
    assert record["facets"][1]["index"]["byteStart"] > len(f"{text} ")
    external = record["embed"]["external"]
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert (external["uri"], external["title"], external["description"]) == (
        link,
        "Abrimos en Sevilla ☕",
        "Todo sobre la apertura, con fotos.",
    )
    thumb = external["thumb"]
    assert thumb["mimeType"] == "image/jpeg" and 0 < thumb["size"] < 1_000_000
    blob = pds.blob_get(did, thumb["ref"]["$link"])
    assert len(blob) == thumb["size"]
    assert Image.open(io.BytesIO(blob)).size == (800, 420)


def test_posting_twice_with_the_same_key_makes_one_post(pds: LocalPds) -> None:
    handle, did, password = _account(pds)
    credentials = _credentials(pds, handle, did, password)
    first = client.CLIENT.post(
        credentials=credentials, text="Hola", link="", idempotency_key="same"
    )
    again = client.CLIENT.post(
        credentials=credentials, text="Hola otra vez", link="", idempotency_key="same"
    )
    other = client.CLIENT.post(
        credentials=credentials, text="Otra", link="", idempotency_key="other"
    )
    assert first == again != other
    records = pds.records_list(did, "app.bsky.feed.post")
    assert sorted(r["value"]["text"] for r in records) == ["Hola", "Otra"]


def test_a_big_preview_image_is_shrunk_under_the_limit(pds: LocalPds) -> None:
    image = _jpeg(1800, 1800, noisy=True)
    assert len(image) > 1_000_000
    handle, did, password = _account(pds)
    client.CLIENT.post(
        credentials=_credentials(pds, handle, did, password),
        text="Foto",
        link="https://azulejos.test/foto",
        idempotency_key="big",
        preview=client.LinkCard(
            uri="https://azulejos.test/foto", title="F", description="", image=image
        ),
    )
    record = pds.record_get(did, "app.bsky.feed.post", client.record_key("big"))["value"]
    assert 0 < record["embed"]["external"]["thumb"]["size"] < 1_000_000


def test_an_unreadable_image_leaves_the_card_without_a_picture(pds: LocalPds) -> None:
    handle, did, password = _account(pds)
    client.CLIENT.post(
        credentials=_credentials(pds, handle, did, password),
        text="Sin foto",
        link="https://azulejos.test/x",
        idempotency_key="nopic",
        preview=client.LinkCard(
            uri="https://azulejos.test/x", title="X", description="", image=b"not an image"
        ),
    )
    record = pds.record_get(did, "app.bsky.feed.post", client.record_key("nopic"))["value"]
    assert record["embed"]["external"]["title"] == "X"
    assert "thumb" not in record["embed"]["external"]


def test_a_revoked_app_password_is_an_auth_error(pds: LocalPds) -> None:
    handle, did, _password = _account(pds)
    with pytest.raises(AuthError):
        client.CLIENT.post(
            credentials=_credentials(pds, handle, did, "abcd-efgh-ijkl-mnop"),
            text="x",
            link="",
            idempotency_key="k",
        )
    assert pds.records_list(did, "app.bsky.feed.post") == []


def test_the_follower_count_is_none_without_an_appview(pds: LocalPds) -> None:
    handle, did, password = _account(pds)
    assert client.CLIENT.audience_size(credentials=_credentials(pds, handle, did, password)) is None


def test_tampered_credentials_fail_closed(pds: LocalPds, tenancy: Tenancy) -> None:
    handle, _did, password = _account(pds)
    tenancy.client_for(tenancy.employee.user).post(
        _connect_url(tenancy), {"handle": handle, "app_password": password, "server": pds.url}
    )
    account = ConnectedAccount.objects.get(network="bluesky")
    account.credentials_encrypted = account.credentials_encrypted[:-4] + "AAAA"
    with pytest.raises(crypto.DecryptionError):
        _ = account.credentials


def test_the_session_is_closed_after_each_call(pds: LocalPds, monkeypatch: Any) -> None:
    """Coro logs in for each call and logs out after it: the session's refresh token no
    longer works, so sessions do not pile up on the person's server."""
    handle, did, password = _account(pds)
    refresh_tokens: list[str] = []
    session_end = client._session_end

    def spy(logged_in: Any) -> None:
        refresh_tokens.append(logged_in._session.refresh_jwt)
        session_end(logged_in)

    monkeypatch.setattr(client, "_session_end", spy)
    credentials = _credentials(pds, handle, did, password)
    client.CLIENT.post(credentials=credentials, text="Hola", link="", idempotency_key="bye")
    client.CLIENT.audience_size(credentials=credentials)
    assert len(refresh_tokens) == 2
    for token in refresh_tokens:
        answer = httpx.post(
            f"{pds.url}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code in (400, 401), answer.text


def _tid_micros(key: str) -> int:
    value = 0
    for char in key:
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    return value >> 10


def test_record_keys_carry_the_posts_own_time() -> None:
    made = datetime(2026, 12, 2, 7, 30, 15, 250000, tzinfo=UTC)
    key = client.record_key("share-123", made)
    assert key == client.record_key("share-123", made) != client.record_key("share-124", made)
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    micros = _tid_micros(key)
    assert int(made.timestamp()) * 1_000_000 <= micros < (int(made.timestamp()) + 1) * 1_000_000
    # Later posts sort after earlier ones, whatever their keys.
    later = client.record_key("share-000", made + timedelta(seconds=1))
    assert later > key > client.record_key("share-123")


def test_a_post_with_its_time_reads_back_under_that_key(pds: LocalPds) -> None:
    handle, did, password = _account(pds)
    made = datetime.now(UTC) - timedelta(minutes=5)
    credentials = _credentials(pds, handle, did, password)
    posted = client.CLIENT.post(
        credentials=credentials, text="Hola", link="", idempotency_key="timed", created_at=made
    )
    again = client.CLIENT.post(
        credentials=credentials, text="Hola", link="", idempotency_key="timed", created_at=made
    )
    rkey = client.record_key("timed", made)
    assert posted == again and posted.remote_id.endswith(f"/{rkey}")
    assert pds.record_get(did, "app.bsky.feed.post", rkey)["value"]["text"] == "Hola"
    assert len(pds.records_list(did, "app.bsky.feed.post")) == 1
