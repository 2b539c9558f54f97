"""AR-3: a Noark 5 deposit declares its period closed ("Avsluttet periode", sharp period
separation), so it never takes a day that is not over in Norwegian time. An export on
30 June at 10:00 that took 30 June would leave out for good the records archived later
that day: the next deposit starts on 1 July.

The clock stands at 2026-06-30 10:00 in Oslo."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from ordstyrer.archive.exports import PeriodRefused, archive_export_request
from ordstyrer.archive.models import ArchiveExport, ExportStatus
from ordstyrer.archive.services import archive_append
from tests.api.conftest import ApiClient, token_for
from tests.archive.conftest import deleted_comment

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=OSLO)
TODAY = date(2026, 6, 30)
YESTERDAY = date(2026, 6, 29)
SINCE = date(2026, 6, 1)
CLOSED_ONLY = (
    "En avleveringspakke (Noark 5-arkivuttrekk) kan bare dekke dager som er over. Velg en "
    "til-dato før i dag."
)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def archived(personas, clock):
    """One record archived yesterday evening, one this morning."""
    archive_append(
        actor=None,
        entry=deleted_comment(personas, media=()),
        backdated_to=datetime(2026, 6, 29, 21, 0, tzinfo=OSLO),
    )
    archive_append(actor=None, entry=deleted_comment(personas, media=()))
    return personas


def _request(p, *, until: date | None, since: date = SINCE, fmt: str = "noark5-uttrekk"):
    return archive_export_request(
        actor=p.archivist, municipality=p.municipality, fmt=fmt, since=since, until=until
    )


@pytest.mark.parametrize("until", [TODAY, date(2026, 7, 1)], ids=["today", "tomorrow"])
def test_the_deposit_refuses_a_period_that_has_not_ended(archived, until):
    """AR-3: until today or later is refused, naming `until`; nothing is queued."""
    with pytest.raises(PeriodRefused) as refused:
        _request(archived, until=until)
    assert refused.value.field == "until"
    assert str(refused.value.message) == CLOSED_ONLY
    assert not ArchiveExport.objects.exists()


def test_the_deposit_without_until_ends_yesterday(archived, django_capture_on_commit_callbacks):
    """AR-3: without until the deposit covers up to and including yesterday."""
    with django_capture_on_commit_callbacks(execute=True):
        export = _request(archived, until=None)
    export.refresh_from_db()
    assert (export.since, export.until) == (SINCE, YESTERDAY)
    assert (export.status, export.record_count) == (ExportStatus.DONE, 1), export.error


def test_the_deposit_from_today_without_until_is_refused(archived):
    """AR-3: from today, with no until, there is no day that is over: refused on `since`."""
    with pytest.raises(PeriodRefused) as refused:
        _request(archived, since=TODAY, until=None)
    assert refused.value.field == "since"
    assert not ArchiveExport.objects.exists()


def test_the_deposit_up_to_yesterday_runs(archived, django_capture_on_commit_callbacks):
    """AR-3: until yesterday is a closed period; the record archived today is not in it."""
    with django_capture_on_commit_callbacks(execute=True):
        export = _request(archived, until=YESTERDAY)
    export.refresh_from_db()
    assert (export.status, export.record_count) == (ExportStatus.DONE, 1), export.error


def test_messages_for_fiks_arkiv_may_still_take_today(archived, django_capture_on_commit_callbacks):
    """AR-2: the arkivmelding formats close no period (each record a message the archive
    recognises when it is sent again), so today stays allowed for them."""
    with django_capture_on_commit_callbacks(execute=True):
        export = _request(archived, until=TODAY, fmt="fiks-arkiv")
    export.refresh_from_db()
    assert (export.status, export.record_count) == (ExportStatus.DONE, 2), export.error


def test_the_console_form_refuses_today_for_the_deposit(client, archived):
    """AR-3: the console's export form says why, on the until field; nothing is queued."""
    client.force_login(archived.archivist)
    url = reverse("archive:exports", args=[archived.municipality.slug])
    response = client.post(
        url, {"format": "noark5-uttrekk", "since": "2026-06-01", "until": "2026-06-30"}
    )
    assert response.status_code in (200, 400)
    assert CLOSED_ONLY in response.content.decode()
    assert not ArchiveExport.objects.exists()
    assert "bare gå til og med i går" in client.get(url).content.decode()


def test_the_api_refuses_today_for_the_deposit(archived):
    """AR-3: the API answers 422 naming until, in English and Norwegian."""
    api = ApiClient(token_for(archived.communications, archived.municipality))
    response = api.post(
        f"/api/v1/m/{archived.municipality.slug}/archive/exports",
        {"format": "noark5-uttrekk", "since": "2026-06-01", "until": "2026-06-30"},
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["errors"] == [{"loc": ["body", "until"], "msg": CLOSED_ONLY, "type": "value"}]
    assert "days that are over" in body["detail"]
    assert not ArchiveExport.objects.exists()


def _cli(p, out: Path, *extra: str) -> None:
    from ordstyrer.archive.management.commands.archive import Command

    Command().run_from_argv(
        [
            "ordstyrer",
            "archive",
            "export",
            "--municipality",
            p.municipality.slug,
            "--format",
            "noark5-uttrekk",
            "--since",
            "2026-06-01",
            "--out",
            str(out),
            *extra,
        ]
    )


def test_the_cli_refuses_until_today_with_exit_2(archived, tmp_path, capsys):
    """AR-3: --until 2026-06-30 on 30 June is one Norwegian line and exit 2."""
    out = tmp_path / "uttrekk"
    with pytest.raises(SystemExit) as caught:
        _cli(archived, out, "--until", "2026-06-30")
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert err.startswith("ordstyrer archive: ") and "dager som er over" in err
    assert not out.exists()


def test_the_cli_deposit_up_to_yesterday_and_by_default(archived, tmp_path, capsys):
    """AR-3: --until 2026-06-29 works; without --until the package ends on 29 June."""
    # call_command, not run_from_argv: the latter closes the database connections when
    # it is done (Django), which on PostgreSQL ends the test's own connection.
    common = ["archive", "export", "--municipality", archived.municipality.slug]
    common += ["--format", "noark5-uttrekk", "--since", "2026-06-01"]
    call_command(*common, "--until", "2026-06-29", "--out", str(tmp_path / "gitt"))
    call_command(*common, "--out", str(tmp_path / "standard"))
    assert capsys.readouterr().out.count("Eksporterte 1 arkivposter") == 2
    for name in ("gitt", "standard"):
        structure = etree.parse(str(tmp_path / name / "arkivstruktur.xml"))
        assert structure.findtext(".//{*}arkivperiodeSluttDato") == "2026-06-29"
