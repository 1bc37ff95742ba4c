from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    """Shares and visits made before teams were recorded take the sharer's team of today:
    the best knowledge there is (anonymous links stay without a team)."""
    Share = apps.get_model("sharing", "Share")
    Click = apps.get_model("sharing", "Click")
    Membership = apps.get_model("orgs", "Membership")
    team_of_member = Membership.objects.filter(pk=OuterRef("membership_id")).values("team_id")
    Share.objects.filter(membership__isnull=False).update(team_id=Subquery(team_of_member))
    team_of_share = Share.objects.filter(pk=OuterRef("share_id")).values("team_id")
    Click.objects.filter(share__membership__isnull=False).update(team_id=Subquery(team_of_share))


class Migration(migrations.Migration):
    dependencies = [("sharing", "0003_team_at_the_time"), ("orgs", "0004_disclosure_columns_removed")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
