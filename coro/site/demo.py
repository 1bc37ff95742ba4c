"""A realistic Spanish small company, so Coro can be tried in a minute."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coro.accounts.models import User
from coro.analytics.models import EPSILON_DEFAULT, ReleasePeriod
from coro.analytics.rollups import rollup_run
from coro.analytics.services import release_make, release_policy_update
from coro.content.models import Post
from coro.networks import NETWORKS
from coro.orgs import services as org_services
from coro.orgs.models import Membership, Organisation, Role
from coro.people import services as people_services
from coro.program.defaults import EXAMPLE_TEXTS
from coro.program.services import program_join, terms_publish
from coro.sharing.models import Click, Preview, Share
from coro.site.demo_community import demo_community

PASSWORD = "coro-demo-2026"
ORGANISATION = "Cerámicas del Turia"
DOMAIN = "turia.example"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


LOGINS = [
    DemoLogin("admin", f"admin@{DOMAIN}", PASSWORD),
    DemoLogin("editor", f"editora@{DOMAIN}", PASSWORD),
    DemoLogin("employee", f"empleado@{DOMAIN}", PASSWORD),
]

TEAMS = ["Ventas", "Producción", "Marketing", "Atención al cliente"]

# How likely each team's people are to take part: the dashboard should show a difference.
TAKING_PART = {"Ventas": 0.8, "Producción": 0.3, "Marketing": 0.95, "Atención al cliente": 0.55}

# (name, email local part, role, team)
PEOPLE = [
    ("Lucía Ferrer", "admin", Role.ADMIN, "Marketing"),
    ("Marta Soler", "editora", Role.EDITOR, "Marketing"),
    ("Javier Ortega", "empleado", Role.EMPLOYEE, "Ventas"),
    ("Carmen Navarro", "carmen.navarro", Role.EMPLOYEE, "Ventas"),
    ("Pablo Giménez", "pablo.gimenez", Role.EMPLOYEE, "Ventas"),
    ("Elena Martí", "elena.marti", Role.EMPLOYEE, "Ventas"),
    ("Sergio Llorens", "sergio.llorens", Role.EMPLOYEE, "Ventas"),
    ("Nuria Calatayud", "nuria.calatayud", Role.EMPLOYEE, "Ventas"),
    ("Andrés Peris", "andres.peris", Role.EMPLOYEE, "Producción"),
    ("Rosa Vidal", "rosa.vidal", Role.EMPLOYEE, "Producción"),
    ("Tomás Cervera", "tomas.cervera", Role.EMPLOYEE, "Producción"),
    ("Isabel Moreno", "isabel.moreno", Role.EMPLOYEE, "Producción"),
    ("Vicente Alonso", "vicente.alonso", Role.EMPLOYEE, "Producción"),
    ("Pilar Sanchis", "pilar.sanchis", Role.EMPLOYEE, "Producción"),
    ("Raúl Domínguez", "raul.dominguez", Role.EMPLOYEE, "Producción"),
    ("Laura Castells", "laura.castells", Role.EDITOR, "Marketing"),
    ("Diego Romero", "diego.romero", Role.EMPLOYEE, "Marketing"),
    ("Ana Belén Ruiz", "anabelen.ruiz", Role.EMPLOYEE, "Marketing"),
    ("Miguel Esteve", "miguel.esteve", Role.EMPLOYEE, "Atención al cliente"),
    ("Silvia Roig", "silvia.roig", Role.EMPLOYEE, "Atención al cliente"),
    ("Jorge Beltrán", "jorge.beltran", Role.EMPLOYEE, "Atención al cliente"),
    ("Cristina Puig", "cristina.puig", Role.EMPLOYEE, "Atención al cliente"),
    ("Alberto Mora", "alberto.mora", Role.EMPLOYEE, "Atención al cliente"),
    ("Teresa Bonet", "teresa.bonet", Role.EMPLOYEE, "Atención al cliente"),
]

# (title, text, link, days ago published; None for a draft)
POSTS = [
    (
        "Nueva colección Albufera",
        "Presentamos Albufera, nuestra colección de azulejos esmaltados a mano inspirada en los atardeceres del lago. Doce colores, cero plástico en el embalaje.",
        "https://turia.example/colecciones/albufera",
        40,
    ),
    (
        "Buscamos técnico/a de hornos",
        "¿Conoces a alguien con experiencia en hornos de rodillos? Ampliamos el equipo de producción en Manises. Contrato indefinido y horario de mañana.",
        "https://turia.example/empleo/tecnico-hornos",
        35,
    ),
    (
        "Estaremos en Cevisama",
        "Del 23 al 27 de febrero nos encontrarás en el pabellón 3 de Cevisama. Ven a tocar las nuevas texturas y a tomar un café con el equipo.",
        "https://turia.example/eventos/cevisama",
        30,
    ),
    (
        "Reducimos un 30 % el consumo de gas",
        "Gracias a la recuperación de calor de los hornos, este año hemos reducido un 30 % el consumo de gas por metro cuadrado producido. Os contamos cómo lo hicimos.",
        "https://turia.example/blog/eficiencia-hornos",
        26,
    ),
    (
        "Taller abierto para colegios",
        "Este trimestre abrimos el taller a 12 colegios de l'Horta. Los niños diseñan su propio azulejo y se lo llevan a casa cocido.",
        "https://turia.example/blog/taller-colegios",
        21,
    ),
    (
        "Premio al diseño cerámico",
        "La serie Malvarrosa ha recibido el premio ALFA de diseño cerámico. Enhorabuena a todo el equipo de diseño y producción.",
        "https://turia.example/blog/premio-alfa",
        17,
    ),
    (
        "Guía para elegir pavimento exterior",
        "Antideslizante, heladas, mantenimiento: hemos preparado una guía práctica para elegir el pavimento exterior adecuado.",
        "https://turia.example/guias/pavimento-exterior",
        12,
    ),
    (
        "Prácticas de verano en marketing",
        "Ofrecemos dos plazas de prácticas remuneradas en marketing digital para este verano. ¿Estudias comunicación o diseño? Cuéntanos.",
        "https://turia.example/empleo/practicas-marketing",
        8,
    ),
    (
        "Restauramos el mural del mercado",
        "Nuestro equipo ha colaborado en la restauración del mural cerámico del mercado municipal de Manises. Así quedó.",
        "https://turia.example/blog/mural-mercado",
        4,
    ),
    (
        "Catálogo 2027 ya disponible",
        "Ya puedes descargar el catálogo 2027 con todas las novedades, fichas técnicas y ambientes.",
        "https://turia.example/catalogo-2027",
        1,
    ),
    (
        "Borrador: jornada de puertas abiertas",
        "Abrimos la fábrica un sábado de primavera. Fecha por confirmar.",
        "https://turia.example/eventos/puertas-abiertas",
        None,
    ),
    (
        "Borrador: entrevista a nuestra maestra esmaltadora",
        "Treinta años de oficio contados en primera persona.",
        "https://turia.example/blog/entrevista",
        None,
    ),
]


def demo_exists() -> bool:
    return User.objects.exists()


@transaction.atomic
def load_demo(seed: int = 2026) -> Organisation:
    rng = random.Random(seed)
    now = timezone.now()
    people: dict[str, User] = {}
    for name, local, _role, _team in PEOPLE:
        people[local] = User.objects.create_user(f"{local}@{DOMAIN}", PASSWORD, name=name)

    organisation = org_services.organisation_create(name=ORGANISATION, owner=people["admin"])
    teams = {name: org_services.team_create(organisation=organisation, name=name) for name in TEAMS}
    memberships: list[Membership] = []
    for _name, local, role, team in PEOPLE:
        member = Membership.objects.filter(organisation=organisation, user=people[local]).first()
        if member is None:
            member = org_services.membership_create(
                organisation=organisation, user=people[local], role=role, team=teams[team]
            )
        else:
            people_services.membership_update(
                membership=member, role=role, team=teams[team], actor=None
            )
        memberships.append(member)

    terms = terms_publish(organisation=organisation, actor=memberships[0], texts=EXAMPLE_TEXTS)
    # Some teams take part more than others; the demo employee has not decided yet, to
    # show joining.
    participants = [
        m
        for m, (_name, _local, _role, team) in zip(memberships, PEOPLE, strict=True)
        if m.user.email != f"empleado@{DOMAIN}" and rng.random() < TAKING_PART[team]
    ]
    for member in participants:
        program_join(membership=member, terms=terms)

    editor = memberships[1]
    networks = list(NETWORKS)
    posts: list[Post] = []
    for title, body, link, days_ago in POSTS:
        published_at = now - timedelta(days=days_ago) if days_ago is not None else None
        post = Post.objects.create(
            organisation=organisation,
            author=editor,
            language=organisation.language,
            texts={organisation.language: {"title": title, "body": body}},
            search_text=Post.search_text_for({"x": {"title": title, "body": body}}),
            link=link,
            status=Post.Status.PUBLISHED if published_at else Post.Status.DRAFT,
            created_at=(published_at or now) - timedelta(hours=3),
            published_at=published_at,
        )
        posts.append(post)
        if published_at is None:
            continue
        _demo_shares(rng, post, participants, networks, published_at, now)
    # The dashboards read the rollups, not the raw visits: add the demo's visits up now
    # rather than a minute after the worker starts.
    rollup_run()
    demo_community(rng, organisation, posts, memberships)
    _demo_release(organisation)
    return organisation


def _demo_shares(
    rng: random.Random,
    post: Post,
    participants: list[Membership],
    networks: list[str],
    published_at: datetime,
    now: datetime,
) -> None:
    clicks: list[Click] = []
    previews: list[Preview] = []
    for member in participants:
        if rng.random() > 0.45:
            continue
        for network in rng.sample(networks, k=rng.randint(1, 2)):
            shared_at = published_at + timedelta(minutes=rng.randint(5, 60 * 48))
            if shared_at > now:
                continue
            share = Share.objects.create(
                post=post,
                membership=member,
                network=network,
                created_at=shared_at,
                team_id=member.team_id,
            )
            # The network's own link preview, fetched once when the post went out.
            previews.append(Preview(share=share, at=shared_at + timedelta(seconds=5)))
            for _ in range(rng.randint(0, 14)):
                at = shared_at + timedelta(minutes=rng.randint(1, 60 * 24 * 6))
                if at < now:
                    # Most visitors come once; some have visited another link that day.
                    new_visitor = rng.random() < 0.8
                    clicks.append(
                        Click(share=share, at=at, team_id=member.team_id, new_visitor=new_visitor)
                    )
    Click.objects.bulk_create(clicks)
    Preview.objects.bulk_create(previews)


def _demo_release(organisation: Organisation) -> None:
    """A company of 24 publishes its team figures once a year: weekly figures about teams
    of 5 to 7 people would be mostly noise (docs/audit-and-privacy-rules.md). The first
    release is made now, so the dashboard has figures to show."""
    release_policy_update(
        organisation=organisation,
        actor=None,
        period=ReleasePeriod.YEARLY,
        epsilon_year=EPSILON_DEFAULT,
    )
    release_make(organisation=organisation)


__all__ = ["LOGINS", "demo_exists", "load_demo"]
