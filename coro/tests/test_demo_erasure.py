"""Done criterion of the program issue, on the demo company itself: erasing people
leaves every dashboard total unchanged and no row about them."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from coro.accounts.models import User
from coro.analytics import dashboard
from coro.analytics.ranges import Preset, range_preset
from coro.orgs.models import Organisation
from coro.privacy.services import account_erase
from coro.sharing.models import Share


@pytest.fixture
def demo(db):
    call_command("demo", verbosity=0)
    return Organisation.objects.get()


def figures(organisation):
    """What the dashboard shows over the last 90 days (the demo's whole history): the same
    functions its page and exports call, reading the rollups."""
    date_range = range_preset(Preset.LAST_90, timezone.localdate())
    seen = dashboard.activity(organisation, date_range)
    totals = seen.totals
    return {
        "posts": totals.posts_published,
        "shares": totals.share_dialogs,
        "clicks": totals.visits,
        "per_post": [
            (p.post.code, p.share_dialogs, p.visits)
            for p in dashboard.post_figures_all(organisation, date_range)
        ],
        "by_network": [(n.key, n.visits, n.share_dialogs) for n in seen.networks],
        "per_day": [(d.day, d.visits, d.share_dialogs) for d in seen.days],
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
