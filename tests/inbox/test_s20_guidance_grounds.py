"""MO-1: the item page advises deletion only where the municipality has a ground for it,
as its policy stands now.

- Gausdal's guideline gives no deletion grounds: a comment holding a fødselsnummer is
  to be hidden at once (PU-1), with no «Vurder sletting» the service would refuse.
- A comment triaged as deletable on spam (Indre Fosen), after the municipality took spam
  off its MO-1 grounds: the page no longer says «Retningslinjen gir grunnlag for
  sletting», and neither does the API's action; it gives the advice for a harmful
  comment without a fitting ground (escalate), as triage would now.
- While the ground is still allowed, the advice stays the deletion's.
"""

from __future__ import annotations

from ordstyrer.tenants.services import policy_update
from tests.api.conftest import ApiClient, token_for
from tests.inbox.conftest import comment, ingest, item_page, text_of

FNR = "05099242649"  # valid check digits (the masking tests' number)
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"


def guidance_on_page(world, item) -> str:
    html = item_page(world, item)
    i = html.index('id="action-guidance"')
    return text_of(html[html.index(">", i) + 1 : html.index("</dd>", i)]).strip()


def test_mo_1_gausdal_is_told_to_hide_a_fodselsnummer_not_to_weigh_a_deletion(gausdal):
    item = ingest(gausdal.channel, comment("c-fnr", f"Fødselsnummeret mitt er {FNR}"))
    assert item is not None and item.action == "hide"
    text = guidance_on_page(gausdal, item)
    assert text == (
        "Skjul straks: kommentaren inneholder et fødselsnummer (PU-1). Retningslinjen gir "
        "ikke grunnlag for sletting, så la den være skjult, og si fra til forfatteren."
    )
    assert "Vurder sletting" not in text and "MO-1" not in text


def test_mo_1_a_ground_taken_off_after_triage_no_longer_advises_deletion(fosen):
    item = ingest(fosen.channel, comment("c-spam", SPAM))
    assert item is not None and item.action == "delete_allowed"
    assert item.triage["grounds"] == ["spam"]
    before = guidance_on_page(fosen, item)
    assert before.startswith("Retningslinjen gir grunnlag for sletting")

    policy_update(
        actor=fosen.p.chief_administrator,
        municipality=fosen.municipality,
        overrides={"MO-1": {"grounds": ["hate_speech", "confidentiality_breach"]}},
        reason="Spam slettes ikke lenger, bare skjules.",
    )
    item.refresh_from_db()
    assert item.action == "delete_allowed"  # the record of the triage is kept
    after = guidance_on_page(fosen, item)
    assert "grunnlag for sletting" not in after
    assert after.startswith("Ikke svar offentlig: la kommunikasjon se på saken")


def test_mo_1_the_api_gives_the_action_under_the_policy_in_force(fosen):
    item = ingest(fosen.channel, comment("c-spam", SPAM))
    assert item is not None and item.action == "delete_allowed"
    api = ApiClient(token_for(fosen.p.communications, fosen.municipality, ["inbox:read"]))
    url = f"/api/v1/m/{fosen.municipality.slug}/inbox/items/{item.pk}"
    assert api.get(url).json()["action"] == "delete_allowed"
    policy_update(
        actor=fosen.p.chief_administrator,
        municipality=fosen.municipality,
        overrides={"MO-1": {"grounds": ["hate_speech"]}},
        reason="Spam slettes ikke lenger, bare skjules.",
    )
    assert api.get(url).json()["action"] == "escalate"
    (row,) = api.get(f"/api/v1/m/{fosen.municipality.slug}/inbox/items").json()["items"]
    assert row["id"] == item.pk and row["action"] == "escalate"
