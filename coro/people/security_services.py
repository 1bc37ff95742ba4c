from coro.orgs.models import Organisation


def two_factor_requirement_set(*, organisation: Organisation, required: bool) -> Organisation:
    """Whether the organisation's admins and editors must use two-factor authentication
    (enforced by ``coro.orgs.access.org_view``)."""
    organisation.two_factor_required = required
    organisation.full_clean()
    organisation.save(update_fields=["two_factor_required"])
    return organisation
