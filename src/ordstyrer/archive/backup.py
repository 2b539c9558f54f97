"""Backup and restore of one installation: the database and the files under
ORDSTYRER_DATA_DIR, in one tar file with a manifest (issue #14, item 7).

The archive (records, their files and PDF/A renderings) lives in the database, so the
database dump carries it; the data directory holds uploaded media and finished
exports. The manifest keeps each municipality's archive chain head, read before the
dump starts, and a restore is only called done when the restored chains verify and
hold those same heads — a restore that lost the last records would otherwise look
fine. Records appended while the dump ran may follow the head (the dump is taken
after it); the restore report says how many (AR-3).

The heads are read with plain SQL over columns every release has had (the slug, the
chain head's sequence and hash, a record's hash): `backup create` runs before
`migrate` in an upgrade, against the previous release's tables, and an older backup
restored onto this release holds its own release's tables. Such a restore verifies the
heads and says how many migrations the database lacks; `ordstyrer archive verify`
checks every record after `migrate`.

PostgreSQL is dumped with `pg_dump --format=custom` (consistent while the system
runs) and restored with `pg_restore`; the client tools must be at least the server's
major version, and they connect where Django does (host or local socket, port, user,
the TLS options). `--replace` drops and recreates the schema `public` first, so the
database's role must own it (docs/deploy.md §3, §10). SQLite is copied with its online
backup API.

The backup holds the platform tokens encrypted with ORDSTYRER_TOKEN_KEY, never the key:
a restore tries one token per connection and warns when this machine's key cannot read
them.

In `archive`, not `core`: a backup is checked against the archive chains, and `core`
does not import the feature apps (`.importlinter`, "apps-layers").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction

from ordstyrer.archive.models import GENESIS_HASH

FORMAT = "ordstyrer-backup/1"
DUMP_NAME = "database.dump"
SQLITE_NAME = "database.sqlite3"
MANIFEST = "manifest.json"
FILES = "files"


class BackupError(Exception):
    """A backup or restore could not be done; the message is one Norwegian sentence."""


# A tar file cut off (a transfer stopped half-way) or damaged inside: tarfile raises
# ReadError (a TarError, not an OSError) while reading the members, EOFError from a
# compressed stream, FilterError for a member the "data" filter refuses (AR-3: a
# restore during disaster recovery says so in one line and touches nothing).
DAMAGED = "kopien er ufullstendig eller skadet og kan ikke leses; ingenting er endret."


@dataclass
class RestoreReport:
    municipalities: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sound, but worth saying
    warnings: list[str] = field(default_factory=list)  # restored, but something to do
    # Migrations of this release the restored database lacks: its heads are checked, its
    # records are verified by `archive verify` after `migrate`.
    pending_migrations: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _database() -> Mapping[str, Any]:
    return settings.DATABASES["default"]


def _vendor() -> str:
    return connections["default"].vendor


# Django's OPTIONS for the connection as libpq's environment variables, so pg_dump and
# pg_restore connect as the application does (sslmode=verify-full, client certificates).
_PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """The client tools' arguments and environment for Django's connection: no host is
    the local socket (peer authentication), as for Django; the password only in the
    environment, never on the command line."""
    db = _database()
    args = []
    for key, flag in (("HOST", "--host"), ("PORT", "--port"), ("USER", "--username")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    for option, variable in _PG_OPTIONS.items():
        if options.get(option) not in (None, ""):
            env[variable] = str(options[option])
    return args, env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} finnes ikke på maskinen (Debian-pakken postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{tool} feilet: {_reason(result.stderr)}")


def _reason(stderr: str) -> str:
    """The first error line (pg_restore ends with the statement it ran, «Command was: …»,
    which says nothing of why)."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line.lower()]
    return (errors or lines or ["ukjent feil"])[0]


# Tables and columns every release has had (tenants 0001, archive 0001): read without
# the current models, whose other columns an older schema lacks (AR-3).
_HEADS_SQL = (
    "SELECT m.slug, h.sequence, h.head_hash FROM tenants_municipality m "
    "LEFT JOIN archive_chainhead h ON h.municipality_id = m.id ORDER BY m.slug"
)
_RECORD_HASH_SQL = (
    "SELECT r.hash FROM archive_archiverecord r "
    "JOIN tenants_municipality m ON m.id = r.municipality_id "
    "WHERE m.slug = %s AND r.sequence = %s"
)


def _chain_heads() -> dict[str, dict[str, Any]]:
    """Each municipality's chain head as stored (its number is the chain's record count),
    whatever release's schema the database has."""
    with connections["default"].cursor() as cursor:
        cursor.execute(_HEADS_SQL)
        rows = cursor.fetchall()
    return {
        slug: {"records": int(sequence or 0), "head_hash": head_hash or GENESIS_HASH}
        for slug, sequence, head_hash in rows
    }


def _record_hash(slug: str, sequence: int) -> str | None:
    if sequence == 0:
        return GENESIS_HASH
    with connections["default"].cursor() as cursor:
        cursor.execute(_RECORD_HASH_SQL, [slug, sequence])
        row = cursor.fetchone()
    return row[0] if row else None


