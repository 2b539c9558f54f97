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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ordstyrer.archive.canonical import chain_hash, sha256_hex
from ordstyrer.archive.models import (
    GENESIS_HASH,
    ArchiveFile,
    ArchiveRecord,
    ChainHead,
    PoliceReportStatus,
)
from ordstyrer.archive.services import record_columns

CHUNK = 2000
# Columns compared with the canonical body (see services.record_columns).
_COLUMNS = (
    "sequence",
    "kind",
    "archived_at",
    "occurred_at",
    "title",
    "public_title",
    "text",
    "author_name",
    "channel_id",
    "channel_name",
    "platform",
    "ground",
    "action",
    "journal",
    "direction",
    "confidential",
    "actor_id",
    "refers_to_sequence",
    "idempotency_key",
)


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
    but reads everything, so the counts are complete."""
    report = ChainReport(municipality_id=municipality_id)
    rows = (
        ArchiveRecord.objects.filter(municipality_id=municipality_id)
        .order_by("sequence")
        .values_list("id", "prev_hash", "hash", "canonical", *_COLUMNS)
        .iterator(chunk_size=CHUNK)
    )
    expected_prev = GENESIS_HASH
    expected_seq = 1
    id_to_seq: dict[int, int] = {}
    files_expected: dict[int, dict[int, str]] = {}
    record_hash: dict[int, str] = {}
    for row in rows:
        record_id, prev_hash, digest, canonical = row[:4]
        columns = dict(zip(_COLUMNS, row[4:], strict=True))
        sequence = columns["sequence"]
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
        record_hash[record_id] = digest
        expected_prev = digest
        expected_seq = sequence + 1
        if progress is not None and report.records % CHUNK == 0:
            progress(CHUNK)
    if progress is not None:
        progress(report.records % CHUNK)
    report.head_hash = expected_prev
    head = ChainHead.objects.filter(pk=municipality_id).values_list("sequence", "head_hash").first()
    if (head or (0, GENESIS_HASH)) != (report.records, expected_prev) and report.ok:
        report.fail(
            report.records or None,
            f"kjedehodet peker på nr. {head[0] if head else 0}, men siste post er nr. "
            f"{report.records} – poster kan være fjernet fra slutten",
        )
    _check_files(report, municipality_id, files_expected, id_to_seq)
    _check_statuses(report, municipality_id, record_hash)
    return report


def _check_record(
    sequence: int,
    expected_seq: int,
    expected_prev: str,
    stored: tuple[str, str, str],
    columns: dict[str, Any],
) -> tuple[str, dict[str, Any]]:
    prev_hash, digest, canonical = stored
    if sequence != expected_seq:
        return f"nr. {expected_seq} mangler (neste post er nr. {sequence})", _parse(canonical)
    if prev_hash != expected_prev:
        return f"nr. {sequence} peker ikke på forrige posts hash", _parse(canonical)
    if chain_hash(prev_hash, canonical) != digest:
        return f"nr. {sequence} er endret: innholdet stemmer ikke med hashen", _parse(canonical)
    try:
        body = json.loads(canonical)
        derived = record_columns(body)
    except (ValueError, KeyError, TypeError):
        return f"nr. {sequence} har et innhold som ikke kan leses", {}
    for name in _COLUMNS:
        if derived[name] != columns[name]:
            return f"nr. {sequence}: feltet «{name}» stemmer ikke med det arkiverte innholdet", body
    return "", body


def _parse(canonical: str) -> dict[str, Any]:
    try:
        body = json.loads(canonical)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _check_files(report, municipality_id, expected, id_to_seq) -> None:
    seen: set[tuple[int, int]] = set()
    files = (
        ArchiveFile.objects.filter(record__municipality_id=municipality_id)
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


def _check_statuses(report, municipality_id, record_hash: dict[int, str]) -> None:
    rows = (
        PoliceReportStatus.objects.filter(record__municipality_id=municipality_id)
        .order_by("record_id", "id")
        .values_list("record_id", "record__sequence", "canonical", "prev_hash", "hash")
        .iterator(chunk_size=CHUNK)
    )
    last: dict[int, str] = {}
    for record_id, sequence, canonical, prev_hash, digest in rows:
        report.statuses += 1
        want_prev = last.get(record_id, record_hash.get(record_id))
        if prev_hash != want_prev or chain_hash(prev_hash, canonical) != digest:
            report.fail(sequence, f"nr. {sequence}: en politistatus er endret eller fjernet")
        last[record_id] = digest


def verify_municipalities(ids: Iterable[int]) -> list[ChainReport]:
    return [verify_chain(pk) for pk in ids]
