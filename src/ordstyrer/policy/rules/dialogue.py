"""DI — dialogue with the public (rules.md): catalogue entries, and the checks on a reply's
tone (DI-5), personal opinions (DI-6) and first-name signature (DI-9).

Tone and opinion are phrase heuristics in Bokmål and Nynorsk and give warnings;
the signature is a plain fact and blocks where the preset demands it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ordstyrer.policy.rules._base import IN_FORCE, ParamSpec, Setting, Text, rule
from ordstyrer.policy.rules._findings import finding, phrases, quote

if TYPE_CHECKING:
    from ordstyrer.policy.effective import Policy
    from ordstyrer.policy.types import CheckContext, Draft, Finding

# DI-1's response targets in working hours: far below `worktime.MAX_WORKING_HOURS`.
MAX_RESPONSE_HOURS = 500

RULES = (
    rule(
        "DI-1",
        "flow",
        ("Svartid", "Svartid", "Response time"),
        (
            "Svar på spørsmål og kommentarer, også negative, så raskt som mulig innenfor normal "
            "arbeidstid. Fristene regnes i norsk arbeidstid, uten helger og helligdager.",
            "Svar på spørsmål og kommentarar, også negative, så raskt som mogleg innanfor "
            "normal arbeidstid. Fristane blir rekna i norsk arbeidstid, utan helgar og "
            "heilagdagar.",
            "Answer questions and comments, negative ones included, as fast as possible within "
            "normal working hours. Deadlines are computed in Norwegian working time, excluding "
            "weekends and public holidays.",
        ),
        # At most 500 working hours (about 13 weeks): a typo such as 75000 for 7.5 went
        # past the working-time clock's limit and made every deadline fail (review s18).
        params={
            "first_response_hours": ParamSpec("float", minimum=0, maximum=MAX_RESPONSE_HOURS),
            "answer_hours": ParamSpec("float", minimum=0, maximum=MAX_RESPONSE_HOURS),
        },
    ),
    rule(
        "DI-2",
        "flow",
        ("Bekreft mottak", "Stadfest mottak", "Acknowledge receipt"),
        (
            "Har du ikke svaret, bekreft at henvendelsen er mottatt og at mer kommer, eller "
            "henvis til riktig instans.",
            "Har du ikkje svaret, stadfest at førespurnaden er motteken og at meir kjem, eller "
            "vis vidare til rett instans.",
            "If the answer is not at hand, acknowledge receipt and say more will follow, or "
            "refer to the right body.",
        ),
    ),
    rule(
        "DI-3",
        "flow",
        ("Takk og svar", "Takk og svar", "Thank and answer"),
        (
            "Takk for ros og konstruktive tilbakemeldinger, svar på nøytrale kommentarer til "
            "kommunen, og svar alltid på negative kommentarer – men vurder hvor lenge dialogen "
            "skal fortsette.",
            "Takk for ros og konstruktive tilbakemeldingar, svar på nøytrale kommentarar til "
            "kommunen, og svar alltid på negative kommentarar – men vurder kor lenge dialogen "
            "skal halde fram.",
            "Thank for praise and constructive feedback; answer neutral comments addressed to "
            "the municipality; always answer negative comments but decide how long to continue.",
        ),
    ),
    rule(
        "DI-4",
        "flow",
        ("Rett opp faktafeil", "Rett opp faktafeil", "Correct factual errors"),
        (
            "Rett alltid opp faktafeil.",
            "Rett alltid opp faktafeil.",
            "Always correct factual errors.",
        ),
    ),
    rule(
        "DI-5",
        "warn",
        ("Tone", "Tone", "Tone"),
        (
            "Vær vennlig, høflig og positiv, også mot negative kommentarer; personlig og "
            "profesjonell. Tilpass formen etter henvendelsen, og vær forsiktig med ironi og "
            "sarkasme.",
            "Ver venleg, høfleg og positiv, også mot negative kommentarar; personleg og "
            "profesjonell. Tilpass forma etter førespurnaden, og ver varsam med ironi og sarkasme.",
            "Be friendly, polite and positive, also towards negative comments; personal and "
            "professional. Adapt the form to the inquiry; be careful with irony and sarcasm.",
        ),
        draft_check=True,
    ),
    rule(
        "DI-6",
        "warn",
        ("Ingen personlige meninger", "Ingen personlege meiningar", "No personal opinions"),
        (
            "Skriv ikke dine personlige meninger; vis til vedtak, regler og rutiner.",
            "Skriv ikkje dei personlege meiningane dine; vis til vedtak, reglar og rutinar.",
            "No personal opinions; refer to decisions, rules and routines.",
        ),
        draft_check=True,
    ),
    rule(
        "DI-7",
        "flow + record",
        (
            "Ingen saksbehandling i sosiale medier",
            "Inga sakshandsaming i sosiale medium",
            "No case processing on social media",
        ),
        (
            "Henvendelser som krever saksbehandling, besvares med en oppfordring om å bruke en "
            "formell kanal (e-post, brev, skjema), og henvendelsen journalføres.",
            "Førespurnader som krev sakshandsaming, blir svara på med ei oppmoding om å bruke ein "
            "formell kanal (e-post, brev, skjema), og førespurnaden blir journalført.",
            "Inquiries needing case processing are answered by pointing to a formal channel "
            "(e-mail, letter, form), and the inquiry is journaled.",
        ),
    ),
    rule(
        "DI-8",
        "flow",
        ("Politiske henvendelser", "Politiske førespurnader", "Political inquiries"),
        (
            "Politiske henvendelser henvises til politisk nivå; gi ikke egne vurderinger av "
            "saker til politisk behandling.",
            "Politiske førespurnader blir viste vidare til politisk nivå; gi ikkje eigne vurderingar av "
            "saker til politisk handsaming.",
            "Political inquiries go to the political level; give no own assessment of matters "
            "for political decision.",
        ),
    ),
    rule(
        "DI-9",
        "block",
        ("Signer med fornavn", "Signer med førenamn", "Sign with your first name"),
        (
            "Generelle svar signeres med ditt eget fornavn.",
            "Generelle svar blir signerte med ditt eige førenamn.",
            "Sign general replies with your own first name.",
        ),
        draft_check=True,
        params={"first_name_required": ParamSpec("bool")},
    ),
    rule(
        "DI-10",
        "flow",
        ("Si fra om vanskelige saker", "Sei frå om vanskelege saker", "Raise difficult matters"),
        (
            "Saker som kan skade omdømmet, eller ubehagelige situasjoner, tas opp med "
            "kommunens kontaktperson for sosiale medier.",
            "Saker som kan skade omdømet, eller ubehagelege situasjonar, blir tekne opp med "
            "kontaktpersonen for sosiale medium i kommunen.",
            "Matters that may harm the municipality's reputation, or unpleasant situations, "
            "are taken to its social media contact.",
        ),
    ),
    rule(
        "DI-11",
        "flow",
        (
            "Meld fra om uønskede ytringer",
            "Meld frå om uønskte ytringar",
            "Report unwanted statements",
        ),
        (
            "Ansatte som ser uønskede ytringer på kommunens kontoer, melder fra til nærmeste "
            "leder og til administratoren av kontoen.",
            "Tilsette som ser uønskte ytringar på kontoane til kommunen, melder frå til næraste "
            "leiar og til administratoren av kontoen.",
            "Employees who see unwanted statements on the municipality's accounts report them "
            "to their leader and the account's administrator.",
        ),
    ),
    rule(
        "DI-12",
        "block",
        (
            "Ikke kommenter rykter og sensitive opplysninger",
            "Ikkje kommenter rykte og sensitive opplysningar",
            "No comments on rumours or sensitive information",
        ),
        (
            "Kommenter aldri sensitive opplysninger, rykter eller spekulasjoner; slike innlegg "
            "slettes.",
            "Kommenter aldri sensitive opplysningar, rykte eller spekulasjonar; slike innlegg "
            "blir sletta.",
            "Never comment on sensitive information, rumours or speculation; such posts are "
            "deleted.",
        ),
    ),
)

# DI-9 where the municipality's settings switch the signature off (`first_name_required`):
# the catalogue's title and text would demand what nothing checks.
SIGNATURE_OFF = Setting(
    "off",
    Text(
        "Signatur med fornavn: slått av",
        "Signatur med førenamn: slått av",
        "First-name signature: switched off",
    ),
    Text(
        "Slått av her: kommunen krever ikke at svar signeres med eget fornavn, og Ordstyrer "
        "sjekker ikke signaturen.",
        "Slått av her: kommunen krev ikkje at svar blir signerte med eige førenamn, og "
        "Ordstyrer sjekkar ikkje signaturen.",
        "Switched off here: the municipality does not require replies to be signed with "
        "your own first name, and Ordstyrer does not check the signature.",
    ),
)


def signature_setting(params: Mapping[str, Any]) -> Setting:
    """What DI-9's settings leave in force: on, or off."""
    return IN_FORCE if params.get("first_name_required", True) else SIGNATURE_OFF


