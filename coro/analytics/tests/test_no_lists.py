"""Issue point 4, "no detriment, no lists" (charter rule 3).

Done criterion: a search of every admin and editor page and export finds no name of a
person who has not joined. This test walks the URL resolver, so a page or export added
later is searched too. It signs in as an admin, an editor, a participant and an employee
who has not joined, fetches every ``GET`` route under ``/o/<org_code>/``, and looks for
the name, first name and e-mail address of every other member of the organisation:
those who never joined, the one who joined, shared and left, and also those who joined
and shared, because no page may say who did either.

Two kinds of page name people by design, never because of what they did in the program:

- the People directory (admins manage names, roles and teams): test_program.py proves
  those pages are byte-identical before and after people join;
- the audit trail, which names who made a change and whose role or team it changed:
  test_audit.py proves it is identical before and after people join, share and leave.
  There, only the people the trail names may appear.
"""

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.html import escape

from coro.audit.models import AuditEntry
from coro.content.models import LinkPreview
from coro.orgs.models import Membership
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from testing.factories import (
    BlogFeedFactory,
    ChatWebhookFactory,
    ClickFactory,
    CommentFactory,
    ConnectedAccountFactory,
    GoalFactory,
    InvitationFactory,
    MembershipFactory,
    PostFactory,
    PostImageFactory,
    ScheduledPostFactory,
    ShareFactory,
    TeamFactory,
)

ORG_PREFIX = "o/<str:org_code>/"

DIRECTORY = {"people:people", "people:member_edit"}
# Pages that show (part of) the audit trail: the trail itself and a person's own
# transparency page, which lists the entries they made or that are about them.
AUDIT_TRAIL = {"audit:log", "audit:export_csv", "audit:export_json", "privacy:transparency"}
# The thank-you board names the people who chose to be named in recognition, and no one else.
RECOGNITION = {"community:thanks"}

PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


ORG_ROUTES = sorted(
    {(name, route) for name, route in walk(get_resolver()) if route.startswith(ORG_PREFIX)}
)


def is_export(route: str) -> bool:
    return route.endswith((".csv", ".json", ".zip", ".xlsx"))


# --- The organisation ---------------------------------------------------------------------


