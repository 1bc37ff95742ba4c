from django.db import migrations, models


class Migration(migrations.Migration):
    """The channel is a key of the channel registry, not database choices."""

    dependencies = [("notifications", "0002_delivery_channel")]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="channel",
            field=models.CharField(blank=True, max_length=16),
        ),
    ]
