"""The archive browser's free-text search: trigram indexes on PostgreSQL.

The search (`archive.selectors`, `q`) matches the words anywhere in the title, the
text, the author's name and the channel's name (`UPPER(column) LIKE UPPER('%…%')`,
Django's `icontains`); without an index a word that matches nothing read every record
of the municipality (1.7 s at 500,000 records). One GIN trigram index per searched
expression, as inbox migration 0007 does: PostgreSQL combines them (BitmapOr) for a rare
word and walks the list's own order for a common one, which it can tell apart from the
statistics it keeps on whole-table index expressions. Built CONCURRENTLY, so appends go
on during an upgrade. `pg_trgm` is a trusted extension (PostgreSQL 13+): the database
owner may create it. Nothing happens on SQLite, where a plain LIKE reads the records.
"""

from django.db import migrations

INDEXES = {
    "archive_search_title_trgm": "UPPER(title)",
    "archive_search_text_trgm": "UPPER(text)",
    "archive_search_author_trgm": "UPPER(author_name)",
    "archive_search_channel_trgm": "UPPER(channel_name)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON archive_archiverecord "
            f"USING gin ({expression} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("archive", "0005_record_municipality_without_constraint"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
