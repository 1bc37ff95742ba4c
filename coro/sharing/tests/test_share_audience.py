"""The sharer's audience on a share: recorded when the share is first made (a connected
account's followers, else what the person told Coro), kept afterwards, forgotten when the
person leaves; and filled for shares made before it was recorded."""

import importlib

import pytest
from django.apps import apps

from coro.connections.models import NetworkProfile
from coro.connections.selectors import audience_of
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from coro.sharing.models import Share
from coro.sharing.services import share_get_or_create, share_record
from testing.factories import ConnectedAccountFactory, MembershipFactory, PostFactory, ShareFactory

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("coro.sharing.migrations.0010_share_audience_backfill")


@pytest.fixture
def person():
    return MembershipFactory()


@pytest.fixture
def post(person):
    return PostFactory(organisation=person.organisation)


def test_a_connected_accounts_followers_come_first(person):
    ConnectedAccountFactory(membership=person, network="bluesky", followers_count=120)
    NetworkProfile.objects.create(membership=person, network="bluesky", approximate_audience=30)
    assert audience_of(person, "bluesky") == 120


def test_else_what_the_person_told_coro(person):
    ConnectedAccountFactory(membership=person, network="bluesky", followers_count=None)
    NetworkProfile.objects.create(membership=person, network="bluesky", approximate_audience=30)
    assert audience_of(person, "bluesky") == 30


def test_unknown_when_nothing_is_known_on_that_network(person):
    ConnectedAccountFactory(membership=person, network="mastodon", followers_count=500)
    NetworkProfile.objects.create(membership=person, network="x", approximate_audience=999)
    assert audience_of(person, "bluesky") is None


def test_a_new_share_records_the_audience_of_that_moment_and_keeps_it(person, post):
    account = ConnectedAccountFactory(membership=person, network="bluesky", followers_count=80)
    share = share_get_or_create(post=post, membership=person, network="bluesky")
    assert Share.objects.get(pk=share.pk).audience == 80
    account.followers_count = 5000
    account.save()
    again = share_record(post=post, membership=person, network="bluesky", text="¡Mirad!")
    assert again.pk == share.pk
    assert Share.objects.get(pk=share.pk).audience == 80  # the first share's, not today's


def test_share_record_records_it_too(person, post):
    NetworkProfile.objects.create(membership=person, network="x", approximate_audience=45)
    share = share_record(post=post, membership=person, network="x", text="Hola")
    assert Share.objects.get(pk=share.pk).audience == 45
    other = share_record(post=post, membership=person, network="linkedin", text="Hola")
    assert Share.objects.get(pk=other.pk).audience is None


def test_leaving_the_program_forgets_the_audience(tenancy):
    person, post = tenancy.employee, PostFactory(organisation=tenancy.org)
    program_join(membership=person, terms=terms_current(tenancy.org))
    NetworkProfile.objects.create(membership=person, network="x", approximate_audience=45)
    share = share_get_or_create(post=post, membership=person, network="x")
    program_leave(membership=person)
    share.refresh_from_db()
    assert (share.membership, share.audience) == (None, None)


def test_the_backfill_fills_older_shares_and_leaves_the_rest(person, post):
    ConnectedAccountFactory(membership=person, network="bluesky", followers_count=70)
    NetworkProfile.objects.create(membership=person, network="x", approximate_audience=12)
    told = ShareFactory(post=post, membership=person, network="x")
    followed = ShareFactory(post=post, membership=person, network="bluesky")
    unknown = ShareFactory(post=post, membership=person, network="linkedin")
    anonymous = ShareFactory(post=post, membership=None, network="x")
    recorded = ShareFactory(post=post, membership=MembershipFactory(), network="x", audience=9)
    assert told.audience is None  # made as before the audience was recorded

    backfill.forwards(apps, None)

    audiences = dict(Share.objects.values_list("pk", "audience"))
    assert audiences == {
        told.pk: 12,
        followed.pk: 70,
        unknown.pk: None,
        anonymous.pk: None,
        recorded.pk: 9,
    }
