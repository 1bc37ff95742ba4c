"""A person's own network settings: their Mastodon server (checked, never looked up) and,
optionally, roughly how many people follow them on each network (charter rule 6)."""

import re

import pytest
from django.core.exceptions import ValidationError

from coro.connections.models import NetworkProfile
from coro.connections.profile_services import network_profile_set, server_normalise


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read Coro's English texts (the default language is Spanish)."""
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("mastodon.social", "mastodon.social"),
        ("  Mastodon.Social. ", "mastodon.social"),
        ("https://fosstodon.org/", "fosstodon.org"),
        ("@ana@mastodon.social", "mastodon.social"),
        ("https://mastodon.social/@ana", "mastodon.social"),  # a profile, pasted
        ("mastodön.example", "xn--mastodn-f1a.example"),
        ("8.8.8.8", "8.8.8.8"),  # a public address literal
    ],
)
def test_servers_are_stored_as_host_names(typed, stored):
    assert server_normalise(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "mastodon",  # a bare word
        "mastodon.social/about",  # a path that is no profile
        "mastodon.social?x=1",
        "ftp://mastodon.social",
        "mastodon social",
        "10.0.0.7",  # private
        "127.0.0.1",  # loopback
        "169.254.169.254",  # the cloud's metadata service
        "192.168.1",  # read as an address by browsers
        "intranet.local",
        "printer.internal",
        "a" * 300 + ".social",
    ],
)
def test_what_is_not_a_public_host_name_is_refused(typed):
    with pytest.raises(ValidationError):
        server_normalise(typed)


def url(org):
    return f"/o/{org.code}/me/networks/"


def test_the_page_asks_nothing_required_and_saves_what_is_given(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    page = client.get(url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "My networks" in html
    assert "Your Mastodon server, e.g. mastodon.social" in html
    form = html.split('<form method="post" class="form"')[1].split("</form>")[0]
    # The audiences: one fieldset, its legend and one hint; short labels.
    fieldset = form.split("<fieldset")[1].split("</fieldset>")[0]
    assert "Roughly how many people follow you" in fieldset.split("</legend>")[0]
    assert 'aria-describedby="audiences-hint"' in fieldset
    assert fieldset.count("rather not say") == 1
    assert '<label for="id_audience_linkedin">LinkedIn:</label>' in fieldset
    assert '<label for="id_audience_whatsapp">WhatsApp (contacts):</label>' in fieldset
    assert "follow you there" not in html
    # No grey example in the server box: the label gives it.
    assert "placeholder" not in form
    assert " required" not in html.split('<form method="post"')[1].split("</form>")[0]

    # Nothing at all: saved, nothing stored.
    assert client.post(url(tenancy.org), {}).status_code == 302
    assert not NetworkProfile.objects.exists()

    saved = client.post(
        url(tenancy.org),
        {"server_mastodon": "https://Mastodon.Social/", "audience_linkedin": "450"},
    )
    assert saved.status_code == 302
    profiles = {p.network: p for p in NetworkProfile.objects.all()}
    assert set(profiles) == {"mastodon", "linkedin"}
    assert profiles["mastodon"].instance == "mastodon.social"
    assert profiles["linkedin"].approximate_audience == 450
    assert {p.membership for p in profiles.values()} == {tenancy.employee}
    again = client.get(url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="mastodon.social"' in again and 'value="450"' in again

    # Emptied: forgotten, not required.
    client.post(url(tenancy.org), {"server_mastodon": "", "audience_linkedin": ""})
    linkedin = NetworkProfile.objects.get(network="linkedin")
    assert linkedin.approximate_audience is None
    assert NetworkProfile.objects.get(network="mastodon").instance == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("server_mastodon", "192.168.0.10", "private or local network"),
        ("audience_x", "-5", "greater than or equal to 0"),
        ("audience_x", "lots", "Enter a whole number"),
    ],
)
def test_bad_input_is_said_and_nothing_is_lost(tenancy, field, value, message):
    network_profile_set(
        membership=tenancy.employee, network="x", server=None, approximate_audience=12
    )
    client = tenancy.client_for(tenancy.employee.user)
    answer = client.post(url(tenancy.org), {field: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert NetworkProfile.objects.get().approximate_audience == 12
    assert NetworkProfile.objects.count() == 1


def test_a_failed_save_says_what_is_wrong_at_the_top_and_takes_the_focus(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    answer = client.post(url(tenancy.org), {"server_mastodon": "localhost", "audience_x": "-5"})
    assert answer.status_code == 422
    html = answer.content.decode()
    opening = re.search(r'<div[^>]*id="form-errors"[^>]*>', html)
    assert opening is not None
    assert 'role="alert"' in opening[0] and " autofocus" in opening[0]
    assert html.count(" autofocus") == 1
    summary = html[opening.end() :].split("</div>")[0]
    # Each error, in the order of the page, links to its field.
    assert summary.index('href="#id_server_mastodon"') < summary.index('href="#id_audience_x"')
    assert "private or local network" in summary
    assert "greater than or equal to 0" in summary
    # Above the form.
    assert html.index('id="form-errors"') < html.index('<form method="post" class="form"')


def test_each_person_sees_and_changes_only_their_own(tenancy):
    network_profile_set(
        membership=tenancy.admin,
        network="mastodon",
        server="admin.social",
        approximate_audience=None,
    )
    client = tenancy.client_for(tenancy.employee.user)
    html = client.get(url(tenancy.org)).content.decode()
    assert "admin.social" not in html
    client.post(url(tenancy.org), {"server_mastodon": "mine.social"})
    servers = dict(NetworkProfile.objects.values_list("membership", "instance"))
    assert servers == {tenancy.admin.pk: "admin.social", tenancy.employee.pk: "mine.social"}


def test_another_organisation_is_404(tenancy):
    client = tenancy.client_for(tenancy.outsider.user)
    assert client.get(url(tenancy.org)).status_code == 404
    assert client.post(url(tenancy.org), {"server_mastodon": "a.social"}).status_code == 404
    assert not NetworkProfile.objects.exists()


def test_back_goes_only_to_this_site(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    mine = client.get(url(tenancy.org) + "?next=/o/x/posts/y/share/x/").content.decode()
    assert 'href="/o/x/posts/y/share/x/"' in mine
    other = client.get(url(tenancy.org) + "?next=https://evil.example/").content.decode()
    assert "Back to sharing" in mine and "Back to sharing" not in other
