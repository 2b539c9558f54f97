"""QA: the inbox cites only rules the municipality's policy applies (`policy.applies`).

Rennebu's guideline has neither DI-1, DI-2, DI-3, DI-4, DI-10, DI-11 nor EM-3; Indre
Fosen's has DI-1, DI-2, DI-4, DI-10 and EM-3. Before this, Rennebu's item page said
«Retningslinjen sier: Svar på spørsmålet (DI-1); har du ikke svaret, bekreft mottak
(DI-2).», its inbox header and report cited DI-1, its reply suggestions offered DI-2,
DI-3, DI-4 and EM-3 labels, and `decline_friend` put Birkenes' guideline sentence in
Rennebu's mouth. What the product does by its own default now says so. (Session 21: the
friend-request reply is no inbox template at all, tests/publishing/test_s21_private_check.py.)
"""

from __future__ import annotations

import re

import pytest

from ordstyrer.inbox.models import InboxItem
from tests.inbox.conftest import comment, ingest, item_page, make_world, signed_in

GENERAL = "Generelt råd, ikke fra retningslinjen kommunen din følger:"
PRODUCT_DEFAULT = "Produktets standard, ikke fra retningslinjen"


def question(world, cid: str = "q1") -> InboxItem:
    item = ingest(world.channel, comment(cid))
    assert item is not None
    # The triage's suggestion is the language model's; the page's wording is under test.
    InboxItem.objects.filter(pk=item.pk).update(action="answer", category="question")
    item.refresh_from_db()
    return item


def guidance(html: str) -> str:
    found = re.search(r'<dd id="action-guidance">(.*?)</dd>', html, re.S)
    assert found, "the item page shows the suggested action"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def suggestion_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'<a href="\?mal=(\w+)#svar"[^>]*>([^<]+)</a>', html))


def test_rennebus_item_page_gives_general_advice_not_its_guidelines(rennebu):
    html = item_page(rennebu, question(rennebu))
    assert "Retningslinjen sier" not in html
    text = guidance(html)
    assert text.startswith(GENERAL)
    assert "Svar på spørsmålet; har du ikke svaret, bekreft mottak." in text
    # The item's facts (suggested action, deadlines) and the suggestions cite neither.
    # (The reply form's effect choices in `inbox/forms.py` still do: not this file's.)
    facts = html[html.index('<dl class="facts">') : html.index("</dl>")]
    suggestions = html[html.index("Forslag:") : html.index("Forslaget er")]
    assert not re.search(r"DI-[12]\b", facts + suggestions)
    # The deadlines are the product's, not Rennebu's guideline's.
    assert PRODUCT_DEFAULT in html
    # Nor DI-10 (escalation) or DI-11 (employees' reports): Rennebu has neither.
    assert "Omdømmekritisk?</legend>" in html and "DI-10" not in html


def test_indre_fosens_item_page_cites_its_own_rules(fosen):
    html = item_page(fosen, question(fosen))
    assert "Retningslinjen sier" in html
    assert guidance(html) == "Svar på spørsmålet; har du ikke svaret, bekreft mottak (DI-1, DI-2)."
    assert GENERAL not in html and PRODUCT_DEFAULT not in html
    assert "Omdømmekritisk? (DI-10)" in html


def test_rennebu_is_offered_general_templates_without_rule_ids(rennebu):
    links = suggestion_links(item_page(rennebu, question(rennebu)))
    assert links == {
        "acknowledge": "Bekreft mottak",
        "thank": "Takk for ros",
        "correct": "Rett opp faktafeil",
        # Rennebu's guideline has DI-7 and DI-8: these cite them.
        "refer_formal": "Henvis til formell henvendelse (DI-7)",
        "refer_political": "Henvis til politisk nivå (DI-8)",
    }


def test_indre_fosen_is_offered_every_template_with_its_rule(fosen):
    links = suggestion_links(item_page(fosen, question(fosen)))
    assert links == {
        "acknowledge": "Bekreft mottak (DI-2)",
        # Indre Fosen has no DI-3: thanking is a general template there.
        "thank": "Takk for ros",
        "correct": "Rett opp faktafeil (DI-4)",
        "refer_formal": "Henvis til formell henvendelse (DI-7)",
        # Nor DI-8.
        "refer_political": "Henvis til politisk nivå",
    }


def test_inbox_header_cites_di1_only_where_it_applies(rennebu, fosen):
    question(rennebu)
    question(fosen, "f1")
    header = signed_in(rennebu.editor).get("/m/rennebu/innboks/").content.decode()
    assert "(DI-1)" not in header
    assert "Fristene er produktets standard, ikke fra retningslinjen" in header
    assert "(DI-11)" not in header
    header = signed_in(fosen.editor).get("/m/indre-fosen/innboks/").content.decode()
    assert "uten helger og helligdager (DI-1)." in header
    assert "produktets standard" not in header


@pytest.mark.parametrize("slug", ["rennebu", "indre-fosen"])
def test_report_cites_no_rule_the_guideline_lacks(slug, db):
    world = make_world(slug, slug)
    question(world)
    html = signed_in(world.p.communications).get(f"/m/{slug}/innboks/rapport/")
    assert html.status_code == 200
    lead = re.search(r'<p class="lead">(.*?)</p>', html.content.decode(), re.S)
    assert lead and "DI-" not in lead.group(1)
    assert "fristene i Ordstyrers arbeidsliste" in lead.group(1)
