"""Comments: added and answered (one level deep), deleted by their author, hidden by an
editor with a reason; always shown as plain text."""

import pytest
from django.core.exceptions import ValidationError

from coro.content.community import (
    comment_add,
    comment_delete,
    comment_hide,
    comment_of,
    comments_of,
)
from coro.content.models import Comment, Post
from testing.factories import CommentFactory, MembershipFactory, PostFactory, TeamFactory


def add_url(org, post) -> str:
    return f"/o/{org.code}/posts/{post.code}/comments/"


def detail_url(org, post) -> str:
    return f"/o/{org.code}/posts/{post.code}/"


def hide_url(org, comment) -> str:
    return f"/o/{org.code}/comments/{comment.code}/hide/"


def delete_url(org, comment) -> str:
    return f"/o/{org.code}/comments/{comment.code}/delete/"


@pytest.fixture
def post(tenancy):
    return PostFactory(organisation=tenancy.org, title="Abrimos en Valencia")


def page(client, org, post) -> str:
    response = client.get(detail_url(org, post), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


# --- Adding and answering -----------------------------------------------------------------


def test_comment_and_reply(tenancy, post):
    top = comment_add(post=post, membership=tenancy.employee, body="  ¡Enhorabuena!  ")
    assert top.body == "¡Enhorabuena!" and top.parent is None and top.author == tenancy.employee
    reply = comment_add(post=post, membership=tenancy.editor, body="Gracias", parent=top)
    assert reply.parent == top


def test_a_reply_to_a_reply_answers_the_top_comment(tenancy, post):
    top = comment_add(post=post, membership=tenancy.employee, body="Uno")
    reply = comment_add(post=post, membership=tenancy.editor, body="Dos", parent=top)
    deeper = comment_add(post=post, membership=tenancy.admin, body="Tres", parent=reply)
    assert deeper.parent == top
    threads = comments_of(post)
    assert [c.body for c in threads] == ["Uno"]
    assert [r.body for r in threads[0].replies.all()] == ["Dos", "Tres"]


@pytest.mark.parametrize("body", ["", "   ", "\n\n", "x" * 2001])
def test_empty_or_too_long_comments_are_refused(tenancy, post, body):
    with pytest.raises(ValidationError):
        comment_add(post=post, membership=tenancy.employee, body=body)
    assert not Comment.objects.exists()


def test_2000_characters_fit(tenancy, post):
    assert len(comment_add(post=post, membership=tenancy.employee, body="é" * 2000).body) == 2000


def test_a_parent_on_another_post_is_refused(tenancy, post):
    other = CommentFactory(post=PostFactory(organisation=tenancy.org))
    with pytest.raises(ValidationError):
        comment_add(post=post, membership=tenancy.employee, body="Hola", parent=other)


@pytest.mark.parametrize("status", [Post.Status.DRAFT, Post.Status.ARCHIVED])
def test_no_comments_on_drafts_or_archived_posts(tenancy, status):
    post = PostFactory(organisation=tenancy.org, status=status, published_at=None)
    with pytest.raises(ValidationError):
        comment_add(post=post, membership=tenancy.editor, body="Hola")


def test_no_comments_on_a_post_for_another_team(tenancy):
    post = PostFactory(organisation=tenancy.org)
    post.teams.set([TeamFactory(organisation=tenancy.org)])
    with pytest.raises(ValidationError):
        comment_add(post=post, membership=tenancy.employee, body="Hola")


def test_comments_on_proposals_in_review(tenancy):
    proposal = PostFactory(
        organisation=tenancy.org,
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=MembershipFactory(organisation=tenancy.org),
    )
    assert comment_add(post=proposal, membership=tenancy.employee, body="Me gusta").pk


def test_posting_a_comment_on_the_page(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    response = client.post(add_url(tenancy.org, post), {"body": "¡Bien!\nDe verdad."})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(tenancy.org, post)}#comment-{comment.code}"
    html = page(client, tenancy.org, post)
    assert "¡Bien!<br>De verdad." in html
    assert "Emilio Empleado" in html


def test_posting_with_htmx_swaps_the_comments(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    top = CommentFactory(post=post, author=tenancy.editor, body="Primero")
    response = client.post(
        add_url(tenancy.org, post),
        {"body": "Respuesta", "parent": top.code},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="comments"')
    assert "Your comment is posted." in html
    assert Comment.objects.get(body="Respuesta").parent == top


def test_an_empty_comment_says_why_and_keeps_nothing(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    response = client.post(add_url(tenancy.org, post), {"body": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write something first." in html
    assert 'aria-invalid="true"' in html
    assert not Comment.objects.exists()
    response = client.post(
        add_url(tenancy.org, post), {"body": ""}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and "Write something first." in response.content.decode()


def test_a_too_long_comment_keeps_the_words_typed(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    body = "palabra " * 300
    response = client.post(add_url(tenancy.org, post), {"body": body}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "palabra palabra" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_reply_to_a_vanished_comment_says_so(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    response = client.post(
        add_url(tenancy.org, post), {"body": "Hola", "parent": "gone"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "The comment you answered is no longer there." in response.content.decode()


def test_a_reply_through_the_page_answers_a_comment_of_that_post_only(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    mine = CommentFactory(post=post)
    elsewhere = CommentFactory(post=PostFactory(organisation=tenancy.org))
    assert comment_of(post, mine.code) == mine
    assert comment_of(post, elsewhere.code) is None
    response = client.post(
        add_url(tenancy.org, post),
        {"body": "Hola", "parent": elsewhere.code},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "The comment you answered is no longer there." in response.content.decode()
    client.post(add_url(tenancy.org, post), {"body": "Y tanto", "parent": mine.code})
    assert Comment.objects.get(body="Y tanto").parent == mine


def test_comments_are_plain_text_never_html_or_markdown(tenancy, post):
    CommentFactory(
        post=post,
        author=tenancy.editor,
        body="<script>alert(1)</script> <img src=x onerror=alert(1)> **bold** [a](javascript:x)",
    )
    html = page(tenancy.client_for(tenancy.employee.user), tenancy.org, post)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "**bold** [a](javascript:x)" in html
    assert "<strong>bold</strong>" not in html


# --- Deleting -----------------------------------------------------------------------------


def test_the_author_deletes_their_comment(tenancy, post):
    comment = CommentFactory(post=post, author=tenancy.employee)
    client = tenancy.client_for(tenancy.employee.user)
    html = page(client, tenancy.org, post)
    assert "Delete your comment for good?" in html  # the confirmation step
    response = client.post(delete_url(tenancy.org, comment))
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_a_deleted_comment_with_replies_keeps_its_place(tenancy, post):
    comment = CommentFactory(post=post, author=tenancy.employee, body="Mis palabras")
    CommentFactory(post=post, author=tenancy.editor, parent=comment, body="Respuesta")
    comment_delete(comment=comment, membership=tenancy.employee)
    comment.refresh_from_db()
    assert (comment.author, comment.body) == (None, "")
    html = page(tenancy.client_for(tenancy.admin.user), tenancy.org, post)
    assert "Deleted comment" in html and "Mis palabras" not in html and "Respuesta" in html


def test_nobody_else_deletes_a_comment(tenancy, post):
    comment = CommentFactory(post=post, author=tenancy.employee)
    for member in (tenancy.editor, tenancy.admin):
        response = tenancy.client_for(member.user).post(delete_url(tenancy.org, comment))
        assert response.status_code == 404
        with pytest.raises(ValidationError):
            comment_delete(comment=comment, membership=member)
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_delete_needs_post(tenancy, post):
    comment = CommentFactory(post=post, author=tenancy.employee)
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(delete_url(tenancy.org, comment)).status_code == 405
    assert Comment.objects.exists()


# --- Hiding -------------------------------------------------------------------------------


def test_an_editor_hides_a_comment_with_a_reason(tenancy, post):
    comment = CommentFactory(post=post, author=tenancy.employee, body="Algo feo")
    client = tenancy.client_for(tenancy.editor.user)
    confirm = client.get(hide_url(tenancy.org, comment), HTTP_ACCEPT_LANGUAGE="en")
    assert confirm.status_code == 200
    assert "Algo feo" in confirm.content.decode()
    assert 'name="reason"' in confirm.content.decode()
    response = client.post(hide_url(tenancy.org, comment), {"reason": "Insulta a un cliente"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at and comment.hidden_by == tenancy.editor
    assert comment.hidden_reason == "Insulta a un cliente"
    for viewer in (tenancy.employee, tenancy.editor, tenancy.admin):
        html = page(tenancy.client_for(viewer.user), tenancy.org, post)
        assert "Hidden by an editor: Insulta a un cliente" in html
        assert "Algo feo" not in html


def test_hiding_needs_a_reason(tenancy, post):
    comment = CommentFactory(post=post, author=tenancy.employee)
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(
        hide_url(tenancy.org, comment), {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Say why, so people understand." in response.content.decode()
    comment.refresh_from_db()
    assert comment.hidden_at is None
    with pytest.raises(ValidationError):
        comment_hide(comment=comment, membership=tenancy.admin, reason="")


def test_employees_cannot_hide(tenancy, post):
    comment = CommentFactory(post=post, author=tenancy.editor)
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(hide_url(tenancy.org, comment)).status_code == 403
    assert client.post(hide_url(tenancy.org, comment), {"reason": "No me gusta"}).status_code == 403
    with pytest.raises(ValidationError):
        comment_hide(comment=comment, membership=tenancy.employee, reason="No me gusta")
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_the_author_keeps_the_words_of_a_hidden_comment_in_their_data(tenancy, post):
    from coro.content.personal_data import comments

    comment = CommentFactory(post=post, author=tenancy.employee, body="Mis palabras")
    comment_hide(comment=comment, membership=tenancy.editor, reason="Fuera de tema")
    rows = comments(tenancy.employee.user)
    assert rows[0]["comment"] == "Mis palabras"
    assert rows[0]["hidden_reason"] == "Fuera de tema"


def test_erased_authors_show_as_deleted_comments(tenancy, post):
    from coro.content.personal_data import erase

    CommentFactory(post=post, author=tenancy.employee, body="Hasta luego")
    erase(tenancy.employee.user)
    html = page(tenancy.client_for(tenancy.admin.user), tenancy.org, post)
    assert "Deleted comment" in html and "Hasta luego" not in html
    assert "Emilio Empleado" not in html


# --- Other organisations ------------------------------------------------------------------


def test_another_organisations_comments_are_404(tenancy):
    theirs = CommentFactory(post=PostFactory(organisation=tenancy.other_org))
    client = tenancy.client_for(tenancy.admin.user)
    assert client.get(hide_url(tenancy.org, theirs)).status_code == 404
    assert client.post(hide_url(tenancy.org, theirs), {"reason": "x"}).status_code == 404
    assert client.post(delete_url(tenancy.org, theirs)).status_code == 404
    assert client.post(add_url(tenancy.org, theirs.post), {"body": "Hola"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.hidden_at is None
    assert Comment.objects.count() == 1
