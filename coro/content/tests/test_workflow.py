"""The editorial workflow: a state machine with the allowed moves only, by role; scheduling
and expiry (the periodic job and the live selector); the frozen link."""

from datetime import timedelta
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from coro.content import selectors, services, workflow
from coro.content.models import Post
from coro.core.periodic import JOBS
from testing.factories import PostFactory, ShareFactory

S = Post.Status
ALLOWED = {
    (S.DRAFT, S.IN_REVIEW),
    (S.DRAFT, S.SCHEDULED),
    (S.DRAFT, S.PUBLISHED),
    (S.DRAFT, S.ARCHIVED),
    (S.IN_REVIEW, S.DRAFT),
    (S.IN_REVIEW, S.SCHEDULED),
    (S.IN_REVIEW, S.PUBLISHED),
    (S.IN_REVIEW, S.DECLINED),
    (S.SCHEDULED, S.DRAFT),
    (S.SCHEDULED, S.PUBLISHED),
    (S.SCHEDULED, S.ARCHIVED),
    (S.PUBLISHED, S.DRAFT),
    (S.PUBLISHED, S.ARCHIVED),
    (S.ARCHIVED, S.DRAFT),
    (S.DECLINED, S.IN_REVIEW),
}
EVERY_MOVE = list(product(S, S))


def make_post(tenancy, status, **kwargs):
    return PostFactory(
        organisation=tenancy.org,
        status=status,
        published_at=timezone.now() if status == S.PUBLISHED else None,
        publish_at=timezone.now() + timedelta(days=1),
        proposed_by=tenancy.employee,
        **kwargs,
    )


def test_the_table_matches_the_model():
    moves = {(a, b) for a, targets in Post.TRANSITIONS.items() for b in targets}
    assert moves == ALLOWED


@pytest.mark.parametrize(("frm", "to"), EVERY_MOVE)
@pytest.mark.parametrize("who", ["editor", "admin"])
def test_editors_make_every_allowed_move_and_no_other(tenancy, frm, to, who):
    post = make_post(tenancy, frm)
    by = getattr(tenancy, who)
    if (frm, to) in ALLOWED:
        moved = workflow.post_transition(post=post, to=to, by=by, message="No encaja ahora.")
        post.refresh_from_db()
        assert moved.status == post.status == to
    else:
        with pytest.raises(ValidationError) as refused:
            workflow.post_transition(post=post, to=to, by=by, message="No encaja ahora.")
        assert refused.value.code == "transition"
        post.refresh_from_db()
        assert post.status == frm


PROPOSER_ALLOWED = {(S.DRAFT, S.IN_REVIEW), (S.DECLINED, S.IN_REVIEW)}


@pytest.mark.parametrize(("frm", "to"), EVERY_MOVE)
def test_employees_only_send_their_own_proposals_for_review(tenancy, frm, to):
    post = make_post(tenancy, frm)
    if (frm, to) in PROPOSER_ALLOWED:
        workflow.post_transition(post=post, to=to, by=tenancy.employee)
        post.refresh_from_db()
        assert post.status == to
        return
    with pytest.raises(ValidationError):
        workflow.post_transition(post=post, to=to, by=tenancy.employee, message="x")
    post.refresh_from_db()
    assert post.status == frm


def test_employees_cannot_move_someone_elses_proposal(tenancy):
    from testing.factories import MembershipFactory

    colleague = MembershipFactory(organisation=tenancy.org)
    post = make_post(tenancy, S.DECLINED)
    with pytest.raises(ValidationError) as refused:
        workflow.post_transition(post=post, to=S.IN_REVIEW, by=colleague)
    assert refused.value.code == "role"
    post.refresh_from_db()
    assert post.status == S.DECLINED


def test_nobody_moves_another_organisations_post(tenancy):
    post = make_post(tenancy, S.DRAFT)
    with pytest.raises(ValidationError) as refused:
        workflow.post_transition(post=post, to=S.PUBLISHED, by=tenancy.outsider)
    assert refused.value.code == "org"
    post.refresh_from_db()
    assert post.status == S.DRAFT


def test_declining_needs_a_message(tenancy):
    post = make_post(tenancy, S.IN_REVIEW)
    for message in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            workflow.post_transition(post=post, to=S.DECLINED, by=tenancy.editor, message=message)
        assert "message" in refused.value.error_dict
    workflow.post_transition(post=post, to=S.DECLINED, by=tenancy.editor, message=" Ya salió. ")
    post.refresh_from_db()
    assert (post.status, post.decline_message) == (S.DECLINED, "Ya salió.")


def test_publishing_and_archiving_set_their_times(tenancy):
    post = make_post(tenancy, S.DRAFT)
    now = timezone.now()
    workflow.post_transition(post=post, to=S.PUBLISHED, by=tenancy.editor, now=now)
    post.refresh_from_db()
    assert post.published_at == now
    later = now + timedelta(hours=1)
    workflow.post_transition(post=post, to=S.ARCHIVED, by=tenancy.editor, now=later)
    post.refresh_from_db()
    assert (post.status, post.archived_at, post.published_at) == (S.ARCHIVED, later, now)
    workflow.post_transition(post=post, to=S.DRAFT, by=tenancy.editor)
    post.refresh_from_db()
    assert (post.published_at, post.archived_at) == (None, None)


