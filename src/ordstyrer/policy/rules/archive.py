"""AR — archive and records (rules.md). Enforced by the archive app."""

from __future__ import annotations

from ordstyrer.policy.rules._base import rule

RULES = (
    rule(
        "AR-1",
        "record",
        (
            "Arkivverdig innhold registreres",
            "Arkivverdig innhald blir registrert",
            "Archive-worthy content is registered",
        ),
        (
            "Henvendelser som krever saksbehandling, journalføres; innlegg som er "
            "saksbehandling eller har dokumentasjonsverdi, arkiveres. Arkivloven gjelder også "
            "sosiale medier.",
            "Førespurnader som krev sakshandsaming, blir journalførte; innlegg som er "
            "sakshandsaming eller har dokumentasjonsverdi, blir arkiverte. Arkivlova gjeld "
            "også sosiale medium.",
            "Inquiries needing case processing are journaled; posts that are case processing "
            "or have documentation value are archived. The archive act applies to social media.",
        ),
    ),
    rule(
        "AR-2",
        "record",
        ("Overføring til arkivet", "Overføring til arkivet", "Transfer to the archive"),
        (
            "Servicetorget/arkivet registrerer arkivverdig materiale; Ordstyrer leverer "
            "postene til kommunens Noark 5-arkiv i standardformat.",
            "Servicetorget/arkivet registrerer arkivverdig materiale; Ordstyrer leverer "
            "postane til Noark 5-arkivet til kommunen i standardformat.",
            "The service office / archive registers archive-worthy material; Ordstyrer hands "
            "records to the municipality's Noark 5 archive in a standard format.",
        ),
    ),
    rule(
        "AR-3",
        "record",
        ("Arkivet kan ikke endres", "Arkivet kan ikkje endrast", "The archive cannot be altered"),
        (
            "Ingenting som er arkivert, kan endres eller fjernes i det stille.",
            "Ingenting som er arkivert, kan endrast eller fjernast i det stille.",
            "Nothing archived can be altered or silently removed.",
        ),
    ),
)
