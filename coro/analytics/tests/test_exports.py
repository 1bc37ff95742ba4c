"""Every table of the dashboard downloads as CSV and XLSX, for the page's range: aggregates
only, text never run as a formula, reach under the group-size rule."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from coro.analytics.exports import FORMATS, TABLES
from coro.analytics.exports.base import Table
from coro.analytics.exports.xlsx import CONTENT_TYPE, sheet_name, workbook_bytes
from coro.analytics.services import release_make
from coro.analytics.tests.dashboard_data import days_ago, visit_day
from coro.connections.models import NetworkProfile
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.models import ScheduledPost
from coro.sharing.services import share_get_or_create
from testing.factories import (
    MembershipFactory,
    PostFactory,
    ScheduledPostFactory,
    ShareFactory,
    TeamFactory,
)

DOWNLOADS = [(table, ext) for table in TABLES for ext in FORMATS]


def url(org, table: str, ext: str, query: str = "") -> str:
    return f"/o/{org.code}/dashboard/{table}.{ext}" + (f"?{query}" if query else "")


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def sheets(content: bytes) -> dict[str, str]:
    """{part name: XML} of the workbook's sheets and shared strings."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"
        }


def cell_numbers(xml: str) -> list[str]:
    return re.findall(r"<c r=\"[A-Z]+\d+\"[^>]*><v>(\d+)</v></c>", xml)


@pytest.fixture
def data(tenancy):
    org = tenancy.org
    org.min_group_size = 3
    org.save()
    people = MembershipFactory.create_batch(3, organisation=org, user__name="Nombre Secreto")
    post = PostFactory(organisation=org, title='=HYPERLINK("http://evil.example")')
    for n, person in enumerate(people):
        NetworkProfile.objects.create(
            membership=person, network="x", approximate_audience=100 * (n + 1)
        )
        share_get_or_create(post=post, membership=person, network="x")
    visit_day(post, day=days_ago(org, 1), visits=4321, new=1234, previews=17)
    return post, people


@pytest.mark.parametrize(("table", "ext"), DOWNLOADS)
def test_editors_and_admins_download_every_table(tenancy, data, table, ext):
    for member in (tenancy.editor, tenancy.admin):
        response = tenancy.client_for(member.user).get(url(tenancy.org, table, ext))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith(
            f'attachment; filename="coro-dashboard-{table}-{tenancy.org.code}-'
        )
        assert response["Content-Disposition"].endswith(f'.{ext}"')
        assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("table", "ext"), DOWNLOADS)
def test_employees_get_403_and_outsiders_404(tenancy, table, ext):
    employee = tenancy.client_for(tenancy.employee.user)
    assert employee.get(url(tenancy.org, table, ext)).status_code == 403
    outsider = tenancy.client_for(tenancy.outsider.user)
    assert outsider.get(url(tenancy.org, table, ext)).status_code == 404


@pytest.mark.parametrize("path", ["secrets.csv", "posts.json", "posts.xls", "posts.csv.xlsx"])
def test_unknown_tables_and_formats_are_404(tenancy, path):
    client = tenancy.client_for(tenancy.editor.user)
    assert client.get(f"/o/{tenancy.org.code}/dashboard/{path}").status_code == 404


def summary(response) -> dict[str, list[dict[str, str]]]:
    sections: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))):
        sections.setdefault(row["section"], []).append(row)
    return sections


def test_dashboard_csv_has_totals_posts_networks_and_the_release(tenancy, data):
    """``dashboard.csv`` (its old address): one row per total, post, network and group of
    the latest release, named for what each column counts."""
    client = tenancy.client_for(tenancy.editor.user)
    response = client.get(f"/o/{tenancy.org.code}/dashboard.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="coro-dashboard-{tenancy.org.code}-'
    )
    sections = summary(response)
    assert set(sections) == {"total", "post", "network"}  # no release yet
    [total] = sections["total"]
    assert (total["share_dialogs_opened"], total["visits"], total["reach_upper_bound"]) == (
        "3",
        "4321",
        "600",
    )
    assert total["unique_visitors_per_day_added_up"] == "1234"
    assert total["participants_approx"] == ""  # live totals carry no participation
    [post] = sections["post"]
    assert post["name"] == '\'=HYPERLINK("http://evil.example")'  # never a formula
    assert (post["share_dialogs_opened"], post["visits"], post["previews"]) == ("3", "4321", "17")
    assert sections["network"][0]["name"] == "X"
    release = release_make(organisation=tenancy.org, noise=lambda scale: 0)
    sections = summary(client.get(f"/o/{tenancy.org.code}/dashboard.csv"))
    [whole] = sections["release"]
    assert whole["published"] == release.released_at.date().isoformat()
    assert whole["members"] == "6"
    assert "times_shared" not in response.content.decode()


def test_dashboard_csv_before_a_release_never_says_release(tenancy, data):
    text = tenancy.client_for(tenancy.editor.user).get(f"/o/{tenancy.org.code}/dashboard.csv")
    assert "release" not in text.content.decode("utf-8-sig")


def test_csv_neutralises_formulas(tenancy, data):
    response = tenancy.client_for(tenancy.editor.user).get(
        url(tenancy.org, "posts", "csv"), HTTP_ACCEPT_LANGUAGE="en"
    )
    header, row = read_csv(response)
    assert header[:3] == ["Post", "Published", "Share dialogs opened"]
    assert row[0] == '\'=HYPERLINK("http://evil.example")'
    assert row[2:8] == ["3", "0", "4321", "1234", "17", "600"]


