"""PU-2, PU-3, PU-4, PU-6, PU-7 — checks on a draft's attachments (rules.md, and the
universal-design rules UU-01…UU-03 and UU-14 of norwegian-standards.md § 3).

What we cannot see in a file (speech, faces, consent) the editor states in the
Media fields; a field a rule needs that was not stated gives a `warn`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ordstyrer.policy.rules._findings import finding, phrases, quote, unknown, word_count

if TYPE_CHECKING:
    from ordstyrer.policy.effective import Policy
    from ordstyrer.policy.types import CheckContext, Draft, Finding, Media

_TYPE_Q = (
    "Oppgi typen (image, video, gif, audio).",
    "State the type (image, video, gif, audio).",
    "Oppgi typen (image, video, gif, audio).",
)

# ------------------------------------------------------------------ PU-2 info only in an image

# "se plakaten", "sjå biletet", "info i bildet", "står på plakaten" …
_IMAGE_NOUN = (
    r"(?:plakat(?:en)?|bilde(?:t)?|bilete(?:t)?|vedlegg(?:et)?|flyer(?:en)?|flygeblad(?:et)?|"
    r"oppslag(?:et)?|invitasjon(?:en)?|annonse(?:n)?|illustrasjon(?:en)?|grafikk(?:en)?)"
)
_SEE_IMAGE = phrases(
    rf"(?:se|sjå|sjekk|les)\s+(?:vedlagt(?:e)?\s+|vedlagd(?:e)?\s+)?{_IMAGE_NOUN}",
    rf"(?:info|informasjon|detaljer|mer\s+info|meir\s+info|program(?:met)?)\s+"
    rf"(?:står\s+|finn\s+du\s+|finner\s+du\s+)?(?:i|på)\s+{_IMAGE_NOUN}",
    rf"(?:står|stend)\s+(?:i|på)\s+{_IMAGE_NOUN}",
    r"se\s+vedlagt",
    r"sjå\s+vedlagt",
)


def check_image_only(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-2: the text points the reader to an attached image, or there is hardly any text."""
    out: list[Finding] = []
    for index, media in enumerate(draft.media):
        if media.type is None:
            out.append(unknown(policy, "PU-2", index, "type", *_TYPE_Q))
    if not any(m.is_image for m in draft.media):
        return out
    match = _SEE_IMAGE.search(draft.text)
    if match:
        out.append(
            finding(
                policy,
                "PU-2",
                f"Teksten viser til bildet («{match.group()}»). Informasjonen må stå i selve "
                "innlegget, ikke bare i bildet, så den kan leses med skjermleser og oversettes.",
                f"The text points to the image (“{match.group()}”). The information must be in "
                "the post text itself, not only in the image, so screen readers and translation "
                "can reach it.",
                nn=f"Teksten viser til biletet («{match.group()}»). Informasjonen må stå i sjølve "
                "innlegget, ikkje berre i biletet, så han kan lesast med skjermlesar og "
                "omsetjast.",
                span=(match.start(), match.end()),
            )
        )
        return out
    min_words = int(policy.params("PU-2").get("min_words", 5))
    words = word_count(draft.text)
    if words < min_words:
        # We cannot read the image, so this is a doubt, not a verdict: warn.
        out.append(
            finding(
                policy,
                "PU-2",
                f"Innlegget har bilde, men bare {words} ord tekst. Står informasjonen bare i "
                "bildet? Skriv den i innlegget.",
                f"The post has an image but only {words} words of text. Is the information only "
                "in the image? Write it in the post.",
                nn=f"Innlegget har bilete, men berre {words} ord tekst. Står informasjonen berre "
                "i biletet? Skriv han i innlegget.",
                severity="warn",
            )
        )
    return out


# ------------------------------------------------------------------ PU-3 captions


