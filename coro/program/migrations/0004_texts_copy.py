import hashlib

from django.db import migrations


def legacy_sha256(terms) -> str:
    """The fingerprint these versions were published with (and that ledger records hold)."""
    text = "\n\n".join([terms.offer_es, terms.commitment_es, terms.offer_en, terms.commitment_en])
    return hashlib.sha256(text.encode()).hexdigest()


def forwards(apps, schema_editor):
    # Published terms never change, but these rows only change shape: the historical model
    # has no append-only guard, and the database trigger on terms comes in 0005.
    Terms = apps.get_model("program", "Terms")
    for terms in Terms.objects.all():
        terms.texts = {
            "es": {"offer": terms.offer_es, "commitment": terms.commitment_es},
            "en": {"offer": terms.offer_en, "commitment": terms.commitment_en},
        }
        terms.sha256 = legacy_sha256(terms)
        terms.save(update_fields=["texts", "sha256"])


def backwards(apps, schema_editor):
    Terms = apps.get_model("program", "Terms")
    for terms in Terms.objects.all():
        es, en = terms.texts.get("es", {}), terms.texts.get("en", {})
        terms.offer_es, terms.commitment_es = es.get("offer", ""), es.get("commitment", "")
        terms.offer_en, terms.commitment_en = en.get("offer", ""), en.get("commitment", "")
        terms.save(update_fields=["offer_es", "commitment_es", "offer_en", "commitment_en"])


class Migration(migrations.Migration):
    dependencies = [("program", "0003_texts_per_language")]

    operations = [migrations.RunPython(forwards, backwards)]
