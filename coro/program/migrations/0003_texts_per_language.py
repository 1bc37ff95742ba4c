from django.db import migrations, models


class Migration(migrations.Migration):
    """Terms are stored per language code; ledger records say how they are chained.

    Records that exist already are of format 1 (the SHA-256 chain of their time); new ones
    default to format 2 (keyed). Split from the copy and the removal (0004, 0005) so that
    on PostgreSQL no table is altered while updated rows have trigger events pending.
    """

    dependencies = [("program", "0002_consent_ledger_trigger")]

    operations = [
        migrations.AddField(
            model_name="terms",
            name="texts",
            field=models.JSONField(default=dict, verbose_name="texts"),
        ),
        migrations.AddField(
            model_name="terms",
            name="sha256",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="consentrecord",
            name="format",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "SHA-256 chain (before keys)"), (2, "HMAC-SHA256 chain, keyed")],
                default=1,
            ),
        ),
        migrations.AddField(
            model_name="consentrecord",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
    ]