# The DI rules a municipality's settings switch off (`render`).
SWITCHES = {"DI-9": signature_setting}


# What the employee guide says under DI-10: each guideline's own statements, shown when
# the preset's citation holds their words (as `employees.GUIDE`). Only Gausdal's names the
# rådmann team; Indre Fosen's asks for word about unpleasant situations (docs/inbox.md:
# escalation adds the rådmann team on the same words). They name «kontaktpersonen», as
# EM-9 does, never the guideline's title for them: the «Kontakt:» line under the text
# names the contact the municipality set (`policy.contact`).
GUIDE: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "DI-10": (
        (
            r"omdømmekritiske",  # G «Mulig omdømmekritiske saker skal koordineres av …»
            "Saker som kan være omdømmekritiske, koordineres av kontaktpersonen for sosiale "
            "medier.",
            "Saker som kan vere omdømekritiske, blir koordinerte av kontaktpersonen for "
            "sosiale medium.",
            "Matters that may be reputation-critical are coordinated by the contact person for "
            "social media.",
        ),
        (
            r"rådmannsteam",  # G «… i samråd med rådmannsteam.»
            "Det skjer i samråd med rådmannsteamet.",
            "Det skjer i samråd med rådmannsteamet.",
            "This is done together with the chief administrator's team.",
        ),
        (
            r"ubehagelige situasjoner",  # F «Gi beskjed til administrasjonen via …»
            "Kommer du i ubehagelige situasjoner i sosiale medier i rollen som ansatt, gi "
            "beskjed til administrasjonen via kontaktpersonen for sosiale medier.",
            "Kjem du i ubehagelege situasjonar i sosiale medium i rolla som tilsett, gi "
            "beskjed til administrasjonen via kontaktpersonen for sosiale medium.",
            "If you end up in an unpleasant situation on social media in your role as an "
            "employee, tell the administration through the contact person for social media.",
        ),
    ),
}

