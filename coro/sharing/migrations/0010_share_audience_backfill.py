from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def forwards(apps, schema_editor):
    """Shares made before the audience was recorded take the sharer's audience of today on
    the share's network (their connected account's followers, else what they told Coro):
    the best knowledge there is. Anonymous links, and people whose audience is not known,
    stay without one."""
    Share = apps.get_model("sharing", "Share")
    ConnectedAccount = apps.get_model("connections", "ConnectedAccount")
    NetworkProfile = apps.get_model("connections", "NetworkProfile")
    followers = ConnectedAccount.objects.filter(
        membership_id=OuterRef("membership_id"), network=OuterRef("network")
    ).values("followers_count")[:1]
    told = NetworkProfile.objects.filter(
        membership_id=OuterRef("membership_id"), network=OuterRef("network")
    ).values("approximate_audience")[:1]
    Share.objects.filter(membership__isnull=False, audience__isnull=True).update(
        audience=Coalesce(Subquery(followers), Subquery(told))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0009_share_audience"),
        ("connections", "0002_server_limits"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
