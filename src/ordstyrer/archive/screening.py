"""Skjerming (screening from public access) in the archive exports (AR-2, PU-1).

Whatever an export withholds from the public — a citizen's name replaced by
«Skjermet» in the public journal, a title whose public form masks personal data, a
record that went to the police — is declared on the registrering with
`tilgangsrestriksjon`, `skjermingshjemmel` and `skjermingMetadata` (what is
withheld), so an archivist can see the legal basis (norwegian-standards §2, §4.2).

The legal basis comes from a table the archive office edits per municipality
(`ScreeningRule`, console page «Skjerming»); without a row the defaults below apply.
A record whose capture already decided its own screening (moderation of confidential
content, `body["confidentiality"]`) keeps that decision. Records are never changed
(AR-3): the screening is worked out when an export is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordstyrer.archive.canonical import MASK
from ordstyrer.archive.models import PoliceReportStatus, ScreeningReason, ScreeningRule
from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.permissions import require
from ordstyrer.core.services import person
from ordstyrer.language.masking import has_national_id, mask_national_ids

# (tilgangsrestriksjon, skjermingshjemmel) when the municipality has not set its own.
DEFAULTS: dict[str, tuple[str, str]] = {
    ScreeningReason.PERSONAL_DATA: ("13", "Offl. § 13 jf. fvl. § 13 (1) nr. 1"),
    ScreeningReason.POLICE: ("24", "Offl. § 24"),
}
CAPTURED = "captured"  # the record's own decision at capture (moderation)

# What is withheld, by metadata element: Ordstyrer's own markers, never written as they
# are. The deposit and the eFormidling arkivmelding write the metadata catalogue's M502
# values for them (`deposit_metadata`); Fiks Arkiv has no skjermingMetadata.
TITLE = "tittel"
PARTY_NAME = "korrespondansepartNavn"
# The public journal's stand-in for a withheld name.
SHIELDED_NAME = "Skjermet"
WHOLE_DOCUMENT = "Skjerming av hele dokumentet"

# The Noark 5 deposit (arkivuttrekk) writes the metadata catalogue's own values, not
# codes (noark5-standard vedlegg 1): M500 tilgangsrestriksjon «Unntatt offentlighet»
# (the legal basis stays in skjermingshjemmel), M502 skjermingMetadata per element
# withheld — the sender's and the recipient's names each for themselves — and M025:
# the words withheld from the public title are replaced with «******». Fiks Arkiv keeps
# its own code list and eFormidling the municipality's access code (`Screening.code`);
# eFormidling's skjermingMetadata is M502's values too (Noark 5 v3.1 delivers the
# catalogue's texts, not codes nor element names).
RESTRICTED = "Unntatt offentlighet"
DEPOSIT_TITLE = "Skjerming tittel registrering - utvalgte ord"
DEPOSIT_SENDER = "Skjerming navn avsender"
DEPOSIT_RECIPIENT = "Skjerming navn mottaker"
DEPOSIT_PARTY = {"EA": DEPOSIT_SENDER, "EM": DEPOSIT_RECIPIENT}
DEPOSIT_MASK = "******"


@dataclass(frozen=True)
class Screening:
    """What an export declares for one screened registrering."""

    reason: str
    code: str  # tilgangsrestriksjon
    authority: str  # skjermingshjemmel
    metadata: tuple[str, ...]  # skjermingMetadata
    names_hidden: bool  # the public journal shows «Skjermet» for the private party


def deposit_metadata(screening: Screening, parties: list[str]) -> tuple[str, ...]:
    """The M502 values of a screened journalpost in the deposit and the eFormidling
    arkivmelding, given the codes of its correspondence parties (`Item.parties`): the
    title, and the name of each private party (EA sender, EM recipient) whose name is
    withheld."""
    values: list[str] = []
    if TITLE in screening.metadata:
        values.append(DEPOSIT_TITLE)
    if PARTY_NAME in screening.metadata:
        values.extend(DEPOSIT_PARTY[code] for code in parties if code in DEPOSIT_PARTY)
    return tuple(dict.fromkeys(values)) or (DEPOSIT_TITLE,)


def masked_at_export(public_title: str) -> bool:
    """Whether the exports mask a national identity number in this stored public title
    (`export_public_title`): one the detector of its day missed when it was archived
    (PU-1). The same detector as the deposit check's (`language.masking`), so what it
    would find in a package is masked before it is written."""
    return has_national_id(public_title)


def export_public_title(public_title: str) -> str:
    """The public title as every export writes it (offentligTittel, PU-1, HS-06): the
    stored one with each fødselsnummer or D-number the masking finds today shown as
    «******12345» (`language.masking.mask_national_ids`, the product's one masking).
    Records are never changed (AR-3): a record archived while the detector missed a
    shape («f.nr.05099242649») keeps it in the archive, but no export shows it in
    clear — or the deposit check fails every deposit of its period, forever. Such a
    registrering declares its title screened (`title_withheld`)."""
    return mask_national_ids(public_title)


def deposit_public_title(public_title: str) -> str:
    """The public title as the deposit writes it (M025): national identity numbers
    masked (`export_public_title`), and every span masked as «[skjermet]» when the record
    was archived is «******». The record is not changed (AR-3)."""
    return export_public_title(public_title).replace(MASK, DEPOSIT_MASK)


def _party(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The private person a record is about (AR-2): the author of an inbound item (I),
    the person an outbound reply answers (U), the person an internal note is about (X:
    its recipient; the notes archived before they had one carried that citizen as
    author). Never who wrote the municipality's own post or reply."""
    direction = body["journal"]["direction"]
    if direction == "I":
        return body.get("author")
    if direction == "X":
        return body.get("recipient") or body.get("author")
    return body.get("recipient")


def _name(person: Mapping[str, Any] | None) -> str:
    return str((person or {}).get("name") or "").strip()


def private_party(body: Mapping[str, Any]) -> bool:
    """Whether the record names a private person as correspondence party: the author
    of an inbound item, or the person an outbound reply answers (an internal note has
    only the municipality as party)."""
    return body["journal"]["direction"] in ("I", "U") and bool(_name(_party(body)))


def title_withheld(body: Mapping[str, Any], *, title: str, public_title: str) -> bool:
    """Whether the public title withholds personal data the title has: a span masked
    as «[skjermet]», or the name of the private person the record is about (`_party`;
    an employee who wrote the municipality's post is no private party), or a national
    identity number the exports mask in it (`masked_at_export`, PU-1)."""
    if MASK in public_title or masked_at_export(public_title):
        return True
    if body["journal"]["direction"] == "X" and not body.get("recipient"):
        # An internal note archived while notes had the municipality as author and no
        # recipient (f85503b until bdbe9c6) names the citizen only in its title: a title
        # beyond the public one is withheld (records never change, AR-3).
        author = _name(body.get("author"))
        if author.endswith("(Ordstyrer)") and title.strip() != public_title.strip():
            return True
    name = _name(_party(body))
    return bool(name) and name in title and name not in public_title


def screening_for(
    body: Mapping[str, Any],
    *,
    title: str,
    public_title: str,
    police: bool,
    rules: Mapping[str, tuple[str, str]],
) -> Screening | None:
    """The screening of one record, or None when nothing is withheld (pure)."""
    names_hidden = private_party(body)
    metadata = []
    if title_withheld(body, title=title, public_title=public_title):
        metadata.append(TITLE)
    if names_hidden:
        metadata.append(PARTY_NAME)
    captured = body.get("confidentiality")
    if captured:
        # The whole record is confidential: title and names are withheld in any case.
        return Screening(
            CAPTURED,
            captured["code"],
            captured["authority"],
            (TITLE, PARTY_NAME) if names_hidden else (TITLE,),
            names_hidden,
        )
    if police:
        code, authority = rules[ScreeningReason.POLICE]
        return Screening(
            ScreeningReason.POLICE, code, authority, tuple(metadata) or (TITLE,), names_hidden
        )
    if not metadata:
        return None
    code, authority = rules[ScreeningReason.PERSONAL_DATA]
    return Screening(ScreeningReason.PERSONAL_DATA, code, authority, tuple(metadata), names_hidden)


def screening_rules(*, municipality: Any) -> dict[str, tuple[str, str]]:
    """The municipality's (code, authority) per reason, defaults filled in."""
    rules = dict(DEFAULTS)
    for rule in ScreeningRule.objects.filter(municipality=municipality):
        rules[rule.reason] = (rule.access_code, rule.authority)
    return rules


def screening_table(*, municipality: Any) -> list[dict[str, Any]]:
    """Rows for the console page: every reason with its current and default values."""
    stored = {r.reason: r for r in ScreeningRule.objects.filter(municipality=municipality)}
    rows = []
    for reason in ScreeningReason:
        rule = stored.get(reason.value)
        code, authority = DEFAULTS[reason.value]
        rows.append(
            {
                "reason": reason.value,
                "label": reason.label,
                "code": rule.access_code if rule else code,
                "authority": rule.authority if rule else authority,
                "default_code": code,
                "default_authority": authority,
                "is_default": rule is None,
                "updated_at": rule.updated_at if rule else None,
                "updated_by": rule.updated_by if rule else None,
            }
        )
    return rows


class ScreeningContext:
    """Built once per export: the rules and which records went to the police."""

    def __init__(self, municipality: Any) -> None:
        self.rules = screening_rules(municipality=municipality)
        self.police = set(
            PoliceReportStatus.objects.filter(record__municipality=municipality).values_list(
                "record_id", flat=True
            )
        )

    def for_record(self, record: Any, body: Mapping[str, Any]) -> Screening | None:
        return screening_for(
            body,
            title=record.title,
            public_title=record.public_title,
            police=record.pk in self.police,
            rules=self.rules,
        )


def screening_rule_set(
    *,
    actor: ActorLike,
    municipality: Any,
    reason: str,
    access_code: str,
    authority: str,
    now: datetime | None = None,
) -> ScreeningRule:
    """Set the legal basis the exports declare for one screening reason (AR-2)."""
    require(actor, municipality, "manage_screening")
    if reason not in ScreeningReason.values:
        raise ServiceError(gettext_lazy("Ukjent skjermingsgrunn."), rule="AR-2")
    access_code, authority = access_code.strip(), authority.strip()
    if not access_code or not authority:
        raise ServiceError(
            gettext_lazy("Fyll ut både tilgangsrestriksjon og skjermingshjemmel."), rule="AR-2"
        )
    with transaction.atomic():
        rule, _created = ScreeningRule.objects.select_for_update().update_or_create(
            municipality=municipality,
            reason=reason,
            defaults={
                "access_code": access_code,
                "authority": authority,
                "updated_by": person(actor),
                "updated_at": now or timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action="archive_screening_rule_set",
            municipality=municipality,
            obj=rule,
            data={"reason": reason, "access_code": access_code, "authority": authority},
        )
    return rule
