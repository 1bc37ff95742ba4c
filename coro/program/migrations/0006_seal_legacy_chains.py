"""Seal the consent ledger's chains of before keys.

Records written before keys (format 1) are hashed by a public rule: anyone who can write the
database could rewrite them and recompute the chain. For every organisation whose chain ends
with such a record, this appends one keyed record (format 2, action "sealed", about nobody)
chained to it, so the records before it can no longer be rewritten without the key.
``coro ledger verify`` then requires every format-1 record to be followed by a keyed one.

Uses the historical models and the pure functions of ``coro.program.ledger`` only.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from coro.program import ledger


def seal_legacy_chains(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    ConsentRecord = apps.get_model("program", "ConsentRecord")
    key_id, secret = ledger.signing_key(settings.LEDGER_KEYS)
    for organisation in Organisation.objects.order_by("pk"):
        last = ConsentRecord.objects.filter(organisation=organisation).order_by("-seq").first()
        if last is None or last.format != ledger.LEGACY:
            continue
        seal = ConsentRecord(
            organisation=organisation,
            seq=last.seq + 1,
            subject="",
            action="sealed",
            terms_version=None,
            terms_sha256="",
            at=timezone.now(),
            channel="web",
            prev_hash=last.hash,
            format=ledger.KEYED,
            key_id=key_id,
        )
        values = ledger.values_of(seal, organisation_code=organisation.code)
        seal.hash = ledger.keyed_hash(secret, seal.prev_hash, ledger.canonical_payload(values))
        seal.save(force_insert=True)


class Migration(migrations.Migration):
    dependencies = [("program", "0005_append_only")]

    # Seals stay when going back: the ledger is append-only.
    operations = [migrations.RunPython(seal_legacy_chains, migrations.RunPython.noop)]
