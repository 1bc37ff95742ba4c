from django.db import migrations, models


class Migration(migrations.Migration):
    """Each person gets the receipt of each of their consent ledger records."""

    dependencies = [("notifications", "0003_channel_registry")]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("terms_updated", "New program terms"),
                    ("consent_receipt", "Consent receipt"),
                ],
                max_length=32,
            ),
        ),
    ]
