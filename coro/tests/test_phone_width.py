"""Every page fits a phone: at 390 px wide, no page is wider than the screen.

For each role (admin, editor, employee, and someone not signed in) the test visits every
page that person can open: the organisation's pages from the URL resolver (their URL
arguments filled with objects as ``test_tenancy`` does), the person's own pages and the
public ones; downloads (CSV, JSON, ZIP), POST-only routes and redirects are left out by
asking the server first. A page fails when ``document.documentElement.scrollWidth`` is
over 390 px; all offenders are reported at once, with the elements that stick out.

A table may scroll sideways inside its ``.table-wrap`` box: that is not the page overflowing.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext

from coro.accounts.models import User
from coro.orgs.models import Membership, Organisation, Role
from coro.orgs.tokens import invitation_token
from coro.site.demo import LOGINS, load_demo
from coro.tests.test_tenancy import ORG_ROUTES, PUBLIC_ROUTES, ROUTES, fill, objects_of
from testing.factories import (
    InvitationFactory,
    MembershipFactory,
    PostFactory,
    TeamFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844  # a common phone (iPhone 12 to 15)
LANGUAGE = "es"  # Spanish, the default and the longest of Coro's languages in most places

# Public or personal routes the walk must not open: it would sign the person out.
NOT_VISITED = {"accounts:logout", "account_logout"}

# What sticks out, for the report: the innermost elements (or their text) that reach past
# the screen's edge, leaving out what a scrolling box (``.table-wrap``) clips. An absolutely
# placed element escapes the clipping of boxes between it and its positioned ancestor.
OFFENDERS_JS = """(width) => {
  const limit = width + 0.5;
  const style = (el) => getComputedStyle(el);
  const reach = (el) => {
    const box = el.getBoundingClientRect();
    const text = style(el).overflowX === 'visible' ? el.scrollWidth : 0;
    return box.width === 0 ? 0 : box.left + Math.max(box.width, text);
  };
  const clipped = (el) => {
    let escaping = ['absolute', 'fixed'].includes(style(el).position);
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = style(a);
      const clips = s.overflowX !== 'visible' && a.getBoundingClientRect().right <= limit;
      if (!escaping && clips) return true;
      if (escaping && s.position !== 'static') { escaping = false; if (clips) return true; }
    }
    return false;
  };
  const sticking = (el) => reach(el) > limit && !clipped(el);
  const names = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!sticking(el) || [...el.children].some(sticking)) continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + [...el.classList].map(c => '.' + c).join('') + ' to ' + Math.round(reach(el)) + ' px';
    if (!names.includes(name)) names.push(name);
    if (names.length === 4) break;
  }
  return names;
}"""


@dataclass
class Visitor:
    role: str
    user: User | None


@pytest.fixture
def organisation() -> Organisation:
    """The demo company, plus the long names and words that real companies have."""
    org = load_demo()
    team = TeamFactory.create(organisation=org, name="Atención al cliente internacional y posventa")
    MembershipFactory.create(
        organisation=org,
        team=team,
        user__name="Maximiliano Fernández-Villaverde de la Concepción",
        user__email="maximiliano.fernandez-villaverde.concepcion@ceramicas-del-turia.example",
    )
    InvitationFactory.create(
        organisation=org, email="departamento.internacional.exportaciones@turia-export.example"
    )
    PostFactory.create(
        organisation=org,
        title="Presentamos Albufera: azulejos hidráulicos esmaltados artesanalmente",
        body="Desde https://www.ceramicas-del-turia.example/colecciones/albufera-azulejos",
        link="https://www.ceramicas-del-turia.example/colecciones/albufera?utm_source=coro",
        published_at=timezone.now(),
    )
    return org


def visitors(org: Organisation) -> list[Visitor]:
    people = [
        Visitor(login.role, Membership.objects.get(organisation=org, user__email=login.email).user)
        for login in LOGINS
    ]
    assert {v.role for v in people} == {Role.ADMIN, Role.EDITOR, Role.EMPLOYEE}
    return [*people, Visitor("not signed in", None)]


def candidate_paths(org: Organisation) -> list[str]:
    """Every GET page a person might open, with URL arguments filled in."""
    codes = objects_of(org, None)
    paths = [fill(route, org.code, name, codes) for name, route in ORG_ROUTES]
    paths += [
        "/" + route
        for name, route, _ in ROUTES
        if name in PUBLIC_ROUTES
        and name not in NOT_VISITED
        and "<" not in route
        and "(?P" not in route
        and "^" not in route
    ]
    invitation = InvitationFactory.create(
        organisation=org, email="nueva.incorporacion.departamento@turia.example"
    )
    paths.append(f"/invite/{invitation_token(invitation)}/")
    return sorted(set(paths))


def html_pages(client: Client, paths: list[str]) -> list[str]:
    """The paths that answer this person with an HTML page (no download, redirect or 405)."""
    pages = []
    for path in paths:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=LANGUAGE)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(path)
    return pages


def context_for(browser: Browser, base: str, user: User | None) -> BrowserContext:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="es-ES",
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return context


def too_wide(context: BrowserContext, base: str, pages: list[str]) -> Iterator[str]:
    page = context.new_page()
    for path in pages:
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            sticking_out = ", ".join(page.evaluate(OFFENDERS_JS, WIDTH))
            yield f"{path}: {width} px ({sticking_out})"


# Pages the walk must reach (``{org}`` is the organisation's code): a guard against a walk
# that silently finds nothing.
MUST_VISIT = {
    Role.ADMIN: [
        "/o/{org}/people/",
        "/o/{org}/posts/",
        "/o/{org}/dashboard/",
        "/o/{org}/settings/",
    ],
    Role.EDITOR: ["/o/{org}/posts/", "/o/{org}/posts/new/", "/o/{org}/dashboard/"],
    Role.EMPLOYEE: [
        "/o/{org}/",
        "/o/{org}/me/",
        "/o/{org}/me/impact/",
        "/accounts/profile/",
        "/me/working-hours/",
        "/me/data/",
        "/me/delete/",
    ],
    "not signed in": ["/", "/accounts/login/", "/accounts/password-reset/"],
}


def test_every_page_of_every_role_fits_a_390_px_screen(
    live_server, browser: Browser, organisation: Organisation
) -> None:
    paths = candidate_paths(organisation)
    problems: list[str] = []
    visited = 0
    for visitor in visitors(organisation):
        client = Client()
        if visitor.user is not None:
            client.force_login(visitor.user)
        pages = html_pages(client, paths)
        expected = {path.format(org=organisation.code) for path in MUST_VISIT[visitor.role]}
        assert expected <= set(pages), (visitor.role, expected - set(pages))
        visited += len(pages)
        context = context_for(browser, live_server.url, visitor.user)
        problems += [f"{visitor.role} {line}" for line in too_wide(context, live_server.url, pages)]
        context.close()
    assert visited > 30  # the walk found the pages, not just a few
    assert problems == [], "Wider than a 390 px phone:\n" + "\n".join(problems)


def test_the_setup_page_fits_a_390_px_screen(live_server, browser: Browser) -> None:
    """Before any organisation exists, the one page there is: /setup/."""
    assert not Organisation.objects.exists()
    assert html_pages(Client(), ["/setup/"]) == ["/setup/"]
    context = context_for(browser, live_server.url, None)
    problems = list(too_wide(context, live_server.url, ["/setup/"]))
    context.close()
    assert problems == [], "Wider than a 390 px phone:\n" + "\n".join(problems)