def _verified_heads() -> dict[str, dict[str, Any]]:
    """Every chain recomputed (the current schema): its record count, head and soundness."""
    from ordstyrer.archive.chain import verify_chain
    from ordstyrer.tenants.models import Municipality

    heads = {}
    for pk, slug in Municipality.objects.order_by("slug").values_list("pk", "slug"):
        report = verify_chain(pk)
        heads[slug] = {"records": report.records, "head_hash": report.head_hash, "ok": report.ok}
    return heads


def _stored_heads() -> dict[str, dict[str, Any]]:
    """The stored heads, each sound when its record is there and holds its hash (an older
    schema: the records themselves are checked by `archive verify` after `migrate`)."""
    heads = _chain_heads()
    for slug, head in heads.items():
        head["ok"] = _record_hash(slug, head["records"]) == head["head_hash"]
    return heads


def _pending_migrations() -> int:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _unreadable_tokens() -> tuple[int, int]:
    """How many stored platform tokens this machine's ORDSTYRER_TOKEN_KEY cannot decrypt,
    of how many: one try per connection. The backup holds the tokens, never the key."""
    from ordstyrer.connectors.secrets import TokenCipher, TokenDecryptError, TokenKeyError

    try:
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT token_encrypted FROM platforms_platformconnection "
                "WHERE token_encrypted <> ''"
            )
            tokens = [row[0] for row in cursor.fetchall()]
    except DatabaseError:  # no such table in this schema: nothing to say
        return 0, 0
    try:
        cipher = TokenCipher.from_env()
    except TokenKeyError:
        return len(tokens), len(tokens)
    unreadable = 0
    for token in tokens:
        try:
            cipher.decrypt(token)
        except TokenDecryptError:
            unreadable += 1
    return unreadable, len(tokens)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _data_files(data_dir: Path, skip: set[Path]) -> Iterator[Path]:
    if not data_dir.is_dir():
        return
    for path in sorted(data_dir.rglob("*")):
        if path.is_file() and path.resolve() not in skip and not path.name.endswith("-journal"):
            yield path


def _sqlite_path() -> Path:
    return Path(str(_database()["NAME"])).resolve()


