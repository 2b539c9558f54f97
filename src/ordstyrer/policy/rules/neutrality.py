"""PU-8 — political and religious neutrality: phrase heuristics in Bokmål and Nynorsk.

A municipality's channel must not take a side on a matter for political
decision, and must not make religious statements. We look for the channel
speaking as "we"/"the municipality" with an opinion, in a text that is about
a political process, and for outright calls to vote. Referring to the chief
administrator's recommendation (innstilling) is what the guidelines ask for,
so a sentence that does that is left alone. A warning, never a block:
wording this varied cannot be judged with certainty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordstyrer.policy.rules._findings import finding, phrases, quote, sentences

if TYPE_CHECKING:
    from ordstyrer.policy.effective import Policy
    from ordstyrer.policy.types import CheckContext, Draft, Finding

# The text is about something for political decision.
POLITICAL_CONTEXT = phrases(
    r"kommunestyre[\wæøå]*",
    r"formannskap[\wæøå]*",
    r"bystyre[\wæøå]*",
    r"(?:hoved|hovud)?utval(?:g)?[\wæøå]*",
    r"politisk[\wæøå]*",
    r"til\s+(?:behandling|handsaming)",
    r"politiker[\wæøå]*|politikar[\wæøå]*",
    r"høring[\wæøå]*|høyring[\wæøå]*",
    r"budsjettforslag[\wæøå]*|økonomiplan[\wæøå]*",
    r"kommunesammenslåing[\wæøå]*|kommunesamanslåing[\wæøå]*",
    r"skolestruktur[\wæøå]*|nedlegging[\wæøå]*|nedleggelse[\wæøå]*",
    r"folkeavstemning[\wæøå]*|folkerøysting[\wæøå]*|valg(?:et|kamp[\wæøå]*)?|val(?:et)?",
    r"parti(?:et|ene|a)|ordfører(?:en)?",
)

# The channel itself holding an opinion (nb, nn).
OPINION = phrases(
    r"(?:vi|kommunen)\s+(?:mener|meiner|synes|syns|synest)",
    r"etter\s+vår\s+(?:mening|meining|vurdering|syn)",
    r"vi\s+(?:støtter|støttar|går\s+inn\s+for|er\s+(?:imot|mot|for|uenige|usamde|ueinige))",
    r"vi\s+(?:håper|håpar|ønsker|ønskjer)\s+(?:at\s+)?(?:politiker|politikar|kommunestyre|"
    r"formannskap|flertallet|fleirtalet)[\wæøå]*",
    r"(?:et|eit)\s+(?:godt|dårlig|dårleg|klokt|uklokt|feil|riktig|rett)\s+(?:forslag|vedtak)",
    r"det\s+(?:beste|verste|eneste\s+riktige|einaste\s+rette)\s+(?:forslaget|alternativet)",
    r"heldigvis\s+(?:vedtok|vedtek|ble|vart|blei)",
    r"dessverre\s+(?:vedtok|vedtek|ble|vart|blei)",
)

# Calls to vote or to decide a certain way: a side taken even without context.
TAKING_SIDES = phrases(
    r"stem(?:me)?\s+(?:på|for|mot|ja|nei)",
    r"røyst(?:e)?\s+(?:på|for|mot|ja|nei)",
    r"(?:politikerne|politikarane|kommunestyret|formannskapet|flertallet|fleirtalet)\s+"
    r"(?:bør|må|skal)\s+(?:vedta|stemme|røyste|si\s+(?:ja|nei)|gå\s+inn\s+for|velge|velje)",
    r"vi\s+(?:oppfordrer|oppmodar|anbefaler|tilrår|ber)\s+(?:politikerne|politikarane|"
    r"kommunestyret|formannskapet|alle)\s+(?:til\s+å\s+)?(?:om\s+å\s+)?"
    r"(?:stemme|røyste|vedta|si|gå)",
)

RELIGIOUS = phrases(
    r"gud\s+(?:velsigne|signe)",
    r"guds\s+(?:vilje|ord|velsignelse|velsigning)",
    r"la\s+oss\s+(?:be|bede)",
    r"be\s+til\s+gud",
    r"(?:ta\s+imot|tru\s+på|tro\s+på)\s+jesus",
    r"jesus\s+(?:frelser|er\s+herre|er\s+vegen|er\s+veien)",
    r"den\s+(?:eneste|einaste)\s+sanne\s+(?:tro|trua|troen)",
    r"allahu\s+akbar",
)

# A sentence that reports the recommendation is doing what the guideline asks.
RECOMMENDATION = phrases(
    r"innstilling(?:a|en)?",
    r"(?:kommunedirektøren|rådmannen)\s+(?:mener|meiner|anbefaler|tilrår|foreslår|gjer\s+framlegg)",
)


def check_neutrality(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-8: the channel taking a side on a political matter, or a religious statement."""
    political = POLITICAL_CONTEXT.search(draft.text) is not None
    out: list[Finding] = []
    for offset, sentence in sentences(draft.text):
        if RECOMMENDATION.search(sentence):
            continue
        match = TAKING_SIDES.search(sentence) or (political and OPINION.search(sentence)) or None
        if match:
            span = (offset + match.start(), offset + match.end())
            words = quote(draft.text, span)
            out.append(
                finding(
                    policy,
                    "PU-8",
                    f"«{words}» kan leses som at kommunen tar stilling i en sak til politisk "
                    "behandling. Kommunens kanaler er politisk nøytrale: gi ikke egne "
                    "vurderinger, vis heller til rådmannens innstilling eller vedtaket.",
                    f"“{words}” may read as the municipality taking a side on a matter for "
                    "political decision. Its channels are politically neutral: give no own "
                    "assessment; refer to the chief administrator's recommendation or the "
                    "decision instead.",
                    nn=f"«{words}» kan lesast som at kommunen tek stilling i ei sak til politisk "
                    "handsaming. Kanalane til kommunen er politisk nøytrale: gi ikkje eigne "
                    "vurderingar, vis heller til innstillinga frå rådmannen eller vedtaket.",
                    span=span,
                )
            )
            continue
        religious = RELIGIOUS.search(sentence)
        if religious:
            span = (offset + religious.start(), offset + religious.end())
            words = quote(draft.text, span)
            out.append(
                finding(
                    policy,
                    "PU-8",
                    f"«{words}» er en religiøs ytring. Kommunens kanaler er religiøst nøytrale.",
                    f"“{words}” is a religious statement. The municipality's channels are "
                    "religiously neutral.",
                    nn=f"«{words}» er ei religiøs ytring. Kanalane til kommunen er religiøst "
                    "nøytrale.",
                    span=span,
                )
            )
    return out


CHECKS = {"PU-8": check_neutrality}
