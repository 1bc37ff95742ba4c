from django.db import migrations


def forwards(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    for organisation in Organisation.objects.all():
        wordings = {"es": organisation.disclosure_es, "en": organisation.disclosure_en}
        organisation.disclosure = {code: text.strip() for code, text in wordings.items() if text.strip()}
        organisation.save(update_fields=["disclosure"])


def backwards(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    for organisation in Organisation.objects.all():
        organisation.disclosure_es = organisation.disclosure.get("es", "")
        organisation.disclosure_en = organisation.disclosure.get("en", "")
        organisation.save(update_fields=["disclosure_es", "disclosure_en"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_disclosure_per_language")]

    operations = [migrations.RunPython(forwards, backwards)]