def backup_create(*, out: Path, now: datetime | None = None) -> dict[str, Any]:
    """Write a backup of the database and the data directory to the tar file `out`."""
    moment = now or datetime.now(tz=UTC)
    out = out.resolve()
    if out.exists():
        raise BackupError(f"{out} finnes fra før; velg et nytt filnavn.")
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        raise BackupError(f"kan ikke skrive i {out.parent}.")
    data_dir = Path(settings.DATA_DIR).resolve()
    vendor = _vendor()
    # The heads before the dump (AR-3): every record they name is in the dump, which may
    # hold later appends too; read after it, a record appended meanwhile would be a head
    # the dump lacks, and a sound backup would fail at restore.
    heads = _chain_heads()
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".ordstyrer-backup-") as tmp:
        work = Path(tmp)
        if vendor == "postgresql":
            dump = work / DUMP_NAME
            args, env = _pg_env()
            name = str(_database()["NAME"])
            _run(["pg_dump", *args, "--format=custom", "--no-owner", "-f", str(dump), name], env)
        elif vendor == "sqlite":
            dump = work / SQLITE_NAME
            source = sqlite3.connect(_sqlite_path())
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            raise BackupError(f"databasen «{vendor}» støttes ikke.")
        # The live database and its write-ahead log are in the dump; as files they change
        # under a running system (a checksum the restore refuses) and a stale log copied
        # beside the restored database would be replayed into it.
        db = _sqlite_path()
        live = {db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm"))}
        skip = live if vendor == "sqlite" else set()
        files = list(_data_files(data_dir, skip | {out}))
        manifest = {
            "format": FORMAT,
            "created_at": moment.isoformat(),
            "database": vendor,
            "dump": dump.name,
            "dump_sha256": _sha256(dump),
            "files": {str(p.relative_to(data_dir)): _sha256(p) for p in files},
            "archive": heads,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = out.with_name(out.name + ".part")
        partial.unlink(missing_ok=True)  # left by a run that was stopped
        # The file holds the whole database: readable by the service user only, whatever
        # the umask (O_EXCL: never a file someone else put there).
        handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"{FILES}/{path.relative_to(data_dir)}")
        os.replace(partial, out)  # a backup file exists only when complete
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)  # reads every member's header
        raw = tar.extractfile(member)
        manifest = json.loads(raw.read() if raw else b"")
    except (tarfile.TarError, EOFError):
        raise BackupError(DAMAGED) from None
    except (KeyError, ValueError):
        raise BackupError("filen er ikke en Ordstyrer-sikkerhetskopi (manifest mangler).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("filen er ikke en Ordstyrer-sikkerhetskopi i et kjent format.")
    return manifest


def _database_has_tables() -> bool:
    with connections["default"].cursor() as cursor:
        return bool(connections["default"].introspection.table_names(cursor))


def backup_restore(*, source: Path, replace: bool = False) -> RestoreReport:
    """Restore the backup `source` into the configured database and data directory,
    then verify every archive chain against the heads the backup recorded.

    Refuses a database that already holds tables unless `replace` is given. Stop the
    web and worker processes first.
    """
    if not source.is_file():
        raise BackupError(f"fant ikke {source}.")
    vendor = _vendor()
    data_dir = Path(settings.DATA_DIR).resolve()
    try:
        tar = tarfile.open(source, "r")
    except (tarfile.TarError, OSError):
        raise BackupError(f"{source} er ikke en lesbar tar-fil.") from None
    with tar, tempfile.TemporaryDirectory(prefix=".ordstyrer-restore-") as tmp:
        manifest = _read_manifest(tar)
        if manifest.get("database") != vendor:
            raise BackupError(
                f"kopien er fra {manifest.get('database')}, denne installasjonen bruker {vendor}."
            )
        if _database_has_tables() and not replace:
            raise BackupError(
                "databasen er ikke tom; bruk --replace for å erstatte innholdet med kopien."
            )
        work = Path(tmp)
        try:
            tar.extractall(work, filter="data")  # no absolute paths, links or devices
        except (tarfile.TarError, EOFError):
            raise BackupError(DAMAGED) from None
        dump = work / str(manifest["dump"])
        if not dump.is_file() or _sha256(dump) != manifest.get("dump_sha256"):
            raise BackupError("databasedumpen i kopien mangler eller er skadet (sjekksum).")
        for name, digest in manifest.get("files", {}).items():
            path = work / FILES / name
            if not path.is_file() or _sha256(path) != digest:
                raise BackupError(f"filen {name} i kopien mangler eller er skadet (sjekksum).")
        if vendor == "postgresql":
            if replace:
                _empty_schema()
            args, env = _pg_env()
            options = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
            name = str(_database()["NAME"])
            try:
                _run(["pg_restore", *args, *options, "--dbname", name, str(dump)], env)
            except BackupError as exc:
                if replace:  # the schema was emptied above
                    raise BackupError(
                        f"{exc}; databasen er nå tom: rett feilen og gjenopprett på nytt."
                    ) from None
                raise
        else:
            target = _sqlite_path()
            connections.close_all()
            staged = target.with_name(target.name + ".restoring")
            shutil.copyfile(dump, staged)
            for suffix in ("-wal", "-shm", "-journal"):
                target.with_name(target.name + suffix).unlink(missing_ok=True)
            os.replace(staged, target)
        if (work / FILES).is_dir():
            for path in (work / FILES).rglob("*"):
                if path.is_file():
                    dest = data_dir / path.relative_to(work / FILES)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, dest)
    connections.close_all()
    # An older backup holds its release's schema: its heads are read and checked without
    # the current models, and the report says to migrate, then verify (AR-3).
    pending = _pending_migrations()
    heads = _stored_heads() if pending else _verified_heads()
    report = RestoreReport(municipalities=heads, pending_migrations=pending)
    for slug, want in manifest.get("archive", {}).items():
        got = report.municipalities.get(slug)
        if got is None:
            report.problems.append(f"{slug}: kommunen mangler etter gjenoppretting")
        elif not got["ok"]:
            report.problems.append(f"{slug}: arkivkjeden verifiserer ikke (AR-3)")
        elif _hash_at(slug, want["records"], got) != want["head_hash"]:
            report.problems.append(
                f"{slug}: arkivkjeden slutter ikke der kopien sa ({got['records']} av "
                f"{want['records']} poster)"
            )
        elif got["records"] > want["records"]:
            report.notes.append(
                f"{slug}: {got['records'] - want['records']} arkivpost(er) ble lagt til mens "
                f"kopien ble tatt (nr. {want['records'] + 1}–{got['records']}); de er med"
            )
    unreadable, tokens = _unreadable_tokens()
    if unreadable:
        report.warnings.append(
            f"advarsel: {unreadable} av {tokens} plattformtilkoblinger har et lagret token som "
            "ORDSTYRER_TOKEN_KEY på denne maskinen ikke kan lese (kopien har ikke nøkkelen). "
            "Sett samme ORDSTYRER_TOKEN_KEY som installasjonen kopien kom fra i miljøfilen og "
            f"start tjenestene på nytt; ellers må de {unreadable} tilkoblingene kobles til "
            "plattformen på nytt."
        )
    return report


def _empty_schema() -> None:
    """`--replace` on PostgreSQL: the schema `public` dropped and made again, owned by the
    database's role. pg_restore's --clean drops only what the dump holds, and a table a
    later release added, with a foreign key to one in the dump, stopped it."""
    try:
        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
            cursor.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")  # PostgreSQL's default
    except DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise BackupError(
            f"kan ikke tømme databasen før gjenopprettingen ({first}); databasens rolle må "
            "eie databasen og skjemaet public (docs/deploy.md §3); ingenting er endret."
        ) from None
    connections.close_all()


def _hash_at(slug: str, records: int, got: Mapping[str, Any]) -> str | None:
    """The hash of record number `records` in the restored (verified) chain `got`: the
    head the backup recorded, when the chain holds it (AR-3)."""
    if records == got["records"]:
        return got["head_hash"]
    if records > got["records"]:
        return None
    return _record_hash(slug, records)
