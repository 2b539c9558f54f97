"""CH — official channels: registry and approval (rules.md). Enforced by the channel workflow."""

from __future__ import annotations

from ordstyrer.policy.rules._base import ParamSpec, rule
from ordstyrer.policy.tables import PLAN_FIELDS, ROLES

RULES = (
    rule(
        "CH-1",
        "flow",
        (
            "Nye kanaler foreslås og godkjennes",
            "Nye kanalar blir føreslåtte og godkjende",
            "New channels are proposed and approved",
        ),
        (
            "En ny offisiell kanal (side, gruppe, profil, konto, blogg) skal foreslås før den "
            "opprettes og godkjennes før den tas i bruk.",
            "Ein ny offisiell kanal (side, gruppe, profil, konto, blogg) skal føreslåast før han "
            "blir oppretta, og godkjennast før han blir teken i bruk.",
            "A new official channel (page, group, profile, account, blog) must be proposed "
            "before it is created and approved before it is used.",
        ),
        params={"approval_chain": ParamSpec("str_list", choices=frozenset(ROLES))},
    ),
    rule(
        "CH-2",
        "flow",
        ("Forslaget er en plan", "Forslaget er ein plan", "The proposal is a plan"),
        (
            "Forslaget til ny kanal beskriver formål, målgruppe, hva som skal publiseres, hvor "
            "ofte og av hvem, og hvordan kanalen følges opp.",
            "Forslaget til ny kanal skildrar føremål, målgruppe, kva som skal publiserast, kor "
            "ofte og av kven, og korleis kanalen blir følgd opp.",
            "The proposal for a new channel describes purpose, audience, what will be published, "
            "how often and by whom, and how the channel is followed up.",
        ),
        params={"required_plan_fields": ParamSpec("str_list", choices=frozenset(PLAN_FIELDS))},
    ),
    rule(
        "CH-3",
        "block",
        (
            "Hovedadministrator og utpekte redaktører",
            "Hovudadministrator og utpeikte redaktørar",
            "Main administrator and appointed editors",
        ),
        (
            "Hver kanal har minst én ansvarlig hovedadministrator. Bare utpekte administratorer "
            "og redaktører publiserer, svarer og kommenterer på vegne av kommunen; alt annet er "
            "private ytringer.",
            "Kvar kanal har minst éin ansvarleg hovudadministrator. Berre utpeikte "
            "administratorar og redaktørar publiserer, svarar og kommenterer på vegner av "
            "kommunen; alt anna er private ytringar.",
            "Every channel has at least one responsible main administrator. Only appointed "
            "administrators and editors publish, reply and comment in the municipality's name; "
            "everything else is a private expression.",
        ),
    ),
    rule(
        "CH-4",
        "flow",
        ("Redaksjonelt ansvar", "Redaksjonelt ansvar", "Editorial responsibility"),
        (
            "Rådmannen (kommunedirektøren) har det redaksjonelle ansvaret for kommunens kanaler. "
            "Enhetslederen har ansvar for driften av enhetens kanaler.",
            "Rådmannen (kommunedirektøren) har det redaksjonelle ansvaret for kanalane til "
            "kommunen. Einingsleiaren har ansvar for drifta av kanalane til eininga.",
            "The chief administrator holds editorial responsibility for the municipality's "
            "channels. The unit leader runs the unit's channels.",
        ),
    ),
    rule(
        "CH-5",
        "warn",
        (
            "Bare kanaler vi kan følge opp",
            "Berre kanalar vi kan følgje opp",
            "Only channels we can follow up",
        ),
        (
            "En kanal uten aktiv administrator, eller med ubesvarte henvendelser over fristen, "
            "blir flagget.",
            "Ein kanal utan aktiv administrator, eller med førespurnader som ikkje er svara på "
            "innan fristen, blir flagga.",
            "A channel with no active administrator, or with unanswered items past their "
            "deadline, is flagged.",
        ),
    ),
    rule(
        "CH-6",
        "flow",
        ("Jevnlig gjennomgang", "Jamleg gjennomgang", "Periodic review"),
        (
            "Hver enhet går jevnlig gjennom sidene sine, gjerne hver måned.",
            "Kvar eining går jamleg gjennom sidene sine, gjerne kvar månad.",
            "Each unit reviews its pages periodically, monthly if possible.",
        ),
        # At most two years: a far larger interval overflowed the next review's date and
        # made activating a channel and recording a review fail (review s18).
        params={"review_interval_days": ParamSpec("int", minimum=1, maximum=730)},
    ),
    rule(
        "CH-7",
        "doc",
        ("Felles visuell profil", "Felles visuell profil", "Consistent visual profile"),
        (
            "Bruk kommunens logo og farger etter den visuelle profilen.",
            "Bruk logoen og fargane til kommunen etter den visuelle profilen.",
            "Use the municipality's logo and colours according to its visual profile.",
        ),
    ),
    rule(
        "CH-8",
        "record",
        ("Oversikt over kontoer", "Oversikt over kontoar", "Account list"),
        (
            "Kommunen holder en oversikt over alle offisielle kontoer og formålet med hver av dem.",
            "Kommunen held ei oversikt over alle offisielle kontoar og føremålet med kvar av dei.",
            "The municipality keeps a list of all official accounts and the purpose of each.",
        ),
    ),
    rule(
        "CH-9",
        "flow",
        ("Stenging av forum", "Stenging av forum", "Closing a forum"),
        (
            "Et forum kan stenges, for eksempel i ferien, bare med en tydelig beskjed om hvorfor "
            "og hvor lenge, og uten mulighet til å kommentere mens det er stengt.",
            "Eit forum kan stengjast, til dømes i ferien, berre med ei tydeleg melding om kvifor "
            "og kor lenge, og utan høve til å kommentere medan det er stengt.",
            "A forum may be closed, e.g. for holidays, only with a clear notice of why and for "
            "how long, and with commenting impossible while it is closed.",
        ),
    ),
    rule(
        "CH-10",
        "doc",
        (
            "Reglene for forumet vises",
            "Reglane for forumet blir viste",
            "The forum's rules are shown",
        ),
        (
            "Reglene for forumet – svartid, hvordan du bidrar og hva som slettes – skal gå "
            "klart fram på forumet.",
            "Reglane for forumet – svartid, korleis du bidreg og kva som blir sletta – skal gå "
            "klart fram på forumet.",
            "The forum's own rules — response time, how to contribute, what gets deleted — must "
            "be clearly shown on the forum.",
        ),
    ),
    rule(
        "CH-11",
        "doc",
        (
            "Ingen private sider i kommunens navn",
            "Ingen private sider i namnet til kommunen",
            "No private pages in the municipality's name",
        ),
        (
            "Sider og grupper i kommunens navn, med eller uten logo, opprettes bare etter "
            "avklaring med administrasjonen – aldri privat av ansatte.",
            "Sider og grupper i namnet til kommunen, med eller utan logo, blir berre oppretta "
            "etter avklaring med administrasjonen – aldri privat av tilsette.",
            "Pages or groups in the municipality's name, with or without its logo, are created "
            "only once cleared by the administration — never privately by employees.",
        ),
    ),
)
