"""A post's link is checked when it is made (issue 11, point 1): tracked links will send
people there, so only a web address on another site than Coro's (``core.targets``). The
redirect checks it again at every visit (``coro/sharing/tests/test_redirect.py``)."""

import pytest
from django.core.exceptions import ValidationError

from coro.content import services
from coro.content.forms import PostForm
from coro.content.models import Post
from coro.content.proposal_forms import ProposalForm
from testing.factories import PostFactory, ShareFactory

TEXTS = {"es": {"title": "Abrimos en Valencia", "body": "Con ganas."}}
FORM = {"language": "es", "title_es": "Abrimos en Valencia", "body_es": "Con ganas."}
REFUSED = "This link cannot be used"

BAD_LINKS = [
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "http:/evil.example",
    "https://",
    "https://exa mple.com/",
    "https:\\\\evil.example",
    "https://example.com:99999/",
    "ftp://files.example/x",
    "https://coro.example/o/abc/",  # Coro's own host (BASE_URL)
    "https://CORO.example.:8443/r/abcdefghjk",
    "http://127.0.0.1:8000/",  # an allowed host
]


@pytest.fixture(autouse=True)
def english_on_coro_example(settings):
    settings.LANGUAGE_CODE = "en"
    settings.BASE_URL = "https://coro.example"
    settings.ALLOWED_HOSTS = ["coro.example", "127.0.0.1", "localhost", "testserver"]


@pytest.mark.parametrize("link", BAD_LINKS)
def test_the_service_refuses_a_bad_link_on_its_field(tenancy, link):
    with pytest.raises(ValidationError) as caught:
        services.post_create(author=tenancy.editor, language="es", texts=TEXTS, link=link)
    errors = caught.value.error_dict
    assert list(errors) == ["link"]
    assert errors["link"][0].code == "target"
    assert REFUSED in errors["link"][0].messages[0]
    assert not Post.objects.exists()


def test_a_bad_link_is_refused_with_the_other_errors_at_once(tenancy):
    with pytest.raises(ValidationError) as caught:
        services.post_create(
            author=tenancy.editor,
            language="es",
            texts={"es": {"title": " ", "body": "x"}},
            link="javascript:alert(1)",
        )
    assert "link" in caught.value.error_dict
    assert len(caught.value.error_dict) > 1  # the missing title is said too


def test_a_good_link_is_kept_as_written(tenancy):
    link = "https://turia.example/eventos?id=7&utm_source=web#programa"
    post = services.post_create(
        author=tenancy.editor, language="es", texts=TEXTS, link=f"  {link} "
    )
    assert post.link == link
    assert services.post_create(author=tenancy.editor, language="es", texts=TEXTS).link == ""


def test_changing_to_a_bad_link_is_refused(tenancy):
    post = PostFactory(organisation=tenancy.org, link="https://turia.example/a")
    with pytest.raises(ValidationError) as caught:
        services.post_update(
            post=post, by=tenancy.editor, language="es", texts=TEXTS, link="javascript:x"
        )
    assert list(caught.value.error_dict) == ["link"]
    post.refresh_from_db()
    assert post.link == "https://turia.example/a"


def test_an_unshared_post_with_a_stored_bad_link_must_fix_it(tenancy):
    post = PostFactory(organisation=tenancy.org, link="https://coro.example/x")
    with pytest.raises(ValidationError):
        services.post_update(
            post=post, by=tenancy.editor, language="es", texts=TEXTS, link=post.link
        )
    fixed = services.post_update(
        post=post, by=tenancy.editor, language="es", texts=TEXTS, link="https://turia.example/"
    )
    assert fixed.link == "https://turia.example/"


def test_a_shared_post_keeps_its_link_and_can_still_be_edited(tenancy):
    """Its link cannot change any more; the redirect refuses it (404) anyway."""
    post = PostFactory(organisation=tenancy.org, link="https://coro.example/x")
    ShareFactory(post=post)
    edited = services.post_update(
        post=post,
        by=tenancy.editor,
        language="es",
        texts={"es": {"title": "Nuevo título", "body": "x"}},
        link=post.link,
    )
    assert edited.title == "Nuevo título"


def test_a_proposal_with_a_bad_link_is_refused(tenancy):
    from coro.content.proposals import proposal_create

    with pytest.raises(ValidationError) as caught:
        proposal_create(
            by=tenancy.employee, language="es", texts=TEXTS, suggestions={}, link="data:,x"
        )
    assert list(caught.value.error_dict) == ["link"]


@pytest.mark.parametrize("link", [link for link in BAD_LINKS if not link.startswith("//")])
def test_the_editor_form_refuses_a_bad_link_with_one_message(tenancy, link):
    form = PostForm({**FORM, "link": link}, organisation=tenancy.org)
    assert not form.is_valid()
    assert len(form.errors["link"]) == 1


def test_the_form_explains_an_own_host_link(tenancy):
    form = PostForm({**FORM, "link": "https://coro.example/o/x/"}, organisation=tenancy.org)
    assert not form.is_valid()
    assert form.errors["link"] == [
        "This link cannot be used: it must be a full web address starting with http:// or "
        "https://, without spaces, and lead to a site other than Coro."
    ]


def test_the_form_makes_a_schemeless_link_a_full_https_one(tenancy):
    """Never stored as ``//host``: the form writes the https:// it assumes."""
    form = PostForm({**FORM, "link": "//elsewhere.example/x"}, organisation=tenancy.org)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["link"] == "https://elsewhere.example/x"
    own = PostForm({**FORM, "link": "//coro.example/x"}, organisation=tenancy.org)
    assert not own.is_valid()


def test_the_form_takes_good_links(tenancy):
    for link in ("https://turia.example/x?a=1#b", "turia.example/x", ""):
        form = PostForm({**FORM, "link": link}, organisation=tenancy.org)
        assert form.is_valid(), form.errors


def test_the_editor_page_shows_the_refusal(tenancy):
    client = tenancy.client_for(tenancy.editor.user)
    response = client.post(
        f"/o/{tenancy.org.code}/posts/new/", {**FORM, "link": "https://coro.example/x"}
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Post.objects.exists()


def test_the_proposal_form_refuses_a_bad_link(tenancy):
    data = {"language": "es", "title": "Idea", "body": "x", "link": "https://coro.example/"}
    form = ProposalForm(data, organisation=tenancy.org)
    assert not form.is_valid()
    assert len(form.errors["link"]) == 1
