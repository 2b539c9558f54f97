"""The police evidence package for hateful speech and threats (MO-3; norwegian-standards
§4.1, HS-05).

The police take reports through politiet.no or the local police district — there
is no API — so Ordstyrer prepares what a report needs and a person files it:

    bevis-<nr>.pdf      PDF/A-2b: the statement, its context, author, times, permalink,
                        the provision (straffeloven § 185 with its ground a–e, § 263,
                        § 264 or § 266) and the archive hash
    raadata-<nr>.json   the platform's own JSON, exactly as captured
    vedlegg-<nr>-<n>.*  the images or other files of the comment
    manifest.json       every file with its SHA-256, the record's chain hash
    SHA256SUMS          the same sums for `sha256sum -c`
    LES-MEG.txt         how to file the report

Progress is kept as append-only status rows (prepared → reported, with the
police's reference), never by changing the record (AR-3). The package is built
reproducibly (fixed timestamps), so its SHA-256 stored at preparation can be
checked against any later download: `package_for_download` rebuilds it and compares.
The evidence PDF's look is versioned (`archive.pdf.STYLE`): the prepared step's body
names the style it was made with (`evidence_style`; none: style 1, the steps prepared
before styles were versioned), and the package is always rebuilt with that one, so a
package prepared before a change of style still comes out byte for byte the same.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordstyrer.archive.canonical import canonical_json, chain_hash, raw_bytes, sha256_hex
from ordstyrer.archive.models import ArchiveRecord, PoliceReportStatus, PoliceStatus
from ordstyrer.archive.pdf import (
    LEGACY_STYLE,
    OSLO,
    STYLE,
    html_to_pdfa,
    local,
    record_context,
)
from ordstyrer.archive.selectors import removal_confirmed
from ordstyrer.archive.services import actor_name
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.permissions import require
from ordstyrer.core.services import person

logger = logging.getLogger("ordstyrer.archive")

# Straffeloven: the provisions a police report from a municipal page is about.
PROVISIONS = {
    "185": "Straffeloven § 185 – hatefulle ytringer",
    "263": "Straffeloven § 263 – trusler",
    "264": "Straffeloven § 264 – grove trusler",
    "266": "Straffeloven § 266 – hensynsløs atferd",
}
# § 185 second paragraph a–e (norwegian-standards §4.1).
PROTECTED_GROUNDS = {
    "a": "hudfarge eller nasjonale eller etniske opprinnelse",
    "b": "religion eller livssyn",
    "c": "seksuelle orientering",
    "d": "kjønnsidentitet eller kjønnsuttrykk",
    "e": "nedsatte funksjonsevne",
}
# Grounds of deletion (MO-1) under which a comment may be reported.
REPORTABLE_GROUNDS = frozenset({"hate_speech", "unlawful", "harassment", "personal_attack"})
REPORTABLE_KINDS = frozenset({"deleted_comment", "hidden_comment"})

HOW_TO_FILE = """Slik anmelder kommunen (MO-3)

Politiet tar ikke imot anmeldelser maskinelt, så en person må levere den:

1. Anmeld på politiet.no (anmeldelse eller tips på nett, der det er mulig for denne
   typen sak), eller kontakt det lokale politidistriktet på telefon 02800.
   Ved fare for liv og helse: ring 112.
2. Legg ved bevisene i denne pakken: bevis-{seq}.pdf (hovedbeviset), raadata-{seq}.json
   og eventuelle vedlegg. SHA256SUMS viser at filene er uendret.
3. Skriv politiets referanse (anmeldelsesnummer eller saksnummer) inn i Ordstyrer på
   arkivpost nr. {number}, under «Anmeldt til politiet».

