"""Recompute a municipality's chain and say where it breaks (AR-3).

One streamed query over the records (ordered by sequence, `iterator()`), one over
the files, one over the police status rows — never a query per record — so a
million records verify in well under a minute (bench/archive.py measures it).

A record is broken when its sequence skips, its `prev_hash` is not the previous
record's hash, its hash is not `sha256(prev_hash + canonical)`, or a search column
differs from what its canonical body says; a file is broken when its bytes do not
hash to what the record says; the chain head must name the last record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field

from ordstyrer.archive.canonical import (
    COLUMNS,
    TIME_COLUMNS,
    chain_hash,
    column_fingerprint,
    record_columns,
    sha256_hex,
    stored_fingerprint,
    time_text,
)
from ordstyrer.archive.models import (
    GENESIS_HASH,
    ArchiveFile,
    ArchiveRecord,
    ChainHead,
    PoliceReportStatus,
)

CHUNK = 2000
# The search columns, read beside each record and checked against the fingerprint the
# hashed body carries (canonical.COLUMNS).
_COLUMNS = COLUMNS


@dataclass
class ChainReport:
    municipality_id: int
    records: int = 0
    files: int = 0
    statuses: int = 0
    head_hash: str = GENESIS_HASH
    broken_sequence: int | None = None
    problem: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_sequence is None and not self.problems

    def fail(self, sequence: int | None, problem: str) -> None:
        if self.broken_sequence is None and not self.problem:
            self.broken_sequence = sequence
            self.problem = problem
        self.problems.append(problem)


def verify_chain(
    municipality_id: int, *, progress: Callable[[int], None] | None = None
) -> ChainReport:
    """Verify one municipality's chain; stops collecting details after the first break
    but reads everything, so the counts are complete. Appends that arrive while it runs
    are left for the next run."""
    report = ChainReport(municipality_id=municipality_id)
    # On PostgreSQL a transaction lets the server-side cursor stream; outside one Django
    # declares it WITH HOLD and the server copies the whole result first.
    stream = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    with stream:
        scan = _scan(municipality_id, report, progress)
    last_sequence, files_expected, id_to_seq = scan
    _check_head(report, municipality_id, last_sequence)
    _check_files(report, municipality_id, last_sequence, files_expected, id_to_seq)
    _check_statuses(report, municipality_id, last_sequence)
    return report


def _rows(municipality_id: int) -> Iterator[tuple]:
    """The records in order, times as text: one streamed query with a plain cursor (the
    ORM's per-row work and datetime parsing would cost more than the checks)."""
    names = []
    for name in ("id", "prev_hash", "hash", "canonical", *_COLUMNS):
        # The record's own fields, each a concrete `Field` with a column (get_field is typed
        # for relations and column-less fields too).
        model_field = cast("Field[Any, Any]", ArchiveRecord._meta.get_field(name))
        column = connection.ops.quote_name(cast(str, model_field.column))
        if name in TIME_COLUMNS and connection.vendor == "postgresql":
            column = f"{column}::text"  # the session time zone is UTC (Django sets it)
        names.append(column)
    sql = (
        f"SELECT {', '.join(names)} FROM {ArchiveRecord._meta.db_table} "  # noqa: S608
        "WHERE municipality_id = %s ORDER BY sequence"
    )
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor(name="ordstyrer_archive_verify") as cursor:
            cursor.itersize = CHUNK
            cursor.execute(sql, [municipality_id])
            yield from cursor
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, [municipality_id])
        while chunk := cursor.fetchmany(CHUNK):
            yield from chunk


def _scan(municipality_id, report, progress):
    rows = _rows(municipality_id)
    expected_prev = GENESIS_HASH
    expected_seq = 1
    id_to_seq: dict[int, int] = {}
    files_expected: dict[int, dict[int, str]] = {}
    sequence = 0
    for row in rows:
        record_id, prev_hash, digest, canonical = row[:4]
        columns = row[4:]
        sequence = columns[0]
        report.records += 1
        if report.ok:
            problem, body = _check_record(
                sequence, expected_seq, expected_prev, (prev_hash, digest, canonical), columns
            )
            if problem:
                # A gap is reported at the first missing number.
                report.fail(min(sequence, expected_seq), problem)
        else:
            body = _parse(canonical)
        if body.get("files"):
            id_to_seq[record_id] = sequence
            files_expected[record_id] = {f["position"]: f["sha256"] for f in body["files"]}
        expected_prev = digest
        expected_seq = sequence + 1
        if progress is not None and report.records % CHUNK == 0:
            progress(CHUNK)
    if progress is not None:
        progress(report.records % CHUNK)
    report.head_hash = expected_prev
    return sequence, files_expected, id_to_seq


