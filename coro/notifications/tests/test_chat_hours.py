"""The organisation's working hours: computed like a person's, set by admins on the
organisation's profile, and what team chat announcements wait for."""

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from coro.accounts.models import User
from coro.audit.models import AuditEntry
from coro.notifications.hours import next_working_window_start
from coro.notifications.tests.chat_server import MADRID, english_fixture  # noqa: F401 (fixtures)
from coro.orgs.models import Organisation

pytestmark = pytest.mark.usefixtures("english")


def organisation(days="12345", start=time(9), end=time(18), zone="Europe/Madrid"):
    return Organisation(work_days=days, work_start=start, work_end=end, time_zone=zone)


def test_an_organisations_window_at_22_opens_the_next_morning():
    monday_22 = datetime(2026, 6, 1, 22, 0, tzinfo=MADRID)
    assert next_working_window_start(organisation(), monday_22) == datetime(
        2026, 6, 2, 9, 0, tzinfo=MADRID
    )


def test_inside_an_organisations_hours_is_now():
    monday_10 = datetime(2026, 6, 1, 10, 0, tzinfo=MADRID)
    assert next_working_window_start(organisation(), monday_10) == monday_10


def test_an_organisation_without_working_days_has_no_window():
    assert next_working_window_start(organisation(days=""), datetime.now(UTC)) is None


@pytest.mark.parametrize("seed", range(20))
def test_an_organisation_and_a_person_with_the_same_hours_agree(seed):
    rng = random.Random(seed)
    days = "".join(sorted(rng.sample("1234567", rng.randint(1, 7))))
    start = time(rng.randint(0, 23), rng.choice([0, 30]))
    end = time((start.hour + rng.randint(1, 23)) % 24, rng.choice([0, 30]))
    zone = rng.choice(["Europe/Madrid", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"])
    now = datetime(2026, 3, 20, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
    person = User(work_days=days, work_start=start, work_end=end, time_zone=zone)
    org = organisation(days=days, start=start, end=end, zone=zone)
    assert next_working_window_start(org, now) == next_working_window_start(person, now)


# --- Set on the organisation's profile ------------------------------------------------------


@pytest.fixture
def save(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    url = f"/o/{tenancy.org.code}/profile/"

    def send(**fields):
        data = {
            "name": tenancy.org.name,
            "language": tenancy.org.language,
            "time_zone": tenancy.org.time_zone,
            **fields,
        }
        return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    return send


def test_the_profile_shows_the_working_hours(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    html = client.get(f"/o/{tenancy.org.code}/profile/", HTTP_ACCEPT_LANGUAGE="en").content
    html = html.decode()
    assert "Working hours" in html
    for day in "12345":
        assert f'name="work_days" value="{day}"' in html
    assert 'name="work_days" value="6" id="id_work_days_5"' in html  # Saturday, not ticked
    assert 'name="work_start" value="09:00"' in html and 'name="work_end" value="18:00"' in html
    assert f'href="/o/{tenancy.org.code}/settings/chat/"' in html


def test_the_working_hours_are_saved_and_audited(tenancy, save):
    response = save(work_days=["1", "2", "3", "4"], work_start="08:00", work_end="15:30")
    assert response.status_code == 302
    org = Organisation.objects.get(pk=tenancy.org.pk)
    assert (org.work_days, org.work_start, org.work_end) == ("1234", time(8), time(15, 30))
    entry = AuditEntry.objects.get(organisation=org)
    assert entry.action == AuditEntry.Action.PROFILE_CHANGED
    assert (entry.before["work_days"], entry.after["work_days"]) == ("12345", "1234")
    assert (entry.before["work_start"], entry.after["work_start"]) == ("09:00", "08:00")
    assert (entry.before["work_end"], entry.after["work_end"]) == ("18:00", "15:30")
    chat = tenancy.client_for(tenancy.admin.user).get(
        f"/o/{org.code}/settings/chat/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Monday, Tuesday, Wednesday, Thursday, 08:00 to 15:30" in chat.content.decode()


def test_hours_past_midnight_are_taken(tenancy, save):
    assert save(work_days=["1"], work_start="22:00", work_end="06:00").status_code == 302
    org = Organisation.objects.get(pk=tenancy.org.pk)
    assert (org.work_start, org.work_end) == (time(22), time(6))


def test_a_form_without_the_hours_keeps_them(tenancy, save):
    assert save(name="Otro nombre").status_code == 302
    org = Organisation.objects.get(pk=tenancy.org.pk)
    assert (org.name, org.work_days, org.work_start) == ("Otro nombre", "12345", time(9))


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        (
            {"work_start": "09:00", "work_end": "17:00"},
            "work_days",
            "Tick at least one working day",
        ),
        (
            {"work_days": ["1"], "work_start": "09:00", "work_end": "09:00"},
            "work_end",
            "must differ",
        ),
        (
            {"work_days": ["8"], "work_start": "09:00", "work_end": "17:00"},
            "work_days",
            "not a day",
        ),
        ({"work_days": ["1"], "work_start": "nine", "work_end": "17:00"}, "work_start", "09:00"),
        ({"work_days": ["1"], "work_end": "17:00"}, "work_start", "Enter when"),
        ({"work_days": ["1"], "work_start": "09:00"}, "work_end", "Enter when"),
    ],
)
def test_bad_hours_are_refused_and_nothing_changes(tenancy, save, fields, field, said):
    response = save(name="Must not be saved", **fields)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and said in " ".join(errors[field])
    org = Organisation.objects.get(pk=tenancy.org.pk)
    assert (org.name, org.work_days, org.work_start, org.work_end) == (
        "Cerámicas Prueba",
        "12345",
        time(9),
        time(18),
    )
    assert not AuditEntry.objects.exists()
