"""A backup taken while the archive is written to restores sound (AR-3; docs/deploy.md
§10).

The chain heads used to be read after the dump: a record appended while the dump ran
was a head the dump lacked, and the restore refused a sound backup («arkivkjeden
slutter ikke der kopien sa»). The heads are read before the dump now, and a restored
chain that verifies and holds the recorded head is accepted; the records appended
after the head are said in the report. SQLite's write-ahead log is not copied as a file
beside the dump: it changes while the system runs, and the restore refused its checksum.
"""

from __future__ import annotations

import tarfile

from tests.core.test_backup import installation, run, wipe  # noqa: F401 (fixture)

# Run in the installation's own process: an archive record is appended just before and
# just after the backup reads the chain heads, as another process would while it runs.
CREATE_WHILE_APPENDING = """
from pathlib import Path
from ordstyrer.archive import backup
from ordstyrer.archive.entry import ArchiveEntry, Kind
from ordstyrer.archive.services import archive_append
from ordstyrer.tenants.models import Municipality

municipality = Municipality.objects.get(slug="demo")
read_heads = backup._chain_heads

def append(text):
    archive_append(actor=None, entry=ArchiveEntry(
        municipality=municipality, kind=Kind.OWN_POST, text=text))

def heads_while_appending():
    append("Lagt til rett før kjedehodene ble lest.")
    heads = read_heads()
    append("Lagt til rett etter at kjedehodene ble lest.")
    return heads

backup._chain_heads = heads_while_appending
manifest = backup.backup_create(out=Path({out!r}))
print("records", manifest["archive"]["demo"]["records"])
"""


def test_a_record_appended_while_the_backup_runs_does_not_fail_the_restore(
    installation,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    """AR-3: the backup records the heads it read before the dump; the restored chain
    verifies, holds that head, and the one record appended after it is reported."""
    env, data_dir = installation
    assert run(env, "migrate", "--no-input").returncode == 0
    assert run(env, "demo-setup").returncode == 0
    (data_dir / "media").mkdir(parents=True, exist_ok=True)  # on PostgreSQL nothing made it
    out = tmp_path / "kopi.tar"
    made = run(env, "shell", "-c", CREATE_WHILE_APPENDING.format(out=str(out)))
    assert made.returncode == 0, made.stderr
    recorded = int(made.stdout.split("records")[1])
    live = run(env, "archive", "verify", "--municipality", "demo")
    assert live.returncode == 0, live.stderr
    # SQLite's write-ahead log changes under a running system: the dump holds it, and the
    # copy does not hold it as a file (its checksum would not hold at restore).
    with tarfile.open(out) as tar:
        assert not [n for n in tar.getnames() if n.endswith(("-wal", "-shm"))]

    wipe(env.get("DATABASE_URL", ""), data_dir)
    restored = run(env, "backup", "restore", str(out))
    assert restored.returncode == 0, restored.stderr
    assert "arkivkjedene er kontrollert" in restored.stdout
    assert (
        f"demo: 1 arkivpost(er) ble lagt til mens kopien ble tatt (nr. {recorded + 1}–"
        f"{recorded + 1}); de er med" in restored.stdout
    )
    after = run(env, "archive", "verify", "--municipality", "demo")
    assert after.returncode == 0, after.stderr
    assert after.stdout.split("siste hash")[1] == live.stdout.split("siste hash")[1]