def check_captions(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-3: a video whose information is spoken must be captioned."""
    out: list[Finding] = []
    for index, media in enumerate(draft.media):
        if media.type is None:
            out.append(unknown(policy, "PU-3", index, "type", *_TYPE_Q))
            continue
        if not media.is_video or media.captions is True:
            continue
        if media.speech is None:
            out.append(
                unknown(
                    policy,
                    "PU-3",
                    index,
                    "speech",
                    "Er det tale i filmen? Da må den tekstes.",
                    "Is there speech in the video? Then it must be captioned.",
                    "Er det tale i filmen? Då må han tekstast.",
                )
            )
        elif media.speech and media.captions is None:
            out.append(
                unknown(
                    policy,
                    "PU-3",
                    index,
                    "captions",
                    "Filmen har tale – er den tekstet?",
                    "The video has speech — is it captioned?",
                    "Filmen har tale – er han teksta?",
                )
            )
        elif media.speech:
            out.append(
                finding(
                    policy,
                    "PU-3",
                    f"Vedlegg {index + 1}: filmen har tale, men er ikke tekstet. Legg til "
                    "teksting (undertekster) før publisering.",
                    f"Attachment {index + 1}: the video has speech but no captions. Add captions "
                    "before publishing.",
                    nn=f"Vedlegg {index + 1}: filmen har tale, men er ikkje teksta. Legg til "
                    "teksting (undertekstar) før publisering.",
                )
            )
    return out


# ------------------------------------------------------------------ PU-4 alt text

_FILE_NAME = re.compile(
    r"^(?:.*\.(?:jpe?g|png|gif|heic|webp|tiff?|bmp)|(?:img|dsc|dscn|pxl|photo|screenshot|"
    r"skjermbilde)[\s_-]*[\d_-]+.*|[\d_-]+)$",
    re.IGNORECASE,
)
_GENERIC_ALT = {
    "bilde",
    "bildet",
    "bilete",
    "biletet",
    "foto",
    "fotografi",
    "image",
    "photo",
    "picture",
    "illustrasjon",
    "grafikk",
    "plakat",
    "plakaten",
    "alt",
    "alt-tekst",
    "alternativ tekst",
    "bilde av",
    "et bilde",
    "eit bilete",
    "img",
    "pic",
}


def alt_text_problem(alt: str | None) -> str | None:
    """Why an alt text is useless ('missing', 'file_name', 'generic'), or None if it is fine."""
    if alt is None or not alt.strip():
        return "missing"
    cleaned = alt.strip().strip(".!").strip()
    if _FILE_NAME.match(cleaned):
        return "file_name"
    if cleaned.lower() in _GENERIC_ALT:
        return "generic"
    return None


def check_alt_text(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-4: every image needs a meaningful text alternative (WCAG 1.1.1, UU-01)."""
    out: list[Finding] = []
    for index, media in enumerate(draft.media):
        if media.type is None:
            out.append(unknown(policy, "PU-4", index, "type", *_TYPE_Q))
            continue
        if not media.is_image:
            continue
        problem = alt_text_problem(media.alt)
        if problem == "missing":
            out.append(
                finding(
                    policy,
                    "PU-4",
                    f"Vedlegg {index + 1}: bildet mangler alternativ tekst. Beskriv kort hva "
                    "bildet viser.",
                    f"Attachment {index + 1}: the image has no alt text. Briefly describe what "
                    "it shows.",
                    nn=f"Vedlegg {index + 1}: biletet manglar alternativ tekst. Skildre kort kva "
                    "biletet viser.",
                )
            )
        elif problem:
            alt = quote(media.alt or "", (0, len(media.alt or "")))
            out.append(
                finding(
                    policy,
                    "PU-4",
                    f"Vedlegg {index + 1}: den alternative teksten «{alt}» beskriver ikke "
                    "bildet. Skriv hva bildet viser.",
                    f"Attachment {index + 1}: the alt text “{alt}” does not describe the image. "
                    "Write what it shows.",
                    nn=f"Vedlegg {index + 1}: den alternative teksten «{alt}» skildrar ikkje "
                    "biletet. Skriv kva biletet viser.",
                )
            )
    return out


# ------------------------------------------------------------------ PU-6 consent


def _visual(media: Media) -> bool:
    return media.type != "audio"


def check_consent(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-6: consent for recognisable people, a signed form for children; crowds are exempt."""
    out: list[Finding] = []
    for index, media in enumerate(draft.media):
        if not _visual(media):
            continue
        if media.people is None:
            out.append(
                unknown(
                    policy,
                    "PU-6",
                    index,
                    "people",
                    "Viser bildet gjenkjennbare personer (recognisable), en folkemengde (crowd) "
                    "eller ingen (none)?",
                    "Does it show recognisable people, a crowd, or none?",
                    "Viser biletet personar som kan kjennast att (recognisable), ei folkemengd (crowd) "
                    "eller ingen (none)?",
                )
            )
            continue
        if media.people != "recognisable":  # "none", or a harmless crowd scene: exempt
            continue
        out.extend(_consent_findings(policy, index, media))
    return out


def _consent_findings(policy: Policy, index: int, media: Media) -> list[Finding]:
    if media.children is None:
        # The children question stays a question (a warn), but it does not stand in for
        # the adults' consent: recognisable people with no consent block whatever the
        # children answer is (PU-6 is a block rule; QA: a photo with nobody registered
        # went out on an override reason because "children" was left blank).
        return [
            unknown(
                policy,
                "PU-6",
                index,
                "children",
                "Er det barn på bildet? Da trengs signert samtykkeskjema.",
                "Are there children in it? Then a signed consent form is needed.",
                "Er det barn på biletet? Då trengst det signert samtykkeskjema.",
            ),
            *_adult_consent_findings(policy, index, media),
        ]
    if not media.children:
        return _adult_consent_findings(policy, index, media)
    # Children need the signed form (their guardians' consent, UU-14), and the adults shown
    # with them still need their own (QA: a withdrawn adult consent was ignored here).
    # `consent` not stated beside the form is a photo of children only: the form covers it.
    # A missing form already blocks; `publishing.checks.media_facts` then also reports
    # `consent=False` when no adult is registered, which is the same gap, not a second one.
    out = _children_form_findings(policy, index, media)
    if media.consent is False and media.consent_form is not False:
        out.extend(_adult_consent_findings(policy, index, media))
    return out


def _children_form_findings(policy: Policy, index: int, media: Media) -> list[Finding]:
    n = index + 1
    if media.consent_form is None:
        return [
            unknown(
                policy,
                "PU-6",
                index,
                "consent_form",
                "Finnes det signert samtykkeskjema for barna?",
                "Is there a signed consent form for the children?",
                "Finst det signert samtykkeskjema for barna?",
            )
        ]
    if not media.consent_form:
        return [
            finding(
                policy,
                "PU-6",
                f"Vedlegg {n}: bildet viser barn, og det finnes ikke signert samtykkeskjema. "
                "Bilder av barn krever samtykkeskjema før bildet tas.",
                f"Attachment {n}: the image shows children and there is no signed consent "
                "form. Photos of children need a consent form before they are taken.",
                nn=f"Vedlegg {n}: biletet viser barn, og det finst ikkje signert "
                "samtykkeskjema. Bilete av barn krev samtykkeskjema før biletet blir teke.",
            )
        ]
    return []


def _adult_consent_findings(policy: Policy, index: int, media: Media) -> list[Finding]:
    n = index + 1
    if media.consent is None:
        return [
            unknown(
                policy,
                "PU-6",
                index,
                "consent",
                "Har de avbildede samtykket?",
                "Have the people shown consented?",
                "Har dei som er avbilda, samtykt?",
            )
        ]
    if not media.consent:
        return [
            finding(
                policy,
                "PU-6",
                f"Vedlegg {n}: bildet viser gjenkjennbare personer uten samtykke. Få samtykke "
                "før publisering (harmløse situasjonsbilder fra offentlige arrangementer er "
                "unntatt).",
                f"Attachment {n}: the image shows recognisable people without their consent. "
                "Get consent before publishing (harmless scenes from public events are exempt).",
                nn=f"Vedlegg {n}: biletet viser personar som kan kjennast att, utan samtykke. "
                "Få samtykke før publisering (harmlause situasjonsbilete frå offentlege "
                "arrangement er unnatekne).",
            )
        ]
    return []


# ------------------------------------------------------------------ PU-7 copyright


def check_copyright(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-7: the photographer's consent for every photo/video, cleared music in videos."""
    out: list[Finding] = []
    for index, media in enumerate(draft.media):
        n = index + 1
        if _visual(media):
            if media.photographer_consent is None:
                out.append(
                    unknown(
                        policy,
                        "PU-7",
                        index,
                        "photographer_consent",
                        "Har fotografen samtykket til publisering?",
                        "Has the photographer consented to publication?",
                        "Har fotografen samtykt til publisering?",
                    )
                )
            elif not media.photographer_consent:
                who = f" ({media.photographer})" if media.photographer else ""
                out.append(
                    finding(
                        policy,
                        "PU-7",
                        f"Vedlegg {n}: fotografen{who} har ikke samtykket til publisering.",
                        f"Attachment {n}: the photographer{who} has not consented to publication.",
                        nn=f"Vedlegg {n}: fotografen{who} har ikkje samtykt til publisering.",
                    )
                )
        if media.type in ("video", "audio") or media.type is None:
            if media.music_cleared is None:
                out.append(
                    unknown(
                        policy,
                        "PU-7",
                        index,
                        "music_cleared",
                        "Har opptaket musikk, og er bruken i så fall klarert?",
                        "Does the recording have music, and if so is its use cleared?",
                        "Har opptaket musikk, og er bruken i så fall klarert?",
                    )
                )
            elif not media.music_cleared:
                out.append(
                    finding(
                        policy,
                        "PU-7",
                        f"Vedlegg {n}: musikken i opptaket er ikke klarert. Bruk musikk som kan "
                        "brukes fritt, eller fjern den.",
                        f"Attachment {n}: the music in the recording is not cleared. Use music "
                        "that may be used freely, or remove it.",
                        nn=f"Vedlegg {n}: musikken i opptaket er ikkje klarert. Bruk musikk som "
                        "kan brukast fritt, eller fjern han.",
                    )
                )
    return out


CHECKS = {
    "PU-2": check_image_only,
    "PU-3": check_captions,
    "PU-4": check_alt_text,
    "PU-6": check_consent,
    "PU-7": check_copyright,
}
