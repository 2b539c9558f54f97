"""PU — publishing (rules.md): the catalogue entries, and the checks on website parity
(PU-9), the posting frequency cap (PU-10) and crisis mode (PU-12).

The other PU checks live next door: media.py (PU-2, 3, 4, 6, 7), neutrality.py
(PU-8) and text_analysis.py (PU-1, PU-5).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ordstyrer.policy.rules._base import IN_FORCE, ParamSpec, Setting, Text, rule
from ordstyrer.policy.rules._findings import finding, phrases
from ordstyrer.policy.tables import CRISIS_APPROVERS, CRISIS_DECLARERS

if TYPE_CHECKING:
    from ordstyrer.policy.effective import Policy
    from ordstyrer.policy.types import CheckContext, Draft, Finding

OSLO = ZoneInfo("Europe/Oslo")

RULES = (
    rule(
        "PU-1",
        "block",
        (
            "Taushetsplikt og personopplysninger",
            "Teieplikt og personopplysningar",
            "Confidentiality and personal data",
        ),
        (
            "Publiser aldri taushetsbelagte opplysninger. Alt på sosiale medier, også i lukkede "
            "grupper, er offentlig: ingen fødselsnumre, helseopplysninger, navn på brukere eller "
            "elever eller detaljer fra enkeltsaker.",
            "Publiser aldri opplysningar som er underlagde teieplikt. Alt på sosiale medium, "
            "også i lukka grupper, er offentleg: ingen fødselsnummer, helseopplysningar, namn "
            "på brukarar eller elevar eller detaljar frå enkeltsaker.",
            "Never publish confidential information. Everything on social media, closed groups "
            "included, is public: no national ID numbers, health data, names of clients or "
            "pupils, or case details.",
        ),
        draft_check=True,
    ),
    rule(
        "PU-2",
        "block",
        (
            "Informasjonen i teksten, ikke bare i bildet",
            "Informasjonen i teksten, ikkje berre i biletet",
            "Information in the text, not only in an image",
        ),
        (
            "Universell utforming: skriv informasjonen i selve innlegget, aldri bare som plakat "
            "eller bilde.",
            "Universell utforming: skriv informasjonen i sjølve innlegget, aldri berre som "
            "plakat eller bilete.",
            "Universal design: put the information in the post text, never only in a poster or "
            "image.",
        ),
        draft_check=True,
        params={"min_words": ParamSpec("int", minimum=0)},
    ),
    rule(
        "PU-3",
        "block",
        ("Teksting av video", "Teksting av video", "Captioned video"),
        (
            "Video skal tekstes når informasjonen ligger i det som blir sagt.",
            "Video skal tekstast når informasjonen ligg i det som blir sagt.",
            "Video must be captioned when its information is spoken.",
        ),
        draft_check=True,
    ),
    rule(
        "PU-4",
        "warn",
        ("Alternativ tekst på bilder", "Alternativ tekst på bilete", "Alt text on images"),
        (
            "Bilder skal ha en alternativ tekst som beskriver innholdet – ikke et filnavn eller "
            "bare «bilde».",
            "Bilete skal ha ein alternativ tekst som skildrar innhaldet – ikkje eit filnamn "
            "eller berre «bilete».",
            "Images need a text alternative describing them — not a file name or just “image”.",
        ),
        draft_check=True,
    ),
    rule(
        "PU-5",
        "warn",
        ("Klarspråk", "Klarspråk", "Plain language"),
        (
            "Skriv klart: ingen faguttrykk eller forkortelser, korte setninger og et lettlest "
            "språk.",
            "Skriv klart: ingen faguttrykk eller forkortingar, korte setningar og eit lettlese "
            "språk.",
            "Write plainly: no jargon or abbreviations, short sentences, easy to read.",
        ),
        draft_check=True,
        params={"lix_max": ParamSpec("float", minimum=0)},
    ),
    rule(
        "PU-6",
        "block",
        (
            "Samtykke til bilder av personer",
            "Samtykke til bilete av personar",
            "Consent for photos of people",
        ),
        (
            "Bilder av gjenkjennbare personer krever samtykke før bildet tas; bilder av barn "
            "krever signert samtykkeskjema. Harmløse situasjonsbilder fra offentlige "
            "arrangementer (17. mai-tog, kulturarrangementer) er unntatt.",
            "Bilete av personar som kan kjennast att, krev samtykke før biletet blir teke; "
            "bilete av barn krev signert samtykkeskjema. Harmlause situasjonsbilete frå "
            "offentlege arrangement (17. mai-tog, kulturarrangement) er unnatekne.",
            "Photos of recognisable people need their consent before the photo is taken; photos "
            "of children need a signed consent form. Harmless situational photos from public "
            "events (17 May parade, cultural events) are exempt.",
        ),
        draft_check=True,
    ),
    rule(
        "PU-7",
        "block",
        ("Opphavsrett", "Opphavsrett", "Copyright"),
        (
            "Publiser aldri et bilde uten fotografens samtykke, og legg aldri musikk til video "
            "før du vet at den kan brukes.",
            "Publiser aldri eit bilete utan samtykke frå fotografen, og legg aldri musikk til "
            "video før du veit at han kan brukast.",
            "Never publish a photo without the photographer's consent; no music in videos unless "
            "its use is cleared.",
        ),
        draft_check=True,
    ),
    rule(
        "PU-8",
        "warn",
        (
            "Politisk og religiøs nøytralitet",
            "Politisk og religiøs nøytralitet",
            "Political and religious neutrality",
        ),
        (
            "Ikke gi egne vurderinger av saker til politisk behandling; vis til rådmannens "
            "innstilling der den finnes. Unngå politiske og religiøse ytringer i strid med "
            "kommunens linje, og ingen diskriminering.",
            "Ikkje gi eigne vurderingar av saker til politisk handsaming; vis til innstillinga "
            "frå rådmannen der ho finst. Unngå politiske og religiøse ytringar i strid med linja "
            "til kommunen, og inga diskriminering.",
            "No own assessment of matters under political consideration; refer to the chief "
            "administrator's recommendation where one exists; avoid political or religious "
            "statements contrary to the official line; no discrimination.",
        ),
        draft_check=True,
    ),
    rule(
        "PU-9",
        "warn",
        (
            "Også på kommunens nettside",
            "Også på nettsida til kommunen",
            "Also on the municipality's website",
        ),
        (
            "Viktig informasjon skal også ligge på kommunens nettside; lenk til den fra innlegget.",
            "Viktig informasjon skal også liggje på nettsida til kommunen; lenk til henne frå "
            "innlegget.",
            "Important information must also be on the municipality's website; link to it from "
            "the post.",
        ),
        draft_check=True,
        params={"requires_link": ParamSpec("bool"), "topics": ParamSpec("str_list")},
    ),
    rule(
        "PU-10",
        "warn",
        ("Tak på antall innlegg", "Tak på talet på innlegg", "Posting frequency cap"),
        (
            # The caps are the municipality's settings (`weekly_cap`, `daily_cap`): the
            # guide's values line says them, so a changed cap is never contradicted here.
            "Kommunens hovedside har et tak på hvor mange nyhetssaker den publiserer i uka "
            "og per virkedag, foto- og filmnyheter medregnet. Andre kontoer publiserer ved "
            "behov.",
            "Hovudsida til kommunen har eit tak på kor mange nyheitssaker ho publiserer i "
            "veka og per yrkedag, foto- og filmnyheiter medrekna. Andre kontoar publiserer "
            "ved behov.",
            "The main page has a cap on how many news items it publishes a week and per "
            "working day, photo and film news included; other accounts publish as needed.",
        ),
        draft_check=True,
        params={
            "weekly_cap": ParamSpec("int", minimum=1),
            "daily_cap": ParamSpec("int", minimum=1),
        },
    ),
    rule(
        "PU-11",
        "doc",
        (
            "Aktuelt og faktabasert innhold",
            "Aktuelt og faktabasert innhald",
            "Current, fact-based content",
        ),
        (
            "Publiser aktuell, relevant og faktabasert informasjon som støtter kommunens mål; "
            "arrangementer der kommunen er aktør, kan kunngjøres.",
            "Publiser aktuell, relevant og faktabasert informasjon som støttar måla til "
            "kommunen; arrangement der kommunen er aktør, kan kunngjerast.",
            "Publish current, relevant, fact-based information supporting the municipality's "
            "goals; events where the municipality is an actor may be announced.",
        ),
    ),
    rule(
        "PU-12",
        "block",
        (
            "Krise: kriseledelsen godkjenner",
            "Krise: kriseleiinga godkjenner",
            "Crisis: the crisis leader approves",
        ),
        (
            "Mens en krise er erklært, går all kommunikasjon gjennom kriseledelsen, og "
            "kriselederen godkjenner all informasjon som går ut.",
            "Medan ei krise er erklært, går all kommunikasjon gjennom kriseleiinga, og "
            "kriseleiaren godkjenner all informasjon som går ut.",
            "While a crisis is declared, all communication goes through the crisis staff and "
            "the crisis leader approves all information.",
        ),
        draft_check=True,
        # What a declared crisis switches on (ordstyrer.crisis): new posts and replies wait
        # for approval; the crisis leader and the named deputies approve, and any role
        # `approvers` adds. `declared_by`: who declares and ends a crisis — the crisis
        # leader always, and the roles listed; Birkenes and Gausdal list the chief
        # administrator instead of communications, whose guidelines have the rådmann set
        # up the crisis management. Deputies are named by the crisis leader, and by the
        # chief administrator where it declares (ordstyrer.crisis).
        params={
            "approve_posts": ParamSpec("bool"),
            "approve_replies": ParamSpec("bool"),
            "approvers": ParamSpec("str_list", choices=frozenset(CRISIS_APPROVERS)),
            "declared_by": ParamSpec("str_list", choices=frozenset(CRISIS_DECLARERS)),
        },
    ),
)


# PU-12 where the municipality's settings let posts or replies go out without the crisis
# leader (`approve_posts`, `approve_replies`): the catalogue's title and text say the
# crisis leader approves all information, which is then not so. What still happens is
# what `ordstyrer.crisis` does whatever the settings: scheduled posts and posts waiting
# for an approval pause when the crisis is declared (`posts_pausable`), and what goes out
# is entered in the crisis log — in the words of the crisis page (`crisis.views`).
CRISIS_TITLES = {
    (True, False): Text(
        "Krise: kriseledelsen godkjenner innlegg",
        "Krise: kriseleiinga godkjenner innlegg",
        "Crisis: the crisis leader approves posts",
    ),
    (False, True): Text(
        "Krise: kriseledelsen godkjenner svar",
        "Krise: kriseleiinga godkjenner svar",
        "Crisis: the crisis leader approves replies",
    ),
    (False, False): Text(
        "Krise: godkjenning slått av",
        "Krise: godkjenning slått av",
        "Crisis: approval switched off",
    ),
}
# One of the two waits: the values line (the guide) or the boxes ticked (the settings
# page) say which, and who approves.
CRISIS_PARTLY = Text(
    "Under en krise venter bare noe av det som går ut, på godkjenning (se under); resten "
    "går ut som vanlig og føres i kriseloggen. Planlagte innlegg settes på pause når krisen "
    "erklæres.",
    "Under ei krise ventar berre noko av det som går ut, på godkjenning (sjå under); resten "
    "går ut som vanleg og blir ført i kriseloggen. Planlagde innlegg blir sette på pause "
    "når krisa blir erklært.",
    "During a crisis only some of what goes out waits for approval (see below); the rest "
    "goes out as usual and is entered in the crisis log. Scheduled posts are paused when "
    "the crisis is declared.",
)
CRISIS_UNAPPROVED = Text(
    "Godkjenning er slått av her: under en krise går nye innlegg og svar ut uten å vente "
    "på kriselederen, og alt som går ut, føres i kriseloggen. Planlagte innlegg og innlegg "
    "som venter på godkjenning, settes likevel på pause når krisen erklæres.",
    "Godkjenning er slått av her: under ei krise går nye innlegg og svar ut utan å vente "
    "på kriseleiaren, og alt som går ut, blir ført i kriseloggen. Planlagde innlegg og "
    "innlegg som ventar på godkjenning, blir likevel sette på pause når krisa blir erklært.",
    "Approval is switched off here: during a crisis new posts and replies go out without "
    "waiting for the crisis leader, and everything that goes out is entered in the crisis "
    "log. Scheduled posts and posts waiting for approval are still paused when the crisis "
    "is declared.",
)


def crisis_setting(params: Mapping[str, Any]) -> Setting:
    """What PU-12's settings leave in force: on (posts and replies wait, the catalogue's
    words), partly (one of them) or off (neither)."""
    key = (bool(params.get("approve_posts", True)), bool(params.get("approve_replies", True)))
    if key == (True, True):
        return IN_FORCE
    text = CRISIS_PARTLY if any(key) else CRISIS_UNAPPROVED
    return Setting("partly" if any(key) else "off", CRISIS_TITLES[key], text)


# PU-9 with neither a link required (`requires_link`) nor topics that call for one: the
# check asks for nothing, so the guide must not say "link to it from the post".
WEBSITE_OFF = Setting(
    "off",
    Text(
        "Også på kommunens nettside: slått av",
        "Også på nettsida til kommunen: slått av",
        "Also on the municipality's website: switched off",
    ),
    Text(
        "Slått av her: kommunen krever ikke at innlegg lenker til kommunens nettside, og "
        "Ordstyrer sjekker det ikke.",
        "Slått av her: kommunen krev ikkje at innlegg lenkjer til nettsida til kommunen, og "
        "Ordstyrer sjekkar det ikkje.",
        "Switched off here: the municipality does not require posts to link to its website, "
        "and Ordstyrer does not check it.",
    ),
)


def website_setting(params: Mapping[str, Any]) -> Setting:
    """What PU-9's settings leave in force: on (a link always, or on the topics listed;
    the values line says which), or off (neither)."""
    return IN_FORCE if params.get("requires_link") or params.get("topics") else WEBSITE_OFF


# The PU rules a municipality's settings switch off, wholly or in part (`render`).
SWITCHES = {"PU-9": website_setting, "PU-12": crisis_setting}


# PU-11 in the guide: each guideline's own statements, said where the preset's citation
# holds their words (as `employees.GUIDE`): only Birkenes' names events.
GUIDE: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "PU-11": (
        (
            r"aktuell, relevant og basert på fakta",  # R «Publiser informasjon som er …»
            "Publiser informasjon som er aktuell, relevant og basert på fakta.",
            "Publiser informasjon som er aktuell, relevant og basert på fakta.",
            "Publish information that is current, relevant and based on facts.",
        ),
        (
            r"mål og visjon",  # R «Støtt opp om kommunens mål og visjon.»
            "Støtt opp om kommunens mål og visjon.",
            "Støtt opp om måla og visjonen til kommunen.",
            "Support the municipality's goals and vision.",
        ),
        (
            r"arrangementer",  # B «… informere om arrangementer der kommunen er en aktør.»
            "Kommunens kontoer kan brukes til å informere om arrangementer der kommunen er en "
            "aktør.",
            "Kontoane til kommunen kan brukast til å informere om arrangement der kommunen er "
            "ein aktør.",
            "The municipality's accounts may be used to inform about events where the "
            "municipality is an actor.",
        ),
    ),
}


# ------------------------------------------------------------------ PU-9 website parity

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>«»\"')\]]+|\b[\w-]+(?:\.[\w-]+)*\.kommune\.no(?:/[^\s<>«»\"')\]]*)?",
    re.IGNORECASE,
)


def _hosts(draft: Draft) -> Iterator[str]:
    candidates = list(draft.links) + [m.group() for m in _URL.finditer(draft.text)]
    for raw in candidates:
        url = raw.strip().rstrip(".,;:!?")
        if "://" not in url:
            url = "http://" + url
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:  # not a URL at all ("[", "http://[x"): no host to compare
            continue
        if host:
            yield host


def links_to_own_site(draft: Draft, domains: tuple[str, ...]) -> bool:
    """True when a link (or a URL in the text) points at the municipality's own website."""
    wanted = tuple(d.lower() for d in domains)
    return any(host == d or host.endswith("." + d) for host in _hosts(draft) for d in wanted)


