"""PU-1 (norwegian-standards §4.2): a comment whose fødselsnummer follows «f.nr.» with no
space, or is spaced with a no-break space, is triaged as holding one on arrival: the
suggestion is «Skjul straks», and the item page shows the number masked. Before, the
detector never saw it (`language.numbers._ID_SHAPE`)."""

from __future__ import annotations

import pytest

from tests.inbox.conftest import comment, ingest, item_page, text_of

FNR = "05099242649"  # valid check digits (the masking tests' number)


@pytest.mark.parametrize("written", [f"f.nr.{FNR}", "fnr 050992\u00a042649"])
def test_pu_1_an_arriving_comment_with_a_glued_or_nbsp_number_is_hidden_at_once(world, written):
    item = ingest(world.channel, comment("c-fnr", f"Hei, her er mitt {written}, hjelp meg"))
    assert item is not None
    assert item.action == "hide"
    assert [m["type"] for m in item.personal_data] == ["national_id"]
    page = text_of(item_page(world, item))
    assert "Skjul straks" in page
    assert "******42649" in page
    assert FNR not in page and "050992\u00a042649" not in page
