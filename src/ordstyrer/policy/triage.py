"""The findings a triaged comment carries for the editor (DI-12, DI-7, DI-8, MO-3), in the
municipality's words.

The language library suggests an action and labels a comment; what the guideline says
about such a comment is the policy's to write. `Policy.triage_findings` hands these to
`ordstyrer.language.triage`, which never imports the policy (policy sits above language:
`.importlinter`, "language-below-policy")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordstyrer.policy.types import Finding

if TYPE_CHECKING:
    from ordstyrer.policy.effective import Policy


def triage_findings(policy: Policy, labels: set[str], action: str) -> tuple[Finding, ...]:
    """Policy findings for the editor on a comment with these labels and this suggested
    action: DI-12, DI-7, DI-8, MO-3, each only where the municipality's guideline has it."""
    wanted: list[tuple[str, str, str, str]] = []
    if labels & {"sensitive", "rumour"}:
        wanted.append(
            (
                "DI-12",
                "block",
                "Ikke kommenter sensitive opplysninger, rykter eller spekulasjoner.",
                "Never comment on sensitive information, rumours or speculation.",
            )
        )
    if action == "refer_formal":
        wanted.append(
            (
                "DI-7",
                "warn",
                "Saksbehandling skjer ikke i sosiale medier: vis til formell kanal "
                "og journalfør henvendelsen.",
                "No case processing on social media: refer to a "
                "formal channel and journal the inquiry.",
            )
        )
    if action == "refer_political":
        wanted.append(
            (
                "DI-8",
                "warn",
                "Politiske spørsmål går til politisk nivå; ikke gi egne vurderinger.",
                "Political inquiries go to the political level; give no own assessment.",
            )
        )
    if "hate_speech" in labels:
        wanted.append(
            (
                "MO-3",
                "warn",
                "Mulig hatefull ytring (straffeloven § 185): arkiver og vurder politianmeldelse.",
                "Possible hateful speech (Penal Code § 185): archive and "
                "consider reporting to the police.",
            )
        )
    out = []
    for rule, severity, nb, en in wanted:
        citation = policy.citation(rule) if policy.applies(rule) else None
        if citation is not None:
            out.append(Finding(rule, severity, nb, en, citation))  # type: ignore[arg-type]
    return tuple(out)
