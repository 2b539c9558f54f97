"""Free-text search in the work list (#15): trigram indexes on PostgreSQL.

The list's search matches every word anywhere in the text or the author's name
(`UPPER(column) LIKE UPPER('%word%')`, Django's `icontains`), so a word inside a
Norwegian compound is found too. On PostgreSQL two GIN trigram indexes on exactly those
expressions serve the views that read closed items (the open list reads its few
thousand items through the deadline indexes; `inbox.selectors.search_filter`). The
indexes are not partial: PostgreSQL keeps statistics on an index expression only for a
whole-table index, and the planner needs them to tell a rare word (use the index) from
a common one (walk the list's own order). Built CONCURRENTLY, so writes go on during an
upgrade. `pg_trgm` is a trusted extension (PostgreSQL 13+): the database owner may
create it. Nothing happens on SQLite, where a plain LIKE reads the table.
"""

from django.db import migrations

INDEXES = {
    "inbox_search_text_trgm": "UPPER(text)",
    "inbox_search_author_trgm": "UPPER(author_name)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON inbox_inboxitem "
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
        ("inbox", "0006_reply_presence"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
