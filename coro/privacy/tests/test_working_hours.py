"""/me/working-hours/: each person sets when Coro may reach them (charter rule 9)."""

import re
import zoneinfo
from datetime import time

import pytest
from django.urls import reverse

from coro.accounts.models import User
from coro.notifications.models import Notification

URL = "/me/working-hours/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def form(**changes) -> dict[str, object]:
    data: dict[str, object] = {
        "work_days": ["1", "2", "3", "4"],
        "work_start": "07:30",
        "work_end": "15:00",
        "time_zone": "Atlantic/Canary",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def person(tenancy) -> User:
    return tenancy.employee.user


def test_url_name():
    assert reverse("me:working_hours") == URL


def test_page_shows_the_current_hours_and_explains_them(tenancy, person):
    response = tenancy.client_for(person).get(URL, **ENGLISH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "right to disconnect" in page
    assert "Coro never reminds you to share" in page
    assert "Nobody in your organisation sees these hours." in page
    for day in "12345":
        assert f'value="{day}"' in page
    assert page.count("checked") == 5  # Monday to Friday by default
    assert 'value="09:00"' in page
    assert 'value="18:00"' in page
    assert '<option value="Europe/Madrid" selected>' in page
    assert 'id="next-window"' in page


def test_the_time_zone_list_is_every_known_zone_sorted(tenancy, person):
    page = tenancy.client_for(person).get(URL).content.decode()
    select = re.search(r'<select name="time_zone".*?</select>', page, re.S)
    assert select
    zones = re.findall(r'<option value="([^"]+)"', select.group(0))
    assert zones == sorted(zoneinfo.available_timezones())


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_saving_changes_the_hours(tenancy, person):
    response = tenancy.client_for(person).post(URL, form())
    assert response.status_code == 302
    assert response["Location"] == URL
    person.refresh_from_db()
    assert person.work_days == "1234"
    assert (person.work_start, person.work_end) == (time(7, 30), time(15, 0))
    assert person.time_zone == "Atlantic/Canary"


def test_saving_touches_only_the_signed_in_person(tenancy, person):
    tenancy.client_for(person).post(URL, form())
    other = tenancy.editor.user
    other.refresh_from_db()
    assert (other.work_days, other.time_zone) == ("12345", "Europe/Madrid")


def test_no_working_day_is_allowed_and_explained(tenancy, person):
    client = tenancy.client_for(person)
    response = client.post(URL, form(work_days=None))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.work_days == ""
    page = client.get(URL, **ENGLISH).content.decode()
    assert "Coro does not e-mail you" in page


def test_night_hours_are_allowed(tenancy, person):
    response = tenancy.client_for(person).post(URL, form(work_start="22:00", work_end="06:00"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.work_start, person.work_end) == (time(22), time(6))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"work_start": "09:00", "work_end": "09:00"}, "work_end"),
        ({"work_start": "25:00"}, "work_start"),
        ({"work_end": ""}, "work_end"),
        ({"work_days": ["1", "8"]}, "work_days"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
    ],
)
def test_nonsense_is_refused(tenancy, person, changes, field):
    response = tenancy.client_for(person).post(URL, form(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    person.refresh_from_db()
    assert (person.work_days, person.time_zone) == ("12345", "Europe/Madrid")


def test_saving_holds_waiting_notifications_again(tenancy, person):
    from django.utils import timezone

    waiting = Notification.objects.create(
        user=person,
        kind=Notification.Kind.TERMS_UPDATED,
        subject="s",
        body="b",
        deliver_after=timezone.now() + timezone.timedelta(days=30),
    )
    tenancy.client_for(person).post(URL, form())
    waiting.refresh_from_db()
    assert waiting.deliver_after < timezone.now() + timezone.timedelta(days=8)
