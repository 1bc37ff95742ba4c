"""Editors write, publish and unpublish posts; the feed shows published posts only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coro.content.models import Post
from testing.factories import PostFactory

VALID = {
    "language": "es",
    "title_es": "Estaremos en Cevisama",
    "body_es": "Del 23 al 27 de febrero nos encontrarás en el pabellón 3.",
    "link": "https://turia.example/eventos/cevisama",
}


def url(org, rest: str = "") -> str:
    return f"/o/{org.code}/{rest}"


@pytest.fixture
def editor_client(tenancy):
    return tenancy.client_for(tenancy.editor.user)


@pytest.fixture
def draft(tenancy):
    return PostFactory(
        organisation=tenancy.org,
        title="Borrador secreto",
        status=Post.Status.DRAFT,
        published_at=None,
    )


@pytest.fixture
def published(tenancy):
    return PostFactory(organisation=tenancy.org, title="Noticia publicada")


# --- Creating -----------------------------------------------------------------------------


def test_editor_opens_the_new_post_form(tenancy, editor_client):
    response = editor_client.get(url(tenancy.org, "posts/new/"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("language", "title_es", "body_es", "title_en", "link", "publish_at"):
        assert f'name="{name}"' in html
    assert "You can use Markdown" in html or "Markdown" in html


def test_editor_publishes_a_post_at_once(tenancy, editor_client):
    before = timezone.now()
    response = editor_client.post(url(tenancy.org, "posts/new/"), {**VALID, "publish": "1"})
    assert response.status_code == 302
    assert response["Location"] == url(tenancy.org, "posts/")
    post = Post.objects.get()
    assert post.organisation == tenancy.org
    assert post.author == tenancy.editor
    assert (post.title, post.body, post.link) == (
        VALID["title_es"],
        VALID["body_es"],
        VALID["link"],
    )
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at >= before

    feed = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org))
    assert VALID["title_es"] in feed.content.decode()


def test_editor_saves_a_draft(tenancy, editor_client):
    response = editor_client.post(url(tenancy.org, "posts/new/"), VALID)
    assert response.status_code == 302
    post = Post.objects.get()
    # The editor opens again at the images, which a saved draft may now get.
    assert response["Location"] == url(
        tenancy.org, f"posts/{post.code}/edit/#post-images-{post.code}"
    )
    assert post.status == Post.Status.DRAFT
    assert post.published_at is None
    assert VALID["title_es"] in editor_client.get(url(tenancy.org, "posts/")).content.decode()
    feed = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org))
    assert VALID["title_es"] not in feed.content.decode()


def test_admin_may_write_posts_too(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    assert client.post(url(tenancy.org, "posts/new/"), VALID).status_code == 302
    assert Post.objects.get().author == tenancy.admin


def test_link_without_scheme_is_taken_as_https(tenancy, editor_client):
    editor_client.post(url(tenancy.org, "posts/new/"), {**VALID, "link": "turia.example/x"})
    assert Post.objects.get().link == "https://turia.example/x"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("link", "not a link"),
        ("link", "javascript:alert(1)"),
        ("link", "ftp://files.example/x"),
        ("title_es", ""),
        ("title_es", "   "),
        ("title_es", "x" * 201),
        ("language", "de"),
        ("publish_at", "mañana"),
    ],
)
def test_invalid_post_gives_the_form_back_and_saves_nothing(tenancy, editor_client, field, value):
    response = editor_client.post(
        url(tenancy.org, "posts/new/"), {**VALID, field: value, "publish": "1"}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert "errorlist" in html
    assert Post.objects.count() == 0


def test_invalid_post_keeps_what_was_typed(tenancy, editor_client):
    response = editor_client.post(url(tenancy.org, "posts/new/"), {**VALID, "link": "nope"})
    assert VALID["title_es"] in response.content.decode()


def test_editor_edits_a_post(tenancy, editor_client, draft):
    edit = url(tenancy.org, f"posts/{draft.code}/edit/")
    assert editor_client.get(edit).status_code == 200
    response = editor_client.post(edit, {**VALID, "title_es": "Título nuevo"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Título nuevo"
    assert draft.status == Post.Status.DRAFT
    editor_client.post(edit, {**VALID, "publish": "1"})
    draft.refresh_from_db()
    assert draft.is_published


def test_invalid_edit_changes_nothing(tenancy, editor_client, published):
    edit = url(tenancy.org, f"posts/{published.code}/edit/")
    response = editor_client.post(edit, {**VALID, "title_es": ""})
    assert response.status_code == 200
    published.refresh_from_db()
    assert published.title == "Noticia publicada"


def test_editor_cannot_edit_another_organisations_post(tenancy, editor_client):
    foreign = PostFactory(organisation=tenancy.other_org, title="Ajena")
    edit = url(tenancy.org, f"posts/{foreign.code}/edit/")
    assert editor_client.get(edit).status_code == 404
    assert editor_client.post(edit, VALID).status_code == 404
    foreign.refresh_from_db()
    assert foreign.title == "Ajena"


# --- Employees are not editors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "posts/"),
        ("get", "posts/new/"),
        ("post", "posts/new/"),
        ("get", "posts/{code}/edit/"),
        ("post", "posts/{code}/edit/"),
        ("post", "posts/{code}/publish/"),
        ("post", "posts/{code}/unpublish/"),
    ],
)
def test_employees_get_403_on_editor_pages(tenancy, draft, method, path):
    client = tenancy.client_for(tenancy.employee.user)
    target = url(tenancy.org, path.format(code=draft.code))
    response = (
        client.post(target, {**VALID, "publish": "1"}) if method == "post" else client.get(target)
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Borrador secreto", Post.Status.DRAFT)
    assert Post.objects.count() == 1


def test_employees_do_not_see_editor_links(tenancy):
    html = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org)).content.decode()
    assert f'href="{url(tenancy.org, "posts/")}"' not in html
    assert f'href="{url(tenancy.org, "posts/new/")}"' not in html


# --- Publishing and unpublishing ----------------------------------------------------------


def test_publish_by_normal_post(tenancy, editor_client, draft):
    response = editor_client.post(url(tenancy.org, f"posts/{draft.code}/publish/"))
    assert response.status_code == 302
    assert response["Location"] == url(tenancy.org, "posts/")
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.published_at is not None


def test_unpublish_by_normal_post(tenancy, editor_client, published):
    response = editor_client.post(url(tenancy.org, f"posts/{published.code}/unpublish/"))
    assert response.status_code == 302
    assert response["Location"] == url(tenancy.org, "posts/")
    published.refresh_from_db()
    assert published.status == Post.Status.DRAFT
    feed = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org))
    assert "Noticia publicada" not in feed.content.decode()


def assert_is_row_fragment(response, post):
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="post-row-{post.code}">')
    assert html.rstrip().endswith("</tr>")
    assert "<html" not in html.lower()
    assert "<body" not in html.lower()
    assert html.count("<tr") == 1


def test_publish_by_htmx_returns_only_the_row(tenancy, editor_client, draft):
    response = editor_client.post(
        url(tenancy.org, f"posts/{draft.code}/publish/"), headers={"HX-Request": "true"}
    )
    assert_is_row_fragment(response, draft)
    html = response.content.decode()
    # The row now offers the opposite action and archiving, both asking first.
    assert f'href="{url(tenancy.org, f"posts/{draft.code}/unpublish/")}"' in html
    assert f'href="{url(tenancy.org, f"posts/{draft.code}/archive/")}"' in html
    assert f"posts/{draft.code}/publish/" not in html
    draft.refresh_from_db()
    assert draft.is_published


def test_unpublish_by_htmx_returns_only_the_row(tenancy, editor_client, published):
    response = editor_client.post(
        url(tenancy.org, f"posts/{published.code}/unpublish/"), headers={"HX-Request": "true"}
    )
    assert_is_row_fragment(response, published)
    html = response.content.decode()
    assert f'hx-post="{url(tenancy.org, f"posts/{published.code}/publish/")}"' in html
    published.refresh_from_db()
    assert not published.is_published


def test_publishing_twice_keeps_the_first_publication_time(tenancy, editor_client, published):
    first = published.published_at
    response = editor_client.post(
        url(tenancy.org, f"posts/{published.code}/publish/"), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "cannot become" in response.content.decode()
    published.refresh_from_db()
    assert published.published_at == first


def test_publish_and_unpublish_are_post_only(tenancy, editor_client, draft):
    assert editor_client.get(url(tenancy.org, f"posts/{draft.code}/publish/")).status_code == 405
    draft.refresh_from_db()
    assert not draft.is_published


def test_cannot_publish_another_organisations_post(tenancy, editor_client):
    foreign = PostFactory(organisation=tenancy.other_org, status=Post.Status.DRAFT)
    response = editor_client.post(url(tenancy.org, f"posts/{foreign.code}/publish/"))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert not foreign.is_published


def test_post_list_shows_drafts_and_published_of_own_organisation_only(
    tenancy, editor_client, draft, published
):
    PostFactory(organisation=tenancy.other_org, title="De otra empresa")
    PostFactory(organisation=tenancy.other_org, title="Otro borrador", status=Post.Status.DRAFT)
    drafts = editor_client.get(url(tenancy.org, "posts/")).content.decode()
    assert draft.title in drafts
    assert published.title not in drafts
    assert f'id="post-row-{draft.code}"' in drafts
    live = editor_client.get(url(tenancy.org, "posts/"), {"status": "live"}).content.decode()
    assert published.title in live
    assert draft.title not in live
    for html in (drafts, live):
        assert "De otra empresa" not in html
        assert "Otro borrador" not in html


# --- The feed -----------------------------------------------------------------------------


def test_drafts_never_appear_in_the_feed(tenancy, draft, published):
    for who in ("admin", "editor", "employee"):
        html = tenancy.client_for(getattr(tenancy, who).user).get(url(tenancy.org))
        assert published.title in html.content.decode()
        assert draft.title not in html.content.decode()
        assert draft.code not in html.content.decode()


def test_feed_shows_only_own_organisations_posts(tenancy, published):
    PostFactory(organisation=tenancy.other_org, title="De otra empresa")
    html = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org)).content.decode()
    assert published.title in html
    assert "De otra empresa" not in html


def test_empty_feed_renders(tenancy):
    response = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 0


@pytest.fixture
def many_posts(tenancy):
    now = timezone.now()
    return [
        PostFactory(
            organisation=tenancy.org,
            title=f"Post número {i:02d}",
            published_at=now - timedelta(hours=i),
        )
        for i in range(25)
    ]


def feed_titles(response) -> list[str]:
    # The feed may wrap each post in a card (with its reactions and comments).
    return [getattr(item, "post", item).title for item in response.context["page"].object_list]


def test_feed_is_paginated_newest_first(tenancy, many_posts):
    client = tenancy.client_for(tenancy.employee.user)
    first = client.get(url(tenancy.org))
    assert first.status_code == 200
    assert feed_titles(first) == [f"Post número {i:02d}" for i in range(10)]
    assert 'href="?page=2"' in first.content.decode()

    second = client.get(url(tenancy.org), {"page": "2"})
    assert second.status_code == 200
    assert feed_titles(second) == [f"Post número {i:02d}" for i in range(10, 20)]
    assert "Post número 10" in second.content.decode()
    assert "Post número 09" not in second.content.decode()


@pytest.mark.parametrize(
    ("page", "expected_number"),
    [("999", 3), ("abc", 1), ("-1", 3), ("0", 3), ("", 1), ("2.5", 1)],
)
def test_feed_survives_any_page_number(tenancy, many_posts, page, expected_number):
    client = tenancy.client_for(tenancy.employee.user)
    response = client.get(url(tenancy.org), {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == expected_number


def test_last_feed_page_has_the_oldest_posts(tenancy, many_posts):
    response = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org), {"page": "999"})
    assert feed_titles(response) == [f"Post número {i:02d}" for i in range(20, 25)]


def test_post_list_survives_any_page_number(tenancy, editor_client, many_posts):
    for page in ("2", "999", "abc"):
        assert editor_client.get(url(tenancy.org, "posts/"), {"page": page}).status_code == 200


def test_post_text_is_escaped_in_the_feed(tenancy):
    PostFactory(organisation=tenancy.org, title="<script>alert(1)</script>")
    html = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_web_links_are_accepted(tenancy):
    from coro.content.forms import PostForm

    data = {"language": "es", "title_es": "T", "body_es": "B"}
    form = PostForm({**data, "link": "ftp://files.example/x"}, organisation=tenancy.org)
    assert not form.is_valid()
    assert "link" in form.errors
    ok = PostForm({**data, "link": "https://example.com/x"}, organisation=tenancy.org)
    assert ok.is_valid(), ok.errors
    assert PostForm({**data, "link": ""}, organisation=tenancy.org).is_valid()


def test_the_new_post_page_says_images_come_after_saving(tenancy, editor_client):
    html = editor_client.get(url(tenancy.org, "posts/new/"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Images: save the draft first, then you can add up to 4." in html.content.decode()


# --- Back to draft asks first; a row that leaves its tab reloads the tab ------------------


def test_back_to_draft_of_a_live_post_asks_first(tenancy, editor_client, published):
    live = editor_client.get(url(tenancy.org, "posts/"), {"status": "live"}).content.decode()
    confirm = url(tenancy.org, f"posts/{published.code}/unpublish/")
    assert f'href="{confirm}?tab=live"' in live
    assert f'hx-post="{confirm}"' not in live  # no one-click removal from the feed
    page = editor_client.get(f"{confirm}?tab=live", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Back to draft?" in html and "It leaves everyone" in html
    published.refresh_from_db()
    assert published.status == Post.Status.PUBLISHED  # asking changes nothing
    response = editor_client.post(confirm, {"tab": "live"})
    assert response["Location"] == url(tenancy.org, "posts/?status=live")
    published.refresh_from_db()
    assert published.status == Post.Status.DRAFT


def test_an_htmx_change_that_leaves_the_tab_reloads_it_with_a_message(
    tenancy, editor_client, draft
):
    response = editor_client.post(
        url(tenancy.org, f"posts/{draft.code}/publish/"),
        {"tab": "draft"},
        headers={"HX-Request": "true"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["HX-Redirect"] == url(tenancy.org, "posts/?status=draft")
    draft.refresh_from_db()
    assert draft.is_published
    page = editor_client.get(response["HX-Redirect"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<div class="messages" role="status">' in page
    assert "The post is published." in page
    assert draft.title not in page  # the row left the Drafts tab


def test_an_htmx_refusal_stays_in_the_row(tenancy, editor_client, published):
    response = editor_client.post(
        url(tenancy.org, f"posts/{published.code}/publish/"),
        {"tab": "live"},
        headers={"HX-Request": "true"},
    )
    assert_is_row_fragment(response, published)
    assert "HX-Redirect" not in response
    assert 'role="alert"' in response.content.decode()
