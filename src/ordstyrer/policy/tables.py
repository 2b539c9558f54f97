"""Code → label tables shared by presets, checks and the console (nb, nn, en).

Codes are the stable values stored in presets, overrides and the database;
labels are what people read.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Lang = Literal["nb", "nn", "en"]
LANGS: tuple[Lang, ...] = ("nb", "nn", "en")


@dataclass(frozen=True, slots=True)
class Label:
    code: str
    nb: str
    nn: str
    en: str

    def label(self, lang: str = "nb") -> str:
        return {"nb": self.nb, "nn": self.nn, "en": self.en}.get(lang, self.nb)


def _table(*labels: Label) -> MappingProxyType[str, Label]:
    return MappingProxyType({item.code: item for item in labels})


# MO-1: the grounds on which a municipality allows a comment to be deleted.
GROUNDS = _table(
    Label("spam", "Spam", "Spam", "Spam"),
    Label(
        "hate_speech",
        "Hatefulle ytringer (straffeloven § 185)",
        "Hatefulle ytringar (straffelova § 185)",
        "Hateful speech (Penal Code § 185)",
    ),
    Label(
        "confidentiality_breach",
        "Brudd på taushetsplikten",
        "Brot på teieplikta",
        "Breach of confidentiality",
    ),
    Label("privacy_breach", "Brudd på personvernet", "Brot på personvernet", "Breach of privacy"),
    Label(
        "unlawful", "I strid med norsk lov", "I strid med norsk lov", "Contrary to Norwegian law"
    ),
    Label(
        "public_shaming",
        "Uthenging av enkeltpersoner",
        "Uthenging av enkeltpersonar",
        "Public shaming of individuals",
    ),
    Label("harassment", "Sjikane", "Sjikane", "Harassment"),
    Label("personal_attack", "Personangrep", "Personåtak", "Personal attack"),
    Label(
        "third_party_naming",
        # A noun phrase like every other ground: the MO-4 notice says "Grunnen er: …".
        "Omtale av tredjepersoner med navn",
        "Omtale av tredjepersonar med namn",
        "Naming third persons",
    ),
    Label(
        "sensitive_information",
        "Sensitive opplysninger",
        "Sensitive opplysningar",
        "Sensitive information",
    ),
    Label("rumour", "Rykter og spekulasjoner", "Rykte og spekulasjonar", "Rumours and speculation"),
    Label("discrimination", "Diskriminering", "Diskriminering", "Discrimination"),
)

# The approver roles the channel chain (CH-1) and the crisis (PU-12) share.
_COMMUNICATIONS = Label(
    "communications", "kommunikasjonsavdelingen", "kommunikasjonsavdelinga", "communications"
)
_CHIEF_ADMINISTRATOR = Label(
    "chief_administrator",
    "rådmannen (kommunedirektøren)",
    "rådmannen (kommunedirektøren)",
    "chief administrator",
)

# CH-1: who approves a new channel, in order.
ROLES = _table(
    Label("unit_leader", "enhetsleder", "einingsleiar", "unit leader"),
    _COMMUNICATIONS,
    _CHIEF_ADMINISTRATOR,
    Label("service_office", "servicetorget", "servicetorget", "service office"),
    Label("web_editor", "nettredaktøren", "nettredaktøren", "web editor"),
)

# PU-12: who approves outgoing words during a crisis (the crisis leader always does).
CRISIS_APPROVERS = _table(
    Label("crisis_leader", "kriselederen", "kriseleiaren", "crisis leader"),
    _COMMUNICATIONS,
    _CHIEF_ADMINISTRATOR,
)

# PU-12: who declares and ends a crisis (the crisis leader always does). The same roles
# as the approvers; a preset names the ones its guideline (or the product) gives the power.
CRISIS_DECLARERS = CRISIS_APPROVERS

# CH-2: the fields of a channel proposal (plan).
PLAN_FIELDS = _table(
    Label("purpose", "formål", "føremål", "purpose"),
    Label("why", "hvorfor kanalen trengs", "kvifor kanalen trengst", "why the channel is needed"),
    Label("goals", "hva den skal oppnå", "kva han skal oppnå", "what it should achieve"),
    Label("audience", "målgruppe", "målgruppe", "target audience"),
    Label("topics", "hovedtemaer", "hovudtema", "main topics"),
    Label(
        "moderation",
        "fri diskusjon eller moderert av kommunen",
        "fri diskusjon eller moderert av kommunen",
        "free or moderated discussion",
    ),
    Label("dialogue_rules", "regler for dialogen", "reglar for dialogen", "dialogue rules"),
    Label(
        "duration",
        "varighet (permanent eller tidsavgrenset)",
        "varigheit (permanent eller tidsavgrensa)",
        "duration (permanent or time-limited)",
    ),
    Label("marketing", "markedsføring", "marknadsføring", "marketing"),
    Label(
        "publishing_plan",
        "plan for aktivitet: hva, hvor ofte og av hvem",
        "plan for aktivitet: kva, kor ofte og av kven",
        "activity plan: what, how often, by whom",
    ),
    Label("follow_up", "oppfølging", "oppfølging", "follow-up"),
    Label("main_admin", "hovedadministrator", "hovudadministrator", "main administrator"),
)

# The public house rules (CH-10) promise only what the guideline says. A preset's
# `[house_rules]` picks the wording of its guideline (texts in house_rules.py):
# `response` where DI-1 applies — how fast it answers, in the guideline's words;
# `deletion` where MO-1 applies — how it puts its deletion grounds.
HOUSE_RULES_RESPONSE = frozenset(
    {
        "as_soon_as_possible",  # F: «så raskt som mulig innenfor normal arbeidstid»
        "within_one_day",  # G: «senest innen ett døgn (innen normal arbeidstid …)»
    }
)
HOUSE_RULES_DELETION = frozenset(
    {
        "very_high_threshold",  # F: «Terskelen for å slette … skal være svært høy»
        "as_soon_as_discovered",  # R: «… slettes så snart de oppdages»
        "extraordinary_cases",  # M: «bør bare gjøres i ekstraordinære tilfeller»
        "shall_be_deleted",  # B: «Slike innlegg skal slettes», «… men slettes»
    }
)
