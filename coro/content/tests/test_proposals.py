"""Proposals: employees propose, colleagues see them on the board (named only if they opted
in to recognition), editors approve, edit or decline with a message; proposers resubmit."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coro.content import proposals, selectors
from coro.content.models import Post
from testing.factories import CommentFactory, MembershipFactory, PostFactory, ReactionFactory

PROPOSAL = {
    "language": "es",
    "title": "Nuestra visita al colegio",
    "body": "Enseñamos a los niños cómo se hace un azulejo.",
    "link": "https://turia.example/blog/colegio",
    "suggestion": "¡Qué día tan bonito!",
}


def url(org, rest: str = "") -> str:
    return f"/o/{org.code}/{rest}"


@pytest.fixture
def employee_client(tenancy):
    return tenancy.client_for(tenancy.employee.user)


@pytest.fixture
def editor_client(tenancy):
    return tenancy.client_for(tenancy.editor.user)


def propose(client, org, **changes):
    return client.post(url(org, "proposals/new/"), {**PROPOSAL, **changes})


def test_an_employee_proposes_a_post(tenancy, employee_client):
    response = propose(employee_client, tenancy.org)
    assert response.status_code == 302
    assert response["Location"] == url(tenancy.org, "proposals/mine/")
    post = Post.objects.get()
    assert post.status == Post.Status.IN_REVIEW
    assert post.proposed_by == post.author == tenancy.employee
    assert post.title == PROPOSAL["title"]
    assert post.suggestion("x") == PROPOSAL["suggestion"]
    mine = employee_client.get(url(tenancy.org, "proposals/mine/")).content.decode()
    assert PROPOSAL["title"] in mine


def test_a_bad_proposal_keeps_what_was_typed(tenancy, employee_client):
    response = propose(employee_client, tenancy.org, title="", link="javascript:alert(1)")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors and "link" in errors
    assert PROPOSAL["body"] in response.content.decode()
    assert not Post.objects.exists()


def test_a_too_long_suggestion_is_refused(tenancy, employee_client):
    response = propose(employee_client, tenancy.org, suggestion="palabra " * 60)
    assert response.status_code == 200
    assert "suggestion" in response.context["form"].errors
    assert not Post.objects.exists()


def test_proposals_are_not_in_the_feed(tenancy, employee_client):
    propose(employee_client, tenancy.org)
    feed = employee_client.get(url(tenancy.org)).content.decode()
    assert PROPOSAL["title"] not in feed
    assert not selectors.posts_live(tenancy.org).exists()


@pytest.mark.parametrize("opted_in", [True, False])
def test_the_board_names_only_proposers_who_opted_in(tenancy, employee_client, opted_in):
    tenancy.employee.recognition_opt_in = opted_in
    tenancy.employee.save()
    propose(employee_client, tenancy.org)
    colleague = MembershipFactory(organisation=tenancy.org)
    board = tenancy.client_for(colleague.user).get(url(tenancy.org, "proposals/"))
    html = board.content.decode()
    assert board.status_code == 200
    assert PROPOSAL["title"] in html
    name = tenancy.employee.user.name
    assert (name in html) is opted_in
    assert tenancy.employee.user.email not in html
    if not opted_in:
        assert "colleague" in html or "compañer" in html


def test_the_board_shows_only_proposals_in_review_of_the_organisation(tenancy):
    PostFactory(organisation=tenancy.org, title="Publicada", proposed_by=tenancy.employee)
    PostFactory(
        organisation=tenancy.org,
        title="Rechazada",
        status=Post.Status.DECLINED,
        proposed_by=tenancy.employee,
        published_at=None,
    )
    PostFactory(
        organisation=tenancy.other_org,
        title="Ajena",
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=tenancy.outsider,
    )
    PostFactory(
        organisation=tenancy.org,
        title="En revisión",
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=tenancy.employee,
    )
    html = tenancy.client_for(tenancy.employee.user).get(url(tenancy.org, "proposals/"))
    html = html.content.decode()
    assert "En revisión" in html
    for title in ("Publicada", "Rechazada", "Ajena"):
        assert title not in html


def in_review(tenancy, **kwargs):
    return PostFactory(
        organisation=tenancy.org,
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=tenancy.employee,
        author=tenancy.employee,
        **kwargs,
    )


def test_an_editor_edits_and_approves_a_proposal(tenancy, editor_client):
    post = in_review(tenancy)
    edit = url(tenancy.org, f"posts/{post.code}/edit/")
    page = editor_client.get(edit).content.decode()
    assert "Approve and publish" in page or 'name="publish"' in page
    response = editor_client.post(
        edit, {"language": "es", "title_es": "Título mejorado", "publish": "1"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.status, post.title) == (Post.Status.PUBLISHED, "Título mejorado")
    assert post.proposed_by == tenancy.employee
    assert post.published_at is not None


def test_an_editor_declines_with_a_message(tenancy, editor_client, employee_client):
    post = in_review(tenancy)
    decline = url(tenancy.org, f"proposals/{post.code}/decline/")
    assert editor_client.get(decline).status_code == 200
    response = editor_client.post(decline, {"message": ""})
    assert response.status_code == 200
    assert "message" in response.context["form"].errors
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW

    editor_client.post(decline, {"message": "Ya lo publicamos el mes pasado."})
    post.refresh_from_db()
    assert post.status == Post.Status.DECLINED
    mine = employee_client.get(url(tenancy.org, "proposals/mine/")).content.decode()
    assert "Ya lo publicamos el mes pasado." in mine


def test_the_proposer_edits_and_resubmits(tenancy, employee_client):
    post = in_review(tenancy)
    Post.objects.filter(pk=post.pk).update(
        status=Post.Status.DECLINED, decline_message="Falta el enlace."
    )
    edit = url(tenancy.org, f"proposals/{post.code}/edit/")
    page = employee_client.get(edit).content.decode()
    assert "Falta el enlace." in page
    response = employee_client.post(edit, {**PROPOSAL, "title": "Con enlace", "resubmit": "1"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.status, post.title) == (Post.Status.IN_REVIEW, "Con enlace")


def test_the_proposer_resubmits_as_it_is(tenancy, employee_client):
    post = in_review(tenancy)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DECLINED)
    employee_client.post(url(tenancy.org, f"proposals/{post.code}/resubmit/"))
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW


def test_a_published_proposal_can_no_longer_be_changed_by_its_proposer(tenancy, employee_client):
    post = PostFactory(organisation=tenancy.org, title="Ya publicada", proposed_by=tenancy.employee)
    edit = url(tenancy.org, f"proposals/{post.code}/edit/")
    assert 'name="title"' not in employee_client.get(edit).content.decode()
    response = employee_client.post(edit, {**PROPOSAL, "title": "Cambiada"})
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.title == "Ya publicada"


def test_nobody_else_edits_a_proposal_as_its_proposer(tenancy):
    post = in_review(tenancy)
    colleague = MembershipFactory(organisation=tenancy.org)
    client = tenancy.client_for(colleague.user)
    edit = url(tenancy.org, f"proposals/{post.code}/edit/")
    assert client.get(edit).status_code == 404
    assert client.post(edit, {**PROPOSAL, "title": "Mía"}).status_code == 404
    assert client.post(url(tenancy.org, f"proposals/{post.code}/resubmit/")).status_code == 404
    post.refresh_from_db()
    assert post.title != "Mía"


def test_employees_cannot_decline(tenancy, employee_client):
    post = in_review(tenancy)
    response = employee_client.post(
        url(tenancy.org, f"proposals/{post.code}/decline/"), {"message": "no"}
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW


@pytest.mark.parametrize(
    ("opted_in", "deactivated", "credited"),
    [(True, False, True), (False, False, False), (True, True, False)],
)
def test_credit_goes_only_to_opted_in_active_proposers(tenancy, opted_in, deactivated, credited):
    from django.utils import timezone

    tenancy.employee.recognition_opt_in = opted_in
    tenancy.employee.deactivated_at = timezone.now() if deactivated else None
    tenancy.employee.save()
    post = PostFactory(organisation=tenancy.org, proposed_by=tenancy.employee)
    name = tenancy.employee.user.name
    assert selectors.proposer_name(post) == (name if credited else None)
    assert selectors.proposer_name(PostFactory(organisation=tenancy.org)) is None


def test_a_bad_link_says_so_once(tenancy, employee_client):
    response = propose(employee_client, tenancy.org, link="not a link", title="")
    errors = response.context["form"].errors
    assert len(errors["link"]) == 1
    assert len(errors["title"]) == 1


def test_service_refusals_show_on_the_proposal_fields(tenancy, employee_client):
    response = propose(employee_client, tenancy.org, suggestion="palabra " * 60)
    errors = response.context["form"].errors
    assert list(errors) == ["suggestion"]
    assert len(errors["suggestion"]) == 1  # the same text, refused once


def test_the_suggestion_counter_names_the_network(tenancy, employee_client):
    html = employee_client.get(url(tenancy.org, "proposals/new/"), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert 'id="id_suggestion-counter" aria-live="polite">X: ' in html
    assert "characters left</p>" in html


def test_the_board_reads_its_cards_in_a_fixed_number_of_queries(tenancy, employee_client):
    def board_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert employee_client.get(url(tenancy.org, "proposals/")).status_code == 200
        return len(queries)

    def proposal() -> None:
        post = in_review(tenancy)
        ReactionFactory(post=post, membership=MembershipFactory(organisation=tenancy.org))
        CommentFactory(post=post, author=MembershipFactory(organisation=tenancy.org))

    proposal()
    one = board_queries()
    for _ in range(3):
        proposal()
    assert board_queries() == one


def test_only_a_proposal_with_a_proposer_can_be_declined(tenancy):
    own = PostFactory(organisation=tenancy.org, status=Post.Status.IN_REVIEW, published_at=None)
    with pytest.raises(ValidationError) as refused:
        proposals.proposal_decline(post=own, by=tenancy.editor, message="No")
    assert refused.value.code == "no_proposer"
    own.refresh_from_db()
    assert own.status == Post.Status.IN_REVIEW
    assert not proposals.proposal_declinable(own)


def test_the_decline_page_of_a_declined_proposal_says_so(tenancy, editor_client):
    post = in_review(tenancy)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DECLINED, decline_message="Ya salió.")
    decline = url(tenancy.org, f"proposals/{post.code}/decline/")
    html = editor_client.get(decline, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This proposal was already declined." in html
    assert "Ya salió." in html
    assert 'name="message"' not in html


def test_my_proposals_link_to_the_published_post(tenancy, employee_client):
    post = PostFactory(organisation=tenancy.org, title="Ya publicada", proposed_by=tenancy.employee)
    mine = employee_client.get(url(tenancy.org, "proposals/mine/")).content.decode()
    assert f'href="{url(tenancy.org, f"posts/{post.code}/")}"' in mine


def test_the_proposer_manages_images_while_the_proposal_waits(tenancy, employee_client):
    post = in_review(tenancy)
    edit = url(tenancy.org, f"proposals/{post.code}/edit/")
    assert f'id="post-images-{post.code}"' in employee_client.get(edit).content.decode()
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)
    assert f'id="post-images-{post.code}"' not in employee_client.get(edit).content.decode()
