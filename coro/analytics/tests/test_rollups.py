import threading
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from coro.analytics.models import (
    NetworkDay,
    PostDay,
    RollupCursor,
    ShareVisits,
    VisitDay,
    VisitHour,
)
from coro.analytics.rollups import rollup_run, visits_prune
from coro.core.periodic import JOBS
from coro.sharing.models import Click, Preview, Share, VisitSalt, VisitSeen
from testing.factories import (
    ClickFactory,
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    ShareFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _share(*, time_zone: str = "UTC", network: str = "x", team: bool = True) -> Share:
    organisation = OrganisationFactory(time_zone=time_zone)
    membership = MembershipFactory(
        organisation=organisation,
        team=TeamFactory(organisation=organisation) if team else None,
    )
    return ShareFactory(
        post=PostFactory(organisation=organisation), membership=membership, network=network
    )


def _clicks(share: Share, *ats: datetime, new_visitor: bool = False) -> None:
    for at in ats:
        ClickFactory(share=share, at=at, new_visitor=new_visitor)


DAILY = (VisitDay, PostDay, NetworkDay)


def _totals(
    model: type[VisitHour] | type[VisitDay] | type[PostDay] | type[NetworkDay],
) -> dict[str, int | None]:
    return model.objects.aggregate(
        visits=Sum("visits"), new_visitors=Sum("new_visitors"), previews=Sum("previews")
    )


def test_rollups_equal_the_raw_counts_after_several_runs():
    first, second = _share(), _share(network="linkedin", team=False)
    _clicks(first, NOW, NOW + timedelta(minutes=5), new_visitor=True)
    _clicks(second, NOW - timedelta(days=3))
    assert rollup_run().visits == 3

    _clicks(first, NOW + timedelta(hours=2), NOW + timedelta(days=1))
    _clicks(second, NOW, new_visitor=True)
    Preview.objects.create(share=first, at=NOW)
    rolled = rollup_run()
    assert (rolled.visits, rolled.previews) == (3, 1)

    _clicks(second, NOW + timedelta(minutes=1))
    rollup_run()

    raw = Click.objects.count()
    expected = {"visits": raw, "new_visitors": 3, "previews": 1}
    assert raw == 7
    assert _totals(VisitHour) == expected
    for model in DAILY:
        assert _totals(model) == expected, model
    per_link = {v.share_id: (v.visits, v.previews) for v in ShareVisits.objects.all()}
    assert per_link == {first.pk: (4, 1), second.pk: (3, 0)}
    # The same hour of the same link is one row, added to.
    assert VisitHour.objects.get(post=first.post, hour=NOW).visits == 2


def test_running_twice_adds_nothing():
    share = _share()
    _clicks(share, NOW, NOW, NOW)
    Preview.objects.create(share=share, at=NOW)
    rollup_run()
    again = rollup_run()
    assert (again.visits, again.previews, again.batches) == (0, 0, 0)
    assert _totals(VisitHour) == {"visits": 3, "new_visitors": 0, "previews": 1}
    assert ShareVisits.objects.get(share=share).visits == 3


def test_small_batches_and_a_limit_add_the_same():
    share = _share()
    _clicks(share, *(NOW + timedelta(minutes=m) for m in range(7)))
    partial = rollup_run(limit=3, batch=2)
    assert (partial.visits, partial.batches) == (3, 2)
    assert _totals(VisitHour)["visits"] == 3
    rest = rollup_run(batch=2)
    assert (rest.visits, rest.batches) == (4, 2)
    assert _totals(VisitDay)["visits"] == 7
    cursor = RollupCursor.objects.get(name="clicks")
    assert cursor.last_id == Click.objects.order_by("-pk").values_list("pk", flat=True)[0]


def test_hours_are_utc_and_days_are_the_organisations():
    share = _share(time_zone="Europe/Madrid")
    winter_late = datetime(2026, 1, 10, 23, 30, tzinfo=UTC)  # 00:30 on the 11th in Madrid
    winter_evening = datetime(2026, 1, 10, 22, 30, tzinfo=UTC)  # 23:30 on the 10th
    summer_late = datetime(2026, 7, 10, 22, 30, tzinfo=UTC)  # 00:30 on the 11th (UTC+2)
    _clicks(share, winter_late, winter_evening, summer_late)
    rollup_run()

    hours = dict(VisitHour.objects.values_list("hour", "visits"))
    assert hours == {
        datetime(2026, 1, 10, 23, tzinfo=UTC): 1,
        datetime(2026, 1, 10, 22, tzinfo=UTC): 1,
        datetime(2026, 7, 10, 22, tzinfo=UTC): 1,
    }
    days = dict(VisitDay.objects.values_list("day", "visits"))
    assert days == {date(2026, 1, 11): 1, date(2026, 1, 10): 1, date(2026, 7, 11): 1}


def test_posts_and_networks_per_day_add_up_every_network_and_team():
    """``PostDay`` is one row per post and local day, whatever the network and team;
    ``NetworkDay`` one per organisation, network and day, whatever the post."""
    first = _share(time_zone="Europe/Madrid")
    organisation = first.post.organisation
    other_team = MembershipFactory(
        organisation=organisation, team=TeamFactory(organisation=organisation)
    )
    same_post_linkedin = ShareFactory(post=first.post, membership=other_team, network="linkedin")
    other_post = ShareFactory(
        post=PostFactory(organisation=organisation), membership=first.membership, network="x"
    )
    late = datetime(2026, 1, 10, 23, 30, tzinfo=UTC)  # the 11th in Madrid
    _clicks(first, NOW, late, new_visitor=True)
    _clicks(same_post_linkedin, NOW, NOW + timedelta(minutes=1))
    _clicks(other_post, NOW)
    Preview.objects.create(share=same_post_linkedin, at=NOW)
    rollup_run(batch=2)  # batches that split a day's rows: added, never overwritten
    _clicks(first, NOW + timedelta(hours=1))
    rollup_run()

    post_days = {
        (row.post_id, row.day): (row.visits, row.new_visitors, row.previews)
        for row in PostDay.objects.all()
    }
    assert post_days == {
        (first.post_id, date(2026, 3, 10)): (4, 1, 1),
        (first.post_id, date(2026, 1, 11)): (1, 1, 0),
        (other_post.post_id, date(2026, 3, 10)): (1, 0, 0),
    }
    network_days = {
        (row.network, row.day): (row.visits, row.new_visitors, row.previews)
        for row in NetworkDay.objects.filter(organisation=organisation)
    }
    assert network_days == {
        ("x", date(2026, 3, 10)): (3, 1, 0),
        ("x", date(2026, 1, 11)): (1, 1, 0),
        ("linkedin", date(2026, 3, 10)): (2, 0, 1),
    }
    assert {row.organisation_id for row in PostDay.objects.all()} == {organisation.pk}
    for model in DAILY:
        assert _totals(model) == {"visits": 6, "new_visitors": 2, "previews": 1}, model


def test_the_same_hour_is_another_day_in_another_zone():
    madrid, utc = _share(time_zone="Europe/Madrid"), _share(time_zone="UTC")
    late = datetime(2026, 1, 10, 23, 30, tzinfo=UTC)
    _clicks(madrid, late)
    _clicks(utc, late)
    rollup_run()
    assert VisitDay.objects.get(post=madrid.post).day == date(2026, 1, 11)
    assert VisitDay.objects.get(post=utc.post).day == date(2026, 1, 10)


def test_the_team_code_and_organisation_are_recorded():
    share = _share()
    team = share.membership.team  # type: ignore[union-attr]
    ClickFactory(share=share, at=NOW)
    ClickFactory(share=share, at=NOW, team=None)  # an anonymous link's visit
    rollup_run()
    rows = {
        row.team: (row.visits, row.organisation_id, row.network) for row in VisitHour.objects.all()
    }
    organisation = share.post.organisation_id
    assert rows == {team.code: (1, organisation, "x"), "": (1, organisation, "x")}
    assert set(VisitDay.objects.values_list("team", flat=True)) == {team.code, ""}


def test_previews_are_counted_apart():
    share = _share()
    _clicks(share, NOW, new_visitor=True)
    for _ in range(3):
        Preview.objects.create(share=share, at=NOW + timedelta(minutes=10))
    rolled = rollup_run()
    assert (rolled.visits, rolled.previews) == (1, 3)
    row = VisitHour.objects.get()
    assert (row.visits, row.new_visitors, row.previews) == (1, 1, 3)
    link = ShareVisits.objects.get(share=share)
    # A preview is not a visit: the last visit stays the click's.
    assert (link.visits, link.previews, link.last_visit_at) == (1, 3, NOW)


def test_previews_alone_make_a_row_without_visits():
    share = _share()
    Preview.objects.create(share=share, at=NOW)
    rollup_run()
    assert _totals(VisitDay) == {"visits": 0, "new_visitors": 0, "previews": 1}
    link = ShareVisits.objects.get(share=share)
    assert (link.visits, link.previews, link.last_visit_at) == (0, 1, None)


def test_the_last_visit_is_the_latest_whatever_the_order_of_rows():
    share = _share()
    _clicks(share, NOW + timedelta(days=2), NOW)
    rollup_run()
    _clicks(share, NOW + timedelta(days=1))
    rollup_run()
    assert ShareVisits.objects.get(share=share).last_visit_at == NOW + timedelta(days=2)


def test_the_statement_count_does_not_grow_with_rows():
    def statements(rows: int) -> int:
        share = _share()
        _clicks(share, *(NOW + timedelta(minutes=7 * i) for i in range(rows)))
        for i in range(rows):
            Preview.objects.create(share=share, at=NOW + timedelta(minutes=3 * i))
        with CaptureQueriesContext(connection) as queries:
            rolled = rollup_run()
        assert (rolled.visits, rolled.previews) == (rows, rows)
        return len(queries)

    rollup_run()  # the cursors are made on the first run
    assert statements(2) == statements(60)


def test_prune_deletes_old_rolled_up_rows_and_keeps_the_rest(settings):
    settings.VISITS_KEEP_DAYS = 30
    share = _share()
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    _clicks(share, old, old, recent)
    Preview.objects.create(share=share, at=old)
    rollup_run()
    _clicks(share, old)  # old, but not added up yet
    late_preview = Preview.objects.create(share=share, at=old)

    pruned = visits_prune(now=NOW)

    assert (pruned.visits, pruned.previews) == (2, 1)
    assert sorted(Click.objects.values_list("at", flat=True)) == [old, recent]
    assert list(Preview.objects.values_list("pk", flat=True)) == [late_preview.pk]
    # The rollups stay, and the rows kept are added later, once.
    assert _totals(VisitHour) == {"visits": 3, "new_visitors": 0, "previews": 1}
    rollup_run()
    for model in DAILY:
        assert _totals(model) == {"visits": 4, "new_visitors": 0, "previews": 2}, model
    assert visits_prune(now=NOW).visits == 1


def test_prune_forgets_past_keys_and_salts():
    VisitSeen.objects.create(key="a" * 32, expires_at=NOW - timedelta(minutes=1))
    VisitSeen.objects.create(key="b" * 32, expires_at=NOW + timedelta(minutes=1))
    VisitSalt.objects.create(day=date(2026, 3, 9), salt=b"x" * 32)
    VisitSalt.objects.create(day=date(2026, 3, 10), salt=b"y" * 32)
    pruned = visits_prune(now=NOW)
    assert (pruned.seen, pruned.salts) == (1, 1)
    assert list(VisitSeen.objects.values_list("key", flat=True)) == ["b" * 32]
    assert list(VisitSalt.objects.values_list("day", flat=True)) == [date(2026, 3, 10)]


def test_the_jobs_are_registered():
    assert JOBS["analytics.rollups"].every == timedelta(minutes=1)
    assert JOBS["analytics.visits_prune"].every == timedelta(hours=1)
    assert JOBS["sharing.visit_spools"].every == timedelta(minutes=1)


def test_the_rollup_job_adds_new_visits():
    _clicks(_share(), NOW)
    JOBS["analytics.rollups"].run()
    assert _totals(VisitHour)["visits"] == 1


def test_the_spool_job_counts_files_left_by_stopped_processes(settings, tmp_path):
    share = _share()
    settings.VISITS_SPOOL_DIR = str(tmp_path)
    millis = int(NOW.timestamp() * 1000)
    (tmp_path / "gone-1-abc-0.spool").write_text(
        f"{millis}\tv\t{share.code}\t{'k' * 32}\t{'d' * 32}\n"
    )
    JOBS["sharing.visit_spools"].run()
    assert Click.objects.filter(share=share).count() == 1
    assert list(tmp_path.iterdir()) == []


def test_the_command_prints_the_counts():
    share = _share()
    _clicks(share, NOW, NOW)
    Preview.objects.create(share=share, at=NOW)
    out = StringIO()
    call_command("rollup", stdout=out)
    assert out.getvalue().startswith("Rolled up 2 visits and 1 previews in 2 batches")


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_leaves_a_locked_cursor_to_the_first():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite's write lock serialises whole runs)")
    share = _share()
    _clicks(share, NOW, NOW)
    RollupCursor.objects.create(name="clicks")
    locked, release = threading.Event(), threading.Event()

    def first_worker() -> None:
        try:
            with transaction.atomic():
                RollupCursor.objects.select_for_update().get(name="clicks")
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=first_worker)
    holder.start()
    try:
        assert locked.wait(10)
        assert rollup_run().visits == 0
    finally:
        release.set()
        holder.join()
    assert rollup_run().visits == 2
    assert _totals(VisitHour)["visits"] == 2


def test_the_demo_has_its_visits_added_up():
    from coro.site.demo import load_demo

    organisation = load_demo()
    raw = Click.objects.filter(share__post__organisation=organisation).count()
    assert raw > 0
    for model in DAILY:
        assert _totals(model)["visits"] == raw, model
    assert rollup_run().visits == 0
