"""Reactions: a small fixed set, toggled by the person, on posts they may read that are live
or in review; everyone sees the counts and, if they look, who reacted."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coro.content.community import reaction_bar, reaction_toggle
from coro.content.models import Post, Reaction
from testing.factories import MembershipFactory, PostFactory, ReactionFactory, TeamFactory


def react_url(org, post) -> str:
    return f"/o/{org.code}/posts/{post.code}/react/"


@pytest.fixture
def post(tenancy):
    return PostFactory(organisation=tenancy.org, title="Abrimos en Valencia")


def counts(post, membership) -> dict[str, tuple[int, bool]]:
    bar = reaction_bar(post=Post.objects.get(pk=post.pk), membership=membership)
    return {c.kind: (c.count, c.mine) for c in bar.counts if c.count}


# --- The service --------------------------------------------------------------------------


def test_toggle_adds_then_takes_back(tenancy, post):
    assert reaction_toggle(post=post, membership=tenancy.employee, kind="like") is True
    assert counts(post, tenancy.employee) == {"like": (1, True)}
    assert reaction_toggle(post=post, membership=tenancy.employee, kind="like") is False
    assert counts(post, tenancy.employee) == {}


def test_several_kinds_and_people_count_apart(tenancy, post):
    reaction_toggle(post=post, membership=tenancy.employee, kind="like")
    reaction_toggle(post=post, membership=tenancy.employee, kind="celebrate")
    reaction_toggle(post=post, membership=tenancy.editor, kind="like")
    assert counts(post, tenancy.employee) == {"like": (2, True), "celebrate": (1, True)}
    assert counts(post, tenancy.admin) == {"like": (2, False), "celebrate": (1, False)}
    bar = reaction_bar(post=post, membership=tenancy.admin)
    likes = next(c for c in bar.counts if c.kind == "like")
    assert likes.names == ["Emilio Empleado", "Eva Editora"]
    assert bar.total == 3


def test_unknown_kind_is_refused(tenancy, post):
    with pytest.raises(ValidationError):
        reaction_toggle(post=post, membership=tenancy.employee, kind="angry")
    assert not Reaction.objects.exists()


@pytest.mark.parametrize(
    "status", [Post.Status.DRAFT, Post.Status.ARCHIVED, Post.Status.DECLINED, Post.Status.SCHEDULED]
)
def test_no_reactions_on_posts_that_are_not_live_or_in_review(tenancy, status):
    post = PostFactory(
        organisation=tenancy.org,
        status=status,
        published_at=None,
        publish_at=timezone.now() + timedelta(days=1),
    )
    for member in (tenancy.employee, tenancy.editor):
        with pytest.raises(ValidationError):
            reaction_toggle(post=post, membership=member, kind="like")
    assert not Reaction.objects.exists()


def test_no_reactions_on_expired_posts(tenancy):
    post = PostFactory(organisation=tenancy.org, expire_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        reaction_toggle(post=post, membership=tenancy.employee, kind="like")


def test_reactions_on_proposals_in_review(tenancy):
    proposal = PostFactory(
        organisation=tenancy.org,
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=MembershipFactory(organisation=tenancy.org),
    )
    assert reaction_toggle(post=proposal, membership=tenancy.employee, kind="support") is True


def test_no_reactions_on_a_post_meant_for_another_team(tenancy):
    post = PostFactory(organisation=tenancy.org)
    post.teams.set([TeamFactory(organisation=tenancy.org)])
    with pytest.raises(ValidationError):
        reaction_toggle(post=post, membership=tenancy.employee, kind="like")
    # Editors read every live post, so they may react to it.
    assert reaction_toggle(post=post, membership=tenancy.editor, kind="like") is True


def test_no_reactions_across_organisations(tenancy):
    theirs = PostFactory(organisation=tenancy.other_org)
    with pytest.raises(ValidationError):
        reaction_toggle(post=theirs, membership=tenancy.employee, kind="like")


# --- The page -----------------------------------------------------------------------------


def test_htmx_toggle_swaps_the_bar(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    response = client.post(
        react_url(tenancy.org, post),
        {"kind": "like"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="reactions" id="reactions-')
    assert 'aria-pressed="true"' in html
    assert '<span class="visually-hidden">Like (1), you reacted</span>' in html
    assert "You reacted: Like." in html
    assert "Emilio Empleado" in html  # who reacted, in the <details>
    assert Reaction.objects.filter(post=post, membership=tenancy.employee, kind="like").exists()

    html = client.post(
        react_url(tenancy.org, post),
        {"kind": "like"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "You took back your reaction: Like." in html
    assert 'aria-pressed="true"' not in html
    assert not Reaction.objects.exists()


def test_without_javascript_it_goes_back_where_it_was(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    feed = f"/o/{tenancy.org.code}/?q=valencia"
    response = client.post(react_url(tenancy.org, post), {"kind": "love", "next": feed})
    assert response.status_code == 302 and response["Location"] == feed
    response = client.post(
        react_url(tenancy.org, post), {"kind": "love", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == f"/o/{tenancy.org.code}/posts/{post.code}/#reactions-{post.code}"


def test_bad_kind_is_400(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    assert client.post(react_url(tenancy.org, post), {"kind": "angry"}).status_code == 400
    assert client.post(react_url(tenancy.org, post)).status_code == 400


def test_reacting_to_a_draft_is_404_for_employees_and_400_for_editors(tenancy):
    draft = PostFactory(organisation=tenancy.org, status=Post.Status.DRAFT, published_at=None)
    employee = tenancy.client_for(tenancy.employee.user)
    assert employee.post(react_url(tenancy.org, draft), {"kind": "like"}).status_code == 404
    editor = tenancy.client_for(tenancy.editor.user)
    response = editor.post(
        react_url(tenancy.org, draft), {"kind": "like"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "live posts and proposals in review" in response.content.decode()
    assert not Reaction.objects.exists()


def test_get_is_not_allowed(tenancy, post):
    assert (
        tenancy.client_for(tenancy.employee.user).get(react_url(tenancy.org, post)).status_code
        == 405
    )


def test_another_organisations_post_is_404(tenancy):
    theirs = PostFactory(organisation=tenancy.other_org)
    client = tenancy.client_for(tenancy.admin.user)
    assert client.post(react_url(tenancy.org, theirs), {"kind": "like"}).status_code == 404
    assert client.post(react_url(tenancy.other_org, theirs), {"kind": "like"}).status_code == 404
    assert not Reaction.objects.exists()


def test_feed_shows_counts_and_names(tenancy, post):
    ReactionFactory(post=post, membership=tenancy.editor, kind="celebrate")
    ReactionFactory(post=post, membership=tenancy.admin, kind="celebrate")
    html = (
        tenancy.client_for(tenancy.employee.user)
        .get(f"/o/{tenancy.org.code}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert '<span class="visually-hidden">Celebrate (2)</span>' in html
    assert "Who reacted (2)" in html
    assert "Eva Editora, Alicia Admin" in html
    # Before reacting, people read that it is public.
    assert f'aria-describedby="reactions-{post.code}-note"' in html
    assert "Reacting is public: your name shows under “Who reacted”." in html
