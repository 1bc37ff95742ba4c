"""Who hears about what happens to posts: a post going live (the people it is meant for, once),
the decision on a proposal (its proposer), a reply (the authors it answers). Each in the
person's language, through the holding mechanism, and never a reminder to share."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coro.content import community, notify, proposals, workflow
from coro.content.models import Post
from coro.content.selectors import notification_about
from coro.notifications.models import ChatAnnouncement, Notification
from coro.orgs.models import Role
from coro.program.models import Participation
from coro.program.selectors import terms_current
from testing.factories import (
    ChatWebhookFactory,
    CommentFactory,
    MembershipFactory,
    PostFactory,
    TeamFactory,
)

S = Post.Status
Kind = Notification.Kind


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def announced(monkeypatch):
    """The team chat announcements asked for (the chat app is tested on its own)."""
    calls: list[dict] = []
    monkeypatch.setattr(notify, "chat_announce", lambda **kwargs: calls.append(kwargs) or 1)
    return calls


def enrol(membership, status=Participation.Status.ENROLLED):
    Participation.objects.create(
        membership=membership, status=status, terms=terms_current(membership.organisation)
    )
    return membership


def member(org, *, enrolled=True, language="en", **kwargs):
    m = MembershipFactory.create(organisation=org, user__language=language, **kwargs)
    return enrol(m) if enrolled else m


def told(kind=Kind.NEW_POST, **filters):
    """Who got a notification of ``kind``: their user ids."""
    return set(Notification.objects.filter(kind=kind, **filters).values_list("user_id", flat=True))


def draft(tenancy, **kwargs):
    kwargs = {"title": "Azulejos nuevos", "status": S.DRAFT, "published_at": None, **kwargs}
    return PostFactory(organisation=tenancy.org, author=tenancy.editor, **kwargs)


def publish(post, by, capture):
    with capture(execute=True):
        return workflow.post_transition(post=post, to=S.PUBLISHED, by=by)


NAGS = ("haven't shared", "have not shared", "not shared", "remind", "don't forget", "yet to share")


def assert_no_nag(notification: Notification) -> None:
    text = f"{notification.subject}\n{notification.body}".lower()
    assert not any(nag in text for nag in NAGS), text


# --- A post goes live ---------------------------------------------------------------------------


def test_a_published_post_reaches_the_enrolled_active_members_only(
    tenancy, announced, django_capture_on_commit_callbacks, settings
):
    enrol(tenancy.employee)
    enrol(tenancy.admin)
    enrol(tenancy.editor)  # the author: knows it already
    enrol(tenancy.outsider)  # another organisation
    reader = member(tenancy.org)
    not_in_program = member(tenancy.org, enrolled=False)
    left = enrol(MembershipFactory.create(organisation=tenancy.org), Participation.Status.LEFT)
    deactivated = member(tenancy.org, deactivated_at=timezone.now())
    inactive_user = member(tenancy.org, user__is_active=False)
    post = draft(tenancy)

    publish(post, tenancy.editor, django_capture_on_commit_callbacks)

    assert told() == {tenancy.employee.user_id, tenancy.admin.user_id, reader.user_id}
    for stranger in (not_in_program, left, deactivated, inactive_user, tenancy.outsider):
        assert stranger.user_id not in told()
    notification = Notification.objects.get(kind=Kind.NEW_POST, user=reader.user)
    assert notification.about == f"post:{post.code}"
    assert notification.organisation == tenancy.org
    assert notification.link == f"/o/{tenancy.org.code}/posts/{post.code}/"
    assert notification.subject == "New post: Azulejos nuevos"
    assert "up to you" in notification.body
    assert_no_nag(notification)
    assert announced == [
        {
            "organisation": tenancy.org,
            "team_ids": [],
            "about": f"post:{post.code}",
            "text": "New post: Azulejos nuevos",
            "link": f"{settings.BASE_URL}/o/{tenancy.org.code}/posts/{post.code}/",
        }
    ]


def test_a_post_for_some_teams_reaches_those_teams_only(
    tenancy, announced, django_capture_on_commit_callbacks
):
    shop, office, other = (TeamFactory.create(organisation=tenancy.org) for _ in range(3))
    in_shop = member(tenancy.org, team=shop)
    in_office = member(tenancy.org, team=office)
    in_other = member(tenancy.org, team=other)
    no_team = member(tenancy.org)
    post = draft(tenancy)
    post.teams.set([shop, office])

    publish(post, tenancy.editor, django_capture_on_commit_callbacks)

    assert told() == {in_shop.user_id, in_office.user_id}
    assert in_other.user_id not in told() and no_team.user_id not in told()
    assert announced[0]["team_ids"] == sorted([shop.pk, office.pk])


def test_publishing_again_tells_nobody_twice(
    tenancy, announced, django_capture_on_commit_callbacks
):
    reader = member(tenancy.org)
    post = draft(tenancy)
    publish(post, tenancy.editor, django_capture_on_commit_callbacks)
    workflow.post_transition(post=post, to=S.DRAFT, by=tenancy.editor)
    newcomer = member(tenancy.org)
    publish(post, tenancy.editor, django_capture_on_commit_callbacks)

    assert Notification.objects.filter(kind=Kind.NEW_POST, user=reader.user).count() == 1
    assert told() == {reader.user_id, newcomer.user_id}
    # The task run again by a worker tells nobody again either.
    assert notify.post_live_notify(post_id=post.pk) == 0
    assert Notification.objects.filter(kind=Kind.NEW_POST).count() == 2


def test_a_post_taken_back_before_the_task_runs_tells_nobody(tenancy, announced):
    member(tenancy.org)
    post = draft(tenancy)
    assert notify.post_live_notify(post_id=post.pk) == 0
    assert told() == set()
    assert announced == []


def test_the_editors_publish_button_tells_people(
    tenancy, announced, django_capture_on_commit_callbacks
):
    reader = member(tenancy.org)
    post = draft(tenancy)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.post_publish_or_schedule(post=post, by=tenancy.editor)
    assert told() == {reader.user_id}


def test_a_scheduled_post_tells_people_when_it_goes_live_not_before(
    tenancy, announced, django_capture_on_commit_callbacks
):
    reader = member(tenancy.org)
    post = draft(tenancy, publish_at=timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.post_publish_or_schedule(post=post, by=tenancy.editor, schedule=True)
    assert told() == set()

    later = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert workflow.posts_publish_due(now=later) == (1, 0)
    assert told() == {reader.user_id}
    assert len(announced) == 1

    # The periodic job run again publishes nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True) as again:
        assert workflow.posts_publish_due(now=later) == (0, 0)
    assert again == []
    assert Notification.objects.filter(kind=Kind.NEW_POST).count() == 1


def test_each_person_reads_it_in_their_language(
    tenancy, announced, django_capture_on_commit_callbacks
):
    tenancy.org.language = "es"
    tenancy.org.save(update_fields=["language"])
    english = member(tenancy.org, language="en")
    unset = member(tenancy.org, language="")  # the organisation's language
    post = draft(tenancy)
    post.texts = {
        "es": {"title": "Azulejos nuevos", "body": "Hechos a mano."},
        "en": {"title": "New tiles", "body": "Handmade."},
    }
    post.save(update_fields=["texts"])

    publish(post, tenancy.editor, django_capture_on_commit_callbacks)

    assert Notification.objects.get(user=english.user).subject == "New post: New tiles"
    spanish = Notification.objects.get(user=unset.user)
    assert "Azulejos nuevos" in spanish.subject
    assert "New tiles" not in spanish.subject
    assert "Azulejos nuevos" in announced[0]["text"]  # the chat: the organisation's language


def test_telling_many_people_costs_no_more_queries_than_telling_a_few(
    tenancy, announced, django_capture_on_commit_callbacks
):
    """The queries do not grow with the people told (3 or 30), and each is told once."""

    def queries_to_tell(newcomers: int) -> tuple[int, int]:
        """Add members, publish a post for everyone; (people told, queries it took)."""
        Participation.objects.all().delete()  # only the newcomers take part
        post = draft(tenancy, status=S.PUBLISHED, published_at=timezone.now())
        for _ in range(newcomers):
            member(tenancy.org)
        with CaptureQueriesContext(connection) as run:
            people = notify.post_live_notify(post_id=post.pk)
        assert told(about=notification_about(post)) == set(
            Participation.objects.values_list("membership__user_id", flat=True)
        )
        return people, len(run.captured_queries)

    few, few_queries = queries_to_tell(3)
    many, many_queries = queries_to_tell(30)
    assert (few, many) == (3, 30)
    assert many_queries == few_queries


def test_people_are_told_in_batches(tenancy, announced, monkeypatch):
    monkeypatch.setattr(notify, "TELL_BATCH", 2)
    post = draft(tenancy, status=S.PUBLISHED, published_at=timezone.now())
    people = {member(tenancy.org).user_id for _ in range(5)}
    assert notify.post_live_notify(post_id=post.pk) == 5
    assert told(about=notification_about(post)) == people
    assert notify.post_live_notify(post_id=post.pk) == 0  # each once


# --- Proposals -----------------------------------------------------------------------------------


def proposal(tenancy, proposer=None):
    proposer = proposer or tenancy.employee
    return PostFactory(
        organisation=tenancy.org,
        status=S.IN_REVIEW,
        published_at=None,
        author=proposer,
        proposed_by=proposer,
        title="Feria de cerámica",
    )


def test_a_declined_proposal_tells_its_proposer_the_editors_message(tenancy):
    post = proposal(tenancy)
    proposals.proposal_decline(post=post, by=tenancy.editor, message="Falta la fecha.")

    notification = Notification.objects.get(kind=Kind.PROPOSAL_DECIDED)
    assert notification.user == tenancy.employee.user
    assert notification.subject == "Your proposal was declined: Feria de cerámica"
    assert "Falta la fecha." in notification.body
    assert notification.link == f"/o/{tenancy.org.code}/proposals/{post.code}/edit/"
    assert notification.about == f"proposal:{post.code}"
    assert_no_nag(notification)


def test_a_published_proposal_tells_its_proposer_once_and_not_as_a_new_post(
    tenancy, announced, django_capture_on_commit_callbacks
):
    enrol(tenancy.employee)
    colleague = member(tenancy.org)
    post = proposal(tenancy)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.post_publish_or_schedule(post=post, by=tenancy.editor)

    decided = Notification.objects.get(kind=Kind.PROPOSAL_DECIDED)
    assert decided.user == tenancy.employee.user
    assert decided.subject == "Your proposal is published: Feria de cerámica"
    assert decided.link == f"/o/{tenancy.org.code}/posts/{post.code}/"
    assert told() == {colleague.user_id}  # the proposer heard the decision instead


def test_a_scheduled_proposal_tells_its_proposer_when_it_goes_out(tenancy):
    post = proposal(tenancy)
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() + timedelta(days=2))
    post.refresh_from_db()
    workflow.post_publish_or_schedule(post=post, by=tenancy.editor, schedule=True)

    decided = Notification.objects.get(kind=Kind.PROPOSAL_DECIDED)
    assert decided.subject == "Your proposal is approved: Feria de cerámica"
    assert "It goes out on" in decided.body
    assert decided.link == f"/o/{tenancy.org.code}/proposals/mine/"


def test_moves_that_decide_nothing_tell_nobody(tenancy):
    post = proposal(tenancy)
    proposals.proposal_decline(post=post, by=tenancy.editor, message="Falta la fecha.")
    workflow.post_transition(post=post, to=S.IN_REVIEW, by=tenancy.employee)  # resubmitted
    workflow.post_transition(post=post, to=S.DRAFT, by=tenancy.editor)  # back to draft
    assert Notification.objects.filter(kind=Kind.PROPOSAL_DECIDED).count() == 1


def test_nobody_is_told_of_their_own_decision_or_when_they_are_gone(tenancy):
    own = proposal(tenancy, proposer=tenancy.editor)
    proposals.proposal_decline(post=own, by=tenancy.editor, message="Mejor otro día.")
    gone = member(tenancy.org, deactivated_at=timezone.now())
    theirs = proposal(tenancy, proposer=gone)
    proposals.proposal_decline(post=theirs, by=tenancy.editor, message="No encaja.")
    assert Notification.objects.filter(kind=Kind.PROPOSAL_DECIDED).count() == 0


# --- Replies ------------------------------------------------------------------------------------


@pytest.fixture
def live_post(tenancy):
    return PostFactory(organisation=tenancy.org, title="Azulejos nuevos")


def test_a_reply_tells_the_author_of_the_comment(tenancy, live_post):
    comment = CommentFactory(post=live_post, author=tenancy.employee)
    reply = community.comment_add(
        post=live_post, membership=tenancy.admin, body="¡Gracias por avisar!", parent=comment
    )
    notification = Notification.objects.get(kind=Kind.COMMENT_REPLY)
    assert notification.user == tenancy.employee.user
    assert notification.subject == "Alicia Admin replied to your comment on “Azulejos nuevos”"
    assert notification.body == "¡Gracias por avisar!"
    assert (
        notification.link == f"/o/{tenancy.org.code}/posts/{live_post.code}/#comment-{reply.code}"
    )
    assert notification.about == f"comment:{reply.code}"
    assert told(Kind.COMMENT_REPLY) == {tenancy.employee.user_id}


def test_replying_to_yourself_or_commenting_tells_nobody(tenancy, live_post):
    comment = community.comment_add(post=live_post, membership=tenancy.employee, body="Primero")
    community.comment_add(post=live_post, membership=tenancy.employee, body="Y más", parent=comment)
    assert Notification.objects.filter(kind=Kind.COMMENT_REPLY).count() == 0


def test_a_reply_to_a_reply_tells_both_authors_of_the_thread(tenancy, live_post):
    first = CommentFactory(post=live_post, author=tenancy.employee)
    answer = CommentFactory(post=live_post, author=tenancy.editor, parent=first)
    community.comment_add(
        post=live_post, membership=tenancy.admin, body="Yo también", parent=answer
    )
    assert told(Kind.COMMENT_REPLY) == {tenancy.employee.user_id, tenancy.editor.user_id}


def test_a_reply_to_someone_who_left_tells_nobody(tenancy, live_post):
    gone = MembershipFactory.create(
        organisation=tenancy.org, role=Role.EMPLOYEE, deactivated_at=timezone.now()
    )
    comment = CommentFactory(post=live_post, author=gone)
    erased = CommentFactory(post=live_post, author=None)
    community.comment_add(post=live_post, membership=tenancy.admin, body="Hola", parent=comment)
    community.comment_add(post=live_post, membership=tenancy.admin, body="Hola", parent=erased)
    assert Notification.objects.filter(kind=Kind.COMMENT_REPLY).count() == 0


# --- Team chat (the real ``chat_announce``; its tasks wait for a commit that never comes) ---------


def test_a_live_post_is_announced_once_in_its_teams_chat_channels(tenancy):
    shop, office = (TeamFactory.create(organisation=tenancy.org) for _ in range(2))
    everyone = ChatWebhookFactory.create(organisation=tenancy.org, team=None)
    in_shop = ChatWebhookFactory.create(organisation=tenancy.org, team=shop)
    ChatWebhookFactory.create(organisation=tenancy.org, team=office)
    ChatWebhookFactory.create(organisation=tenancy.other_org, team=None)
    post = draft(tenancy, status=S.PUBLISHED, published_at=timezone.now())
    post.teams.set([shop])

    notify.post_live_notify(post_id=post.pk)
    notify.post_live_notify(post_id=post.pk)  # the task run twice

    announced = ChatAnnouncement.objects.filter(about=f"post:{post.code}")
    assert {a.webhook_id for a in announced} == {everyone.pk, in_shop.pk}
    assert announced.count() == 2
    assert all(a.link.endswith(f"/o/{tenancy.org.code}/posts/{post.code}/") for a in announced)
