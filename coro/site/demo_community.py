"""The demo company's community: topics, suggested texts, a proposal in review, reactions
and comments, people who chose to be thanked, and a common goal (issue 9)."""

import random
from datetime import timedelta

from django.utils import timezone

from coro.community.models import Goal
from coro.content.models import Comment, Post, Reaction, Topic
from coro.orgs.models import Membership, Organisation

# Words in a title that give a post its topic.
TOPICS = {
    "Empleo": ("técnico", "prácticas"),
    "Producto": ("colección", "catálogo", "guía", "premio"),
    "Sostenibilidad": ("gas", "mural", "colegios"),
    "Eventos": ("cevisama", "puertas"),
}

COMMENTS = [
    "¡Qué bien ha quedado!",
    "Se lo paso a mi cuñado, que busca justo esto.",
    "Enhorabuena al equipo, se lo merecen.",
    "¿Habrá visitas guiadas?",
]


def demo_community(
    rng: random.Random, organisation: Organisation, posts: list[Post], people: list[Membership]
) -> None:
    now = timezone.now()
    topics = {name: Topic.objects.create(organisation=organisation, name=name) for name in TOPICS}
    for post in posts:
        title = post.title.lower()
        post.topics.set(
            [topics[n] for n, words in TOPICS.items() if any(w in title for w in words)]
        )

    # The newest post suggests an X text with a prompt for the sharer's own words.
    newest = max((p for p in posts if p.published_at), key=lambda p: p.published_at or now)
    newest.suggestions = {
        organisation.language: {"x": "Ya está aquí el catálogo 2027. [[Lo que más te gusta]]"}
    }
    newest.pinned = True
    newest.save(update_fields=["suggestions", "pinned"])

    # Some people chose to be thanked by name.
    thanked = people[2:24:3]
    Membership.objects.filter(pk__in=[m.pk for m in thanked]).update(recognition_opt_in=True)

    proposer = people[3]
    texts = {
        "title": "Vídeo del esmaltado a mano",
        "body": (
            "Podríamos grabar un minuto del esmaltado a mano para las redes: "
            "a la gente le encanta ver el proceso."
        ),
    }
    proposal = Post.objects.create(
        organisation=organisation,
        author=proposer,
        proposed_by=proposer,
        language=organisation.language,
        texts={organisation.language: texts},
        search_text=Post.search_text_for({organisation.language: texts}),
        status=Post.Status.IN_REVIEW,
        created_at=now - timedelta(days=2),
    )

    live = [p for p in posts if p.published_at]
    reactions = []
    for post in [*live, proposal]:
        for member in rng.sample(people, k=rng.randint(2, 8)):
            reacted_at = (post.published_at or now) + timedelta(hours=rng.randint(1, 72))
            reactions.append(
                Reaction(
                    post=post,
                    membership=member,
                    kind=rng.choice(Reaction.Kind.values),
                    created_at=min(reacted_at, now),
                )
            )
    Reaction.objects.bulk_create(reactions)
    for post in rng.sample(live, k=4):
        Comment.objects.create(
            post=post,
            author=rng.choice(people),
            body=rng.choice(COMMENTS),
            created_at=(post.published_at or now) + timedelta(hours=rng.randint(1, 30)),
        )

    today = timezone.localdate()
    Goal.objects.create(
        organisation=organisation,
        title="500 visitas a nuestras ofertas de empleo",
        metric=Goal.Metric.VISITS,
        link_prefix="https://turia.example/empleo",
        target=500,
        starts_on=today - timedelta(days=40),
        ends_on=today + timedelta(days=20),
    )
