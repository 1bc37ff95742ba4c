"""Done criterion of the program issue, on the demo company itself: erasing people
leaves every dashboard total unchanged and no row about them."""

import pytest
from django.core.management import call_command

from coro.accounts.models import User
from coro.analytics import selectors
from coro.orgs.models import Organisation
from coro.privacy.services import account_erase
from coro.sharing.models import Share


@pytest.fixture
def demo(db):
    call_command("demo", verbosity=0)
    return Organisation.objects.get()


def figures(organisation):
    totals = selectors.totals(organisation)
    return {
        "posts": totals.posts,
        "shares": totals.shares,
        "clicks": totals.clicks,
        "per_post": [
            (p.code, p.share_count, p.click_count) for p in selectors.post_stats(organisation)
        ],
        "by_network": selectors.clicks_by_network(organisation),
        "per_day": selectors.clicks_per_day(organisation),
    }


@pytest.mark.parametrize("email", ["empleado@turia.example", "sharer"])
def test_erasing_a_demo_person_keeps_every_total(demo, email):
    if email == "sharer":
        shares = Share.objects.exclude(membership=None).filter(membership__role="employee")
        email = shares.first().membership.user.email
    user = User.objects.get(email=email)
    name, pk = user.name, user.pk
    before = figures(demo)

    account_erase(user=user)

    assert figures(demo) == before
    assert not User.objects.filter(pk=pk).exists()
    assert not User.objects.filter(name=name).exists()
    call_command("ledger", "verify", verbosity=0)  # the chain survives the erasure
