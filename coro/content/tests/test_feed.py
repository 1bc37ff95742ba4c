"""The feed: live posts meant for the person (everyone, or their team), pinned first, then
newest first; filtered by topic and searched; and each post's own page."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from coro.content import community
from coro.content.feed import feed_posts
from coro.content.models import Post, Reaction
from coro.program.selectors import terms_current
from coro.program.services import program_join
from testing.factories import (
    CommentFactory,
    MembershipFactory,
    PostFactory,
    ReactionFactory,
    TeamFactory,
    TopicFactory,
)


def feed_url(org, query: str = "") -> str:
    return f"/o/{org.code}/{query}"


def detail_url(org, post) -> str:
    return f"/o/{org.code}/posts/{post.code}/"


def titles(membership, **filters) -> list[str]:
    with translation.override("es"):
        return [p.title for p in feed_posts(membership, **filters)]


def get(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def teams(tenancy):
    a = TeamFactory(organisation=tenancy.org, name="Ventas")
    b = TeamFactory(organisation=tenancy.org, name="Taller")
    return a, b


# --- Who sees what ------------------------------------------------------------------------


def test_a_team_post_reaches_that_team_only_and_an_everyone_post_reaches_all(tenancy, teams):
    a, b = teams
    in_a = MembershipFactory(organisation=tenancy.org, team=a)
    in_b = MembershipFactory(organisation=tenancy.org, team=b)
    for_a = PostFactory(organisation=tenancy.org, title="Solo ventas")
    for_a.teams.set([a])
    for_both = PostFactory(organisation=tenancy.org, title="Ventas y taller")
    for_both.teams.set([a, b])
    PostFactory(organisation=tenancy.org, title="Para todos")

    assert sorted(titles(in_a)) == ["Para todos", "Solo ventas", "Ventas y taller"]
    assert sorted(titles(in_b)) == ["Para todos", "Ventas y taller"]
    # No team: only what is meant for everyone.
    assert titles(tenancy.employee) == ["Para todos"]

    html_b = get(tenancy.client_for(in_b.user), feed_url(tenancy.org))
    assert "Para todos" in html_b and "Ventas y taller" in html_b
    assert "Solo ventas" not in html_b
    html_a = get(tenancy.client_for(in_a.user), feed_url(tenancy.org))
    assert "Solo ventas" in html_a


def test_editors_read_the_same_feed_as_everyone(tenancy, teams):
    a, _ = teams
    post = PostFactory(organisation=tenancy.org, title="Solo ventas")
    post.teams.set([a])
    assert titles(tenancy.editor) == []
    assert titles(tenancy.admin) == []
    tenancy.editor.team = a
    tenancy.editor.save()
    assert titles(tenancy.editor) == ["Solo ventas"]


def test_only_live_posts_show(tenancy):
    now = timezone.now()
    PostFactory(organisation=tenancy.org, title="Publicada")
    PostFactory(
        organisation=tenancy.org, title="Borrador", status=Post.Status.DRAFT, published_at=None
    )
    PostFactory(organisation=tenancy.org, title="Archivada", status=Post.Status.ARCHIVED)
    PostFactory(
        organisation=tenancy.org,
        title="Propuesta",
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=tenancy.employee,
    )
    PostFactory(organisation=tenancy.org, title="Caducada", expire_at=now - timedelta(minutes=1))
    PostFactory(
        organisation=tenancy.org,
        title="Programada",
        status=Post.Status.SCHEDULED,
        published_at=None,
        publish_at=now + timedelta(hours=1),
    )
    PostFactory(
        organisation=tenancy.org,
        title="Programada y debida",
        status=Post.Status.SCHEDULED,
        published_at=None,
        publish_at=now - timedelta(minutes=5),
    )
    PostFactory(organisation=tenancy.other_org, title="De otra empresa")
    assert sorted(titles(tenancy.employee)) == ["Programada y debida", "Publicada"]


def test_pinned_posts_come_first_then_the_newest(tenancy):
    now = timezone.now()
    PostFactory(organisation=tenancy.org, title="Antigua", published_at=now - timedelta(days=3))
    PostFactory(
        organisation=tenancy.org, title="Fijada", pinned=True, published_at=now - timedelta(days=9)
    )
    PostFactory(organisation=tenancy.org, title="Nueva", published_at=now - timedelta(hours=1))
    assert titles(tenancy.employee) == ["Fijada", "Nueva", "Antigua"]
    html = get(tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org))
    assert html.index("Fijada") < html.index("Nueva") < html.index("Antigua")
    # Said in words, not with an emoji alone.
    assert html.count('<span class="badge post-pinned">Pinned</span>') == 1


# --- Topics and search --------------------------------------------------------------------


def test_topic_filter(tenancy):
    ferias = TopicFactory(organisation=tenancy.org, name="Ferias")
    empleo = TopicFactory(organisation=tenancy.org, name="Empleo")
    cevisama = PostFactory(organisation=tenancy.org, title="Cevisama")
    cevisama.topics.set([ferias, empleo])
    PostFactory(organisation=tenancy.org, title="Sin tema")
    assert titles(tenancy.employee, topic=ferias.code) == ["Cevisama"]

    client = tenancy.client_for(tenancy.employee.user)
    html = get(client, feed_url(tenancy.org, f"?topic={ferias.code}"))
    assert "Cevisama" in html and "Sin tema" not in html
    assert f'<option value="{ferias.code}" selected>' in html
    # The card links to its topics.
    assert f"?topic={empleo.code}" in html


def test_a_topic_of_another_organisation_or_unknown_filters_nothing(tenancy):
    theirs = TopicFactory(organisation=tenancy.other_org, name="Suyo")
    PostFactory(organisation=tenancy.org, title="Nuestra")
    client = tenancy.client_for(tenancy.employee.user)
    for code in (theirs.code, "nosuchtopic"):
        assert "Nuestra" in get(client, feed_url(tenancy.org, f"?topic={code}"))


def test_empty_topic_says_so(tenancy):
    ferias = TopicFactory(organisation=tenancy.org, name="Ferias")
    PostFactory(organisation=tenancy.org, title="Sin tema")
    html = get(
        tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org, f"?topic={ferias.code}")
    )
    assert "Nothing under “Ferias” yet." in html


def test_search_needs_every_word_whatever_the_case_and_language(tenancy):
    PostFactory(organisation=tenancy.org, title="Abrimos tienda en Valencia", body="Calle Colón")
    PostFactory(organisation=tenancy.org, title="Tienda nueva en Madrid", body="Gran Vía")
    PostFactory(
        organisation=tenancy.org,
        texts={
            "es": {"title": "Feria", "body": "Cerámica"},
            "en": {"title": "Trade fair", "body": "Tiles in VALENCIA"},
        },
    )
    assert titles(tenancy.employee, query="TIENDA valencia") == ["Abrimos tienda en Valencia"]
    assert sorted(titles(tenancy.employee, query="valencia")) == [
        "Abrimos tienda en Valencia",
        "Feria",
    ]
    assert titles(tenancy.employee, query="cerámica") == ["Feria"]
    assert titles(tenancy.employee, query="tienda barcelona") == []
    assert len(titles(tenancy.employee, query="   ")) == 3


def test_search_page_keeps_the_query_and_says_when_nothing_matches(tenancy):
    PostFactory(organisation=tenancy.org, title="Abrimos en Valencia")
    client = tenancy.client_for(tenancy.employee.user)
    html = get(client, feed_url(tenancy.org, "?q=valencia"))
    assert 'value="valencia"' in html
    assert '<label for="feed-q">' in html
    assert "1 post found." in html
    html = get(client, feed_url(tenancy.org, "?q=%3Cscript%3Ebarcelona"))
    assert "Nothing matches “&lt;script&gt;barcelona”." in html
    assert "<script>barcelona" not in html


def test_nothing_published_yet(tenancy):
    html = get(tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org))
    assert "Nothing has been published yet." in html
    html = get(tenancy.client_for(tenancy.editor.user), feed_url(tenancy.org))
    assert "Write the first post" in html


def test_pages_keep_the_filters(tenancy):
    ferias = TopicFactory(organisation=tenancy.org, name="Ferias")
    now = timezone.now()
    for n in range(12):
        post = PostFactory(
            organisation=tenancy.org,
            title=f"Feria número {n}",
            published_at=now - timedelta(hours=n),
        )
        post.topics.set([ferias])
    PostFactory(organisation=tenancy.org, title="Otra cosa")
    client = tenancy.client_for(tenancy.employee.user)
    html = get(client, feed_url(tenancy.org, f"?q=feria&topic={ferias.code}"))
    assert "Page 1 of 2" in html
    assert f"?q=feria&amp;topic={ferias.code}&amp;page=2" in html
    html = get(client, feed_url(tenancy.org, f"?q=feria&topic={ferias.code}&page=2"))
    assert "Feria número 11" in html and "Feria número 0" not in html
    assert "Otra cosa" not in html
    assert f"?q=feria&amp;topic={ferias.code}&amp;page=1" in html
    # A page that does not exist shows the last one, never an error.
    assert "Feria número 11" in get(client, feed_url(tenancy.org, "?q=feria&page=99"))


# --- The cards ----------------------------------------------------------------------------


def test_cards_render_markdown_safely(tenancy):
    PostFactory(
        organisation=tenancy.org,
        title="Con formato",
        body="**Novedad**\n\n<script>alert(1)</script>\n\n[mal](javascript:alert(1))",
    )
    html = get(tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org))
    assert "<strong>Novedad</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_a_card_links_to_the_post_and_counts_its_comments(tenancy):
    post = PostFactory(organisation=tenancy.org, title="Noticia")
    CommentFactory.create_batch(2, post=post)
    html = get(tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org))
    assert f'href="{detail_url(tenancy.org, post)}"' in html
    assert "2 comments" in html


def test_a_card_counts_only_the_comments_people_can_read(tenancy):
    post = PostFactory(organisation=tenancy.org, title="Noticia")
    CommentFactory(post=post, body="Se lee")
    CommentFactory(post=post, hidden_at=timezone.now(), hidden_reason="Fuera de tema")
    deleted = CommentFactory(post=post, author=None, body="")  # its replies keep its place
    CommentFactory(post=post, parent=deleted, body="Una respuesta")
    html = get(tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org))
    assert "2 comments" in html
    assert community.comment_count(post) == 2


def test_enrolled_people_get_share_links_others_none(tenancy):
    post = PostFactory(organisation=tenancy.org, title="Noticia")
    share = f"/o/{tenancy.org.code}/posts/{post.code}/share/linkedin/"
    assert share not in get(tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org))
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    html = get(tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org))
    assert f'href="{share}"' in html
    assert f'action="{share}"' not in html


def test_the_feed_is_a_few_queries_however_many_posts(tenancy, django_assert_max_num_queries):
    client = tenancy.client_for(tenancy.employee.user)
    topic = TopicFactory(organisation=tenancy.org)

    def add_posts(count: int) -> None:
        for _ in range(count):
            post = PostFactory(organisation=tenancy.org)
            post.topics.set([topic])
            ReactionFactory(post=post, kind=Reaction.Kind.LOVE)
            ReactionFactory(post=post, membership=tenancy.employee)
            CommentFactory(post=post)

    add_posts(1)
    client.get(feed_url(tenancy.org))  # warm the session
    with django_assert_max_num_queries(30) as one:
        get(client, feed_url(tenancy.org))
    add_posts(9)
    with django_assert_max_num_queries(len(one.captured_queries)) as ten:
        html = get(client, feed_url(tenancy.org))
    assert html.count('class="card post"') == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


# --- A post's own page --------------------------------------------------------------------


def test_post_page_shows_the_whole_post_and_its_comments(tenancy):
    post = PostFactory(organisation=tenancy.org, title="Noticia", body="Texto **entero**")
    CommentFactory(post=post, author=tenancy.editor, body="¡Qué bien!")
    html = get(tenancy.client_for(tenancy.employee.user), detail_url(tenancy.org, post))
    assert "<h1" in html and "Noticia" in html
    assert "<strong>entero</strong>" in html
    assert "¡Qué bien!" in html and "Eva Editora" in html


def test_post_page_for_another_team_is_404_except_for_editors(tenancy, teams):
    a, _ = teams
    post = PostFactory(organisation=tenancy.org, title="Solo ventas")
    post.teams.set([a])
    assert (
        tenancy.client_for(tenancy.employee.user).get(detail_url(tenancy.org, post)).status_code
        == 404
    )
    assert (
        tenancy.client_for(tenancy.editor.user).get(detail_url(tenancy.org, post)).status_code
        == 200
    )
    in_a = MembershipFactory(organisation=tenancy.org, team=a)
    assert tenancy.client_for(in_a.user).get(detail_url(tenancy.org, post)).status_code == 200


@pytest.mark.parametrize(
    ("status", "employee_sees"),
    [
        (Post.Status.DRAFT, False),
        (Post.Status.ARCHIVED, False),
        (Post.Status.DECLINED, False),
        (Post.Status.SCHEDULED, False),
        (Post.Status.PUBLISHED, True),
    ],
)
def test_post_page_by_state(tenancy, status, employee_sees):
    post = PostFactory(
        organisation=tenancy.org,
        status=status,
        published_at=timezone.now() if status == Post.Status.PUBLISHED else None,
        publish_at=timezone.now() + timedelta(days=1) if status == Post.Status.SCHEDULED else None,
    )
    employee = tenancy.client_for(tenancy.employee.user).get(detail_url(tenancy.org, post))
    assert employee.status_code == (200 if employee_sees else 404)
    assert (
        tenancy.client_for(tenancy.editor.user).get(detail_url(tenancy.org, post)).status_code
        == 200
    )


def test_proposals_in_review_are_open_to_every_member(tenancy):
    proposer = MembershipFactory(organisation=tenancy.org)
    post = PostFactory(
        organisation=tenancy.org,
        title="Mi propuesta",
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=proposer,
    )
    html = get(tenancy.client_for(tenancy.employee.user), detail_url(tenancy.org, post))
    assert "Mi propuesta" in html and "Proposal in review" in html
    assert "Your comment" in html
    assert "Mi propuesta" not in get(
        tenancy.client_for(tenancy.employee.user), feed_url(tenancy.org)
    )


def test_expired_post_page_is_404(tenancy):
    post = PostFactory(organisation=tenancy.org, expire_at=timezone.now() - timedelta(seconds=1))
    assert (
        tenancy.client_for(tenancy.employee.user).get(detail_url(tenancy.org, post)).status_code
        == 404
    )


def test_another_organisations_post_page_is_404(tenancy):
    theirs = PostFactory(organisation=tenancy.other_org)
    assert (
        tenancy.client_for(tenancy.admin.user).get(detail_url(tenancy.org, theirs)).status_code
        == 404
    )
    assert (
        tenancy.client_for(tenancy.admin.user)
        .get(detail_url(tenancy.other_org, theirs))
        .status_code
        == 404
    )


@pytest.mark.parametrize("opted_in", [True, False])
def test_a_published_proposal_credits_its_proposer_only_if_they_opted_in(tenancy, opted_in):
    tenancy.employee.recognition_opt_in = opted_in
    tenancy.employee.save()
    tenancy.employee.user.name = "Remei Castellví"
    tenancy.employee.user.save()
    PostFactory(organisation=tenancy.org, proposed_by=tenancy.employee, title="Idea de Remei")
    html = tenancy.client_for(tenancy.editor.user).get(f"/o/{tenancy.org.code}/").content.decode()
    assert "Idea de Remei" in html
    assert ("Remei Castellví" in html) is opted_in
