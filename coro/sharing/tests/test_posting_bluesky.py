"""Posting through Coro's scheduler with the real Bluesky client, on a real local PDS
(``testing/bluesky.py``): connected through Coro's page, "Post now" on the share screen, the
scheduled post's task, and the post read back from the PDS (``getRecord``) with its text,
link facets and link card, the card's picture from the post's link preview. Run again, or
sent again after a lost answer, it is still one post."""

import io
import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from coro.connections.models import ConnectedAccount
from coro.content.models import LinkPreview
from coro.networks.clients import bluesky
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing import posting
from coro.sharing.models import ScheduledPost
from coro.sharing.tasks import scheduled_post_publish
from testing.bluesky import LocalPds, bluesky_pds  # noqa: F401
from testing.factories import PostFactory
from testing.tenancy import Tenancy

Status = ScheduledPost.Status
POSTS = "app.bsky.feed.post"
_handles = itertools.count()


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def pds(bluesky_pds: LocalPds, settings: Any, tmp_path: Any) -> LocalPds:  # noqa: F811
    settings.FETCH_TEST_ALLOW = [bluesky_pds.endpoint]
    settings.MEDIA_ROOT = tmp_path
    return bluesky_pds


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_post_now_goes_through_the_scheduler_to_the_pds_once(
    pds: LocalPds, tenancy: Tenancy
) -> None:
    person = tenancy.employee
    program_join(membership=person, terms=terms_current(tenancy.org))
    client = tenancy.client_for(person.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    # Connected through Coro's own page, with an app password.
    handle = f"emilio{next(_handles)}.test"
    created = pds.account_create(handle)
    did = created["did"]
    password = pds.app_password_create(created["accessJwt"])
    connect = reverse("connections:bluesky_connect", kwargs={"org_code": tenancy.org.code})
    response = client.post(connect, {"handle": handle, "app_password": password, "server": pds.url})
    assert response.status_code == 302, response.content.decode()
    assert ConnectedAccount.objects.get(membership=person, network="bluesky").remote_id == did

    # A post whose link preview is ready, with its picture in storage.
    post = PostFactory.create(
        organisation=tenancy.org,
        title="Abrimos en Sevilla",
        link="https://www.ceramicas.example/sevilla",
    )
    preview = LinkPreview.objects.create(
        post=post,
        url=post.link,
        status=LinkPreview.Status.READY,
        title="Abrimos en Sevilla ☕",
        description="Todo sobre la apertura.",
    )
    preview.image.save("sevilla.jpg", ContentFile(_jpeg(640, 336)))

    # "Post now" on the share screen.
    text = "¡Olé! 🎉 Nuestra tienda abre en Sevilla, más en https://azulejos.test/sevilla"
    url = f"/o/{tenancy.org.code}/posts/{post.code}/share/bluesky/post/"
    response = client.post(url, {"text": text, "when": "now"})
    assert response.status_code == 302, response.content.decode()
    scheduled = ScheduledPost.objects.get()
    assert (scheduled.status, scheduled.text) == (Status.SCHEDULED, text)
    link = scheduled.share.tracked_link

    # The task, as the worker runs it.
    scheduled_post_publish.call(scheduled.pk)
    scheduled.refresh_from_db()
    assert scheduled.status == Status.POSTED, scheduled.last_error
    assert scheduled.attempts == 1
    # The record key comes from the idempotency key and the time the post was asked for.
    rkey = bluesky.record_key(scheduled.idempotency_key, created_at=scheduled.created_at)
    assert scheduled.remote_id == f"at://{did}/{POSTS}/{rkey}"
    assert scheduled.remote_url.startswith("https://")

    record = pds.record_get(did, POSTS, rkey)["value"]
    assert record["text"] == f"{text} {link}"
    encoded = record["text"].encode()
    spans = [
        encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in record["facets"]
    ]
    assert spans == ["https://azulejos.test/sevilla", link]
    assert [f["features"][0]["uri"] for f in record["facets"]] == spans
    external = record["embed"]["external"]
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert (external["uri"], external["title"], external["description"]) == (
        link,
        "Abrimos en Sevilla ☕",
        "Todo sobre la apertura.",
    )
    thumb = external["thumb"]
    assert thumb["mimeType"] == "image/jpeg"
    blob = pds.blob_get(did, thumb["ref"]["$link"])
    assert Image.open(io.BytesIO(blob)).size == (640, 336)

    # The task again: nothing to do.
    scheduled_post_publish.call(scheduled.pk)
    assert len(pds.records_list(did, POSTS)) == 1

    # A worker that died after the PDS made the post (its answer lost): claimed again once
    # stale, sent again with the same key, and still one post.
    stale = timezone.now() - posting.STALE_CLAIM - timedelta(minutes=1)
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.POSTING, claimed_at=stale, remote_id="", remote_url=""
    )
    scheduled_post_publish.call(scheduled.pk)
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.attempts) == (Status.POSTED, 2)
    assert scheduled.remote_id == f"at://{did}/{POSTS}/{rkey}"
    records = pds.records_list(did, POSTS)
    assert [r["value"]["text"] for r in records] == [f"{text} {link}"]