Arkivpost nr. {number} i arkivet til {municipality}, hash {hash}.
"""


@dataclass(frozen=True)
class PoliceFacts:
    provision: str
    grounds: tuple[str, ...]
    note: str
    prepared_at: datetime
    prepared_by: str
    style: int = STYLE  # the evidence PDF's look (archive.pdf.STYLE)


def statuses_for(record: ArchiveRecord) -> list[PoliceReportStatus]:
    return list(record.police_statuses.order_by("id"))


def current_status(record: ArchiveRecord) -> PoliceReportStatus | None:
    return record.police_statuses.order_by("-id").first()


def _validate(record: ArchiveRecord, provision: str, grounds: tuple[str, ...]) -> None:
    if record.kind not in REPORTABLE_KINDS or record.ground not in REPORTABLE_GROUNDS:
        raise ServiceError(
            gettext_lazy(
                "Bevispakke lages for slettede eller skjulte kommentarer med hatefulle ytringer, "
                "trusler eller sjikane."
            ),
            rule="MO-3",
        )
    if provision not in PROVISIONS:
        raise ServiceError(
            gettext_lazy("Velg hvilken bestemmelse i straffeloven saken gjelder."), rule="MO-3"
        )
    if provision == "185" and not grounds:
        raise ServiceError(
            gettext_lazy("Velg hvilket vern i straffeloven § 185 (a–e) ytringen rammer."),
            rule="MO-3",
        )
    unknown = set(grounds) - set(PROTECTED_GROUNDS)
    if unknown or (grounds and provision != "185"):
        raise ServiceError(gettext_lazy("Vernegrunnlagene a–e gjelder bare § 185."), rule="MO-3")


def _append_status(
    *,
    record: ArchiveRecord,
    actor: ActorLike,
    status: str,
    at: datetime,
    body_only: dict[str, Any] | None = None,
    **fields: Any,
) -> PoliceReportStatus:
    """Append a step; `fields` are columns and in the hashed body, `body_only` in the
    body alone."""
    last = current_status(record)
    prev_hash = last.hash if last is not None else record.hash
    who = person(actor)
    body = {
        "record": {"sequence": record.sequence, "hash": record.hash},
        "status": status,
        "at": at.isoformat(),
        "actor": {"id": getattr(who, "pk", None), "name": actor_name(who)},
        **fields,
        **(body_only or {}),
    }
    canonical = canonical_json(body)
    return PoliceReportStatus.objects.create(
        record=record,
        status=status,
        at=at,
        actor_id=getattr(who, "pk", None),
        actor_name=actor_name(who),
        canonical=canonical,
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, canonical),
        **fields,
    )


def police_package_prepare(
    *,
    actor: ActorLike,
    record: ArchiveRecord,
    provision: str = "185",
    protected_grounds: tuple[str, ...] | list[str] = (),
    note: str = "",
    now: datetime | None = None,
) -> PoliceReportStatus:
    """Prepare the evidence package for `record` and mark it prepared (MO-3)."""
    require(actor, record.municipality, "report_police")
    grounds = tuple(sorted(set(protected_grounds)))
    _validate(record, provision, grounds)
    # Whole seconds: the time is the evidence PDF's creation date, which PDF/A writes
    # with whole seconds in the Info dictionary and as given in the XMP, and the two
    # must be equivalent. Stamped, not cut at rendering, so a package prepared before
    # is rebuilt byte for byte and still matches its stored SHA-256.
    at = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        ArchiveRecord.objects.select_for_update().filter(pk=record.pk).first()
        if current_status(record) is not None:
            raise ServiceError(gettext_lazy("Bevispakken er allerede klargjort."), rule="MO-3")
        facts = PoliceFacts(provision, grounds, note.strip(), at, actor_name(person(actor)))
        package = build_package(record, facts)
        status = _append_status(
            record=record,
            actor=actor,
            status=PoliceStatus.PREPARED,
            at=at,
            penal_provision=provision,
            protected_grounds=list(grounds),
            note=facts.note[:2000],
            package_sha256=sha256_hex(package),
            body_only={"evidence_style": facts.style},
        )
        audit_record(
            actor=actor,
            action="police_package_prepare",
            municipality=record.municipality,
            obj=record,
            data={"sequence": record.sequence, "provision": provision, "grounds": list(grounds)},
        )
    return status


def police_report_filed(
    *,
    actor: ActorLike,
    record: ArchiveRecord,
    reference: str,
    note: str = "",
    now: datetime | None = None,
) -> PoliceReportStatus:
    """Record that the report was filed with the police, with their reference (MO-3)."""
    require(actor, record.municipality, "report_police")
    reference = reference.strip()
    if not reference or len(reference) > 100:
        raise ServiceError(gettext_lazy("Skriv politiets referanse (høyst 100 tegn)."), rule="MO-3")
    with transaction.atomic():
        ArchiveRecord.objects.select_for_update().filter(pk=record.pk).first()
        last = current_status(record)
        if last is None:
            raise ServiceError(
                gettext_lazy("Klargjør bevispakken før anmeldelsen registreres."), rule="MO-3"
            )
        if last.status == PoliceStatus.REPORTED:
            raise ServiceError(gettext_lazy("Anmeldelsen er allerede registrert."), rule="MO-3")
        status = _append_status(
            record=record,
            actor=actor,
            status=PoliceStatus.REPORTED,
            at=now or timezone.now(),
            penal_provision=last.penal_provision,
            protected_grounds=list(last.protected_grounds),
            police_reference=reference,
            note=note.strip()[:2000],
        )
        audit_record(
            actor=actor,
            action="police_report_filed",
            municipality=record.municipality,
            obj=record,
            data={"sequence": record.sequence, "reference": reference},
        )
    return status


def facts_from(status: PoliceReportStatus) -> PoliceFacts:
    """The facts a package was prepared with, its style among them (a step written
    before styles were versioned has none: style 1)."""
    style = json.loads(status.canonical).get("evidence_style", LEGACY_STYLE)
    return PoliceFacts(
        status.penal_provision,
        tuple(status.protected_grounds),
        status.note,
        status.at,
        status.actor_name,
        style,
    )


def evidence_pdf(record: ArchiveRecord, facts: PoliceFacts) -> bytes:
    files = list(record.files.order_by("position"))
    context = record_context(record, files, style=facts.style)
    if context["deleted"] == "" and facts.style != LEGACY_STYLE:
        # When the comment left the platform, from the note that confirmed it (MO-2) —
        # one archived by the preparation, so the package stays the same.
        removed = removal_confirmed(record, archived_until=facts.prepared_at)
        if removed is not None:
            context["deleted"] = local(removed.at)
    context.update(
        {
            "provision": PROVISIONS[facts.provision],
            "provision_code": facts.provision,
            "grounds": [f"{g}) {PROTECTED_GROUNDS[g]}" for g in facts.grounds],
            "note": facts.note,
            "prepared_at": local(facts.prepared_at),
            "created_iso": facts.prepared_at.isoformat(),
            "prepared_by": facts.prepared_by,
        }
    )
    return html_to_pdfa(render_to_string("archive/pdf/evidence.html", context))


def build_package(record: ArchiveRecord, facts: PoliceFacts) -> bytes:
    """The zip, byte for byte the same for the same record and facts."""
    seq = f"{record.sequence:06d}"
    body = json.loads(record.canonical)
    members: list[tuple[str, bytes]] = [(f"bevis-{seq}.pdf", evidence_pdf(record, facts))]
    raw = raw_bytes(body.get("raw"))
    if raw is not None:
        members.append((f"raadata-{seq}.json", raw))
    for stored in record.files.order_by("position"):
        suffix = Path(stored.name).suffix.lower()[:10] or ".bin"
        members.append((f"vedlegg-{seq}-{stored.position}{suffix}", bytes(stored.data)))
    manifest = {
        "kommune": record.municipality.name,
        "arkivnummer": record.sequence,
        "arkivhash": record.hash,
        "bestemmelse": PROVISIONS[facts.provision],
        "vernegrunnlag": list(facts.grounds),
        "klargjort": facts.prepared_at.isoformat(),
        "klargjort_av": facts.prepared_by,
        "filer": [
            {"navn": name, "sha256": sha256_hex(data), "byte": len(data)} for name, data in members
        ],
    }
    members.append(("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode()))
    sums = "".join(f"{sha256_hex(data)}  {name}\n" for name, data in members)
    members.append(("SHA256SUMS", sums.encode()))
    how = HOW_TO_FILE.format(
        seq=seq, number=record.sequence, municipality=record.municipality.name, hash=record.hash
    )
    members.append(("LES-MEG.txt", how.encode()))
    stamp = record.archived_at.astimezone(OSLO).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(f"bevis-{seq}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def package_for_download(record: ArchiveRecord) -> tuple[bytes, PoliceReportStatus]:
    """Rebuild the package from the preparation's facts, in the style it was prepared
    with (ServiceError if none), and check it against the SHA-256 stored then. A
    package that no longer comes out the same (the fonts or WeasyPrint of the machine
    changed) is still handed over — the evidence is needed — and logged as an error:
    its files' own sums (SHA256SUMS, manifest.json) still hold, the package's does not."""
    prepared = record.police_statuses.filter(status=PoliceStatus.PREPARED).order_by("id").first()
    if prepared is None:
        raise ServiceError(gettext_lazy("Bevispakken er ikke klargjort."), rule="MO-3")
    data = build_package(record, facts_from(prepared))
    if prepared.package_sha256 and sha256_hex(data) != prepared.package_sha256:
        logger.error(
            "police package differs from the one prepared",
            extra={"record_id": record.pk, "status_id": prepared.pk},
        )
    return data, prepared
