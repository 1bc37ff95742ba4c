"""What the connections app holds about a person (see coro/core/personal_data.py). Tokens and
app passwords are never exported: the file says which accounts are connected, not how."""

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.connections.models import ConnectedAccount, MastodonApp, NetworkProfile, ServerLimits
from coro.core.personal_data import PersonalDataFile


def networks(user: User) -> dict[str, Any]:
    profiles = NetworkProfile.objects.filter(membership__user=user).select_related(
        "membership__organisation"
    )
    accounts = ConnectedAccount.objects.filter(membership__user=user).select_related(
        "membership__organisation"
    )
    return {
        "profiles": [
            {
                "organisation": p.membership.organisation.name,
                "network": p.network,
                "server": p.instance,
                "approximate_audience": p.approximate_audience,
            }
            for p in profiles.order_by("pk")
        ],
        "connected_accounts": [
            {
                "organisation": a.membership.organisation.name,
                "network": a.network,
                "server": a.server,
                "handle": a.handle,
                "status": a.status,
                "followers_count": a.followers_count,
                "connected_at": a.created_at,
            }
            for a in accounts.order_by("pk")
        ],
    }


FILES = [
    PersonalDataFile(
        "networks.json",
        (NetworkProfile, ConnectedAccount),
        networks,
        _("Your servers, audiences and connected accounts on networks (never their tokens)."),
    )
]

NOTHING_PERSONAL: dict[type[Model], str] = {
    MastodonApp: "Coro's own OAuth application on a Mastodon server",
    ServerLimits: "a Mastodon server's own text limits",
}