def _check_head(report: ChainReport, municipality_id: int, last_sequence: int) -> None:
    """The head must name the last record read — unless records were appended since."""
    head = ChainHead.objects.filter(pk=municipality_id).values_list("sequence", "head_hash").first()
    head = head or (0, GENESIS_HASH)
    if head == (last_sequence, report.head_hash) or not report.ok:
        return
    appended_since = ArchiveRecord.objects.filter(
        municipality_id=municipality_id, sequence__gt=last_sequence
    ).exists()
    if head[0] > last_sequence and appended_since:
        return
    report.fail(
        last_sequence or None,
        f"kjedehodet peker på nr. {head[0]}, men siste post er nr. {last_sequence} – "
        "poster kan være fjernet fra slutten",
    )


def _check_record(
    sequence: int,
    expected_seq: int,
    expected_prev: str,
    stored: tuple[str, str, str],
    columns: tuple,
) -> tuple[str, dict[str, Any]]:
    prev_hash, digest, canonical = stored
    if sequence != expected_seq:
        return f"nr. {expected_seq} mangler (neste post er nr. {sequence})", _parse(canonical)
    if prev_hash != expected_prev:
        return f"nr. {sequence} peker ikke på forrige posts hash", _parse(canonical)
    if chain_hash(prev_hash, canonical) != digest:
        return f"nr. {sequence} er endret: innholdet stemmer ikke med hashen", _parse(canonical)
    # The columns against the fingerprint in the (hash-checked) body: no parsing needed.
    if column_fingerprint(columns) == stored_fingerprint(canonical):
        return "", _files_only(canonical)
    body = _parse(canonical)
    try:
        derived = record_columns(body)
    except (KeyError, TypeError):
        return f"nr. {sequence} har et innhold som ikke kan leses", body
    for name, value in zip(_COLUMNS, columns, strict=True):
        want = derived[name]
        if name in TIME_COLUMNS:
            want, value = (
                time_text(
                    body["archived_at"] if name == "archived_at" else body["when"]["created"]
                ),
                time_text(value),
            )
        if want != value:
            return f"nr. {sequence}: feltet «{name}» stemmer ikke med det arkiverte innholdet", body
    return f"nr. {sequence}: feltenes fingeravtrykk stemmer ikke med det arkiverte innholdet", body


NO_FILES = '"files":[],"ground":'  # top level: the keys are sorted


def _files_only(canonical: str) -> dict[str, Any]:
    """What the scan needs from a sound record: its files (parsed only when it has any)."""
    return {} if NO_FILES in canonical else _parse(canonical)


def _parse(canonical: str) -> dict[str, Any]:
    try:
        body = json.loads(canonical)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _check_files(report, municipality_id, last_sequence, expected, id_to_seq) -> None:
    seen: set[tuple[int, int]] = set()
    files = (
        ArchiveFile.objects.filter(
            record__municipality_id=municipality_id, record__sequence__lte=last_sequence
        )
        .order_by("record_id", "position")
        .values_list("record_id", "position", "sha256", "data")
        .iterator(chunk_size=20)  # files may be large: few at a time
    )
    for record_id, position, stored, data in files:
        report.files += 1
        sequence = id_to_seq.get(record_id)
        want = expected.get(record_id, {}).get(position)
        seen.add((record_id, position))
        if want is None:
            report.fail(sequence, f"en fil ({position}) hører ikke til noen arkivpost")
        elif stored != want or sha256_hex(bytes(data)) != want:
            report.fail(sequence, f"nr. {sequence}: fil {position} er endret")
    for record_id, positions in expected.items():
        for position in positions:
            if (record_id, position) not in seen:
                sequence = id_to_seq[record_id]
                report.fail(sequence, f"nr. {sequence}: fil {position} mangler")


def _check_statuses(report, municipality_id, last_sequence) -> None:
    """Each record's police steps chain from the record's hash (which the scan checked),
    read with the steps: a step prepared while the scan ran is checked like any other."""
    rows = (
        PoliceReportStatus.objects.filter(
            record__municipality_id=municipality_id, record__sequence__lte=last_sequence
        )
        .order_by("record_id", "id")
        .values_list(
            "record_id", "record__sequence", "record__hash", "canonical", "prev_hash", "hash"
        )
        .iterator(chunk_size=CHUNK)
    )
    last: dict[int, str] = {}
    for record_id, sequence, record_hash, canonical, prev_hash, digest in rows:
        report.statuses += 1
        want_prev = last.get(record_id, record_hash)
        if prev_hash != want_prev or chain_hash(prev_hash, canonical) != digest:
            report.fail(sequence, f"nr. {sequence}: en politistatus er endret eller fjernet")
        last[record_id] = digest


def verify_municipalities(ids: Iterable[int]) -> list[ChainReport]:
    return [verify_chain(pk) for pk in ids]
