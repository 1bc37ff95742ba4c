from django.db import transaction
from django.utils import timezone

from coro.accounts.models import User
from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.core import crypto
from coro.identity.models import AllowedDomain, IdentityProvider
from coro.identity.presets import Preset
from coro.orgs.models import Membership, Organisation, Role
from coro.orgs.services import membership_create


def identity_provider_save(
    *,
    organisation: Organisation,
    preset: Preset,
    issuer: str,
    client_id: str,
    new_secret: str = "",
    forget_secret: bool = False,
    domains: list[str],
    enabled: bool,
    actor: Membership | None = None,
) -> IdentityProvider:
    """Create or change the organisation's provider and replace its list of domains.

    ``new_secret`` is stored encrypted; left empty, the stored secret is kept, unless
    ``forget_secret`` asks to read it from the environment from now on.
    """
    with transaction.atomic():
        provider = IdentityProvider.objects.select_for_update().filter(
            organisation=organisation
        ).first() or IdentityProvider(organisation=organisation)
        before = _audit_view(provider)
        had_secret = bool(provider.client_secret_encrypted)
        provider.preset = preset
        provider.issuer = issuer
        provider.client_id = client_id.strip()
        provider.enabled = enabled
        provider.updated_at = timezone.now()
        if new_secret:
            provider.client_secret_encrypted = crypto.encrypt(new_secret)
        elif forget_secret:
            provider.client_secret_encrypted = ""
        provider.full_clean()
        provider.save()

        wanted = list(dict.fromkeys(domains))
        provider.domains.exclude(domain__in=wanted).delete()
        kept = set(provider.domains.values_list("domain", flat=True))
        for domain in wanted:
            if domain in kept:
                continue
            allowed = AllowedDomain(identity_provider=provider, domain=domain)
            allowed.full_clean()
            allowed.save()
        after = _audit_view(provider)
        if new_secret:
            after["secret"] = "changed"
        elif forget_secret and had_secret:
            after["secret"] = "from the environment"
        if after != before:
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditEntry.Action.SIGN_IN_CHANGED,
                before=before,
                after=after,
            )
    return provider


def _audit_view(provider: IdentityProvider) -> dict[str, object]:
    """What the audit trail records of the provider: never the secret itself."""
    if provider.pk is None:
        return {}
    return {
        "preset": provider.preset,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "domains": ", ".join(sorted(provider.domains.values_list("domain", flat=True))),
        "enabled": provider.enabled,
    }


def employee_join(*, organisation: Organisation, user: User) -> Membership:
    """A person signing in with their company's provider for the first time joins the
    organisation as an employee. Joining the organisation never enrols anyone in the
    advocacy program: that stays their own choice (charter rule 1)."""
    return membership_create(organisation=organisation, user=user, role=Role.EMPLOYEE)
