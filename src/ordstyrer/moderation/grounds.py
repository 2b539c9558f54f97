"""The municipality's deletion grounds (MO-1), as choices and as refusals in its own words.

`policy.grounds()` lists the ground codes a preset allows (`policy.GROUNDS` holds their
labels in nb/nn/en). A deletion or ban on any other ground is refused with the
guideline's words (`policy.citation("MO-1")`). A preset without grounds (Gausdal: its
guideline names none) cannot delete or ban at all; hiding is still possible.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from ordstyrer.core.errors import ServiceError, finding_text, lazy_interpolate
from ordstyrer.policy import GROUNDS, check_deletion

MAX_JUSTIFICATION = 2000
MIN_JUSTIFICATION = 10


def allowed_grounds(policy: Any) -> tuple[str, ...]:
    """The ground codes on which `policy` allows deletion and bans; () if none."""
    if not policy.applies("MO-1"):
        return ()
    return tuple(policy.grounds())


def ground_label(code: str, lang: str = "nb") -> str:
    label = GROUNDS.get(code)
    return label.label(lang) if label is not None else code


def ground_choices(policy: Any, lang: str = "nb") -> list[tuple[str, str]]:
    return [(code, ground_label(code, lang)) for code in allowed_grounds(policy)]


def citation_text(policy: Any) -> str:
    """The guideline's own words on deletion, with where they stand."""
    citation = policy.citation("MO-1")
    if citation is None:
        return ""
    return f"«{citation.text}» ({citation.municipality}, {citation.section})"


def no_grounds_error(policy: Any, what: str) -> ServiceError:
    """Gausdal and any preset without MO-1: nothing may be deleted or banned."""
    return ServiceError(
        lazy_interpolate(
            gettext_lazy(
                "Retningslinjen til %(municipality)s gir ingen grunnlag for å %(what)s, så "
                "Ordstyrer gjør det ikke (MO-1). Skjul kommentaren hvis den ikke skal vises, og "
                "ta saken med kommunikasjonsrådgiveren."
            ),
            {"municipality": policy.municipality_name, "what": what},
        ),
        rule="MO-1",
        code="no_grounds",
    )


def require_ground(policy: Any, ground: str, *, what: str) -> None:
    """Raise unless `ground` is one the municipality's guideline allows (MO-1)."""
    allowed = allowed_grounds(policy)
    if not allowed:
        raise no_grounds_error(policy, what)
    if ground in allowed:
        return
    findings = check_deletion(policy, ground)
    # defensive: check_deletion and allowed_grounds always agree today
    reason = (
        finding_text(findings[0])
        if findings
        else lazy_interpolate(
            gettext_lazy("Grunnlaget «%(ground)s» er ikke et av kommunens slettegrunnlag."),
            {"ground": ground_label(ground)},
        )
    )
    raise ServiceError(
        lazy_interpolate(
            gettext_lazy("%(reason)s Retningslinjen sier: %(citation)s"),
            {"reason": reason, "citation": citation_text(policy)},
        ),
        rule="MO-1",
        code="ground_not_allowed",
    )


def clean_justification(text: Any, *, kind: str = "delete") -> str:
    """A short justification is required for deletions and bans (MO-1, MO-2); the
    refusal names the act it is archived with (`kind`: "delete" or "ban")."""
    value = " ".join(str(text or "").split())
    if len(value) < MIN_JUSTIFICATION:
        if kind == "ban":
            message = gettext_lazy(
                "Skriv en kort begrunnelse (minst %(n)s tegn); den arkiveres med utestengingen."
            )
        else:
            message = gettext_lazy(
                "Skriv en kort begrunnelse (minst %(n)s tegn); den arkiveres med slettingen."
            )
        raise ServiceError(
            lazy_interpolate(message, {"n": MIN_JUSTIFICATION}),
            rule="MO-2",
            code="justification",
        )
    if len(value) > MAX_JUSTIFICATION:
        raise ServiceError(
            lazy_interpolate(
                gettext_lazy("Begrunnelsen kan være høyst %(n)s tegn."), {"n": MAX_JUSTIFICATION}
            ),
            code="justification",
        )
    return value
