"""The public house rules of a page (CH-10), built from the policy; see render.py."""

from __future__ import annotations

from typing import cast

from ordstyrer.policy.document import Document
from ordstyrer.policy.effective import Policy
from ordstyrer.policy.render import cite
from ordstyrer.policy.tables import GROUNDS

# Per key and language: a sentence, or (for a bullet list) a tuple of them.
H: dict[str, dict[str, str | tuple[str, ...]]] = {
    "title": {
        "nb": "Regler for {m}s sider i sosiale medier",
        "nn": "Reglar for sidene til {m} i sosiale medium",
        "en": "House rules for {m}'s social-media pages",
    },
    "intro": {
        "nb": "Velkommen! Her er reglene for hvordan vi svarer, og hva som blir slettet.",
        "nn": "Velkomen! Her er reglane for korleis vi svarar, og kva som blir sletta.",
        "en": "Welcome! These are the rules for how we answer and what gets deleted.",
    },
    "response": {"nb": "Svartid", "nn": "Svartid", "en": "Response time"},
    # DI-1 in the guideline's own words (tables.HOUSE_RULES_RESPONSE), never the work
    # list's internal deadlines (Policy.response_targets()).
    "response_as_soon_as_possible": {
        "nb": "Vi svarer på spørsmål og kommentarer – også kritiske – så raskt som mulig i "
        "normal arbeidstid.",
        "nn": "Vi svarar på spørsmål og kommentarar – også kritiske – så raskt som mogleg i "
        "normal arbeidstid.",
        "en": "We answer questions and comments – critical ones too – as quickly as possible "
        "in normal working hours.",
    },
    "response_within_one_day": {
        "nb": "Vi svarer på spørsmål og kommentarer – også kritiske – senest innen ett døgn i "
        "normal arbeidstid. Vi følger ikke med i helger og på helligdager.",
        "nn": "Vi svarar på spørsmål og kommentarar – også kritiske – seinast innan eitt døgn i "
        "normal arbeidstid. Vi følgjer ikkje med i helgar og på heilagdagar.",
        "en": "We answer questions and comments – critical ones too – within one day at the "
        "latest, in normal working hours. We do not follow the page at weekends or on "
        "public holidays.",
    },
    "first_response": {
        "nb": "Har vi ikke svaret med en gang, får du beskjed om at vi har fått henvendelsen, "
        "og at vi kommer tilbake med mer informasjon.",
        "nn": "Har vi ikkje svaret med ein gong, får du melding om at vi har fått "
        "førespurnaden, og at vi kjem tilbake med meir informasjon.",
        "en": "If we do not have the answer at once, we tell you that we have your message "
        "and will come back with more information.",
    },
    # Without DI-1 the guideline sets no response time, and the house rules promise none.
    "answers": {"nb": "Svar", "nn": "Svar", "en": "Answers"},
    "answers_text": {
        "nb": "Vi svarer på spørsmål og kommentarer som er rettet til kommunen.",
        "nn": "Vi svarar på spørsmål og kommentarar som er retta til kommunen.",
        "en": "We answer questions and comments addressed to the municipality.",
    },
    "contribute": {"nb": "Slik bidrar du", "nn": "Slik bidreg du", "en": "How to contribute"},
    "contribute_items": {
        "nb": (
            "Still spørsmål og kommenter – også kritiske kommentarer er velkomne.",
            "Hold en saklig og høflig tone.",
            "Ikke skriv personopplysninger om deg selv eller andre, som fødselsnummer, "
            "helseopplysninger eller detaljer i en sak.",
        ),
        "nn": (
            "Still spørsmål og kommenter – også kritiske kommentarar er velkomne.",
            "Hald ein sakleg og høfleg tone.",
            "Ikkje skriv personopplysningar om deg sjølv eller andre, som fødselsnummer, "
            "helseopplysningar eller detaljar i ei sak.",
        ),
        "en": (
            "Ask questions and comment – critical comments are welcome too.",
            "Keep a factual and polite tone.",
            "Do not post personal data about yourself or others, such as national ID "
            "numbers, health information or case details.",
        ),
    },
    "political": {
        "nb": "Politiske spørsmål sender vi videre til politisk nivå.",
        "nn": "Politiske spørsmål sender vi vidare til politisk nivå.",
        "en": "Political questions are passed on to the political level.",
    },
    "deleted": {"nb": "Dette sletter vi", "nn": "Dette slettar vi", "en": "What we delete"},
    # MO-1 in the guideline's own words (tables.HOUSE_RULES_DELETION), then the grounds.
    "grounds_lead_very_high_threshold": {
        "nb": "Terskelen for å slette er svært høy. Vi sletter kommentarer bare på ett av "
        "disse grunnlagene:",
        "nn": "Terskelen for å slette er svært høg. Vi slettar kommentarar berre på eitt av "
        "desse grunnlaga:",
        "en": "The threshold for deleting is very high. We delete comments only on one of these "
        "grounds:",
    },
    "grounds_lead_as_soon_as_discovered": {
        "nb": "Dette sletter vi så snart vi oppdager det:",
        "nn": "Dette slettar vi så snart vi oppdagar det:",
        "en": "We delete the following as soon as we discover it:",
    },
    "grounds_lead_extraordinary_cases": {
        "nb": "Vi sletter kommentarer bare i ekstraordinære tilfeller, når de inneholder ett "
        "av disse:",
        "nn": "Vi slettar kommentarar berre i ekstraordinære tilfelle, når dei inneheld eitt "
        "av desse:",
        "en": "We delete comments only in extraordinary cases, when they contain one of the "
        "following:",
    },
    "grounds_lead_shall_be_deleted": {
        "nb": "Innlegg med dette blir slettet:",
        "nn": "Innlegg med dette blir sletta:",
        "en": "Posts containing the following are deleted:",
    },
    "no_grounds": {
        "nb": "Vi sletter ikke kommentarer fordi de er kritiske eller negative.",
        "nn": "Vi slettar ikkje kommentarar fordi dei er kritiske eller negative.",
        "en": "We do not delete comments because they are critical or negative.",
    },
    "archived": {
        "nb": "Det vi sletter, blir arkivert.",
        "nn": "Det vi slettar, blir arkivert.",
        "en": "What we delete is archived.",
    },
    "told": {
        "nb": "Sletter vi noe du har skrevet, eller stenger vi deg ute, får du vite hvorfor.",
        "nn": "Slettar vi noko du har skrive, eller stengjer vi deg ute, får du vite kvifor.",
        "en": "If we delete something you wrote, or ban you, we tell you why.",
    },
    "police": {
        "nb": "Hatefulle ytringer (straffeloven § 185) melder vi til politiet.",
        "nn": "Hatefulle ytringar (straffelova § 185) melder vi til politiet.",
        "en": "Hateful speech (Penal Code § 185) is reported to the police.",
    },
    "formal": {
        "nb": "Saker som gjelder deg",
        "nn": "Saker som gjeld deg",
        "en": "Matters about you",
    },
    "formal_text": {
        "nb": "Vi behandler ikke enkeltsaker i sosiale medier. Send en formell henvendelse på "
        "e-post eller brev{where}.",
        "nn": "Vi handsamar ikkje enkeltsaker i sosiale medium. Send ein formell førespurnad på "
        "e-post eller brev{where}.",
        "en": "We do not process individual cases on social media. Send a formal inquiry by "
        "e-mail or letter{where}.",
    },
    "to_email": {"nb": " til {e}", "nn": " til {e}", "en": " to {e}"},
    "or_phone": {"nb": ", eller ring {p}", "nn": ", eller ring {p}", "en": ", or call {p}"},
    "see_site": {
        "nb": " – kontaktinformasjon står på {s}",
        "nn": " – kontaktinformasjon står på {s}",
        "en": " – contact details are on {s}",
    },
    "closed": {"nb": "Når siden er stengt", "nn": "Når sida er stengd", "en": "When closed"},
    # CH-9: what a closure does depends on the platform — commenting switched off where
    # it can be, new comments hidden where it cannot (a Facebook Page) — and these rules
    # are the municipality's, for all its pages: they say both, never "impossible".
    "closed_text": {
        "nb": "Stenger vi siden, for eksempel i ferien, står det her hvorfor og hvor lenge. "
        "Da slår vi av kommentarene, eller skjuler nye kommentarer der det ikke går, og vi "
        "svarer ikke på kommentarer før vi åpner igjen.",
        "nn": "Stenger vi sida, til dømes i ferien, står det her kvifor og kor lenge. Då slår "
        "vi av kommentarane, eller skjuler nye kommentarar der det ikkje går, og vi svarar "
        "ikkje på kommentarar før vi opnar igjen.",
        "en": "If we close the page, e.g. for holidays, we say here why and for how long. We "
        "then switch comments off, or hide new comments where that is not possible, and do "
        "not answer comments until we open again.",
    },
    "basis": {"nb": "Grunnlag", "nn": "Grunnlag", "en": "Basis"},
}


