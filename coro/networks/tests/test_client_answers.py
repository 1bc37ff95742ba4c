"""Answers of the wrong shape (``[]``, ``"x"``, ``null``, ``{}``, ``{"id": null}``) become a
``ClientError`` from every client call, never another exception (which would leave a post
stuck); a refused post says why in a few plain words; Bluesky logs out when it is done."""

from collections.abc import Callable
from typing import Any

import pytest

from coro.networks.clients import AuthError, ClientError, RateLimited, bluesky, mastodon
from coro.networks.tests.client_servers import answering, session_answer

GARBAGE = [[], "x", None, {}, {"id": None}, {"id": {"a": 1}}, {"configuration": []}]
IDS = ["list", "string", "null", "empty", "null-id", "object-id", "configuration-list"]


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _mastodon_calls(server: str) -> dict[str, Callable[[], object]]:
    credentials = {"server": server, "access_token": "tok"}
    return {
        "post": lambda: mastodon.CLIENT.post(
            credentials=credentials, text="Hola", link="", idempotency_key="k"
        ),
        "audience_size": lambda: mastodon.CLIENT.audience_size(credentials=credentials),
        "server_limits": lambda: mastodon.server_limits(server),
        "code_exchange": lambda: mastodon.code_exchange(
            server,
            client_id="id",
            client_secret="secret",
            code="code",
            redirect_uri="https://coro.example/cb",
            code_verifier="v" * 43,
        ),
        "app_register": lambda: mastodon.app_register(
            server, redirect_uri="https://coro.example/cb"
        ),
    }


@pytest.mark.parametrize("body", GARBAGE, ids=IDS)
def test_mastodon_garbage_is_a_client_error(settings, body):
    with answering(lambda method, path: (200, body)) as (port, _seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        for name, call in _mastodon_calls(f"http://127.0.0.1:{port}").items():
            try:
                result = call()
            except ClientError as error:
                assert not isinstance(error, AuthError | RateLimited), name
                continue
            # Only the answers that are a (useless) object may give the defaults.
            assert name == "server_limits" and isinstance(body, dict), (name, result)


def test_mastodon_a_post_without_an_id_is_not_posted(settings):
    with answering(lambda method, path: (200, {"id": None, "url": "javascript:x"})) as (port, _):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        with pytest.raises(ClientError):
            _mastodon_calls(f"http://127.0.0.1:{port}")["post"]()


def test_mastodon_a_post_keeps_only_a_web_address(settings):
    with answering(lambda method, path: (200, {"id": "123", "url": "javascript:alert(1)"})) as (
        port,
        _,
    ):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        posted = mastodon.CLIENT.post(
            credentials={"server": f"http://127.0.0.1:{port}", "access_token": "tok"},
            text="Hola",
            link="",
            idempotency_key="k",
        )
    assert (posted.remote_id, posted.url) == ("123", "")


def test_mastodon_missing_credentials_are_a_client_error():
    with pytest.raises(ClientError):
        mastodon.CLIENT.post(credentials={}, text="Hola", link="", idempotency_key="k")
    with pytest.raises(ClientError):
        mastodon.CLIENT.audience_size(credentials={"server": "https://mastodon.example"})


def test_mastodon_a_refused_post_says_why_in_plain_short_text(settings):
    reason = "Validation failed: <b>Text</b> character limit\u202e of 500\x00 exceeded " + "x" * 400
    with answering(lambda method, path: (422, {"error": reason})) as (port, _seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        with pytest.raises(ClientError) as raised:
            _mastodon_calls(f"http://127.0.0.1:{port}")["post"]()
    message = raised.value.message
    assert type(raised.value) is ClientError
    assert message.startswith(
        "The server refused it: Validation failed: Text character limit of 500 exceeded xxx"
    )
    assert message.endswith("…")
    assert len(message) <= len("The server refused it: ") + mastodon.SERVER_TEXT_MAX
    assert not any(c in message for c in "<>\u202e\x00")


@pytest.mark.parametrize("body", [None, [], {"error": ["x"]}, "x"], ids=str)
def test_mastodon_a_refused_post_without_a_reason(settings, body):
    with answering(lambda method, path: (422, body)) as (port, _seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        with pytest.raises(ClientError) as raised:
            _mastodon_calls(f"http://127.0.0.1:{port}")["post"]()
    assert raised.value.message == "The server refused it."


# --- Bluesky -------------------------------------------------------------------------------


def _bluesky_calls(server: str) -> dict[str, Callable[[], object]]:
    credentials = {
        "server": server,
        "handle": "ana.test",
        "did": "did:plc:coroana",
        "app_password": "abcd-efgh-ijkl-mnop",
    }
    return {
        "account_verify": lambda: bluesky.account_verify(
            server=server, handle="ana.test", app_password="abcd-efgh-ijkl-mnop"
        ),
        "post": lambda: bluesky.CLIENT.post(
            credentials=credentials, text="Hola", link="", idempotency_key="k"
        ),
        "audience_size": lambda: bluesky.CLIENT.audience_size(credentials=credentials),
    }


@pytest.mark.parametrize("body", GARBAGE, ids=IDS)
def test_bluesky_a_garbage_login_is_a_client_error(settings, body):
    with answering(lambda method, path: (200, body)) as (port, _seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        for name, call in _bluesky_calls(f"http://127.0.0.1:{port}").items():
            with pytest.raises(ClientError) as raised:
                call()
            assert not isinstance(raised.value, AuthError | RateLimited), name


@pytest.mark.parametrize("body", GARBAGE, ids=IDS)
def test_bluesky_a_garbage_post_answer_is_a_client_error_and_logs_out(settings, body):
    def answer(method: str, path: str) -> tuple[int, Any]:
        if path.endswith("createSession"):
            return 200, session_answer()
        if path.endswith("getRecord"):
            return 400, {"error": "RecordNotFound", "message": "Could not locate record"}
        if path.endswith("deleteSession"):
            return 200, None
        return 200, body

    with answering(answer) as (port, seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        with pytest.raises(ClientError):
            _bluesky_calls(f"http://127.0.0.1:{port}")["post"]()
        # No AppView answer that makes sense: no follower count, no error.
        assert _bluesky_calls(f"http://127.0.0.1:{port}")["audience_size"]() is None
    assert seen.paths().count("/xrpc/com.atproto.server.createSession") == 2
    assert seen.paths().count("/xrpc/com.atproto.server.deleteSession") == 2
    assert seen.paths()[-1] == "/xrpc/com.atproto.server.deleteSession"


def test_bluesky_does_not_show_what_the_server_said(settings):
    def answer(method: str, path: str) -> tuple[int, Any]:
        if path.endswith("createSession"):
            return 400, {"error": "InvalidRequest", "message": "secret internal detail"}
        return 200, None

    with answering(answer) as (port, _seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        with pytest.raises(ClientError) as raised:
            _bluesky_calls(f"http://127.0.0.1:{port}")["account_verify"]()
    assert "secret" not in raised.value.message
    assert "InvalidRequest" not in raised.value.message


def test_bluesky_missing_credentials_are_a_client_error():
    with pytest.raises(ClientError):
        bluesky.CLIENT.post(
            credentials={"server": "https://bsky.social"}, text="x", link="", idempotency_key="k"
        )
