"""A stored public title never holds a national identity number the deposit check finds
(PU-1, AR-2, AR-3; norwegian-standards HS-06; Noark 5 offentligTittel).

The archive masks a public title as it stores it (`archive.canonical`); the exports and
the deposit check look for national ID numbers with `language.masking`. Both read the
same hits of `language.numbers`, and storage masks every kind of personal data, so on
the title as given they agree. They parted on the title as stored: the detector weighs
the words before a number, and masking moves them — «Ordre» before two masked e-mail
addresses falls out of its reach, and the order number behind them then reads as a
fødselsnummer — and the cut to 300 characters can leave eleven digits of a longer
number. An address read as «Storgata 2111» before «211179 10048» masked only its own
span and left «79 10048» in clear. Storage now takes its national ID numbers from
`language.masking` and checks the title it stores with it.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest
from lxml import etree

from ordstyrer.archive.canonical import TITLE_LIMIT
from ordstyrer.archive.deposit_check import check_deposit
from ordstyrer.archive.entry import Kind, Person
from ordstyrer.archive.exporters import run_export
from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.language.masking import has_national_id
from ordstyrer.language.pii import find_personal_data
from tests.archive.conftest import make_channel
from tests.factories import archived

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DAY = datetime(2025, 5, 16, 10, 0, tzinfo=OSLO)
SINCE, UNTIL = date(2025, 5, 1), date(2025, 5, 31)
FNR = "21117910048"  # a fødselsnummer whose check digits hold
ACCOUNT = "9710.24.83514"  # a bank account number (mod 11), not an identity number
# Within 30 characters of the number «Ordre» makes it an order number; once the two
# addresses are «[skjermet]» it is 36 characters back.
DRIFT = f"Ordre fra a@b.no og c@d.no: {FNR}"
# Twelve digits (no identity number) cut after the eleventh by the column's limit.
PAD = "innspill til høringen om reguleringsplan for sentrum og havna, " * 5
CUT = PAD[: TITLE_LIMIT - 11] + FNR + "7 og mer"

MASKED = [
    pytest.param(f"Spørsmål om eiendomsskatt {FNR}", id="plain"),
    pytest.param(f"Klage på vedtak, f.nr.{FNR}", id="fnr-prefix"),
    pytest.param("Søknad om bostøtte 21.11.79 10048", id="spaced"),
    pytest.param("Søknad om bostøtte 211179\u00a010048", id="nbsp"),
    pytest.param(f"Refusjon til kontonr {FNR}", id="account-word"),
    pytest.param(DRIFT, id="context-moved-by-masking"),
    pytest.param(CUT, id="cut-at-the-limit"),
    pytest.param("Brev til Storgata 211179 10048", id="overlapping-address"),
]


def _inquiry(personas, channel, public_title: str, hour: int) -> ArchiveRecord:
    return archived(
        personas.municipality,
        actor=personas.communications,
        now=DAY.replace(hour=hour),
        kind=Kind.JOURNAL_INBOUND,
        journal=True,
        text="Hei, jeg har et spørsmål til kommunen.",
        channel=channel,
        author=Person("Kari Nordmann"),
        title="Henvendelse fra Kari Nordmann",
        public_title=public_title,
        action="journal",
    )


@pytest.fixture
def channel(personas):
    return make_channel(personas, "Rissa kommune")


@pytest.mark.parametrize("public_title", MASKED)
def test_pu1_a_stored_public_title_shows_no_national_id_the_deposit_check_finds(
    personas, channel, public_title
):
    """PU-1, HS-06: whatever form the number has, the stored public title has it masked,
    and the deposit check's own detector finds nothing in what is stored."""
    record = _inquiry(personas, channel, public_title, 10)
    stored = record.public_title
    assert "[skjermet]" in stored
    assert not has_national_id(stored), stored
    assert "10048" not in stored  # nothing of the number is left, not even its tail
    assert len(stored) <= TITLE_LIMIT


def test_pu1_the_moved_context_is_no_id_before_masking_but_one_after() -> None:
    """The drift case is what it says: no national ID before masking, one after."""
    assert not has_national_id(DRIFT)
    assert has_national_id(DRIFT.replace("a@b.no", "[skjermet]").replace("c@d.no", "[skjermet]"))
    assert not has_national_id(CUT) and has_national_id(CUT[:TITLE_LIMIT])
    assert find_personal_data(PAD) == []  # nothing before the number is masked


def test_ar2_the_deposit_of_masked_titles_passes_with_nothing_masked_at_export(
    personas, channel, tmp_path
):
    """AR-2, PU-1: a period whose records have every form of the number in their public
    titles exports and passes the deposit check, and the export masks nothing more: the
    titles were stored masked (LES-MEG.txt counts none); an order number the detector
    leaves alone is written as given, and no title is declared screened for it."""
    records = [
        _inquiry(personas, channel, param.values[0], 8 + i) for i, param in enumerate(MASKED)
    ]
    order = _inquiry(personas, channel, f"Ordrenummer {FNR} er ikke kommet fram", 20)
    account = _inquiry(personas, channel, f"Refusjon til konto {ACCOUNT}", 21)
    assert order.public_title == f"Ordrenummer {FNR} er ikke kommet fram"
    # A bank account is personal data the public title never shows (HS-06), masked as
    # such when stored, not as an identity number at export.
    assert account.public_title == "Refusjon til konto [skjermet]"
    out = tmp_path / "uttrekk"

    run_export(
        municipality=personas.municipality,
        fmt="noark5-uttrekk",
        since=SINCE,
        until=UNTIL,
        out_dir=out,
    )  # runs the deposit check itself

    report = check_deposit(out)
    assert report.ok, report.text()
    assert "Offentlige titler maskert ved eksport: 0\n" in (out / "LES-MEG.txt").read_text()
    structure = etree.parse(str(out / "arkivstruktur.xml"))
    titles = {
        int(r.findtext("{*}journalsekvensnummer")): r.findtext("{*}offentligTittel")
        for r in structure.iter("{*}registrering")
    }
    for record in records:
        assert titles[record.sequence] == record.public_title.replace("[skjermet]", "******")
    assert titles[order.sequence] == order.public_title
