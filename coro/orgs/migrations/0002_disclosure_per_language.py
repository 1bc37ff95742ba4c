import coro.core.languages
from django.db import migrations, models


class Migration(migrations.Migration):
    """The disclosure's wording is stored per language code, not one column per language.

    Three migrations (add, copy, remove), so that on PostgreSQL no table is altered while
    rows updated in the same transaction still have trigger events pending.
    """

    dependencies = [("orgs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="disclosure",
            field=models.JSONField(
                blank=True,
                default=dict,
                validators=[coro.core.languages.validate_language_keys],
                verbose_name="disclosure",
            ),
        ),
    ]
