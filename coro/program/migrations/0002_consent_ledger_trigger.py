"""On PostgreSQL, the database itself refuses to change or delete consent ledger records.

The ORM already refuses (``ConsentRecord.save()`` on an existing row, ``delete()``,
``QuerySet.update()``/``delete()``); this trigger also stops raw SQL. SQLite has no such
trigger here: the hash chain (``coro ledger verify``) still detects any change.
"""

from django.db import migrations

TABLE = "program_consentrecord"
FUNCTION = "program_consentrecord_append_only"
TRIGGER = "program_consentrecord_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $body$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'integrity_constraint_violation',
        MESSAGE = 'The consent ledger is append-only: ' || TG_OP || ' of record '
            || OLD.id || ' refused.';
END;
$body$ LANGUAGE plpgsql;

CREATE TRIGGER {TRIGGER}
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("program", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
