import coro.networks
from django.db import migrations, models


class Migration(migrations.Migration):
    """The network is checked against the registry of networks, not database choices, so
    adding a network needs no migration."""

    dependencies = [("sharing", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="share",
            name="network",
            field=models.CharField(
                max_length=16, validators=[coro.networks.validate_network_key]
            ),
        ),
    ]