def test_scheduling_needs_a_future_time(tenancy):
    post = make_post(tenancy, S.DRAFT)
    post.publish_at = None
    post.save()
    with pytest.raises(ValidationError) as refused:
        workflow.post_transition(post=post, to=S.SCHEDULED, by=tenancy.editor)
    assert "publish_at" in refused.value.error_dict
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        workflow.post_transition(post=post, to=S.SCHEDULED, by=tenancy.editor)
    post.refresh_from_db()
    assert post.status == S.DRAFT


def test_an_expired_post_cannot_be_published(tenancy):
    post = make_post(tenancy, S.DRAFT, expire_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as refused:
        workflow.post_transition(post=post, to=S.PUBLISHED, by=tenancy.editor)
    assert "expire_at" in refused.value.error_dict


# --- Scheduling and expiry ----------------------------------------------------------------


def test_the_job_publishes_due_posts_and_archives_expired_ones(tenancy):
    now = timezone.now()
    due = PostFactory(
        organisation=tenancy.org,
        status=S.SCHEDULED,
        published_at=None,
        publish_at=now - timedelta(minutes=2),
    )
    later = PostFactory(
        organisation=tenancy.org,
        status=S.SCHEDULED,
        published_at=None,
        publish_at=now + timedelta(minutes=5),
    )
    expired = PostFactory(
        organisation=tenancy.org,
        published_at=now - timedelta(days=3),
        expire_at=now - timedelta(minutes=1),
    )
    running = PostFactory(organisation=tenancy.org, expire_at=now + timedelta(days=1))
    foreign = PostFactory(
        organisation=tenancy.other_org,
        status=S.SCHEDULED,
        published_at=None,
        publish_at=now - timedelta(minutes=1),
    )

    assert workflow.posts_publish_due(now=now) == (2, 1)
    for post in (due, later, expired, running, foreign):
        post.refresh_from_db()
    assert (due.status, due.published_at) == (S.PUBLISHED, due.publish_at)
    assert later.status == S.SCHEDULED
    assert (expired.status, expired.archived_at) == (S.ARCHIVED, expired.expire_at)
    assert running.status == S.PUBLISHED
    assert foreign.status == S.PUBLISHED

    # Twice is harmless.
    assert workflow.posts_publish_due(now=now) == (0, 0)
    # And later the scheduled one goes out too.
    assert workflow.posts_publish_due(now=now + timedelta(minutes=6)) == (1, 0)
    later.refresh_from_db()
    assert later.status == S.PUBLISHED


def test_the_registered_job_runs_every_minute_and_publishes(tenancy):
    job = JOBS["content.publish_due"]
    assert job.every == timedelta(minutes=1)
    post = PostFactory(
        organisation=tenancy.org,
        status=S.SCHEDULED,
        published_at=None,
        publish_at=timezone.now() - timedelta(seconds=1),
    )
    job.run()
    post.refresh_from_db()
    assert post.status == S.PUBLISHED


def test_live_posts_do_not_wait_for_the_job(tenancy):
    now = timezone.now()
    due = PostFactory(
        organisation=tenancy.org,
        status=S.SCHEDULED,
        published_at=None,
        publish_at=now - timedelta(minutes=1),
    )
    future = PostFactory(
        organisation=tenancy.org,
        status=S.SCHEDULED,
        published_at=None,
        publish_at=now + timedelta(minutes=1),
    )
    expired = PostFactory(organisation=tenancy.org, expire_at=now - timedelta(seconds=1))
    live = PostFactory(organisation=tenancy.org, published_at=now - timedelta(hours=1))
    draft = PostFactory(organisation=tenancy.org, status=S.DRAFT, published_at=None)
    PostFactory(organisation=tenancy.other_org)

    found = list(selectors.posts_live(tenancy.org, now=now))
    assert found == [due, live]  # newest first
    assert future not in found and expired not in found and draft not in found
    # Two minutes on, the scheduled one is live as well.
    assert future in selectors.posts_live(tenancy.org, now=now + timedelta(minutes=2))


def test_editors_list_counts_follow_the_clock(tenancy):
    now = timezone.now()
    PostFactory(
        organisation=tenancy.org,
        status=S.SCHEDULED,
        published_at=None,
        publish_at=now - timedelta(minutes=1),
    )
    PostFactory(
        organisation=tenancy.org,
        status=S.SCHEDULED,
        published_at=None,
        publish_at=now + timedelta(days=1),
    )
    PostFactory(organisation=tenancy.org, expire_at=now - timedelta(minutes=1))
    PostFactory(organisation=tenancy.org, status=S.DRAFT, published_at=None)
    counts = selectors.posts_tab_counts(tenancy.org, now=now)
    assert counts == {
        "draft": 1,
        "in_review": 0,
        "scheduled": 1,
        "live": 1,
        "archived": 1,
        "declined": 0,
    }


# --- The frozen link ----------------------------------------------------------------------


def edit_args(post, **changes):
    return {
        "post": post,
        "language": post.language,
        "texts": post.texts,
        "link": post.link,
        "publish_at": post.publish_at,
        "expire_at": post.expire_at,
        **changes,
    }


def test_the_link_can_change_before_anyone_shares(tenancy):
    post = PostFactory(organisation=tenancy.org, link="https://turia.example/a")
    services.post_update(**edit_args(post, by=tenancy.editor, link="https://turia.example/b"))
    post.refresh_from_db()
    assert post.link == "https://turia.example/b"


@pytest.mark.parametrize("lock", ["share", "lock"])
def test_the_service_refuses_a_new_link_once_shared(tenancy, lock):
    post = PostFactory(organisation=tenancy.org, link="https://turia.example/a")
    if lock == "share":
        ShareFactory(post=post)
    else:
        services.post_link_lock(post=post)
    stale = Post.objects.get(pk=post.pk)  # as a forged form would have it
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.post_update(
            **edit_args(stale, by=tenancy.editor, link="https://elsewhere.example/")
        )
    assert "link" in refused.value.error_dict
    with translation.override("en"):
        assert "archive this post and publish a new one" in " ".join(refused.value.messages)
    post.refresh_from_db()
    assert post.link == "https://turia.example/a"
    # Everything else may still change.
    services.post_update(
        **edit_args(stale, by=tenancy.editor, texts={"es": {"title": "Otro", "body": ""}})
    )
    post.refresh_from_db()
    assert (post.title, post.link) == ("Otro", "https://turia.example/a")


def test_a_forged_form_cannot_change_a_locked_link(tenancy):
    post = PostFactory(organisation=tenancy.org, link="https://turia.example/a")
    ShareFactory(post=post)
    client = tenancy.client_for(tenancy.editor.user)
    edit = f"/o/{tenancy.org.code}/posts/{post.code}/edit/"
    page = client.get(edit).content.decode()
    assert str(services.LINK_LOCKED) in page
    assert "readonly" in page
    response = client.post(
        edit, {"language": "es", "title_es": "Título", "link": "https://elsewhere.example/"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.link) == ("Título", "https://turia.example/a")


# --- Publishing or scheduling from the editor ---------------------------------------------


def test_publish_now_keeps_a_published_posts_first_time(tenancy):
    post = make_post(tenancy, S.DRAFT)
    now = timezone.now()
    workflow.post_publish_or_schedule(post=post, by=tenancy.editor, now=now)
    later = now + timedelta(hours=1)
    again = workflow.post_publish_or_schedule(post=post, by=tenancy.editor, now=later)
    assert (again.status, again.published_at) == (S.PUBLISHED, now)


def test_schedule_needs_a_time_and_a_past_time_means_now(tenancy):
    post = make_post(tenancy, S.DRAFT)
    Post.objects.filter(pk=post.pk).update(publish_at=None)
    with pytest.raises(ValidationError) as refused:
        workflow.post_publish_or_schedule(post=post, by=tenancy.editor, schedule=True)
    assert "publish_at" in refused.value.error_dict
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(publish_at=now + timedelta(days=1))
    scheduled = workflow.post_publish_or_schedule(
        post=post, by=tenancy.editor, schedule=True, now=now
    )
    assert scheduled.status == S.SCHEDULED
    # Already scheduled: it stays so. A time already past publishes it now.
    assert (
        workflow.post_publish_or_schedule(
            post=post, by=tenancy.editor, schedule=True, now=now
        ).status
        == S.SCHEDULED
    )
    Post.objects.filter(pk=post.pk).update(publish_at=now - timedelta(minutes=5))
    published = workflow.post_publish_or_schedule(
        post=post, by=tenancy.editor, schedule=True, now=now
    )
    assert (published.status, published.published_at) == (S.PUBLISHED, now)


def test_employees_cannot_publish_their_proposal(tenancy):
    post = make_post(tenancy, S.IN_REVIEW)
    with pytest.raises(ValidationError):
        workflow.post_publish_or_schedule(post=post, by=tenancy.employee)
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW


# --- Edits check the locked row -----------------------------------------------------------


def test_a_proposer_cannot_overwrite_a_proposal_published_meanwhile(tenancy):
    from coro.content import proposals

    post = make_post(tenancy, S.IN_REVIEW, title="Propuesta")
    stale = Post.objects.get(pk=post.pk)  # what the proposer's form was built from
    workflow.post_transition(post=post, to=S.PUBLISHED, by=tenancy.editor)
    with pytest.raises(ValidationError) as refused:
        proposals.proposal_update(
            post=stale,
            by=tenancy.employee,
            language="es",
            texts={"es": {"title": "Cambiada", "body": ""}},
            suggestions={},
        )
    assert refused.value.code == "state"
    with pytest.raises(ValidationError):
        services.post_update(
            **edit_args(stale, by=tenancy.employee, texts={"es": {"title": "Otra", "body": ""}})
        )
    post.refresh_from_db()
    assert (post.status, post.title) == (S.PUBLISHED, "Propuesta")