@dataclass
class Program:
    org_code: str
    viewers: dict[str, Membership]
    members: list[Membership]
    invited_email: str
    codes: list[str]  # codes of the organisation's objects, to fill URL arguments


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def program(tenancy) -> Program:
    org = tenancy.org
    terms = terms_current(org)
    ventas = TeamFactory(organisation=org, name="Ventas")
    taller = TeamFactory(organisation=org, name="Taller")

    def member(name: str, team=None) -> Membership:
        local = name.split()[0].lower().translate(str.maketrans("áéíóú", "aeiou"))
        return MembershipFactory(
            organisation=org, team=team, user__name=name, user__email=f"{local}@correo.example"
        )

    joined = [
        member("Julia Montesinos", ventas),
        member("Vicent Palau", ventas),
        member("Amparo Roig", taller),
        member("Xavier Soler", taller),
        member("Inés Castells"),
    ]
    left = member("Lorenzo Bataller", ventas)
    never = [member("Nuria Ferrándiz", ventas), member("Ramón Escrivá")]
    for person in [*joined, left]:
        program_join(membership=person, terms=terms)

    post = PostFactory(organisation=org, title="Abrimos en Valencia")
    image = PostImageFactory(post=post, files=True)
    # The link's preview, with its image (served by its own route).
    LinkPreview.objects.create(
        post=post,
        url=post.link,
        status=LinkPreview.Status.READY,
        title="Abrimos",
        image=image.file.name,
    )
    PostFactory(organisation=org, title="Borrador", status="draft", published_at=None)
    # Proposals in review by people who did not opt in to recognition: the board says "a
    # colleague". The admin's own one lets the sweep reach the proposer's pages.
    proposal = PostFactory(
        organisation=org, status="in_review", published_at=None, proposed_by=tenancy.admin
    )
    PostFactory(organisation=org, status="in_review", published_at=None, proposed_by=never[1])
    for person, network, clicks in [
        (joined[0], "x", 4),
        (joined[0], "linkedin", 2),
        (joined[2], "email", 1),
        (left, "x", 3),
    ]:
        ClickFactory.create_batch(
            clicks, share=ShareFactory(post=post, membership=person, network=network)
        )
    program_leave(membership=left)
    # One participant chose to be named in recognition: only the thank-you board names her.
    thanked = member("Carmen Llopis", taller)
    thanked.recognition_opt_in = True
    thanked.save()
    program_join(membership=thanked, terms=terms)
    ShareFactory(post=post, membership=thanked, network="x")
    goal = GoalFactory(organisation=org)
    blog_feed = BlogFeedFactory(organisation=org)
    # A comment whose author was erased: its pages (hiding it) name nobody.
    comment = CommentFactory(post=post, author=None, body="Buen trabajo")
    invitation = InvitationFactory(organisation=org, email="pendiente@correo.example")

    # How the program is run, as recorded in the audit trail.
    admin = tenancy.client_for(tenancy.admin.user)
    editor = tenancy.client_for(tenancy.editor.user)
    settings = f"/o/{org.code}/settings/"
    admin.post(f"/o/{org.code}/people/{never[0].code}/", {"role": "employee", "team": taller.pk})
    editor.post(settings + "disclosure/", {"disclosure_es": "Trabajo en {organisation}"})
    admin.post(settings + "disclosure/off/", {"reason": "Campaña sin productos"})
    admin.post(settings + "disclosure/on/")
    admin.post(settings + "privacy/", {"min_group_size": "3"})
    assert AuditEntry.objects.filter(organisation=org).count() == 5

    return Program(
        org_code=org.code,
        viewers={
            "admin": tenancy.admin,
            "editor": tenancy.editor,
            "participant": joined[1],
            "employee": tenancy.employee,
        },
        members=list(Membership.objects.filter(organisation=org).select_related("user")),
        invited_email=invitation.email,
        codes=[
            post.code,
            ventas.code,
            invitation.code,
            joined[1].code,
            image.code,
            goal.code,
            blog_feed.code,
            proposal.code,
            comment.code,
            ConnectedAccountFactory(membership=tenancy.admin, network="mastodon").code,
            ScheduledPostFactory(share__post=post, share__membership=tenancy.admin).code,
            ChatWebhookFactory(organisation=org, team=ventas).code,
        ],
    )


# --- Fetching and searching ---------------------------------------------------------------


def candidate_urls(route: str, program: Program) -> list[str]:
    """The route with its arguments filled in every way this organisation allows."""
    urls = ["/" + route]
    for match in PLACEHOLDER.finditer(route):
        converter, name = match.group("converter"), match.group("name")
        if name == "org_code":
            values = [program.org_code]
        elif name == "network":
            values = ["x"]
        elif converter == "int":
            values = ["1"]
        else:
            values = program.codes
        urls = [url.replace(match.group(0), value, 1) for url in urls for value in values]
    return urls


def fetch(client: Client, route: str, program: Program) -> tuple[int, str]:
    """The first answer that is not 404, as (status, text); (404, "") if there is none."""
    for url in candidate_urls(route, program):
        response = client.get(url)
        if response.status_code != 404:
            return response.status_code, text_of(response)
    return 404, ""


