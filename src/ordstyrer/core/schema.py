"""Is the database schema up to date before a command uses it? (issue #14, item 4)

On the embedded default (SQLite, one machine) a command brings the schema up to
date itself, so `ordstyrer demo-setup` on a fresh data directory just works. On
PostgreSQL several web and worker processes on several machines share one
database: migrating from whichever process starts first would race, so there the
command stops with one Norwegian line that says what to run.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from ordstyrer.core.errors import ServiceError


class SchemaOutOfDate(ServiceError):
    """The database lacks migrations and this installation does not apply them itself."""


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations not yet applied to the database `alias`, as `app.name`."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(targets)]


def embedded(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether this is the embedded default: SQLite, outside production mode."""
    vendor = connections[alias].vendor
    return vendor == "sqlite" and not settings.PRODUCTION


def ensure_schema(*, alias: str = DEFAULT_DB_ALIAS, stdout=None) -> int:
    """Bring the schema up to date on the embedded default; refuse elsewhere.

    Returns the number of migrations applied. Raises `SchemaOutOfDate` (with the
    command to run) when migrations are pending on PostgreSQL or in production.
    """
    pending = pending_migrations(alias)
    if not pending:
        return 0
    if not embedded(alias):
        raise SchemaOutOfDate(
            f"Databasen mangler {len(pending)} migreringer: kjør «ordstyrer migrate» først.",
            code="schema_out_of_date",
        )
    if stdout is not None:
        stdout.write(f"Oppdaterer databasen ({len(pending)} migreringer) …\n")
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    return len(pending)
