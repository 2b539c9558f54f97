"""Screening in the exports (AR-2, PU-1): the legal basis comes from a table the archive
office edits per municipality, and the same screening is declared in the Noark 5
deposit, the Fiks Arkiv and the eFormidling arkivmelding."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from ordstyrer.archive.entry import ArchiveEntry, Kind, Person
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.models import ScreeningRule
from ordstyrer.archive.police import police_package_prepare
from ordstyrer.archive.screening import DEFAULTS, screening_rule_set, screening_table
from ordstyrer.archive.services import archive_append
from ordstyrer.core.audit import AuditEntry
from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError
from tests.archive.conftest import deleted_comment, make_channel

pytestmark = pytest.mark.django_db

DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)
SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)


@pytest.fixture
def sample(personas):
    """A hateful comment reported to the police, a deleted comment naming its author, and
    a municipality's own post (nothing withheld)."""
    p = personas
    channel = make_channel(p, "Rissa skole")
    reported = archive_append(
        actor=p.communications, entry=deleted_comment(p, channel), backdated_to=DAY
    )
    police_package_prepare(actor=p.communications, record=reported, protected_grounds=["a"])
    comment = archive_append(
        actor=p.communications,
        entry=deleted_comment(p, channel, author=Person("Kari Nordmann"), ground="spam"),
        backdated_to=DAY.replace(hour=11),
    )
    post = archive_append(
        actor=p.communications,
        entry=ArchiveEntry(
            municipality=p.municipality, kind=Kind.OWN_POST, text="Åpent i dag.", channel=channel
        ),
        backdated_to=DAY.replace(hour=12),
    )
    return reported, comment, post


def export(p, fmt: str, out: Path) -> Path:
    run_export(municipality=p.municipality, fmt=fmt, since=SINCE, until=UNTIL, out_dir=out)
    return out


def declared(p, tmp_path: Path, records) -> dict[str, list]:
    """(tilgangsrestriksjon, skjermingshjemmel) per record in each format; None = none."""
    n5 = export(p, "noark5-uttrekk", tmp_path / "n5")
    fiks = export(p, "fiks-arkiv", tmp_path / "fiks")
    efm = export(p, "eformidling", tmp_path / "efm")
    structure = etree.parse(str(n5 / "arkivstruktur.xml"))
    by_sequence = {
        int(post.findtext("{*}journalsekvensnummer")): post.find("{*}skjerming")
        for post in structure.iter("{*}registrering")
    }
    result: dict[str, list] = {"noark5": [], "fiks": [], "eformidling": []}
    for record in records:
        shield = by_sequence[record.sequence]
        result["noark5"].append(
            None
            if shield is None
            else (
                shield.findtext("{*}tilgangsrestriksjon"),
                shield.findtext("{*}skjermingshjemmel"),
            )
        )
        tree = etree.parse(str(fiks / "poster" / f"{record.sequence:06d}" / "arkivmelding.xml"))
        shield = tree.find(".//{*}skjerming")
        result["fiks"].append(
            None
            if shield is None
            else (
                shield.findtext("{*}tilgangsrestriksjon/{*}kode"),
                shield.findtext("{*}skjermingshjemmel"),
            )
        )
        tree = etree.parse(str(efm / f"{record.sequence:06d}" / "arkivmelding.xml"))
        shield = tree.find(".//{*}skjerming")
        result["eformidling"].append(
            None
            if shield is None
            else (
                shield.findtext("{*}tilgangsrestriksjon"),
                shield.findtext("{*}skjermingshjemmel"),
            )
        )
    return result


def in_format(fmt: str, values: list) -> list:
    """`values` as `fmt` declares them: the deposit writes M500's value «Unntatt
    offentlighet» for tilgangsrestriksjon, not the code; the hjemmel is the same."""
    if fmt != "noark5":
        return values
    return [None if v is None else ("Unntatt offentlighet", v[1]) for v in values]


def test_defaults_are_declared_the_same_in_every_format(personas, sample, tmp_path):
    police = ("24", "Offl. § 24")
    personal = ("13", "Offl. § 13 jf. fvl. § 13 (1) nr. 1")
    assert DEFAULTS == {"police": police, "personal_data": personal}
    found = declared(personas, tmp_path, sample)
    for fmt, values in found.items():
        assert values == in_format(fmt, [police, personal, None]), fmt


def test_the_archive_office_changes_the_basis_for_later_exports(personas, sample, tmp_path):
    p = personas
    screening_rule_set(
        actor=p.archivist,
        municipality=p.municipality,
        reason="personal_data",
        access_code="P",
        authority=" Offl. § 13 jf. fvl. § 13 første ledd nr. 1 ",
    )
    # A replayed form is harmless: still one row, same values.
    screening_rule_set(
        actor=p.archivist,
        municipality=p.municipality,
        reason="personal_data",
        access_code="P",
        authority="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
    )
    assert ScreeningRule.objects.count() == 1
    assert AuditEntry.objects.filter(action="archive_screening_rule_set").count() == 2
    found = declared(p, tmp_path, sample)
    changed = ("P", "Offl. § 13 jf. fvl. § 13 første ledd nr. 1")
    for fmt, values in found.items():
        assert values[:2] == in_format(fmt, [("24", "Offl. § 24"), changed]), fmt
    # The neighbouring municipality keeps the defaults.
    other = p.outsider.role_assignments.first().municipality
    assert screening_table(municipality=other)[0]["is_default"]


def test_only_the_archive_office_sets_the_basis(personas):
    p = personas
    arguments = {"reason": "police", "access_code": "24", "authority": "Offl. § 24 andre ledd"}
    with pytest.raises(NotPermitted):
        screening_rule_set(actor=p.communications, municipality=p.municipality, **arguments)
    with pytest.raises(NotFound):
        screening_rule_set(actor=p.outsider, municipality=p.municipality, **arguments)
    with pytest.raises(ServiceError):
        screening_rule_set(
            actor=p.archivist,
            municipality=p.municipality,
            reason="police",
            access_code="24",
            authority="  ",
        )
    with pytest.raises(ServiceError):
        screening_rule_set(
            actor=p.archivist, municipality=p.municipality, **{**arguments, "reason": "annet"}
        )
    assert not ScreeningRule.objects.exists()


def test_the_screening_page(client, personas):
    p = personas
    url = reverse("archive:screening", args=[p.municipality.slug])
    client.force_login(p.communications)  # reads the table, cannot change it
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Offl. § 13 jf. fvl. § 13 (1) nr. 1" in text and "Lagre" not in text
    response = client.post(
        url, {"reason": "police", "police-access_code": "X", "police-authority": "Y"}
    )
    assert response.status_code == 403
    client.force_login(p.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "police"}).status_code == 404
    client.force_login(p.employee)
    assert client.get(url).status_code == 403
    assert not ScreeningRule.objects.exists()

    client.force_login(p.archivist)
    assert "Lagre" in client.get(url).content.decode()
    empty = client.post(
        url, {"reason": "police", "police-access_code": "", "police-authority": "Offl. § 24"}
    )
    assert empty.status_code == 200 and "field-error" in empty.content.decode()
    response = client.post(
        url,
        {
            "reason": "police",
            "police-access_code": "24",
            "police-authority": "Offl. § 24 andre ledd",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Offl. § 24 andre ledd" in response.content.decode()
    rule = ScreeningRule.objects.get()
    assert (rule.reason, rule.access_code, rule.updated_by) == ("police", "24", p.archivist)
