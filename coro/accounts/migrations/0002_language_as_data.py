import coro.core.languages
from django.db import migrations, models


class Migration(migrations.Migration):
    """The language is checked against settings.LANGUAGES, not database choices."""

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                default="",
                max_length=8,
                validators=[coro.core.languages.validate_language],
                verbose_name="language",
            ),
        ),
    ]
