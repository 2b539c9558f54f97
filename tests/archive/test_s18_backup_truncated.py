"""A backup cut off mid-transfer is refused in one line and nothing is touched (AR-3).

`tarfile` opens a truncated tar file and only fails while reading its members: a
`tarfile.ReadError`, which is neither an OSError nor a BackupError, so `ordstyrer backup
restore` ended in a traceback — during disaster recovery. Reading the manifest and
extracting now turn a damaged tar file into «kopien er ufullstendig eller skadet …»,
exit 2, before the database or the data directory is touched.
"""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from tests.core.test_backup import installation, run  # noqa: F401 (fixture)


@pytest.mark.parametrize("part", [0.5, 0.001], ids=["half", "early"])
def test_a_truncated_backup_is_one_line_and_the_database_is_untouched(
    installation,  # noqa: F811 (the fixture imported above)
    tmp_path,
    part,
):
    """AR-3: a restore from a truncated copy refuses before anything changes: what was
    made after the copy is still there, and the archive chain ends where it did."""
    env, data_dir = installation
    assert run(env, "migrate", "--no-input").returncode == 0
    assert run(env, "demo-setup").returncode == 0
    whole = tmp_path / "kopi.tar"
    made = run(env, "backup", "create", "--out", str(whole))
    assert made.returncode == 0, made.stderr
    before = run(env, "archive", "verify", "--municipality", "demo")
    assert before.returncode == 0, before.stderr
    data = whole.read_bytes()
    cut = tmp_path / "avbrutt.tar"
    cut.write_bytes(data[: max(int(len(data) * part), 600)])  # past the first header
    # Made after the copy: a restore would remove it.
    added = run(
        env,
        "municipality",
        "create",
        "--slug",
        "rennebu",
        "--name",
        "Rennebu kommune",
        "--preset",
        "rennebu",
    )
    assert added.returncode == 0, added.stderr

    result = run(env, "backup", "restore", str(cut), "--replace")

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    # Cut inside its first members, the copy does not open as a tar file at all (how
    # early that is depends on the database's dump): refused as unreadable, just as early.
    assert any(
        said in lines[0]
        for said in ("kopien er ufullstendig eller skadet", "ikke en lesbar tar-fil")
    ), lines[0]
    assert "rennebu" in run(env, "municipality", "list").stdout
    after = run(env, "archive", "verify", "--municipality", "demo")
    assert after.returncode == 0, after.stderr
    assert after.stdout.split("siste hash")[1] == before.stdout.split("siste hash")[1]


def test_a_copy_with_a_member_outside_its_folder_is_refused_in_one_line(
    installation,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    """AR-3: the extraction's "data" filter refuses a member that would land outside
    the restore's folder (tarfile's FilterError, a TarError): one line, nothing
    touched, not a traceback."""
    env, _ = installation
    assert run(env, "migrate", "--no-input").returncode == 0
    vendor = "postgresql" if env.get("DATABASE_URL") else "sqlite"
    manifest = {"format": "ordstyrer-backup/1", "database": vendor, "dump": "database.dump"}
    crafted = tmp_path / "kopi.tar"
    with tarfile.open(crafted, "w") as tar:
        for name, content in (
            ("manifest.json", json.dumps(manifest).encode()),
            ("../utenfor.txt", b"hei"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))

    result = run(env, "backup", "restore", str(crafted), "--replace")

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "kopien er ufullstendig eller skadet" in result.stderr
