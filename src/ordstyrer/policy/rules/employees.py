"""EM — employees' own use of social media: guidance, rendered in the guideline (rules.md)."""

from __future__ import annotations

from ordstyrer.policy.rules._base import rule

RULES = (
    rule(
        "EM-1",
        "doc",
        (
            "Ytringsfrihet og taushetsplikt",
            "Ytringsfridom og teieplikt",
            "Freedom of expression and confidentiality",
        ),
        (
            "Du har ytringsfrihet, men taushetsplikten gjelder også i sosiale medier – også "
            "etter at du har sluttet.",
            "Du har ytringsfridom, men teieplikta gjeld også i sosiale medium – også etter at "
            "du har slutta.",
            "You have freedom of expression, but confidentiality applies on social media too — "
            "also after you have left.",
        ),
    ),
    rule(
        "EM-2",
        "doc",
        ("Vær tydelig på rollen din", "Ver tydeleg på rolla di", "Be clear about your role"),
        (
            "Det du skriver, kan bli lest som kommunens syn. Si tydelig fra at du ikke uttaler "
            "deg på vegne av kommunen når det kan være tvil.",
            "Det du skriv, kan bli lese som synet til kommunen. Sei tydeleg frå at du ikkje "
            "uttaler deg på vegner av kommunen når det kan vere tvil.",
            "Whatever you write may be read as the municipality's position; say clearly that "
            "you do not speak for it when in doubt.",
        ),
    ),
    rule(
        "EM-3",
        "doc",
        (
            "Kontakt med brukere og elever",
            "Kontakt med brukarar og elevar",
            "Contact with service users and pupils",
        ),
        (
            "Tenk nøye gjennom kontakt med elever, brukere, pårørende og leverandører i sosiale "
            "medier.",
            "Tenk nøye gjennom kontakt med elevar, brukarar, pårørande og leverandørar i "
            "sosiale medium.",
            "Think carefully before contact with pupils, users, relatives and suppliers on "
            "social media.",
        ),
    ),
    rule(
        "EM-4",
        "doc",
        (
            "Lukkede grupper er offentlige",
            "Lukka grupper er offentlege",
            "Closed groups are public",
        ),
        (
            "Det du skriver i lukkede grupper, er også offentlig, og internett glemmer ikke.",
            "Det du skriv i lukka grupper, er også offentleg, og internett gløymer ikkje.",
            "What you write in closed groups is public too, and the internet is permanent.",
        ),
    ),
    rule(
        "EM-5",
        "doc",
        ("Sosiale medier i arbeidstiden", "Sosiale medium i arbeidstida", "Social media at work"),
        (
            "Bruk av sosiale medier må ikke gå ut over arbeidsoppgavene; i arbeidstiden skal "
            "bruken være arbeidsrelatert.",
            "Bruk av sosiale medium må ikkje gå ut over arbeidsoppgåvene; i arbeidstida skal "
            "bruken vere arbeidsrelatert.",
            "Social media must not get in the way of work; use in working hours must be "
            "work-related.",
        ),
    ),
    rule(
        "EM-6",
        "doc",
        (
            "Jobbmeldinger i jobbkanaler",
            "Jobbmeldingar i jobbkanalar",
            "Work messages in work channels",
        ),
        (
            "Bruk ikke private sosiale medier til jobbmeldinger til kolleger – bruk e-post, "
            "sakssystem, helpdesk eller vakttelefon – og bruk ikke jobb-e-posten til slike "
            "tjenester.",
            "Bruk ikkje private sosiale medium til jobbmeldingar til kollegaer – bruk e-post, "
            "sakssystem, helpdesk eller vakttelefon – og bruk ikkje jobb-e-posten til slike "
            "tenester.",
            "Do not use private social media for work messages to colleagues — use e-mail, the "
            "case system, helpdesk or on-call phones — and do not use your work e-mail for such "
            "services.",
        ),
    ),
    rule(
        "EM-7",
        "doc",
        ("Ting du ikke bør omtale", "Ting du ikkje bør omtale", "Things not to mention"),
        (
            "Unngå å omtale arbeidsgiver, arbeidsoppgaver og prosjekter, kolleger, leverandører "
            "og hvor du befinner deg.",
            "Unngå å omtale arbeidsgivar, arbeidsoppgåver og prosjekt, kollegaer, leverandørar "
            "og kvar du er.",
            "Avoid mentioning your employer, tasks and projects, colleagues, suppliers and your "
            "location.",
        ),
    ),
    rule(
        "EM-8",
        "doc",
        ("TikTok og Telegram", "TikTok og Telegram", "TikTok and Telegram"),
        (
            "TikTok og Telegram er forbudt på kommunens telefoner og på private telefoner med "
            "jobbapper.",
            "TikTok og Telegram er forbodne på telefonane til kommunen og på private telefonar "
            "med jobbappar.",
            "TikTok and Telegram are forbidden on the municipality's phones and on private "
            "phones holding work apps.",
        ),
    ),
    rule(
        "EM-9",
        "doc",
        (
            "Spørsmål? Kontakt kommunikasjon",
            "Spørsmål? Kontakt kommunikasjon",
            "Questions? Contact communications",
        ),
        (
            "Spørsmål om sosiale medier rettes til kommunens kommunikasjonskontakt.",
            "Spørsmål om sosiale medium rettar du til kommunikasjonskontakten i kommunen.",
            "Questions about social media go to the municipality's communications contact.",
        ),
    ),
)