def _h(key: str, lang: str, **values: str) -> str:
    # Asked only for the keys that hold one sentence, not a list.
    return cast(str, H[key][lang]).format(**values)


def build_house_rules(policy: Policy, lang: str, *, municipality: str | None = None) -> Document:
    doc = Document(lang=lang, css_class="ordstyrer-house-rules")
    doc.heading(1, _h("title", lang, m=municipality or policy.municipality_name))
    doc.paragraph(_h("intro", lang))

    # DI-1 / CH-10: the response time the guideline gives, in its words; none without
    # DI-1. The work list's deadlines (response_targets) are internal, not a promise.
    wording = policy.preset.house_rules
    if wording.response is not None:
        doc.heading(2, _h("response", lang))
        doc.paragraph(_h(f"response_{wording.response}", lang))
        if policy.applies("DI-2"):
            doc.paragraph(_h("first_response", lang))
        cite(doc, policy, "DI-1", lang)
    else:
        doc.heading(2, _h("answers", lang))
        doc.paragraph(_h("answers_text", lang))
        cite(doc, policy, "DI-3", lang)

    doc.heading(2, _h("contribute", lang))
    items = list(H["contribute_items"][lang])
    if policy.applies("DI-8"):
        items.append(_h("political", lang))
    doc.bullets(items)

    doc.heading(2, _h("deleted", lang))
    if policy.grounds() and wording.deletion is not None:
        doc.paragraph(_h(f"grounds_lead_{wording.deletion}", lang))
        doc.bullets([GROUNDS[g].label(lang) for g in policy.grounds()])
    else:
        doc.paragraph(_h("no_grounds", lang))
    extra = [
        _h(key, lang)
        for rule_id, key in (("MO-2", "archived"), ("MO-4", "told"), ("MO-3", "police"))
        if policy.applies(rule_id)
    ]
    if extra:
        doc.paragraph(" ".join(extra))
    cite(doc, policy, "MO-1", lang)

    doc.heading(2, _h("formal", lang))
    doc.paragraph(_h("formal_text", lang, where=_where(policy, lang)))
    cite(doc, policy, "DI-7", lang)

    if policy.applies("CH-9"):
        doc.heading(2, _h("closed", lang))
        doc.paragraph(_h("closed_text", lang))
    if policy.applies("CH-10"):
        doc.heading(2, _h("basis", lang))
        cite(doc, policy, "CH-10", lang)
    return doc


def _where(policy: Policy, lang: str) -> str:
    inquiry = policy.formal_inquiry
    if inquiry is not None and inquiry.email:
        where = _h("to_email", lang, e=inquiry.email)
        if inquiry.phone:
            where += _h("or_phone", lang, p=inquiry.phone)
        return where
    if policy.domains:
        return _h("see_site", lang, s=policy.domains[0])
    return ""
