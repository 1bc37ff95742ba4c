"""Who hears about what happens to posts: a new post for them, a reply to their comment, the
decision on their proposal, a post they scheduled that could not be made.

Every message goes through ``notification_hold`` (it reaches the person in Coro, and by the
channel they chose, inside their working hours) and is written in the person's language.
None of them ever nudges anyone to share: Coro tells people what is new, never what they
have not done (charter rules 3 and 9).

What each message is about (``Notification.about``): ``post:<code>`` for a new post only,
which is what the editors' per-post figures count; ``proposal:<code>``,
``comment:<code>`` and ``scheduled:<code>`` for the others.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from coro.accounts.models import User
from coro.content.models import Comment, Post
from coro.content.selectors import notification_about
from coro.networks import get_network
from coro.notifications import hours
from coro.notifications.chat_services import chat_announce
from coro.notifications.emails import person_language
from coro.notifications.models import Notification
from coro.notifications.services import notification_hold, notifications_hold_many
from coro.notifications.withdraw import notifications_withdraw
from coro.orgs.models import Membership, Organisation
from coro.program.models import Participation

logger = logging.getLogger(__name__)

TITLE_MAX = 120
EXCERPT_MAX = 300
# People told about a new post per insert.
TELL_BATCH = 500


@contextmanager
def _in_language_of(user: User, organisation: Organisation) -> Iterator[str]:
    """The person's language (the organisation's if they chose none), active meanwhile."""
    language = person_language(user, organisation)
    with translation.override(language):
        yield language


def _title(post: Post, language: str) -> str:
    return Truncator(post.text(language)["title"]).chars(TITLE_MAX)


def _post_path(post: Post) -> str:
    return reverse("content:post_detail", args=[post.organisation.code, post.code])


# --- A post goes live ------------------------------------------------------------------------


def post_live_notify_enqueue(*, post_id: int) -> None:
    """Tell people about the post once it is live, in the background after the transaction
    commits (an organisation may have a thousand people to tell)."""
    from coro.content.tasks import post_live_notify_run

    transaction.on_commit(lambda: post_live_notify_run.enqueue(post_id))


def post_live_recipients(post: Post) -> QuerySet[Membership]:
    """Who hears that the post is live: the active members of its organisation who take part
    in the program, in its teams (everyone when it names none), except its author (who knows
    it; a proposer hears the editors' decision instead) and anyone already told about it (it
    was published before, taken back and published again)."""
    members = Membership.objects.active().filter(
        organisation_id=post.organisation_id,
        user__is_active=True,
        participation__status=Participation.Status.ENROLLED,
    )
    team_ids = list(post.teams.values_list("pk", flat=True))
    if team_ids:
        members = members.filter(team_id__in=team_ids)
    if post.author_id is not None:
        members = members.exclude(pk=post.author_id)
    told = Notification.objects.filter(
        kind=Notification.Kind.NEW_POST, about=notification_about(post)
    )
    return members.exclude(user_id__in=told.values("user_id")).select_related("user").order_by("pk")


def post_live_notify(*, post_id: int) -> int:
    """Tell the people the post is meant for that it is live, each once however often the
    post is published, and announce it in their teams' chat channels; how many were told.
    Nothing if the post is no longer live (taken back before this ran).

    The post's row is locked only to read its status and who is told, so editors and the
    publishing job are not kept waiting while a thousand people are told, in batches of
    ``TELL_BATCH`` (``notifications_hold_many``). Two runs at once still tell each person
    once: a person has one new-post message per post (a unique constraint).
    """
    with transaction.atomic():
        post = (
            Post.objects.select_for_update()
            .select_related("organisation")
            .filter(pk=post_id, status=Post.Status.PUBLISHED)
            .first()
        )
        if post is None:
            return 0
        people = [member.user for member in post_live_recipients(post)]
        team_ids = sorted(post.teams.values_list("pk", flat=True))
    organisation = post.organisation
    about = notification_about(post)
    link = _post_path(post)

    def message_for(user: User) -> tuple[str, str]:
        with _in_language_of(user, organisation) as language:
            title = _title(post, language)
            subject = _("New post: %(title)s") % {"title": title}
            body = _(
                "“%(title)s” is new in the feed of %(organisation)s. Read it, react or "
                "comment; passing it on is always up to you."
            ) % {"title": title, "organisation": organisation.name}
        return subject, body

    told = 0
    for start in range(0, len(people), TELL_BATCH):
        told += notifications_hold_many(
            users=people[start : start + TELL_BATCH],
            organisation=organisation,
            kind=Notification.Kind.NEW_POST,
            message_for=message_for,
            link=link,
            about=about,
        )
    with translation.override(organisation.language or str(settings.LANGUAGE_CODE)):
        text = _("New post: %(title)s") % {"title": _title(post, organisation.language)}
    chat_announce(
        organisation=organisation,
        team_ids=team_ids,
        about=about,
        text=text,
        link=settings.BASE_URL + link,
    )
    # Taken back while these were being made (the post's lock covers only the recipients):
    # the withdrawal ran before they existed, so withdraw them now.
    if not Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED).exists():
        notifications_withdraw(about=about)
        return 0
    return told


# --- Proposals -------------------------------------------------------------------------------


def _proposer(post: Post) -> Membership | None:
    """The proposer, if they can still be told (active, in the organisation)."""
    if post.proposed_by_id is None:
        return None
    return (
        Membership.objects.active()
        .filter(pk=post.proposed_by_id, user__is_active=True)
        .select_related("user", "organisation")
        .first()
    )


def proposal_decided_notify(*, post: Post, by: Membership | None) -> Notification | None:
    """Tell the proposer an editor approved their proposal (published it or scheduled it) or
    declined it, with the editor's message. Nobody is told of their own decision."""
    proposer = _proposer(post)
    if proposer is None or (by is not None and by.pk == proposer.pk):
        return None
    organisation, user = proposer.organisation, proposer.user
    org_code = organisation.code
    with _in_language_of(user, organisation) as language:
        title = _title(post, language)
        if post.status == Post.Status.DECLINED:
            subject = _("Your proposal was declined: %(title)s") % {"title": title}
            body = _(
                "An editor declined your proposal “%(title)s” and says:\n\n%(message)s\n\n"
                "You can change it and send it back for review."
            ) % {"title": title, "message": post.decline_message}
            link = reverse("content:proposal_edit", args=[org_code, post.code])
        elif post.status == Post.Status.SCHEDULED and post.publish_at is not None:
            when = timezone.localtime(post.publish_at, hours.user_zone(user))
            subject = _("Your proposal is approved: %(title)s") % {"title": title}
            body = _(
                "An editor approved your proposal “%(title)s”. It goes out on %(when)s. "
                "Thank you for proposing it."
            ) % {"title": title, "when": formats.date_format(when, "DATETIME_FORMAT")}
            link = reverse("content:proposal_list_mine", args=[org_code])
        elif post.status == Post.Status.PUBLISHED:
            subject = _("Your proposal is published: %(title)s") % {"title": title}
            body = _(
                "An editor approved your proposal “%(title)s” and it is in the feed now. "
                "Thank you for proposing it."
            ) % {"title": title}
            link = _post_path(post)
        else:
            return None
        return notification_hold(
            user=user,
            organisation=organisation,
            kind=Notification.Kind.PROPOSAL_DECIDED,
            subject=Truncator(subject).chars(200),
            body=body,
            link=link,
            about=f"proposal:{post.code}",
        )