def _topic_pattern(topics: tuple[str, ...]) -> re.Pattern[str] | None:
    if not topics:
        return None
    # A stem so that inflected forms match: "budsjettet", "økonomisk", "organiseringen".
    stems = [re.escape(t[: max(5, len(t) - 3)]) + r"[\wæøå]*" for t in topics]
    return phrases(*stems)


def check_website_parity(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-9: news without a link to the municipality's own site, where the preset asks."""
    if ctx.kind != "post" or not draft.text.strip():
        return []
    params = policy.params("PU-9")
    # Without the municipality's own domain (one that adopted another's preset and has not
    # set its website) any link may be to its site: the check cannot tell, so it does not block.
    if links_to_own_site(draft, policy.domains) or (not policy.domains and any(_hosts(draft))):
        return []
    # Without a known website the message names none, rather than the fallback words in
    # brackets after the same words («nettsida til kommunen (kommunens nettside)»).
    site = policy.domains[0] if policy.domains else ""
    at = f" ({site})" if site else ""
    if params.get("requires_link"):
        return [
            finding(
                policy,
                "PU-9",
                f"Innlegget lenker ikke til kommunens nettside{at}. Legg informasjonen "
                "også ut som en sak på nettsiden, og lenk til den.",
                f"The post does not link to the municipality's website{at}. Publish the "
                "information there as well and link to it.",
                nn=f"Innlegget lenkjer ikkje til nettsida til kommunen{at}. Legg "
                "informasjonen ut som ei sak på nettsida også, og lenk til henne.",
            )
        ]
    pattern = _topic_pattern(tuple(params.get("topics", ())))
    match = pattern.search(draft.text) if pattern else None
    if match is None:
        return []
    word = match.group()
    return [
        finding(
            policy,
            "PU-9",
            f"Innlegget handler om «{word}». Slik informasjon skal ligge på kommunens nettside"
            f"{at}; lenk til den fra innlegget.",
            f"The post is about “{word}”. Such information belongs on the municipality's "
            f"website{at}; link to it from the post.",
            nn=f"Innlegget handlar om «{word}». Slik informasjon skal liggje på nettsida til "
            f"kommunen{at}; lenk til henne frå innlegget.",
            span=(match.start(), match.end()),
        )
    ]


# ------------------------------------------------------------------ PU-10 frequency cap


def check_frequency_cap(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-10: at most `weekly_cap` a week and `daily_cap` a day, on the main page only."""
    if ctx.kind != "post" or not ctx.is_main_page:
        return []
    if ctx.now is None:
        return [
            finding(
                policy,
                "PU-10",
                "Tidspunktet for publisering er ukjent, så taket på antall innlegg på "
                "hovedsiden kan ikke sjekkes.",
                "The publishing time is unknown, so the main page's posting cap cannot be checked.",
                nn="Tidspunktet for publisering er ukjent, så taket på talet på innlegg på "
                "hovudsida kan ikkje sjekkast.",
                severity="warn",
            )
        ]
    params = policy.params("PU-10")
    week, day = week_and_day_counts(ctx.publishing_history, ctx.now)
    week, day = week + 1, day + 1  # the draft itself
    out: list[Finding] = []
    if week > params["weekly_cap"]:
        out.append(
            finding(
                policy,
                "PU-10",
                f"Dette blir innlegg nr. {week} denne uka på hovedsiden; taket er "
                f"{params['weekly_cap']} i uka. Vurder å samle saker eller vente til neste uke.",
                f"This would be post no. {week} this week on the main page; the cap is "
                f"{params['weekly_cap']} a week. Consider combining items or waiting.",
                nn=f"Dette blir innlegg nr. {week} denne veka på hovudsida; taket er "
                f"{params['weekly_cap']} i veka. Vurder å samle saker eller vente til neste veke.",
            )
        )
    if day > params["daily_cap"]:
        out.append(
            finding(
                policy,
                "PU-10",
                f"Dette blir innlegg nr. {day} i dag på hovedsiden; taket er "
                f"{params['daily_cap']} per virkedag.",
                f"This would be post no. {day} today on the main page; the cap is "
                f"{params['daily_cap']} per working day.",
                nn=f"Dette blir innlegg nr. {day} i dag på hovudsida; taket er "
                f"{params['daily_cap']} per vyrkedag.",
            )
        )
    return out


def week_and_day_counts(history: tuple[datetime, ...], now: datetime) -> tuple[int, int]:
    """Posts already in `now`'s ISO week and on its date (Europe/Oslo) — for reports."""
    here = now.astimezone(OSLO)
    local = [stamp.astimezone(OSLO) for stamp in history]
    week = sum(1 for s in local if s.isocalendar()[:2] == here.isocalendar()[:2])
    return week, sum(1 for s in local if s.date() == here.date())


# ------------------------------------------------------------------ PU-12 crisis


def check_crisis(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """PU-12: while a crisis is declared nothing goes out without the crisis leader's approval."""
    if not ctx.crisis_active or ctx.crisis_approved:
        return []
    return [
        finding(
            policy,
            "PU-12",
            "Kommunen er i krisemodus: all kommunikasjon går via kriseledelsen. Kriselederen må "
            "godkjenne teksten før den kan publiseres.",
            "The municipality is in crisis mode: all communication goes through the crisis "
            "staff. The crisis leader must approve the text before it is published.",
            nn="Kommunen er i krisemodus: all kommunikasjon går via kriseleiinga. Kriseleiaren "
            "må godkjenne teksten før han kan publiserast.",
        )
    ]


CHECKS = {
    "PU-9": check_website_parity,
    "PU-10": check_frequency_cap,
    "PU-12": check_crisis,
}

__all__ = ["CHECKS", "RULES", "links_to_own_site", "week_and_day_counts"]