# ------------------------------------------------------------------ DI-5 tone

DISMISSIVE = phrases(
    r"det\s+står\s+(?:jo|faktisk)",
    r"som\s+(?:vi|jeg|eg)\s+(?:allerede\s+|alt\s+)?har\s+(?:sagt|skrevet|skrive|forklart)",
    r"les\s+deg\s+opp",
    r"du\s+(?:tar|tek)\s+(?:helt\s+|heilt\s+)?feil",
    r"du\s+har\s+(?:helt\s+|heilt\s+)?misforstått",
    r"du\s+burde\s+(?:vite|visst)",
    r"slutt\s+å\s+(?:klage|mase|syte|sutre)",
    r"hold\s+kjeft|hald\s+kjeft|skjerp\s+deg|ta\s+deg\s+(?:sammen|saman)",
    r"tull(?:et)?|tøv(?:et)?|tøys(?:et)?|sludder|vrøvl",
    r"idiot(?:isk|er|ar)?|dum(?:t|me)?|teit|latterlig|latterleg|håpløs(?:t)?|sutring",
    r"faen|jævla|jævlig|helvete|dritt(?:en)?",
)
IRONY = phrases(
    r"ja,?\s+(?:sikkert|visst)",
    r"takk\s+for\s+ingenting",
    r"(?:gratulerer|lykke\s+til)\s+med\s+det",
    r"så\s+(?:morsomt|artig|festleg)",
    r"jada|jaja|lol|haha\w*|hehe\w*",
)
_EMOJI_IRONY = re.compile("[\U0001f644\U0001f602\U0001f923\U0001f60f\U0001f612]")
_SHOUTING = re.compile(r"\b[A-ZÆØÅ]{3,}(?:\s+[A-ZÆØÅ]{3,})+\b|!{2,}")


