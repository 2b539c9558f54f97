"""Backup and restore across a release's schema change (AR-3; docs/deploy.md §9, §10).

`backup create` read the archive chain heads through the current code's models, so
the upgrade guide's backup before `migrate` — new code, the previous release's tables —
failed («column tenants_municipality.website does not exist») and wrote nothing. A
restore of such a backup onto the current release replaced the database, then failed
the same way and never checked the chains. `restore --replace` of the backup taken
before an upgrade, after `migrate`, failed: pg_restore's --clean drops only what the
dump holds, and a table the new release added kept an old one from being dropped; the
reason shown was pg_restore's echo of the statement («Command was: …»).

The heads are read with SQL over columns every release has had; a restored older
schema has its heads checked and the report says to migrate, then verify; --replace
empties the schema first; the reason is the first error line.
"""

from __future__ import annotations

import pytest

from ordstyrer.archive import backup
from tests.core.test_backup import SERVER_URL, installation, run, wipe  # noqa: F401 (fixture)


def test_the_backup_before_migrate_restores_onto_the_new_release_and_says_to_migrate(
    installation,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    """AR-3: backup on the previous release's schema (tenants 0002, before the
    municipality identity columns), restored onto an empty database of this release:
    the heads are read, the report names the missing migrations, and after `migrate`
    the archive verifies. (No data: tenants 0003 cannot be unapplied over municipalities.)"""
    env, data_dir = installation
    assert run(env, "migrate", "--no-input").returncode == 0
    assert run(env, "migrate", "tenants", "0002", "--no-input").returncode == 0
    out = tmp_path / "before-upgrade.tar"

    made = run(env, "backup", "create", "--out", str(out))

    assert made.returncode == 0, made.stderr
    assert out.is_file()

    data_dir.mkdir(parents=True, exist_ok=True)
    wipe(env.get("DATABASE_URL", ""), data_dir)
    restored = run(env, "backup", "restore", str(out))

    assert restored.returncode == 0, restored.stderr
    assert "databasen mangler" in restored.stdout
    assert "ordstyrer migrate" in restored.stdout and "archive verify" in restored.stdout
    assert run(env, "migrate", "--no-input").returncode == 0
    assert run(env, "archive", "verify").returncode == 0


@pytest.mark.skipif(not SERVER_URL.startswith("postgres"), reason="pg_restore: PostgreSQL only")
def test_replace_restore_of_the_backup_before_an_upgrade_after_migrate(
    installation,  # noqa: F811
    tmp_path,
):
    """Rolling an upgrade back: the backup from before core 0004 (a new table with a
    foreign key to auth_user) restored with --replace over the migrated database."""
    env, _ = installation
    assert run(env, "migrate", "--no-input").returncode == 0
    assert run(env, "demo-setup").returncode == 0
    assert run(env, "migrate", "core", "0003", "--no-input").returncode == 0
    out = tmp_path / "before.tar"
    made = run(env, "backup", "create", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert run(env, "migrate", "--no-input").returncode == 0

    restored = run(env, "backup", "restore", "--replace", str(out))

    assert restored.returncode == 0, restored.stderr
    assert "Command was" not in restored.stderr
    assert "databasen mangler 1 migreringer" in restored.stdout


def test_a_failing_client_tool_is_reported_by_its_error_line_not_its_echo():
    """pg_restore ends with the statement it ran; the reason is the error line."""
    script = (
        "echo 'pg_restore: error: could not execute query: ERROR:  cannot drop table x' >&2; "
        "echo 'Command was: DROP TABLE IF EXISTS public.x;' >&2; exit 1"
    )

    with pytest.raises(backup.BackupError) as caught:
        backup._run(["sh", "-c", script])

    assert "cannot drop table x" in str(caught.value)
    assert "Command was" not in str(caught.value)
