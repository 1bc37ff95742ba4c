"""An organisation can require two-factor authentication of its admins and editors: the
Security page under People switches it, and ``org_view`` enforces it on every page."""

import pytest
from allauth.mfa.models import Authenticator

from coro.orgs.models import Membership

SECURITY = "/o/{org}/people/security/"


def second_factor(membership: Membership, kind: str = "totp") -> None:
    data = {"secret": "JBSWY3DPEHPK3PXP"} if kind == "totp" else {"name": "Llave"}
    Authenticator.objects.create(user=membership.user, type=kind, data=data)


@pytest.fixture
def required(tenancy):
    tenancy.org.two_factor_required = True
    tenancy.org.save()
    return tenancy


# --- Enforcement -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_an_admin_or_editor_without_a_second_factor_is_sent_to_set_one_up(required, who):
    client = required.client_for(getattr(required, who).user)
    response = client.get(f"/o/{required.org.code}/posts/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain == [("/accounts/2fa/", 302)]
    html = response.content.decode()
    assert "asks admins and editors to use two-factor authentication" in html
    assert required.org.name in html


def test_every_organisation_page_is_closed_until_then(required):
    client = required.client_for(required.editor.user)
    for path in ["", "program/", "dashboard/", "settings/"]:
        response = client.get(f"/o/{required.org.code}/{path}")
        assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/"), path


def test_an_htmx_request_is_redirected_as_a_whole_page(required):
    client = required.client_for(required.editor.user)
    response = client.get(f"/o/{required.org.code}/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/accounts/2fa/"


@pytest.mark.parametrize("kind", ["totp", "webauthn"])
def test_with_a_second_factor_the_pages_open(required, kind):
    second_factor(required.editor, kind)
    client = required.client_for(required.editor.user)
    assert client.get(f"/o/{required.org.code}/posts/").status_code == 200


def test_recovery_codes_alone_are_not_a_second_factor(required):
    Authenticator.objects.create(
        user=required.editor.user, type="recovery_codes", data={"seed": "x"}
    )
    client = required.client_for(required.editor.user)
    assert client.get(f"/o/{required.org.code}/posts/").status_code == 302


def test_employees_are_never_asked(required):
    client = required.client_for(required.employee.user)
    response = client.get(f"/o/{required.org.code}/")
    assert response.status_code == 200


def test_without_the_requirement_nobody_is_asked(tenancy):
    client = tenancy.client_for(tenancy.editor.user)
    assert client.get(f"/o/{tenancy.org.code}/posts/").status_code == 200


def test_the_requirement_is_per_organisation(required):
    """The outsider is admin of the other organisation, which does not require it."""
    client = required.client_for(required.outsider.user)
    assert client.get(f"/o/{required.other_org.code}/").status_code == 200
    assert client.get(f"/o/{required.org.code}/").status_code == 404  # still no way in


def test_the_persons_own_pages_stay_open(required):
    client = required.client_for(required.editor.user)
    for url in ["/accounts/profile/", "/accounts/2fa/", "/me/data/", "/me/working-hours/"]:
        assert client.get(url).status_code == 200, url


# --- The Security page -------------------------------------------------------------------


def test_only_admins_see_the_security_page(tenancy):
    url = SECURITY.format(org=tenancy.org.code)
    assert tenancy.client_for(tenancy.admin.user).get(url).status_code == 200
    assert tenancy.client_for(tenancy.editor.user).get(url).status_code == 403
    assert tenancy.client_for(tenancy.employee.user).get(url).status_code == 403
    assert tenancy.client_for(tenancy.outsider.user).get(url).status_code == 404


def test_the_people_page_links_to_it(tenancy):
    html = tenancy.client_for(tenancy.admin.user).get(f"/o/{tenancy.org.code}/people/")
    assert f'href="{SECURITY.format(org=tenancy.org.code)}"' in html.content.decode()


def test_an_admin_with_a_second_factor_switches_the_requirement_on_and_off(tenancy):
    second_factor(tenancy.admin)
    client = tenancy.client_for(tenancy.admin.user)
    url = SECURITY.format(org=tenancy.org.code)

    response = client.post(url, {"two_factor_required": "on"})
    assert response.status_code == 302
    tenancy.org.refresh_from_db()
    assert tenancy.org.two_factor_required is True
    assert client.get(f"/o/{tenancy.org.code}/").status_code == 200  # the admin has one

    response = client.post(url, {})
    assert response.status_code == 302
    tenancy.org.refresh_from_db()
    assert tenancy.org.two_factor_required is False


def test_an_admin_without_one_is_told_to_set_up_their_own_first(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(
        SECURITY.format(org=tenancy.org.code),
        {"two_factor_required": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Set up your own two-factor authentication first" in response.content.decode()
    tenancy.org.refresh_from_db()
    assert tenancy.org.two_factor_required is False


def test_the_page_counts_who_has_none_without_naming_them(tenancy):
    second_factor(tenancy.admin)
    client = tenancy.client_for(tenancy.admin.user)
    response = client.get(SECURITY.format(org=tenancy.org.code), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.context["without_second_factor"] == 1  # the editor
    assert "1 admin or editor has no second factor yet." in html
    assert tenancy.editor.user.name not in html
    assert tenancy.editor.user.email not in html


def test_switching_the_requirement_is_audited_and_saving_it_unchanged_is_not(tenancy):
    from coro.audit.models import AuditEntry

    second_factor(tenancy.admin)
    client = tenancy.client_for(tenancy.admin.user)
    url = SECURITY.format(org=tenancy.org.code)
    client.post(url, {"two_factor_required": "on"})
    client.post(url, {"two_factor_required": "on"})
    client.post(url, {})
    entries = list(
        AuditEntry.objects.filter(action=AuditEntry.Action.TWO_FACTOR_CHANGED).order_by("pk")
    )
    assert [(e.before, e.after, e.actor_ref) for e in entries] == [
        ({"two_factor_required": False}, {"two_factor_required": True}, tenancy.admin.code),
        ({"two_factor_required": True}, {"two_factor_required": False}, tenancy.admin.code),
    ]
