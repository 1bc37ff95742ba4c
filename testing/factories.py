"""factory_boy factories shared by every app's tests (outside the shipped package).

factory_boy's declarations are untyped: mypy lets this module call them (pyproject.toml),
and typed code builds objects with ``XFactory.create(...)``, which returns the model.
"""

import copy
from typing import Any

import factory
from django.utils import timezone

from coro.accounts.models import User
from coro.content.models import Post
from coro.orgs.models import Invitation, Membership, Organisation, Role, Team
from coro.program import defaults
from coro.program.models import Terms
from coro.sharing.models import Click, Share


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name", locale="es_ES")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Empresa {n}")


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Equipo {n}")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.EMPLOYEE


class TermsFactory(factory.django.DjangoModelFactory[Terms]):
    class Meta:
        model = Terms

    organisation = factory.SubFactory(OrganisationFactory)
    version = 1
    texts = factory.LazyFunction(lambda: copy.deepcopy(defaults.EXAMPLE_TEXTS))


class PostFactory(factory.django.DjangoModelFactory[Post]):
    class Meta:
        model = Post

    organisation = factory.SubFactory(OrganisationFactory)
    language = "es"
    texts = factory.Sequence(
        lambda n: {"es": {"title": f"Noticia {n}", "body": "Abrimos una nueva tienda en Valencia."}}
    )
    link = "https://example.com/noticia"
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        """``title=`` and ``body=`` set the text in the post's language."""
        title, body = kwargs.pop("title", None), kwargs.pop("body", None)
        if title is not None or body is not None:
            language = kwargs.get("language", "es")
            parts = dict(kwargs.get("texts", {}).get(language, {}))
            if title is not None:
                parts["title"] = title
            if body is not None:
                parts["body"] = body
            parts.setdefault("title", "Noticia")
            parts.setdefault("body", "")
            kwargs["texts"] = {**kwargs.get("texts", {}), language: parts}
        kwargs.setdefault("search_text", Post.search_text_for(kwargs.get("texts", {})))
        return kwargs


class ShareFactory(factory.django.DjangoModelFactory[Share]):
    class Meta:
        model = Share

    post = factory.SubFactory(PostFactory)
    membership = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..post.organisation")
    )
    network = "x"
    team = factory.LazyAttribute(lambda share: share.membership.team if share.membership else None)


class ClickFactory(factory.django.DjangoModelFactory[Click]):
    class Meta:
        model = Click

    share = factory.SubFactory(ShareFactory)
    team = factory.LazyAttribute(
        lambda click: click.share.membership.team if click.share.membership else None
    )


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.com")
    role = Role.EMPLOYEE


# --- Community (coro/community) ---------------------------------------------------------
import datetime  # noqa: E402

from coro.community.models import Goal  # noqa: E402


class GoalFactory(factory.django.DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Objetivo {n}")
    metric = Goal.Metric.VISITS
    team = None
    target = 100
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))


from coro.content.models import BlogFeed  # noqa: E402


class BlogFeedFactory(factory.django.DjangoModelFactory[BlogFeed]):
    class Meta:
        model = BlogFeed

    organisation = factory.SubFactory(OrganisationFactory)
    url = factory.Sequence(lambda n: f"https://blog.example.com/feed-{n}.xml")
    language = "es"


# --- Topics, reactions and comments (coro/content) -----------------------------------------
from coro.content.models import Comment, Reaction, Topic  # noqa: E402


class TopicFactory(factory.django.DjangoModelFactory[Topic]):
    class Meta:
        model = Topic

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Tema {n}")


class ReactionFactory(factory.django.DjangoModelFactory[Reaction]):
    class Meta:
        model = Reaction

    post = factory.SubFactory(PostFactory)
    membership = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..post.organisation")
    )
    kind = Reaction.Kind.LIKE


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..post.organisation")
    )
    body = factory.Sequence(lambda n: f"Comentario {n}")


class PostImageFactory(factory.django.DjangoModelFactory):  # type: ignore[type-arg]
    """An image row; its file is stored only with ``files=True`` (a plain PNG, no variants).
    Tests of uploads use ``coro.content.images.post_image_add``."""

    class Meta:
        model = "content.PostImage"
        skip_postgeneration_save = True

    post = factory.SubFactory(PostFactory)
    alt_text = factory.Sequence(lambda n: f"Foto {n} de la tienda")
    width = 64
    height = 48
    file = factory.LazyAttribute(lambda image: f"posts/{image.post.code}/image-64.png")

    @factory.post_generation
    def files(image: Any, create: bool, extracted: bool, **kwargs: Any) -> None:
        if not (create and extracted):
            return
        import io

        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (image.width, image.height), (200, 80, 20)).save(out, format="PNG")
        image.file.name = default_storage.save(image.file.name, ContentFile(out.getvalue()))
        image.save(update_fields=["file"])


class ConnectedAccountFactory(factory.django.DjangoModelFactory):  # type: ignore[type-arg]
    """A connected account with made-up credentials (encrypted as the model stores them)."""

    class Meta:
        model = "connections.ConnectedAccount"
        # One account per person and network (the model's constraint): asking again gets it.
        django_get_or_create = ("membership", "network")

    membership = factory.SubFactory(MembershipFactory)
    network = "bluesky"
    server = "https://pds.example"
    handle = factory.Sequence(lambda n: f"person{n}.test")

    @factory.lazy_attribute
    def credentials_encrypted(self) -> str:
        import json

        from coro.core import crypto

        return crypto.encrypt(json.dumps({"token": "secret-token"}))


class ScheduledPostFactory(factory.django.DjangoModelFactory):  # type: ignore[type-arg]
    """A post waiting to go out on the sharer's connected account, due now."""

    class Meta:
        model = "sharing.ScheduledPost"

    share = factory.SubFactory(ShareFactory, network="bluesky")
    account = factory.SubFactory(
        ConnectedAccountFactory,
        membership=factory.SelfAttribute("..share.membership"),
        network=factory.SelfAttribute("..share.network"),
    )
    text = "Nuevos azulejos, hechos a mano."
    run_at = factory.LazyFunction(timezone.now)


class ChatWebhookFactory(factory.django.DjangoModelFactory):  # type: ignore[type-arg]
    """A team chat webhook (Slack) with a made-up address, encrypted as the model stores it."""

    class Meta:
        model = "notifications.ChatWebhook"

    organisation = factory.SubFactory(OrganisationFactory)
    team = None
    service = "slack"

    @factory.lazy_attribute
    def url_encrypted(self) -> str:
        from coro.core import crypto

        return crypto.encrypt("https://hooks.slack.example/services/T000/B000/XXXX")
