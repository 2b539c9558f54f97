"""AR-3: a record is inserted only as the successor of its chain head, and the head
moves with it — in the database, on PostgreSQL and SQLite alike.

Before every INSERT into the records the trigger moves the municipality's head from
(sequence - 1, prev_hash) to (sequence, hash) and refuses the record when the head is
not there: a record that would fork the chain, skip a number or follow a stale head is
never written, whoever inserts it. `archive_append` therefore writes one row and
never updates the head itself.

On PostgreSQL the UPDATE takes the head's row lock (the lock `SELECT … FOR UPDATE`
takes); a concurrent insert waits for it and, under READ COMMITTED, re-reads the head
that transaction committed, finds it moved and is refused. pg_restore loads data
before it creates triggers, so a restore is not checked row by row (the backup's
restore verifies the chains instead).
"""

from django.db import migrations

POSTGRES_INSTALL = ("""
CREATE OR REPLACE FUNCTION ordstyrer_archive_follow_head() RETURNS trigger AS $$
BEGIN
    UPDATE archive_chainhead SET sequence = NEW.sequence, head_hash = NEW.hash
     WHERE municipality_id = NEW.municipality_id
       AND sequence = NEW.sequence - 1 AND head_hash = NEW.prev_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'AR-3: record % of municipality % does not follow its chain head',
            NEW.sequence, NEW.municipality_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""", """
CREATE TRIGGER archive_archiverecord_follows_head
    BEFORE INSERT ON archive_archiverecord
    FOR EACH ROW EXECUTE FUNCTION ordstyrer_archive_follow_head()
""")

POSTGRES_UNINSTALL = (
    "DROP TRIGGER IF EXISTS archive_archiverecord_follows_head ON archive_archiverecord",
    "DROP FUNCTION IF EXISTS ordstyrer_archive_follow_head()",
)

SQLITE_INSTALL = """
CREATE TRIGGER archive_archiverecord_follows_head
BEFORE INSERT ON archive_archiverecord
BEGIN
    SELECT RAISE(ABORT, 'AR-3: the record does not follow its chain head')
     WHERE NOT EXISTS (
        SELECT 1 FROM archive_chainhead
         WHERE municipality_id = NEW.municipality_id
           AND sequence = NEW.sequence - 1 AND head_hash = NEW.prev_hash);
    UPDATE archive_chainhead SET sequence = NEW.sequence, head_hash = NEW.hash
     WHERE municipality_id = NEW.municipality_id;
END
"""

SQLITE_UNINSTALL = "DROP TRIGGER IF EXISTS archive_archiverecord_follows_head"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_INSTALL:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_INSTALL, params=None)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_UNINSTALL:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UNINSTALL, params=None)


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_screening_rules")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
