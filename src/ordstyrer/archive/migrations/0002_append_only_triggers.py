"""AR-3 on PostgreSQL: the database itself refuses UPDATE and DELETE on the archive's
append-only tables, whoever connects (the admin, a shell, a stray script).

SQLite has no such users to fear (one file, one process's data directory) and keeps
the check in `ordstyrer archive verify`. TRUNCATE is not refused: Django's test
runner empties tables with it, and it needs the table owner's rights; verify
notices a truncated chain through the chain head.
"""

from django.db import migrations

TABLES = (
    "archive_archiverecord",
    "archive_archivefile",
    "archive_archiverendering",
    "archive_policereportstatus",
)

FUNCTION = """
CREATE OR REPLACE FUNCTION ordstyrer_archive_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'AR-3: % on % is refused: the archive is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ordstyrer_archive_append_only()"
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS ordstyrer_archive_append_only()")


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
