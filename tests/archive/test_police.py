"""The police evidence package (MO-3): prepare → reported as append-only status rows,
a reproducible zip whose manifest and SHA256SUMS match its files."""

from __future__ import annotations

import io
import json
import zipfile

import pikepdf
import pytest

from ordstyrer.archive.canonical import sha256_hex
from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.models import PoliceReportStatus, PoliceStatus
from ordstyrer.archive.police import (
    package_for_download,
    police_package_prepare,
    police_report_filed,
)
from ordstyrer.archive.services import archive_append
from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError
from tests.archive.conftest import PNG, deleted_comment, inquiry, make_channel, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def hateful(personas):
    return archive_append(
        actor=personas.communications, entry=deleted_comment(personas, make_channel(personas))
    )


def test_prepare_then_file_with_the_polices_reference(personas, hateful):
    p = personas
    prepared = police_package_prepare(
        actor=p.communications, record=hateful, provision="185", protected_grounds=["a"]
    )
    assert prepared.status == PoliceStatus.PREPARED
    assert prepared.prev_hash == hateful.hash  # the status chain starts at the record
    data, _ = package_for_download(hateful)
    assert sha256_hex(data) == prepared.package_sha256  # rebuilt byte for byte
    filed = police_report_filed(actor=p.communications, record=hateful, reference="24-123456")
    assert (filed.status, filed.police_reference, filed.prev_hash) == (
        PoliceStatus.REPORTED,
        "24-123456",
        prepared.hash,
    )
    hateful.refresh_from_db()
    assert hateful.hash == prepared.prev_hash  # the record itself never changed
    assert verify_chain(p.municipality.pk).statuses == 2
    with pytest.raises(ServiceError, match="allerede registrert"):
        police_report_filed(actor=p.communications, record=hateful, reference="24-999")


def test_package_contents_and_checksums(personas, hateful):
    police_package_prepare(
        actor=personas.communications,
        record=hateful,
        protected_grounds=["a", "b"],
        note="Se også nr. 3",
    )
    data, _ = package_for_download(hateful)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(n.split("/", 1)[1] for n in archive.namelist())
    assert names == sorted(
        [
            "bevis-000001.pdf",
            "raadata-000001.json",
            "vedlegg-000001-1.png",
            "manifest.json",
            "SHA256SUMS",
            "LES-MEG.txt",
        ]
    )
    read = {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()}
    sums = dict(reversed(line.split("  ", 1)) for line in read["SHA256SUMS"].decode().splitlines())
    for name, digest in sums.items():
        assert sha256_hex(read[name]) == digest, name
    assert set(sums) == {
        "bevis-000001.pdf",
        "raadata-000001.json",
        "vedlegg-000001-1.png",
        "manifest.json",
    }
    manifest = json.loads(read["manifest.json"])
    assert manifest["arkivhash"] == hateful.hash
    assert manifest["bestemmelse"] == "Straffeloven § 185 – hatefulle ytringer"
    assert manifest["vernegrunnlag"] == ["a", "b"]
    assert {f["navn"]: f["sha256"] for f in manifest["filer"]} == {
        k: v for k, v in sums.items() if k != "manifest.json"
    }
    assert read["vedlegg-000001-1.png"] == PNG
    assert json.loads(read["raadata-000001.json"])["id"] == "1234567890_111_222"
    assert "02800" in read["LES-MEG.txt"].decode() and "politiet.no" in read["LES-MEG.txt"].decode()
    evidence = pikepdf.open(io.BytesIO(read["bevis-000001.pdf"]))
    with evidence.open_metadata() as meta:
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
    assert str(evidence.Root.Lang) == "nb"


@pytest.mark.parametrize(
    ("provision", "grounds", "message"),
    [
        ("185", [], "ytringen rammer"),
        ("185", ["z"], "a–e"),
        ("263", ["a"], "a–e gjelder bare § 185"),
        ("999", [], "bestemmelse"),
    ],
)
def test_prepare_needs_a_provision_and_its_grounds(personas, hateful, provision, grounds, message):
    with pytest.raises(ServiceError, match=message):
        police_package_prepare(
            actor=personas.communications,
            record=hateful,
            provision=provision,
            protected_grounds=grounds,
        )
    assert not PoliceReportStatus.objects.exists()


def test_threats_are_reported_under_263(personas):
    record = archive_append(
        actor=None, entry=deleted_comment(personas, text="Jeg vet hvor du bor.", ground="unlawful")
    )
    status = police_package_prepare(actor=personas.communications, record=record, provision="263")
    assert status.penal_provision == "263"


def test_only_reportable_records_and_only_once(personas, hateful):
    p = personas
    spam = archive_append(actor=None, entry=deleted_comment(p, text="Kjøp!", ground="spam"))
    question = archive_append(actor=None, entry=inquiry(p))
    for record in (spam, question):
        with pytest.raises(ServiceError, match="MO-3|hatefulle"):
            police_package_prepare(actor=p.communications, record=record, protected_grounds=["a"])
    with pytest.raises(ServiceError, match="Klargjør bevispakken"):
        police_report_filed(actor=p.communications, record=hateful, reference="1")
    police_package_prepare(actor=p.communications, record=hateful, protected_grounds=["a"])
    with pytest.raises(ServiceError, match="allerede klargjort"):
        police_package_prepare(actor=p.communications, record=hateful, protected_grounds=["a"])


def test_who_may_prepare(personas, hateful):
    p = personas
    with pytest.raises(NotPermitted):
        police_package_prepare(actor=p.archivist, record=hateful, protected_grounds=["a"])
    with pytest.raises(NotFound):
        police_package_prepare(actor=p.outsider, record=hateful, protected_grounds=["a"])


def test_verify_notices_a_changed_police_status(personas, hateful):
    police_package_prepare(actor=personas.communications, record=hateful, protected_grounds=["a"])
    police_report_filed(actor=personas.communications, record=hateful, reference="24-1")
    tamper("UPDATE archive_policereportstatus SET canonical = REPLACE(canonical, '24-1', '24-2')")
    report = verify_chain(personas.municipality.pk)
    assert not report.ok and "politistatus" in report.problem
