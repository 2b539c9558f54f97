"""The notice to a person whose comment is deleted or who is banned (MO-4). Pure Python.

One template per preset, in Bokmål and Nynorsk: the comment's written standard from
triage picks the language (Nynorsk for a Nynorsk comment, Bokmål otherwise). The text
names the ground in plain words (`policy.GROUNDS` labels), says what the municipality's
own guideline allows, and where to complain: the formal channel the preset names
(Midt-Telemark: e-mail and phone), otherwise the post office on the municipality's
website. The website is the one of `policy` (`policy_for`: the municipality's identity,
`Municipality.website`, over its preset's), as in replies. It never repeats what the
person wrote, and a public notice never names the person.

Gausdal has no template: its guideline gives no grounds, so it never deletes or bans.

A comment that goes with the municipality's own post when it takes the post down
(PU-6) was not judged: its notice (`render_with_post_notice`) gives no ground, only that
the comment goes with the post, and where to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ordstyrer.policy import GROUNDS

Kind = Literal["delete", "ban"]
LANGUAGES = ("nb", "nn")

# What each preset's guideline allows, in plain words (its MO-1 text, retold), with the
# municipality's own name filled in (a demo or another municipality on the same preset
# speaks in its own name, #15).
LEADS: dict[str, dict[str, str]] = {
    "indre-fosen": {
        "nb": "{municipality} sletter kommentarer og utestenger personer bare ved ren "
        "spam, hatefulle ytringer etter straffeloven § 185, eller brudd på taushetsplikten "
        "eller personvernet.",
        "nn": "{municipality} slettar kommentarar og stengjer ute personar berre ved "
        "rein spam, hatefulle ytringar etter straffelova § 185, eller brot på teieplikta "
        "eller personvernet.",
    },
    "rennebu": {
        "nb": "{municipality} sletter lovstridige innlegg, uthenging av enkeltpersoner, "
        "sjikane og lignende så snart kommunen ser dem.",
        "nn": "{municipality} slettar lovstridige innlegg, uthenging av enkeltpersonar, "
        "sjikane og liknande så snart kommunen ser dei.",
    },
    "midt-telemark": {
        "nb": "{municipality} sletter kommentarer bare i ekstraordinære tilfeller: når "
        "de inneholder personangrep, navngir tredjepersoner eller er i strid med norsk lov.",
        "nn": "{municipality} slettar kommentarar berre i ekstraordinære tilfelle: når "
        "dei inneheld personåtak, namngjev tredjepersonar eller er i strid med norsk lov.",
    },
    "birkenes": {
        "nb": "{municipality} sletter innlegg med sensitive opplysninger, rykter og "
        "spekulasjoner, og diskriminering skal ikke forekomme på kommunens kontoer.",
        "nn": "{municipality} slettar innlegg med sensitive opplysningar, rykte og "
        "spekulasjonar, og diskriminering skal ikkje førekome på kontoane til kommunen.",
    },
}
# Any other preset that lists grounds: the grounds themselves.
GENERIC_LEAD = {
    "nb": "{municipality} sletter kommentarer bare på disse grunnlagene: {grounds}.",
    "nn": "{municipality} slettar kommentarar berre på desse grunnlaga: {grounds}.",
}

OPENINGS: dict[str, dict[str, str]] = {
    "delete": {
        "nb": "Hei{greeting}! Vi har slettet en kommentar du skrev på «{channel}».",
        "nn": "Hei{greeting}! Vi har sletta ein kommentar du skreiv på «{channel}».",
    },
    "ban": {
        "nb": "Hei{greeting}! Du kan ikke lenger kommentere på {channel}.",
        "nn": "Hei{greeting}! Du kan ikkje lenger kommentere på {channel}.",
    },
}
REASON = {"nb": "Grunnen er: {ground}.", "nn": "Grunnen er: {ground}."}
# After the complaint address, where the municipality's website says more.
READ_MORE = {"nb": " (les mer på {website})", "nn": " (les meir på {website})"}
COMPLAINT = {
    "nb": "Mener du at vi har gjort feil, kan du klage til {municipality} {how}.",
    "nn": "Meiner du at vi har gjort feil, kan du klage til {municipality} {how}.",
}


@dataclass(frozen=True, slots=True)
class Notice:
    language: str
    text: str


def language_for(written_standard: str) -> str:
    """Nynorsk for a Nynorsk comment, Bokmål otherwise."""
    return "nn" if (written_standard or "").lower() in ("nn", "nno", "nynorsk") else "nb"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def where_to_complain(policy: Any, language: str, municipality: str, *, address: str = "") -> str:
    """Where to complain: the municipality's own complaint address from its moderation
    settings (with its website, MO-4); else the formal channel its policy names
    (`policy_for` names none for one on another's preset); else the post office on the
    municipality's site. The website is the policy's first domain: the one the
    municipality sets on its identity (`policy_for`), one source for replies and notices."""
    domains = tuple(getattr(policy, "domains", ()) or ())
    if address:
        where = f"på e-post til {address}"
        if domains:
            where += READ_MORE[language].format(website=domains[0])
        return where
    inquiry = getattr(policy, "formal_inquiry", None)
    if inquiry is not None and (inquiry.email or inquiry.phone):
        parts = []
        if inquiry.email:
            parts.append(f"på e-post til {inquiry.email}")
        if inquiry.phone:
            parts.append(f"på telefon {inquiry.phone}")
        return " eller ".join(parts)
    if language == "nn":
        site = domains[0] if domains else f"nettsida til {municipality}"
        return f"per e-post eller brev til postmottaket (adressa står på {site})"
    site = domains[0] if domains else f"nettsiden til {municipality}"
    return f"per e-post eller brev til postmottaket (adressen står på {site})"


# A comment deleted with the municipality's own post (PU-6): nobody judged it, so the
# notice gives no ground, only why it is gone (MO-4). A private message: a public
# comment would go with the post.
WITH_POST = {
    "nb": "Hei! {municipality} tar ned et innlegg på «{channel}», og kommentaren du skrev "
    "under det, blir slettet sammen med innlegget. Kommentaren blir ikke slettet på grunn "
    "av det du skrev.",
    "nn": "Hei! {municipality} tek ned eit innlegg på «{channel}», og kommentaren du skreiv "
    "under det, blir sletta saman med innlegget. Kommentaren blir ikkje sletta på grunn "
    "av det du skreiv.",
}
QUESTIONS = {
    "nb": "Har du spørsmål, kan du kontakte {municipality} {how}.",
    "nn": "Har du spørsmål, kan du kontakte {municipality} {how}.",
}


def render_with_post_notice(
    *,
    policy: Any,
    written_standard: str,
    channel_name: str,
    municipality_name: str = "",
    complaint_address: str = "",
) -> Notice:
    """The notice to the author of a comment the platform deletes with the
    municipality's own post, which it takes down (MO-4, PU-6): why the comment goes, and
    where to ask. In the comment's written standard; it names neither the person nor
    why the post is taken down (that reason may name someone, such as the person whose
    consent was withdrawn), and never repeats the comment."""
    language = language_for(written_standard)
    municipality = municipality_name or policy.municipality_name
    how = where_to_complain(policy, language, municipality, address=complaint_address)
    parts = [
        WITH_POST[language].format(municipality=municipality, channel=channel_name),
        QUESTIONS[language].format(municipality=municipality, how=how),
    ]
    return Notice(language=language, text=" ".join(parts))


def first_name(full_name: str) -> str:
    parts = (full_name or "").split()
    return parts[0] if parts else ""


def render_notice(
    *,
    kind: Kind,
    policy: Any,
    ground: str,
    written_standard: str,
    author_name: str,
    channel_name: str,
    municipality_name: str = "",
    complaint_address: str = "",
) -> Notice:
    """The notice for a deletion or a ban on `ground` under `policy` (MO-4).

    `author_name` greets the person by first name: give it only for a private message
    (a public notice never names the person). The municipality speaks in its own name
    (`municipality_name`, default the preset's), gives its `complaint_address` where it
    is set, and its website from `policy` (give `policy_for`'s: the identity's)."""
    if kind not in OPENINGS:
        raise ValueError(f"unknown notice kind {kind!r}")
    grounds = tuple(policy.grounds()) if policy.applies("MO-1") else ()
    if not grounds:
        raise ValueError(f"{policy.preset_id} lists no grounds: nothing is deleted or banned")
    if ground not in grounds:
        raise ValueError(f"{ground!r} is not a ground of {policy.preset_id}")
    language = language_for(written_standard)
    municipality = municipality_name or policy.municipality_name
    lead = LEADS.get(policy.preset_id, {}).get(language)
    if lead is not None:
        lead = lead.format(municipality=municipality)
    else:
        listed = ", ".join(_lower_first(GROUNDS[g].label(language)) for g in grounds)
        lead = GENERIC_LEAD[language].format(municipality=municipality, grounds=listed)
    name = first_name(author_name)
    parts = [
        OPENINGS[kind][language].format(greeting=f" {name}" if name else "", channel=channel_name),
        REASON[language].format(ground=_lower_first(GROUNDS[ground].label(language))),
        lead,
        COMPLAINT[language].format(
            municipality=municipality,
            how=where_to_complain(policy, language, municipality, address=complaint_address),
        ),
    ]
    return Notice(language=language, text=" ".join(parts))
