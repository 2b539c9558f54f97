"""The archive pages through Django's test client: who sees what, the police and
export flows, and a fixed number of queries on the list."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ordstyrer.archive.entry import ArchiveEntry, Kind
from ordstyrer.archive.models import ArchiveExport, ExportStatus, PoliceReportStatus
from ordstyrer.archive.police import police_package_prepare
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment, inquiry, make_channel

pytestmark = pytest.mark.django_db

DAY = datetime(2025, 5, 16, 10, 0, tzinfo=UTC)


@pytest.fixture
def archived(personas):
    p = personas
    channel = make_channel(p)
    record = archive_append(
        actor=p.communications, entry=deleted_comment(p, channel), backdated_to=DAY
    )
    police_package_prepare(actor=p.communications, record=record, protected_grounds=["a"])
    archive_append(actor=p.employee, entry=inquiry(p, channel), backdated_to=DAY)
    export = ArchiveExport.objects.create(
        municipality=p.municipality,
        format="fiks-arkiv",
        since=DAY.date(),
        until=DAY.date(),
        requested_by=p.archivist,
        requested_at=DAY,
    )
    return record, export


def page_urls(slug: str, export_id: int) -> list[str]:
    return [
        reverse("archive:list", args=[slug]),
        reverse("archive:list", args=[slug]) + "?q=pest&kind=deleted_comment&ground=hate_speech",
        reverse("archive:detail", args=[slug, 1]),
        reverse("archive:pdf", args=[slug, 1]),
        reverse("archive:file", args=[slug, 1, 1]),
        reverse("archive:police_package", args=[slug, 1]),
        reverse("archive:exports", args=[slug]),
    ]


def test_who_sees_the_archive(client, personas, archived):
    p = personas
    _record, export = archived
    slug = p.municipality.slug
    for url in page_urls(slug, export.pk):
        for reader in (p.communications, p.archivist):
            client.force_login(reader)
            assert client.get(url).status_code == 200, url
        client.force_login(p.employee)
        assert client.get(url).status_code == 403, url
        client.force_login(p.outsider)
        assert client.get(url).status_code == 404, url
        client.logout()
        assert client.get(url).status_code == 302, url
    client.force_login(p.outsider)
    posts = [
        (reverse("archive:police", args=[slug, 1]), {"action": "filed", "filed-reference": "1"}),
        (
            reverse("archive:exports", args=[slug]),
            {"format": "fiks-arkiv", "since": "2025-05-01", "until": "2025-05-31"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert client.get(reverse("archive:export_download", args=[slug, export.pk])).status_code == 404
    assert not PoliceReportStatus.objects.filter(status="reported").exists()
    assert ArchiveExport.objects.count() == 1


def test_records_of_another_municipality_are_not_found(client, personas):
    p = personas
    other = p.outsider.role_assignments.first().municipality
    archive_append(
        actor=None, entry=ArchiveEntry(municipality=other, kind=Kind.OWN_POST, text="Nabo")
    )
    client.force_login(p.communications)
    assert client.get(reverse("archive:detail", args=[p.municipality.slug, 1])).status_code == 404
    assert client.get(reverse("archive:detail", args=[other.slug, 1])).status_code == 404


def test_detail_shows_the_record_and_its_chain_status(client, personas, archived):
    p = personas
    client.force_login(p.archivist)
    page = client.get(reverse("archive:detail", args=[p.municipality.slug, 1])).content.decode()
    for expected in [
        "Innvandrerne er en pest",
        "Ola Nordmann",
        "Hashen stemmer",
        "Bevispakke klargjort",
        "02800",
        "bilde.png",
    ]:
        assert expected in page, expected
    pdf = client.get(reverse("archive:pdf", args=[p.municipality.slug, 1]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="arkivpost-000001.pdf"' in pdf["Content-Disposition"]


def test_police_report_filed_through_the_page(client, personas, archived):
    p = personas
    url = reverse("archive:police", args=[p.municipality.slug, 1])
    client.force_login(p.archivist)  # reads the archive, does not file police reports
    assert client.post(url, {"action": "filed", "filed-reference": "24-1"}).status_code == 403
    client.force_login(p.communications)
    response = client.post(url, {"action": "filed", "filed-reference": "24-987654"}, follow=True)
    assert "Politiets referanse:" in response.content.decode()
    assert PoliceReportStatus.objects.filter(
        status="reported", police_reference="24-987654"
    ).exists()
    package = client.get(reverse("archive:police_package", args=[p.municipality.slug, 1]))
    assert package["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert "bevis-000001/bevis-000001.pdf" in names


def test_police_package_prepared_through_the_page(client, personas):
    p = personas
    archive_append(actor=None, entry=deleted_comment(p))
    url = reverse("archive:police", args=[p.municipality.slug, 1])
    client.force_login(p.communications)
    detail = client.get(reverse("archive:detail", args=[p.municipality.slug, 1])).content.decode()
    assert "Klargjør bevispakke" in detail
    response = client.post(url, {"action": "prepare", "prepare-provision": "185"}, follow=True)
    assert "(a–e)" in response.content.decode()  # the ground is missing: refused, MO-3
    assert not PoliceReportStatus.objects.exists()
    client.post(
        url, {"action": "prepare", "prepare-provision": "185", "prepare-grounds": ["a", "e"]}
    )
    assert PoliceReportStatus.objects.get().protected_grounds == ["a", "e"]


NOTE = "Skjermbilde tatt kl. 09.12; samme person skrev det samme under 17. mai-innlegget."


def _ticked(html: str, name: str) -> list[str]:
    return re.findall(
        rf'<input type="(?:radio|checkbox)" name="{name}" value="(\w+)"[^>]*checked', html
    )


def test_nothing_is_chosen_for_the_police_report(client, personas):
    """Reporting to the police is a deliberate act (MO-3): no penal provision is ticked
    in advance (QA 2027-01, finding 6), and no § 185 ground."""
    p = personas
    archive_append(actor=None, entry=deleted_comment(p))
    client.force_login(p.communications)
    html = client.get(reverse("archive:detail", args=[p.municipality.slug, 1])).content.decode()
    assert 'name="prepare-provision"' in html and 'name="prepare-grounds"' in html
    assert _ticked(html, "prepare-provision") == _ticked(html, "prepare-grounds") == []


def test_a_refused_police_package_keeps_the_note_and_the_choices(client, personas):
    """QA 2027-01, finding 3: a § 185 report without a ground a–e came back with the note
    empty. The form now comes back as typed, the reason on it (400)."""
    p = personas
    archive_append(actor=None, entry=deleted_comment(p))
    url = reverse("archive:police", args=[p.municipality.slug, 1])
    client.force_login(p.communications)
    refused = client.post(
        url, {"action": "prepare", "prepare-provision": "185", "prepare-note": NOTE}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert re.search(
        r'<textarea name="prepare-note"[^>]*>\s*' + re.escape(NOTE) + "</textarea>", html
    )
    assert _ticked(html, "prepare-provision") == ["185"]
    assert "Velg hvilket vern i straffeloven § 185 (a–e) ytringen rammer. (MO-3)" in html
    assert "Kontroller skjemaet for bevispakken." in html
    assert not PoliceReportStatus.objects.exists()

    # No provision chosen at all: said beside the provisions, the rest kept.
    missing = client.post(
        url, {"action": "prepare", "prepare-grounds": ["b", "d"], "prepare-note": NOTE}
    )
    assert missing.status_code == 400
    html = missing.content.decode()
    assert 'id="police-provision-error"' in html and NOTE in html
    assert _ticked(html, "prepare-grounds") == ["b", "d"]
    assert not PoliceReportStatus.objects.exists()

    done = client.post(
        url,
        {
            "action": "prepare",
            "prepare-provision": "185",
            "prepare-grounds": ["b"],
            "prepare-note": NOTE,
        },
    )
    assert done.status_code == 302
    assert PoliceReportStatus.objects.get().note == NOTE


def test_a_refused_police_reference_keeps_the_note(client, personas, archived):
    p = personas
    client.force_login(p.communications)
    url = reverse("archive:police", args=[p.municipality.slug, 1])
    refused = client.post(url, {"action": "filed", "filed-reference": "", "filed-note": NOTE})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert NOTE in html and "Skriv politiets referanse (høyst 100 tegn)." in html
    assert not PoliceReportStatus.objects.filter(status="reported").exists()


def test_export_runs_in_the_background_and_is_downloaded(
    client, personas, django_capture_on_commit_callbacks
):
    p = personas
    archive_append(actor=None, entry=deleted_comment(p), backdated_to=DAY)
    client.force_login(p.archivist)
    url = reverse("archive:exports", args=[p.municipality.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"format": "noark5-uttrekk", "since": "2025-05-01", "until": "2025-05-31"}
        )
    assert response.status_code == 302
    export = ArchiveExport.objects.get()
    assert (export.status, export.record_count) == (ExportStatus.DONE, 1), export.error
    page = client.get(url).content.decode()
    assert "Last ned (1 post," in page
    download = client.get(reverse("archive:export_download", args=[p.municipality.slug, export.pk]))
    data = b"".join(download.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    top = names[0].split("/")[0]
    assert (
        f"{top}/arkivuttrekk.xml" in names
        and f"{top}/DOKUMENT/000001/arkivpost-000001.pdf" in names
    )
    # An empty period fails with the reason shown.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"format": "fiks-arkiv", "since": "2024-01-01", "until": "2024-01-31"})
    failed = ArchiveExport.objects.exclude(pk=export.pk).get()
    assert failed.status == ExportStatus.FAILED and "Ingen arkivposter" in failed.error
    # Employees without the archive role cannot order exports.
    client.force_login(p.employee)
    assert (
        client.post(
            url, {"format": "fiks-arkiv", "since": "2025-05-01", "until": "2025-05-31"}
        ).status_code
        == 403
    )


def test_export_form_rejects_a_reversed_period(client, personas):
    client.force_login(personas.communications)
    url = reverse("archive:exports", args=[personas.municipality.slug])
    response = client.post(
        url, {"format": "eformidling", "since": "2025-05-31", "until": "2025-05-01"}
    )
    assert (
        response.status_code == 200 and "Til-datoen kan ikke være før" in response.content.decode()
    )
    assert not ArchiveExport.objects.exists()


def test_list_has_a_fixed_number_of_queries(client, personas):
    p = personas
    channel = make_channel(p)
    client.force_login(p.archivist)
    url = reverse("archive:list", args=[p.municipality.slug]) + "?kind=&ground=&since=2020-01-01"
    archive_append(actor=None, entry=deleted_comment(p, channel, media=()))
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for index in range(30):
        archive_append(actor=None, entry=inquiry(p, channel, text=f"Spørsmål {index}"))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.content.decode().count(f"/m/{p.municipality.slug}/arkiv/") >= 31
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_list_query_count_is_pinned(client, personas, django_assert_num_queries):
    p = personas
    for index in range(3):
        archive_append(actor=None, entry=inquiry(p, text=f"Spørsmål {index}"))
    client.force_login(p.archivist)
    url = reverse("archive:list", args=[p.municipality.slug])
    client.get(url)
    # session, user, the municipality with the roles there and the menu's municipality
    # switcher (one query, #14), channel filter, count, chain head, the page (police state
    # in the same query), the publishing menu, the moderation menu (#15), the crisis
    # banner (PU-12)
    with django_assert_num_queries(10):
        client.get(url)


def test_detail_shows_a_broken_link(client, personas):
    from tests.archive.conftest import tamper

    p = personas
    archive_append(actor=None, entry=inquiry(p))
    tamper("UPDATE archive_archiverecord SET title = 'Noe annet'")
    client.force_login(p.communications)
    page = client.get(reverse("archive:detail", args=[p.municipality.slug, 1])).content.decode()
    assert "Brudd:" in page and "Et felt stemmer ikke med det arkiverte innholdet." in page


def test_the_whole_chain_is_checked_from_the_archive_page(client, personas, archived):
    """#15 point 10: the chain check (AR-3) is a button in the archive view, with the
    same verdict as `ordstyrer archive verify`; outsiders and GET are refused."""
    from tests.archive.conftest import tamper

    p = personas
    url = reverse("archive:verify", args=[p.municipality.slug])
    client.force_login(p.outsider)
    assert client.post(url).status_code == 404
    client.force_login(p.communications)
    assert client.get(url).status_code == 405
    listing = client.get(reverse("archive:list", args=[p.municipality.slug])).content.decode()
    assert f'action="{url}"' in listing and "Kontroller hele kjeden nå" in listing
    page = client.post(url, follow=True).content.decode()
    assert "Kjeden er i orden: 2 poster kontrollert" in page

    tamper("UPDATE archive_archiverecord SET title = 'Noe annet' WHERE sequence = 2")
    page = client.post(url, follow=True).content.decode()
    assert "Kjeden er brutt ved post nr. 2" in page
