"""What company sign-in holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from allauth.socialaccount.models import (  # type: ignore[import-untyped, unused-ignore]
    SocialAccount,
    SocialApp,
    SocialToken,
)
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.personal_data import PersonalDataFile
from coro.identity.claims import KEPT_CLAIMS
from coro.identity.models import PROVIDER_ID_PREFIX, AllowedDomain, IdentityProvider
from coro.orgs.models import Organisation


def company_accounts(user: User) -> list[dict[str, Any]]:
    """The company accounts the person signed in with: which organisation's provider, their
    identifier there, and the few claims Coro keeps (never a token)."""
    rows = SocialAccount.objects.filter(user=user).order_by("date_joined")
    codes = [
        row.provider.removeprefix(PROVIDER_ID_PREFIX)
        for row in rows
        if row.provider.startswith(PROVIDER_ID_PREFIX)
    ]
    names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))
    result = []
    for row in rows:
        extra = row.extra_data if isinstance(row.extra_data, dict) else {}
        result.append(
            {
                "provider": row.provider,
                "organisation": names.get(row.provider.removeprefix(PROVIDER_ID_PREFIX)),
                "uid": row.uid,
                "claims": {name: extra[name] for name in KEPT_CLAIMS if name in extra},
                "date_joined": row.date_joined,
                "last_login": row.last_login,
            }
        )
    return result


FILES = [
    PersonalDataFile(
        "company_sign_in.json",
        (SocialAccount,),
        company_accounts,
        _(
            "The company accounts you signed in with: your identifier at each, and your "
            "address and name as your company's sign-in gave them."
        ),
    )
]

NOTHING_PERSONAL: dict[type[Model], str] = {
    IdentityProvider: (
        "an organisation's sign-in settings; its client secret is a secret, stored encrypted "
        "and never exported"
    ),
    AllowedDomain: "an organisation's e-mail domains",
    SocialApp: (
        "allauth's table of sign-in apps, kept empty: Coro builds each organisation's app "
        "from its IdentityProvider"
    ),
    SocialToken: (
        "access and refresh tokens are secrets, never exported; Coro does not store them "
        "(SOCIALACCOUNT_STORE_TOKENS is off)"
    ),
}
