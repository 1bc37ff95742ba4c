from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_disclosure_copy")]

    operations = [
        migrations.RemoveField(model_name="organisation", name="disclosure_es"),
        migrations.RemoveField(model_name="organisation", name="disclosure_en"),
    ]
