"""EM — employees' own use of social media: guidance, rendered in the guideline (rules.md).

The catalogue text says what a rule is about, for every municipality. What the employee
guide says under a rule is each guideline's own: `GUIDE` lists the statements the
guidelines make, each with the words (a regular expression) that must stand in the
preset's citation for the guide to say it. Indre Fosen's guide never says what only
Gausdal's guideline says, and a municipality on another's preset gets that guideline's
statements with its rules.
"""

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
            "Du har ytringsfrihet, men taushetsplikten gjelder også i sosiale medier.",
            "Du har ytringsfridom, men teieplikta gjeld også i sosiale medium.",
            "You have freedom of expression, but confidentiality applies on social media too.",
        ),
    ),
    rule(
        "EM-2",
        "doc",
        ("Vær tydelig på rollen din", "Ver tydeleg på rolla di", "Be clear about your role"),
        (
            "Vær bevisst på rollen din som ansatt i kommunen når du skriver i sosiale medier.",
            "Ver medviten om rolla di som tilsett i kommunen når du skriv i sosiale medium.",
            "Be aware of your role as a municipal employee when you write on social media.",
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
        ("Tenk deg om før du skriver", "Tenk deg om før du skriv", "Think before you write"),
        (
            "Tenk deg om: det du skriver i sosiale medier, kan bli offentlig og bli stående.",
            "Tenk deg om: det du skriv i sosiale medium, kan bli offentleg og bli ståande.",
            "Think first: what you write on social media may become public and stay there.",
        ),
    ),
    rule(
        "EM-5",
        "doc",
        ("Sosiale medier i arbeidstiden", "Sosiale medium i arbeidstida", "Social media at work"),
        (
            "Bruk av sosiale medier skal ikke gå ut over jobben.",
            "Bruk av sosiale medium skal ikkje gå ut over jobben.",
            "Social media use must not get in the way of work.",
        ),
    ),
    rule(
        "EM-6",
        "doc",
        (
            "Hold jobb og private kanaler adskilt",
            "Hald jobb og private kanalar åtskilde",
            "Keep work and private channels apart",
        ),
        (
            "Hold jobb og private kanaler i sosiale medier adskilt.",
            "Hald jobb og private kanalar i sosiale medium åtskilde.",
            "Keep work and private channels on social media apart.",
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
        ("Kontakt for sosiale medier", "Kontakt for sosiale medium", "Social media contact"),
        (
            "Kommunen har en kontaktperson for sosiale medier.",
            "Kommunen har ein kontaktperson for sosiale medium.",
            "The municipality has a contact person for social media.",
        ),
    ),
)


# (evidence in the citation, Bokmål, Nynorsk, English), in the order the guide says them.
# The comment after each names the guidelines whose quoted words carry it.
GUIDE: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "EM-1": (
        (
            r"ytringsfrihet",  # F «Ytringsfriheten står sterkt», B, G
            "Du har ytringsfrihet.",
            "Du har ytringsfridom.",
            "You have freedom of expression.",
        ),
        (
            r"taushetsplikt",  # F, B, G
            "Taushetsplikten gjelder også i sosiale medier.",
            "Teieplikta gjeld også i sosiale medium.",
            "Confidentiality applies on social media too.",
        ),
        (
            r"tidligere ansatte",  # F «Det gjelder også tidligere ansatte.»
            "Den gjelder også etter at du har sluttet.",
            "Ho gjeld også etter at du har slutta.",
            "It still applies after you have left.",
        ),
        (
            r"lojalitetsplikt",  # B «taushetsplikt, personvern, ytringsfrihet, lojalitetsplikt»
            "Det samme gjør reglene om personvern og lojalitetsplikt, også når du skriver som "
            "privatperson.",
            "Det same gjer reglane om personvern og lojalitetsplikt, også når du skriv som "
            "privatperson.",
            "So do the rules on privacy and the duty of loyalty, also when you write as a "
            "private person.",
        ),
    ),
    "EM-2": (
        (
            r"alltid representerer",  # B «Husk at du alltid representerer Birkenes kommune»
            "Husk at du alltid representerer kommunen, og at det du skriver, vil bli tolket som "
            "kommunens offisielle syn.",
            "Hugs at du alltid representerer kommunen, og at det du skriv, vil bli tolka som "
            "det offisielle synet til kommunen.",
            "Remember that you always represent the municipality and that what you write will "
            "be read as its official position.",
        ),
        (
            r"privat ytring",  # R «Alle øvrige innlegg betraktes som privat ytring.»
            "Bare de oppnevnte administratorene skriver på vegne av kommunen; alle andre "
            "innlegg regnes som private ytringer.",
            "Berre dei oppnemnde administratorane skriv på vegner av kommunen; alle andre "
            "innlegg blir rekna som private ytringar.",
            "Only the appointed administrators write on the municipality's behalf; all other "
            "posts count as private statements.",
        ),
        (
            r"å skille",  # R «vanskelig om enn umulig å skille», M «en utfordring å skille»
            "Det kan være vanskelig å skille mellom jobb og privatliv i sosiale medier.",
            "Det kan vere vanskeleg å skilje mellom jobb og privatliv i sosiale medium.",
            "It can be hard to keep work and private life apart on social media.",
        ),
        (
            r"identifisere deg med",  # M «fordi andre kan identifisere deg med den jobben»
            "Andre kan identifisere deg med jobben din.",
            "Andre kan identifisere deg med jobben din.",
            "Others may identify you with your job.",
        ),
        (
            r"bevisst på rollen|bevisst sitt ansettelsesforhold",  # F, G; R
            "Vær bevisst på rollen din som ansatt i kommunen.",
            "Ver medviten om rolla di som tilsett i kommunen.",
            "Be aware of your role as a municipal employee.",
        ),
        (
            r"avklar hvilken rolle",  # R «Avklar hvilken rolle du har når du publiserer.»
            "Avklar hvilken rolle du har når du publiserer.",
            "Avklar kva rolle du har når du publiserer.",
            "Be clear about which role you have when you publish.",
        ),
        (
            # F «Engasjer deg gjerne i diskusjoner om politikk og fag, men vær tydelig på at
            # du ikke uttaler deg på vegne av kommunen.»
            r"engasjer deg gjerne.*tydelig på at du ikke uttaler deg",
            "Delta gjerne i diskusjoner om politikk og fag, men vær tydelig på at du ikke "
            "uttaler deg på vegne av kommunen.",
            "Delta gjerne i diskusjonar om politikk og fag, men ver tydeleg på at du ikkje "
            "uttaler deg på vegner av kommunen.",
            "Take part in debates on politics and your field, but make clear that you do not "
            "speak for the municipality.",
        ),
        (
            r"reises tvil",  # B «dersom det kan reises tvil om rollen din», G
            "Si tydelig fra at du ikke uttaler deg på vegne av kommunen når det kan være tvil "
            "om rollen din.",
            "Sei tydeleg frå at du ikkje uttaler deg på vegner av kommunen når det kan vere "
            "tvil om rolla di.",
            "Say clearly that you do not speak for the municipality when your role may be in "
            "doubt.",
        ),
    ),
    "EM-3": (
        (
            r"vurder nøye om",  # F, G «Vurder nøye om du (som privatperson) skal ha kontakt»
            "Vurder nøye om du skal ha kontakt med elever, brukere, pårørende og leverandører i "
            "sosiale medier.",
            "Vurder nøye om du skal ha kontakt med elevar, brukarar, pårørande og leverandørar "
            "i sosiale medium.",
            "Think carefully about whether to be in contact with pupils, service users, "
            "relatives and suppliers on social media.",
        ),
        (
            r"som profesjonell",  # F «Opptre i så fall som profesjonell»
            "Har du slik kontakt, opptre profesjonelt.",
            "Har du slik kontakt, opptre profesjonelt.",
            "If you do, act professionally.",
        ),
        (
            r"frarådes at du",  # B «Det frarådes at du som privatperson har kontakt med …»
            "Det frarådes å ha kontakt med elever, brukere, pårørende og leverandører i "
            "sosiale medier som privatperson.",
            "Det blir frårådd å ha kontakt med elevar, brukarar, pårørande og leverandørar i "
            "sosiale medium som privatperson.",
            "Being in contact with pupils, service users, relatives and suppliers on social "
            "media as a private person is discouraged.",
        ),
        (
            r"venneforespørsel",  # B's model reply to a friend request
            "Får du en venneforespørsel fra noen du yter tjenester til, kan du svare som i "
            "forslaget nedenfor.",
            "Får du ein venneførespurnad frå nokon du yter tenester til, kan du svare som i "
            "forslaget nedanfor.",
            "If someone you provide services to sends you a friend request, you can answer as "
            "suggested below.",
        ),
    ),
    "EM-4": (
        (
            r"mange til mange",  # F «kan bli lest og viderefremidlet av mange til mange»
            "Det du skriver, kan bli lest og delt videre av mange.",
            "Det du skriv, kan bli lese og delt vidare av mange.",
            "What you write may be read and passed on by many.",
        ),
        (
            r"permanent",  # F «blir stående permanent», B, G «internett er permanent»
            "Det du skriver på nettet, blir stående.",
            "Det du skriv på nettet, blir ståande.",
            "What you write online stays there.",
        ),
        (
            r"vanskelig å slette",  # G
            "Det kan være vanskelig å slette det du har sagt.",
            "Det kan vere vanskeleg å slette det du har sagt.",
            "What you have said can be hard to delete.",
        ),
        (
            r"lukkede grupper",  # F «Publiseringer i lukkede grupper …», M
            "Det du skriver i lukkede grupper, må også regnes som offentlig.",
            "Det du skriv i lukka grupper, må også reknast som offentleg.",
            "What you write in closed groups must be treated as public too.",
        ),
        (
            r"20-30 personer",  # M «Lukkede grupper på over 20-30 personer …»
            "Lukkede grupper med over 20–30 personer er juridisk sett offentlige.",
            "Lukka grupper med over 20–30 personar er juridisk sett offentlege.",
            "Closed groups of more than 20–30 people are legally public.",
        ),
        (
            r"vis varsomhet",  # B «Vis varsomhet!»
            "Vis varsomhet.",
            "Ver varsam.",
            "Take care.",
        ),
    ),
    "EM-5": (
        (
            r"komme i veien",  # F «må aldri komme i veien for oppgavene du skal utføre»
            "Bruk av sosiale medier må aldri komme i veien for arbeidsoppgavene dine.",
            "Bruk av sosiale medium må aldri kome i vegen for arbeidsoppgåvene dine.",
            "Social media must never get in the way of your work tasks.",
        ),
        (
            r"i arbeidstiden",  # G «i arbeidstiden skal være arbeidsrelatert»
            "I arbeidstiden skal bruk av sosiale medier være arbeidsrelatert.",
            "I arbeidstida skal bruk av sosiale medium vere arbeidsrelatert.",
            "In working hours, social media use must be work-related.",
        ),
    ),
    "EM-6": (
        (
            r"beskjeder om ting som gjelder jobb",  # F
            "Ikke bruk private sosiale medier til å gi kolleger beskjeder om jobb.",
            "Ikkje bruk private sosiale medium til å gi kollegaer beskjedar om jobb.",
            "Do not use private social media to give colleagues work messages.",
        ),
        (
            r"offisielle kanalene",  # F «e-post, ePhorte, helpdesk og vakttelefoner»
            "Bruk de offisielle kanalene: e-post, sakssystemet, helpdesk og vakttelefoner.",
            "Bruk dei offisielle kanalane: e-post, sakssystemet, helpdesk og vakttelefonar.",
            "Use the official channels: e-mail, the case system, helpdesk and on-call phones.",
        ),
        (
            r"jobbens e-postadresse",  # G
            "Ikke bruk e-postadressen fra jobben i sosiale medier og lignende nettjenester.",
            "Ikkje bruk e-postadressa frå jobben i sosiale medium og liknande nettenester.",
            "Do not use your work e-mail address for social media and similar online services.",
        ),
    ),
    "EM-7": (
        (
            r"ikke omtaler",  # G «Gausdal kommune anbefaler at du på nettsteder ikke omtaler:»
            "Kommunen anbefaler at du ikke omtaler arbeidsgiveren din, arbeidsoppgaver og "
            "prosjekter, kolleger og andre du jobber sammen med, leverandører og "
            "samarbeidspartnere, eller hvor du er (på jobb, hjemme, på ferie).",
            "Kommunen tilrår at du ikkje omtaler arbeidsgivaren din, arbeidsoppgåver og "
            "prosjekt, kollegaer og andre du jobbar saman med, leverandørar og "
            "samarbeidspartnarar, eller kvar du er (på jobb, heime, på ferie).",
            "The municipality recommends that you do not mention your employer, tasks and "
            "projects, colleagues and others you work with, suppliers and partners, or where "
            "you are (at work, at home, on holiday).",
        ),
    ),
    "EM-8": (
        (
            r"tiktok og telegram",  # M
            "TikTok og Telegram er forbudt på kommunens telefoner og på private telefoner med "
            "jobbapper.",
            "TikTok og Telegram er forbodne på telefonane til kommunen og på private telefonar "
            "med jobbappar.",
            "TikTok and Telegram are forbidden on the municipality's phones and on private "
            "phones holding work apps.",
        ),
    ),
    # «Kontaktpersonen», not the guideline's title for them (its «kommunikasjonsrådgiver»,
    # «kultur- og informasjonsrådgiver»): the «Kontakt:» line under the text names the
    # contact the municipality set (`policy.contact`), who may hold another title.
    "EM-9": (
        (
            r"ubehagelige situasjoner",  # F «Gi beskjed til administrasjonen via …»
            "Kommer du i ubehagelige situasjoner i sosiale medier i rollen som ansatt, gi "
            "beskjed til administrasjonen via kontaktpersonen for sosiale medier.",
            "Kjem du i ubehagelege situasjonar i sosiale medium i rolla som tilsett, gi "
            "beskjed til administrasjonen via kontaktpersonen for sosiale medium.",
            "If you end up in an unpleasant situation on social media in your role as an "
            "employee, tell the administration through the contact person for social media.",
        ),
        (
            r"er redaktør",  # G «Kultur- og informasjonsrådgiver … er redaktør for den.»
            "Kontaktpersonen for sosiale medier er redaktør for kommunens Facebook-side.",
            "Kontaktpersonen for sosiale medium er redaktør for Facebook-sida til kommunen.",
            "The contact person for social media is the editor of the municipality's Facebook "
            "page.",
        ),
    ),
}
