"""The post editor: languages, suggested texts checked by each network's rules, topics,
target teams, dates in the organisation's time zone, and the buttons."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coro.content import services
from coro.content.models import Post, Topic
from coro.networks import NETWORKS
from testing.factories import PostFactory, TeamFactory

BASE = {"language": "es", "title_es": "Abrimos en Valencia", "body_es": "Con **muchas** ganas."}


def new(org) -> str:
    return f"/o/{org.code}/posts/new/"


@pytest.fixture
def client(tenancy):
    return tenancy.client_for(tenancy.editor.user)


def local(org, value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(org.time_zone))


# --- Languages ----------------------------------------------------------------------------


def test_texts_in_several_languages_are_saved(tenancy, client):
    data = {
        **BASE,
        "title_ca": "Obrim a València",
        "body_ca": "Amb moltes ganes.",
        "title_en": "",
        "body_en": "",
    }
    assert client.post(new(tenancy.org), data).status_code == 302
    post = Post.objects.get()
    assert post.texts == {
        "es": {"title": "Abrimos en Valencia", "body": "Con **muchas** ganas."},
        "ca": {"title": "Obrim a València", "body": "Amb moltes ganes."},
    }
    assert post.text("ca")["title"] == "Obrim a València"
    assert post.text("en")["title"] == "Abrimos en Valencia"  # falls back
    assert "obrim a valència" in post.search_text and "abrimos" in post.search_text


def test_the_main_language_needs_a_title(tenancy, client):
    response = client.post(
        new(tenancy.org), {"language": "en", "title_es": "Hola", "body_es": "Texto"}
    )
    assert response.status_code == 200
    assert "title_en" in response.context["form"].errors
    assert "Hola" in response.content.decode()  # nothing typed is lost
    assert not Post.objects.exists()


def test_a_text_without_a_title_is_refused(tenancy, client):
    response = client.post(
        new(tenancy.org), {**BASE, "body_ca": "Sense títol"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title_ca"] == ["Give this text a title."]
    assert not Post.objects.exists()


def test_every_refusal_is_shown_at_once_on_its_field(tenancy, client, site):
    data = {
        **BASE,
        "body_ca": "Sense títol",
        "suggestion_es_x": "a" * 300,
        "suggestion_en_bluesky": "b" * 400,
        "publish_at": "2031-05-02T10:00",
        "expire_at": "2031-05-01T10:00",
    }
    response = client.post(new(tenancy.org), data, HTTP_ACCEPT_LANGUAGE="en")
    errors = response.context["form"].errors
    assert set(errors) == {"title_ca", "suggestion_es_x", "suggestion_en_bluesky", "expire_at"}
    assert errors["expire_at"] == ["The post must expire after it is published."]
    assert not Post.objects.exists()


def test_each_suggested_text_is_counted_once_per_save(tenancy, client, monkeypatch):
    counted = []
    check = services.suggestion_check

    def counting(**kwargs):
        counted.append((kwargs["language"], kwargs["network_key"]))
        check(**kwargs)

    monkeypatch.setattr(services, "suggestion_check", counting)
    data = {**BASE, "suggestion_es_x": "Mira esto", "suggestion_ca_bluesky": "Mira açò"}
    assert client.post(new(tenancy.org), data).status_code == 302
    assert sorted(counted) == [("ca", "bluesky"), ("es", "x")]


def test_the_service_refuses_a_post_without_any_title(tenancy):
    with pytest.raises(ValidationError):
        services.post_create(
            author=tenancy.editor, language="es", texts={"es": {"title": " ", "body": "x"}}
        )
    with pytest.raises(ValidationError):
        services.post_create(author=tenancy.editor, language="es", texts={})
    assert not Post.objects.exists()


def test_the_editor_says_markdown_works_and_opens_the_main_language(tenancy, client):
    html = client.get(new(tenancy.org)).content.decode()
    assert "You can use Markdown" in html or "Markdown" in html
    assert 'id="language-es"' in html
    assert '<details class="post-language" id="language-en"' in html


# --- Suggested texts ----------------------------------------------------------------------


def test_each_network_has_a_counted_suggestion_field(tenancy, client):
    html = client.get(new(tenancy.org)).content.decode()
    for key in NETWORKS:
        assert f'name="suggestion_es_{key}"' in html
    assert 'class="counter"' in html and 'aria-live="polite"' in html


def test_suggestions_are_saved_per_language_and_network(tenancy, client):
    data = {**BASE, "suggestion_es_x": "Mira esto", "suggestion_es_linkedin": "  "}
    assert client.post(new(tenancy.org), data).status_code == 302
    post = Post.objects.get()
    assert post.suggestions == {"es": {"x": "Mira esto"}}
    assert post.suggestion("x", "es") == "Mira esto"


@pytest.fixture
def site(settings):
    """Coro on a real domain: X counts a link to it as 23, like every link."""
    settings.BASE_URL = "https://coro.azulejos.es"


def x_text_weighing(weight: int, disclosure: str) -> str:
    """A text that, followed by the disclosure and a tracked link, weighs ``weight`` on X."""
    x = NETWORKS["x"]
    fixed = x.count(f"\n\n{disclosure} https://coro.azulejos.es/r/abcdefghij")
    assert fixed == len(f"\n\n{disclosure} ") + 23
    return "a" * (weight - fixed)


def test_an_x_suggestion_over_280_weighted_characters_is_refused(tenancy, client, site):
    from coro.orgs.disclosure import disclosure_text

    disclosure = disclosure_text(tenancy.org, "es")
    assert disclosure
    fits = x_text_weighing(280, disclosure)
    too_long = x_text_weighing(281, disclosure)

    response = client.post(new(tenancy.org), {**BASE, "suggestion_es_x": too_long})
    assert response.status_code == 200
    [error] = response.context["form"].errors["suggestion_es_x"]
    assert "280" in error and "281" in error
    assert not Post.objects.exists()

    assert client.post(new(tenancy.org), {**BASE, "suggestion_es_x": fits}).status_code == 302


def test_x_counts_emoji_double_on_the_server(tenancy, site):
    from coro.orgs.disclosure import disclosure_text

    disclosure = disclosure_text(tenancy.org, "es")
    room = len(x_text_weighing(280, disclosure))
    half = "🎉" * (room // 2 + 1)  # each emoji weighs 2 on X
    with pytest.raises(ValidationError):
        services.suggestion_check(
            organisation=tenancy.org, network_key="x", language="es", text=half
        )
    # The same number of plain letters fits.
    services.suggestion_check(
        organisation=tenancy.org, network_key="x", language="es", text="a" * (room // 2 + 1)
    )


def test_the_service_refuses_a_forged_suggestion(tenancy):
    with pytest.raises(ValidationError):
        services.post_create(
            author=tenancy.editor,
            language="es",
            texts={"es": {"title": "T", "body": ""}},
            suggestions={"es": {"x": "a" * 400}},
        )
    with pytest.raises(ValidationError) as refused:
        services.post_create(
            author=tenancy.editor,
            language="es",
            texts={"es": {"title": "T", "body": ""}},
            suggestions={"es": {"myspace": "hola"}},
        )
    [error] = refused.value.error_dict["suggestions.es.myspace"]
    assert error.code == "network"
    assert not Post.objects.exists()


# --- Topics and teams ---------------------------------------------------------------------


def test_new_topics_are_created_trimmed_and_without_duplicates(tenancy, client):
    Topic.objects.create(organisation=tenancy.org, name="Ferias")
    Topic.objects.create(organisation=tenancy.other_org, name="Empleo")
    data = {**BASE, "new_topics": " ferias ,  Empleo,empleo ,, Producto   nuevo "}
    assert client.post(new(tenancy.org), data).status_code == 302
    post = Post.objects.get()
    assert sorted(t.name for t in post.topics.all()) == ["Empleo", "Ferias", "Producto nuevo"]
    assert Topic.objects.filter(organisation=tenancy.org).count() == 3
    assert all(t.organisation == tenancy.org for t in post.topics.all())


def test_chosen_topics_and_a_long_topic_name(tenancy, client):
    ferias = Topic.objects.create(organisation=tenancy.org, name="Ferias")
    response = client.post(
        new(tenancy.org), {**BASE, "new_topics": "x" * 61}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "at most 60" in response.context["form"].errors["new_topics"][0]
    assert client.post(new(tenancy.org), {**BASE, "topics": [ferias.pk]}).status_code == 302
    assert list(Post.objects.get().topics.all()) == [ferias]


def test_another_organisations_topic_cannot_be_picked(tenancy, client):
    foreign = Topic.objects.create(organisation=tenancy.other_org, name="Ajeno")
    response = client.post(new(tenancy.org), {**BASE, "topics": [foreign.pk]})
    assert response.status_code == 200
    assert "topics" in response.context["form"].errors


def test_target_teams_are_saved_and_none_means_everyone(tenancy, client):
    sales = TeamFactory(organisation=tenancy.org, name="Ventas")
    TeamFactory(organisation=tenancy.org, name="Fábrica")
    foreign = TeamFactory(organisation=tenancy.other_org, name="Ajeno")
    assert client.post(new(tenancy.org), {**BASE, "teams": [sales.pk]}).status_code == 302
    assert list(Post.objects.get().teams.all()) == [sales]
    response = client.post(new(tenancy.org), {**BASE, "teams": [foreign.pk]})
    assert "teams" in response.context["form"].errors
    client.post(new(tenancy.org), {**BASE, "title_es": "Para todos"})
    everyone = Post.objects.get(texts__es__title="Para todos")
    assert not everyone.teams.exists()
    html = client.get(f"/o/{tenancy.org.code}/posts/", HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert "Ventas" in html
    assert "Everyone" in html


def test_editing_keeps_and_changes_topics_teams_and_pin(tenancy, client):
    sales = TeamFactory(organisation=tenancy.org, name="Ventas")
    post = PostFactory(organisation=tenancy.org, status=Post.Status.DRAFT, published_at=None)
    edit = f"/o/{tenancy.org.code}/posts/{post.code}/edit/"
    data = {**BASE, "teams": [sales.pk], "new_topics": "Ferias", "pinned": "on"}
    assert client.post(edit, data).status_code == 302
    post.refresh_from_db()
    assert post.pinned and list(post.teams.all()) == [sales]
    assert [t.name for t in post.topics.all()] == ["Ferias"]
    page = client.get(edit).content.decode()
    assert 'name="pinned" id="id_pinned" checked' in page
    assert client.post(edit, BASE).status_code == 302
    post.refresh_from_db()
    assert not post.pinned and not post.teams.exists() and not post.topics.exists()


# --- Dates and buttons --------------------------------------------------------------------


def test_schedule_in_the_future_uses_the_organisations_time_zone(tenancy, client):
    tenancy.org.time_zone = "America/New_York"
    tenancy.org.save()
    when = (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo("America/New_York"))
    value = when.strftime("%Y-%m-%dT%H:%M")
    response = client.post(new(tenancy.org), {**BASE, "publish_at": value, "schedule": "1"})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Post.Status.SCHEDULED
    assert post.publish_at == local(tenancy.org, value)
    html = client.get(f"/o/{tenancy.org.code}/posts/{post.code}/edit/").content.decode()
    assert f'value="{value}"' in html


def test_schedule_with_a_past_time_publishes_now(tenancy, client):
    past = (timezone.now() - timedelta(days=1)).astimezone(ZoneInfo(tenancy.org.time_zone))
    data = {**BASE, "publish_at": past.strftime("%Y-%m-%dT%H:%M"), "schedule": "1"}
    assert client.post(new(tenancy.org), data).status_code == 302
    post = Post.objects.get()
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at > timezone.now() - timedelta(minutes=1)


def test_schedule_without_a_time_says_so_and_saves_nothing(tenancy, client):
    response = client.post(new(tenancy.org), {**BASE, "schedule": "1"})
    assert response.status_code == 200
    assert "publish_at" in response.context["form"].errors
    assert not Post.objects.exists()
    assert BASE["title_es"] in response.content.decode()


def test_expiry_must_come_after_publication(tenancy, client):
    data = {**BASE, "publish_at": "2031-05-02T10:00", "expire_at": "2031-05-01T10:00"}
    response = client.post(new(tenancy.org), data)
    assert response.status_code == 200
    assert "expire_at" in response.context["form"].errors
    assert not Post.objects.exists()


def test_buttons_depend_on_the_state(tenancy, client):
    html = client.get(new(tenancy.org)).content.decode()
    for name in ('name="save"', 'name="publish"', 'name="schedule"'):
        assert name in html
    live = PostFactory(organisation=tenancy.org)
    html = client.get(f"/o/{tenancy.org.code}/posts/{live.code}/edit/").content.decode()
    assert 'name="publish"' not in html and 'name="schedule"' not in html
    proposal = PostFactory(
        organisation=tenancy.org,
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=tenancy.employee,
    )
    html = client.get(f"/o/{tenancy.org.code}/posts/{proposal.code}/edit/").content.decode()
    assert "Approve and publish" in html or 'name="publish"' in html
    assert f"proposals/{proposal.code}/decline/" in html


def test_a_new_post_with_a_link_asks_for_its_preview(tenancy, client):
    from coro.content.models import LinkPreview

    client.post(new(tenancy.org), {**BASE, "link": "https://turia.example/x"})
    post = Post.objects.get()
    assert LinkPreview.objects.get(post=post).url == "https://turia.example/x"


def test_employees_cannot_create_posts_through_the_service(tenancy):
    with pytest.raises(ValidationError):
        services.post_create(
            author=tenancy.employee, language="es", texts={"es": {"title": "T", "body": ""}}
        )