def test_the_workbook_has_every_table_and_the_numbers(tenancy, data):
    response = tenancy.client_for(tenancy.editor.user).get(
        f"/o/{tenancy.org.code}/dashboard.xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response["Content-Type"] == CONTENT_TYPE
    parts = sheets(response.content)
    assert len([n for n in parts if n.startswith("xl/worksheets/sheet")]) == len(TABLES)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == [
        "Totals",
        "Per day",
        "Per network",
        "Per post",
        "Participation",
        "Common goals",
    ]
    assert "4321" in cell_numbers(parts["xl/worksheets/sheet1.xml"])
    assert "600" in cell_numbers(parts["xl/worksheets/sheet4.xml"])
    assert "Share dialogs opened" in parts["xl/sharedStrings.xml"]


def test_xlsx_keeps_formulas_as_text(tenancy, data):
    response = tenancy.client_for(tenancy.editor.user).get(url(tenancy.org, "posts", "xlsx"))
    parts = sheets(response.content)
    assert "<f>" not in "".join(parts.values())
    assert '<t>=HYPERLINK("http://evil.example")</t>' in parts["xl/sharedStrings.xml"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"])
def test_xlsx_never_writes_a_formula(text):
    content = workbook_bytes([Table("t", "T", ("a",), [(text,), (5,)])])
    parts = sheets(content)
    assert "<f>" not in "".join(parts.values())
    assert "<v>5</v>" in parts["xl/worksheets/sheet1.xml"]


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_name("Per post", taken) == "Per post"
    assert sheet_name("per post", taken) == "per post 2"
    assert sheet_name("a/b:c*d?[e]", taken) == "a-b-c-d--e-"
    assert len(sheet_name("x" * 40, taken)) == 31


def test_exports_name_nobody_and_hide_reach_from_few_people(tenancy, data):
    tenancy.org.min_group_size = 4
    tenancy.org.save()
    client = tenancy.client_for(tenancy.admin.user)
    urls = [url(tenancy.org, table, ext) for table, ext in DOWNLOADS]
    urls += [f"/o/{tenancy.org.code}/dashboard.csv", f"/o/{tenancy.org.code}/dashboard.xlsx"]
    for address in urls:
        response = client.get(address, HTTP_ACCEPT_LANGUAGE="en")
        text = (
            "".join(sheets(response.content).values())
            if address.endswith(".xlsx")
            else response.content.decode("utf-8-sig")
        )
        assert "Nombre Secreto" not in text
        assert "Eva Editora" not in text
        assert "600" not in text, address  # the reach of 3 people, under the minimum of 4
    answer = client.get(url(tenancy.org, "totals", "csv"), HTTP_ACCEPT_LANGUAGE="en")
    rows = {r[0]: r[1:] for r in read_csv(answer)}
    assert any("fewer than 4 people shared: not shown" in " ".join(v) for v in rows.values())


def test_participation_comes_from_the_release_with_its_date(tenancy):
    tenancy.org.min_group_size = 3
    tenancy.org.save()
    terms = terms_current(tenancy.org)
    team = TeamFactory(organisation=tenancy.org, name="Ventas")
    for member in MembershipFactory.create_batch(6, organisation=tenancy.org, team=team)[:3]:
        program_join(membership=member, terms=terms)
    client = tenancy.client_for(tenancy.editor.user)
    before = read_csv(client.get(url(tenancy.org, "participation", "csv")))
    assert len(before) == 1  # the header only: nothing is computed live
    release = release_make(organisation=tenancy.org, noise=lambda scale: 0)
    rows = read_csv(client.get(url(tenancy.org, "participation", "csv"), HTTP_ACCEPT_LANGUAGE="en"))
    released = release.released_at.date().isoformat()
    assert rows[1][:3] == [tenancy.org.name, released, "9"]
    teams = {row[0]: row[1:] for row in rows[2:]}
    assert teams == {
        "Ventas": [released, "6", "about 3", "about 60 %"],
        "No team": [released, "3", "few or none", "under 20 %"],
    }


def test_the_posts_export_lists_the_same_posts_as_the_page(tenancy):
    """Published, shared, posted or visited in the range: each is enough, on the page and in
    ``posts.csv`` alike; a post with nothing in the range is in neither."""
    org = tenancy.org
    long_ago = timezone.now() - timedelta(days=200)

    def old(title: str):
        return PostFactory(organisation=org, title=title, published_at=long_ago)

    PostFactory(organisation=org, title="Published")
    ShareFactory(post=old("Shared"))
    visit_day(old("Visited"), day=days_ago(org, 3), visits=2, new=1)
    posted = ScheduledPostFactory(share=ShareFactory(post=old("Posted"), created_at=long_ago))
    ScheduledPost.objects.filter(pk=posted.pk).update(
        status=ScheduledPost.Status.POSTED, posted_at=timezone.now()
    )
    ShareFactory(post=old("Quiet"), created_at=long_ago)
    client = tenancy.client_for(tenancy.editor.user)
    rows = read_csv(client.get(url(org, "posts", "csv"), HTTP_ACCEPT_LANGUAGE="en"))
    exported = {row[0] for row in rows[1:]}
    assert exported == {"Published", "Shared", "Visited", "Posted"}
    page = client.get(f"/o/{org.code}/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = set(re.findall(r'<tr data-post="[^"]+"><th scope="row"[^>]*>([^<]+)</th>', page))
    assert shown == exported
