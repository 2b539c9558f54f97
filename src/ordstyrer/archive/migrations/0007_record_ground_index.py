"""The archive browser's filter by ground: an index on (municipality, ground, sequence).

The filter (`archive.selectors`, `ground`) asks for one municipality's records of one
ground, newest first, paged by record number (`sequence < N … ORDER BY sequence DESC
LIMIT 51`), and counts them up to COUNT_CAP + 1. Without an index a ground that few
records have (or none) walked the municipality's records newest first and read every
one of them twice, for the page and for the count (0.66 and 0.95 s at 500,000 records
on PostgreSQL). With it both are a range read in the list's own order. A B-tree on
plain columns, so SQLite has it too. Built CONCURRENTLY on PostgreSQL, as migration
0006, so appends (which a plain CREATE INDEX would block) go on during an upgrade; the
state operation keeps Django's model state (`ArchiveRecord.Meta.indexes`) in step.
"""

from django.db import migrations, models

NAME = "archive_record_ground_seq"
TABLE = "archive_archiverecord"
COLUMNS = '"municipality_id", "ground", "sequence"'


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {concurrently}IF NOT EXISTS {NAME} ON {TABLE} ({COLUMNS})")


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("archive", "0006_search_trigram"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="archiverecord",
                    index=models.Index(fields=["municipality", "ground", "sequence"], name=NAME),
                ),
            ],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        ),
    ]