def check_tone(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """DI-5: dismissive or rude words, irony markers, shouting — in a reply."""
    if ctx.kind != "reply":
        return []
    out: list[Finding] = []
    for pattern, nb, nn, en in (
        (
            DISMISSIVE,
            "kan virke avvisende eller uhøflig",
            "kan verke avvisande eller uhøfleg",
            "may read as dismissive or rude",
        ),
        (
            IRONY,
            "kan leses som ironi eller sarkasme",
            "kan lesast som ironi eller sarkasme",
            "may read as irony or sarcasm",
        ),
        (
            _EMOJI_IRONY,
            "kan leses som ironi eller sarkasme",
            "kan lesast som ironi eller sarkasme",
            "may read as irony or sarcasm",
        ),
        (_SHOUTING, "kan virke som roping", "kan verke som roping", "may read as shouting"),
    ):
        for match in pattern.finditer(draft.text):
            span = (match.start(), match.end())
            words = quote(draft.text, span)
            out.append(
                finding(
                    policy,
                    "DI-5",
                    f"«{words}» {nb}. Vær vennlig, høflig og positiv, også mot negative "
                    "kommentarer.",
                    f"“{words}” {en}. Be friendly, polite and positive, also towards negative "
                    "comments.",
                    nn=f"«{words}» {nn}. Ver venleg, høfleg og positiv, også mot negative "
                    "kommentarar.",
                    span=span,
                )
            )
    return sorted(out, key=lambda f: f.span or (0, 0))


# ------------------------------------------------------------------ DI-6 personal opinion

PERSONAL_OPINION = phrases(
    r"(?:jeg|eg)\s+(?:personlig\s+|personleg\s+)?(?:mener|meiner|synes|syns|synest)",
    r"(?:personlig|personleg)\s+(?:mener|meiner|synes|syns|synest)\s+(?:jeg|eg)",
    r"etter\s+(?:min|mi)\s+(?:mening|meining)|etter\s+mitt\s+syn",
    r"min\s+(?:personlige\s+)?mening|mi\s+(?:personlege\s+)?meining",
    r"(?:jeg|eg)\s+er\s+(?:helt\s+|heilt\s+)?(?:enig|einig|samd|uenig|ueinig|usamd|imot)",
    r"(?:jeg|eg)\s+(?:liker|likar)\s+(?:ikke|ikkje)",
)


def check_personal_opinion(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """DI-6: the person replying gives their own opinion instead of the municipality's basis."""
    if ctx.kind != "reply":
        return []
    out = []
    for match in PERSONAL_OPINION.finditer(draft.text):
        span = (match.start(), match.end())
        words = quote(draft.text, span)
        out.append(
            finding(
                policy,
                "DI-6",
                f"«{words}» er en personlig mening. Svar på vegne av kommunen: vis til vedtak, "
                "regler og rutiner.",
                f"“{words}” is a personal opinion. Answer for the municipality: refer to "
                "decisions, rules and routines.",
                nn=f"«{words}» er ei personleg meining. Svar på vegner av kommunen: vis til "
                "vedtak, reglar og rutinar.",
                span=span,
            )
        )
    return out


# ------------------------------------------------------------------ DI-9 signature

_GREETING = re.compile(
    r"(?:^[-–—~]+\s*|(?:(?<=\s)|(?<=[.!?])|^)(?:(?:med\s+)?(?:vennlig|venleg|beste|mange)\s+"
    r"(?:hilsen|helsing)|hilsen|helsing|hilsing|mvh|vh)\.?\s*,?\s*)(?=[A-ZÆØÅ])",
    re.IGNORECASE,
)
_LAST_WORD = re.compile(r"(?<=[.!?])\s+([A-ZÆØÅ][\wæøå-]*)\s*$")
_NAME = re.compile(r"[A-ZÆØÅ][a-zæøåéèüöä]+(?:-[A-ZÆØÅ][a-zæøåéèüöä]+)?")
_SURNAME = re.compile(r"^(?:[A-ZÆØÅ][\wæøå-]*\.?)(?:\s+[A-ZÆØÅ][\wæøå-]*\.?)?$")


def signature(text: str) -> tuple[int, str, bool] | None:
    """(offset, signature text, after a greeting?) of a reply's signature, if it has one."""
    stripped = text.rstrip()
    start = stripped.rfind("\n") + 1
    line = stripped[start:]
    greetings = list(_GREETING.finditer(line))
    if greetings:
        last = greetings[-1]
        return start + last.start(), line[last.end() :], True
    if start > 0 and not line.rstrip().endswith((".", "!", "?")) and len(line.split()) <= 5:
        return start, line.strip(), False  # a short last line of its own: "Kari"
    lone = _LAST_WORD.search(line)  # "Takk for tipset! Kari"
    if lone:
        return start + lone.start(1), lone.group(1), False
    return None


def check_signature(draft: Draft, policy: Policy, ctx: CheckContext) -> list[Finding]:
    """DI-9: a general reply ends with the replier's own first name — and only that."""
    if ctx.kind != "reply" or not policy.params("DI-9").get("first_name_required", True):
        return []
    end = len(draft.text.rstrip())
    expected = (ctx.signer_first_name or "").strip()
    found = signature(draft.text)
    if found is not None:
        offset, rest, greeted = found
        rest = rest.strip()
        name = _NAME.match(rest)
        if name and (not expected or name.group().casefold() == expected.casefold()):
            tail = rest[name.end() :]
            after = tail.strip(" ,.!")
            if not after or tail.lstrip().startswith(",") or "kommune" in after.lower():
                return []
            if _SURNAME.match(after):
                span = (offset, end)
                return [
                    finding(
                        policy,
                        "DI-9",
                        f"Signaturen «{quote(draft.text, span)}» ser ut til å ha mer enn "
                        "fornavnet. Skriv under med eget navn, kun fornavn.",
                        f"The signature “{quote(draft.text, span)}” seems to hold more than the "
                        "first name. Sign with your own first name only.",
                        nn=f"Signaturen «{quote(draft.text, span)}» ser ut til å ha meir enn "
                        "førenamnet. Skriv under med eige namn, berre førenamnet.",
                        span=span,
                    )
                ]
            if greeted:  # "Hilsen Kari i kulturavdelinga"
                return []
    who = f" («{expected}»)" if expected else ""
    who_en = f" (“{expected}”)" if expected else ""
    example = expected or "Kari"
    return [
        finding(
            policy,
            "DI-9",
            f"Svaret er ikke signert med fornavnet ditt{who}. Avslutt med for eksempel "
            f"«Hilsen {example}».",
            f"The reply is not signed with your first name{who_en}. End with e.g. "
            f"“Hilsen {example}”.",
            nn=f"Svaret er ikkje signert med førenamnet ditt{who}. Avslutt til dømes med "
            f"«Helsing {example}».",
        )
    ]


CHECKS = {
    "DI-5": check_tone,
    "DI-6": check_personal_opinion,
    "DI-9": check_signature,
}
