"""The community pages fit a 390 px phone, with long names, titles and links."""

import pytest
from playwright.sync_api import Browser

from coro.orgs.models import Role
from coro.tests.test_phone_width import WIDTH, context_for, too_wide
from testing.factories import (
    GoalFactory,
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    ShareFactory,
    TeamFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_LINK = "https://www.ceramicas-del-turia.example/empleo/ofertas-de-trabajo-internacionales"


def test_community_pages_fit_a_phone(live_server, browser: Browser) -> None:
    org = OrganisationFactory.create(min_group_size=3)
    editor = MembershipFactory.create(organisation=org, role=Role.EDITOR)
    team = TeamFactory.create(organisation=org, name="Atención al cliente internacional y posventa")
    members = MembershipFactory.create_batch(3, organisation=org, team=team)
    thanked = MembershipFactory.create(
        organisation=org,
        team=team,
        recognition_opt_in=True,
        user__name="Maximiliano Fernández-Villaverde de la Concepción Supercalifragilístico",
    )
    post = PostFactory.create(organisation=org, link=LONG_LINK)
    ShareFactory.create(post=post, membership=thanked)
    ShareFactory.create(post=post, membership=members[0])
    PostFactory.create(
        organisation=org,
        proposed_by=thanked,
        title="Presentamos Albufera: azulejoshidráulicosesmaltadosartesanalmenteenvalencia",
    )
    goal = GoalFactory.create(
        organisation=org,
        team=team,
        title="Visitasalapáginadeempleointernacionaldurantelaferiadeprimavera de Valencia",
        link_prefix=LONG_LINK,
        target=2000,
    )
    GoalFactory.create(organisation=org, target=123456789)
    base = f"/o/{org.code}"
    pages = [
        f"{base}/thanks/",
        f"{base}/goals/",
        f"{base}/goals/new/",
        f"{base}/goals/{goal.code}/edit/",
        f"{base}/goals/{goal.code}/delete/",
    ]
    context = context_for(browser, live_server.url, editor.user)
    problems = list(too_wide(context, live_server.url, pages))
    page = context.new_page()
    page.goto(live_server.url + f"{base}/thanks/")
    assert page.get_by_text("Maximiliano Fernández").count() == 1
    page.goto(live_server.url + f"{base}/goals/")
    assert page.locator("progress").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()
    assert problems == []
