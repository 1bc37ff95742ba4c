"""Time zones as people read them (``zone_label``) on the pages that schedule posts, and the
way from an empty "My scheduled posts" to connecting an account."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from coro.orgs.templatetags.time_zones import utc_offset, zone_label
from coro.program.selectors import terms_current
from coro.program.services import program_join

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "winter", "summer"),
    [
        ("Europe/Madrid", "Madrid (UTC+1)", "Madrid (UTC+2)"),
        ("America/New_York", "New York (UTC\u22125)", "New York (UTC\u22124)"),
        (
            "America/Argentina/Buenos_Aires",
            "Buenos Aires (UTC\u22123)",
            "Buenos Aires (UTC\u22123)",
        ),
        ("Asia/Kolkata", "Kolkata (UTC+5:30)", "Kolkata (UTC+5:30)"),
        ("Europe/London", "London (UTC+0)", "London (UTC+1)"),
        ("UTC", "UTC", "UTC"),
        ("Etc/GMT+3", "UTC\u22123", "UTC\u22123"),  # the POSIX sign: three hours behind
        ("Not/A_Zone", "Not/A_Zone", "Not/A_Zone"),  # shown as it is, never an error
        ("../../etc/passwd", "../../etc/passwd", "../../etc/passwd"),
    ],
)
def test_a_zone_is_its_place_and_its_offset_at_that_moment(name, winter, summer):
    assert zone_label(name, WINTER) == winter
    assert zone_label(name, SUMMER) == summer


def test_offsets():
    assert utc_offset(timedelta(hours=-9, minutes=-30)) == "UTC\u22129:30"
    assert utc_offset(timedelta(0)) == "UTC+0"


def test_the_filter_in_a_template_takes_now():
    rendered = Template("{% load time_zones %}{{ zone|zone_label }}").render(
        Context({"zone": "Europe/Madrid"})
    )
    assert rendered in ("Madrid (UTC+1)", "Madrid (UTC+2)")


def test_my_scheduled_posts_shows_a_readable_zone_and_the_way_to_connect(tenancy):
    tenancy.org.time_zone = "America/New_York"
    tenancy.org.save(update_fields=["time_zone"])
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    web = tenancy.client_for(tenancy.employee.user)
    page = web.get(
        f"/o/{tenancy.org.code}/me/scheduled-posts/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Times in New York (UTC\u22125)." in page or "Times in New York (UTC\u22124)." in page
    assert "America/New_York" not in page
    empty = page.split('class="card empty"')[1].split("</div>")[0]
    assert f'href="/o/{tenancy.org.code}/me/networks/"' in empty
    assert "Connect an account in My networks" in empty