def text_of(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("image/"):
        return ""  # pixels (re-encoded on upload, without metadata) name no one
    if response.get("Content-Type", "").startswith(
        ("application/zip", "application/vnd.openxmlformats")
    ):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    return content.decode("utf-8-sig")


def spellings(member: Membership) -> list[re.Pattern[str]]:
    """Every way a page or an export could spell the person."""
    user = member.user
    spelt = {user.name, escape(user.name), json.dumps(user.name)[1:-1], user.email}
    patterns = [re.compile(re.escape(text), re.IGNORECASE) for text in spelt]
    # A first name alone only as a word: "Eva" is in "nueva".
    first = re.compile(rf"(?<!\w){re.escape(user.get_short_name())}(?!\w)")
    return [*patterns, first]


def leaks(text: str, people: list[Membership]) -> list[str]:
    return [
        f"{member.user.name} ({pattern.pattern})"
        for member in people
        for pattern in spellings(member)
        if pattern.search(text)
    ]


def named_in_audit_trail(program: Program) -> set[str]:
    refs = AuditEntry.objects.filter(organisation__code=program.org_code).values_list(
        "actor_ref", "target_ref"
    )
    return {ref for pair in refs for ref in pair if ref}


def sweep(program: Program, viewer: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """(status per route, names found per route) for one viewer."""
    me = program.viewers[viewer]
    client = Client()
    client.force_login(me.user)
    others = [m for m in program.members if m.pk != me.pk]
    in_trail = named_in_audit_trail(program)
    statuses: dict[str, int] = {}
    found: dict[str, list[str]] = {}
    for name, route in ORG_ROUTES:
        if name in DIRECTORY:
            continue
        status, text = fetch(client, route, program)
        statuses[name] = status
        assert status in (200, 302, 403, 404, 405), f"{name} answered {status}"
        if status != 200:
            continue
        people = [m for m in others if not (name in AUDIT_TRAIL and m.code in in_trail)]
        if name in RECOGNITION:
            people = [m for m in people if not m.recognition_opt_in]
        names = leaks(text, people)
        if program.invited_email in text:
            names.append(program.invited_email)
        if names:
            found[name] = names
    return statuses, found


# --- The tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["admin", "editor", "participant", "employee"])
def test_no_page_or_export_names_anyone_but_the_reader(program, viewer):
    statuses, found = sweep(program, viewer)
    assert found == {}
    searched = {name for name, status in statuses.items() if status == 200}
    assert {"content:feed", "program:terms"} <= searched
    if viewer in ("admin", "editor"):
        assert {
            "analytics:dashboard",
            "analytics:export_csv",
            "content:post_list",
            "content:post_edit",
            "program:settings",
        } <= searched
    if viewer == "admin":
        assert {"audit:log", "audit:export_csv", "audit:export_json"} <= searched


def test_every_page_and_export_is_searched(program):
    """Nothing is left out because its URL could not be filled in: a route that answers 404
    to the admin with every object of the organisation needs a new kind in candidate_urls."""
    statuses, _ = sweep(program, "admin")
    unreached = sorted(name for name, status in statuses.items() if status == 404)
    assert unreached == [], f"teach candidate_urls the arguments of {unreached}"
    refused = sorted(name for name, status in statuses.items() if status == 403)
    assert refused == [], f"the admin was refused {refused}"
    exports = sorted(name for name, route in ORG_ROUTES if is_export(route))
    assert {"analytics:export_csv", "audit:export_csv", "audit:export_json"} <= set(exports)
    assert {name: statuses[name] for name in exports} == dict.fromkeys(exports, 200)


def test_the_search_would_see_a_name(program):
    """The search is not blind: the directory pages, left out above, do list everyone."""
    client = Client()
    client.force_login(program.viewers["admin"].user)
    text = client.get(f"/o/{program.org_code}/people/").content.decode()
    never_joined = [m for m in program.members if m.user.name == "Ramón Escrivá"]
    assert leaks(text, never_joined) != []
    assert leaks(json.dumps({"name": "Ramón Escrivá"}), never_joined) != []
    assert leaks('"Ram\\u00f3n Escriv\\u00e1"', never_joined) != []
    assert leaks("RAMON@CORREO.EXAMPLE", never_joined) != []


def test_the_thank_you_board_names_who_opted_in_and_nobody_else(program):
    """The one exception above is used: the board names the person who opted in."""
    client = Client()
    client.force_login(program.viewers["employee"].user)
    text = client.get(f"/o/{program.org_code}/thanks/").content.decode()
    thanked = [m for m in program.members if m.recognition_opt_in]
    assert [m.user.name for m in thanked] == ["Carmen Llopis"]
    assert leaks(text, thanked) != []
    others = [m for m in program.members if not m.recognition_opt_in]
    assert leaks(text, [m for m in others if m.pk != program.viewers["employee"].pk]) == []
