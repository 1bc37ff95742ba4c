"""Done means: an employee proposes a post, an editor edits and approves it, it appears in
the feed of the targeted team only, colleagues react and comment."""

import pytest
from playwright.sync_api import Browser, Page, expect

from coro.content.models import Comment, Post, Reaction
from coro.orgs.models import Role
from testing.factories import MembershipFactory, OrganisationFactory, TeamFactory, TermsFactory
from testing.tenancy import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_a_proposal_goes_from_an_employee_to_the_targeted_teams_feed(
    live_server, browser: Browser
) -> None:
    org = OrganisationFactory(name="Cerámicas Prueba", language="en")
    TermsFactory(organisation=org)
    sales = TeamFactory(organisation=org, name="Sales")
    factory = TeamFactory(organisation=org, name="Factory")
    editor = MembershipFactory(organisation=org, role=Role.EDITOR, user__email="eva@example.com")
    proposer = MembershipFactory(
        organisation=org,
        team=sales,
        user__email="pau@example.com",
        user__name="Pau Proposer",
        recognition_opt_in=False,
    )
    colleague = MembershipFactory(
        organisation=org, team=sales, user__email="sara@example.com", user__name="Sara Sales"
    )
    elsewhere = MembershipFactory(organisation=org, team=factory, user__email="fede@example.com")
    base = live_server.url
    home = f"{base}/o/{org.code}/"

    # The employee proposes a post.
    page = signed_in(browser, base, proposer.user.email)
    page.goto(f"{home}proposals/new/")
    page.get_by_label("Title", exact=True).fill("Our visit to the school")
    page.get_by_label("Text", exact=True).fill("We showed the children how a tile is made.")
    page.get_by_label("Link", exact=True).fill("https://turia.example/blog/school")
    page.get_by_role("button", name="Propose", exact=True).click()
    expect(page.get_by_text("Your proposal is on the board")).to_be_visible()
    expect(page.get_by_role("heading", name="Our visit to the school")).to_be_visible()
    post = Post.objects.get()
    assert (post.status, post.proposed_by) == (Post.Status.IN_REVIEW, proposer)

    # A colleague supports it on the board, where the proposer (not opted in) is unnamed.
    colleague_page = signed_in(browser, base, colleague.user.email)
    colleague_page.goto(f"{home}proposals/")
    card = colleague_page.locator(f"#proposal-card-{post.code}")
    expect(card.get_by_text("Proposed by a colleague")).to_be_visible()
    expect(card).not_to_contain_text("Pau Proposer")
    card.locator(f"#react-{post.code}-support").click()
    expect(card.locator(f"#react-{post.code}-support")).to_have_attribute("aria-pressed", "true")

    # The editor edits it, targets the Sales team and approves it.
    editor_page = signed_in(browser, base, editor.user.email)
    editor_page.goto(f"{home}posts/?status=in_review")
    editor_page.get_by_role("link", name="Review Our visit to the school").click()
    title = editor_page.get_by_label("Title (English)", exact=True)
    expect(title).to_have_value("Our visit to the school")
    title.fill("Tiles at school: our visit")
    editor_page.get_by_role("checkbox", name="Sales").check()
    editor_page.get_by_role("button", name="Approve and publish").click()
    expect(editor_page.get_by_text("The post is published.")).to_be_visible()
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert list(post.teams.all()) == [sales]

    # It is in the Sales team's feed: a colleague reacts and comments.
    colleague_page.goto(home)
    heading = colleague_page.get_by_role("heading", name="Tiles at school: our visit")
    expect(heading).to_be_visible()
    colleague_page.locator(f"#react-{post.code}-celebrate").click()
    expect(colleague_page.locator(f"#react-{post.code}-celebrate")).to_have_attribute(
        "aria-pressed", "true"
    )
    heading.get_by_role("link").click()
    colleague_page.get_by_label("Your comment").fill("Great day, well done!")
    colleague_page.get_by_role("button", name="Post comment").click()
    expect(colleague_page.get_by_text("Great day, well done!")).to_be_visible()
    assert Comment.objects.filter(post=post, author=colleague).count() == 1
    kinds = set(
        Reaction.objects.filter(post=post, membership=colleague).values_list("kind", flat=True)
    )
    assert kinds == {"support", "celebrate"}

    # The proposer, in Sales too, sees it; someone in another team does not.
    page.goto(home)
    expect(page.get_by_role("heading", name="Tiles at school: our visit")).to_be_visible()
    other = signed_in(browser, base, elsewhere.user.email)
    other.goto(home)
    expect(other.get_by_role("heading", name="Tiles at school: our visit")).to_have_count(0)
    other.goto(f"{home}posts/{post.code}/")
    assert "Tiles at school" not in other.content()