# --- Replies ---------------------------------------------------------------------------------


def comment_reply_notify(*, reply: Comment, answered: Comment) -> list[Notification]:
    """Tell the people a reply answers: the author of the comment it was written under
    (``answered``) and of the thread's first comment, once each, never the reply's author."""
    authors = {answered.author_id, reply.parent.author_id if reply.parent else None}
    authors -= {None, reply.author_id}
    if not authors:
        return []
    post = reply.post
    organisation = post.organisation
    replier = reply.author.user.get_full_name() if reply.author else ""
    link = f"{_post_path(post)}#comment-{reply.code}"
    told = []
    members = (
        Membership.objects.active()
        .filter(pk__in=authors, organisation=organisation, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for member in members:
        with _in_language_of(member.user, organisation) as language:
            name = replier or _("A colleague")
            told.append(
                notification_hold(
                    user=member.user,
                    organisation=organisation,
                    kind=Notification.Kind.COMMENT_REPLY,
                    subject=Truncator(
                        _("%(name)s replied to your comment on “%(title)s”")
                        % {"name": name, "title": _title(post, language)}
                    ).chars(200),
                    body=Truncator(reply.body).chars(EXCERPT_MAX),
                    link=link,
                    about=f"comment:{reply.code}",
                )
            )
    return told


# --- Scheduled posts -------------------------------------------------------------------------


def scheduled_post_failed_notify(
    *, membership: Membership | None, post: Post, network: str, code: str, error: str
) -> Notification | None:
    """Tell the person a post they scheduled on their own account (scheduled post ``code``,
    on ``network``) failed for good: nothing was posted, and Coro will not try again."""
    if membership is None:
        return None
    member = (
        Membership.objects.active()
        .filter(pk=membership.pk, user__is_active=True)
        .select_related("user", "organisation")
        .first()
    )
    if member is None:
        return None
    organisation, user = member.organisation, member.user
    registered = get_network(network)
    with _in_language_of(user, organisation) as language:
        label = str(registered.label) if registered else network
        title = _title(post, language)
        body = _(
            "Coro could not post “%(title)s” on your %(network)s account, so nothing was "
            "posted there, and Coro will not try again."
        ) % {"title": title, "network": label}
        if error.strip():
            body += "\n\n" + _("What went wrong: %(error)s") % {
                "error": Truncator(error.strip()).chars(EXCERPT_MAX)
            }
        return notification_hold(
            user=user,
            organisation=organisation,
            kind=Notification.Kind.SCHEDULED_POST_FAILED,
            subject=Truncator(
                _("Your post on %(network)s was not made: %(title)s")
                % {"network": label, "title": title}
            ).chars(200),
            body=body,
            link=reverse("sharing:scheduled_posts", args=[organisation.code]),
            about=f"scheduled:{code}",
        )
