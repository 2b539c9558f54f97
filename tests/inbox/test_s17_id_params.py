"""Ids in the inbox's URLs and forms: only ASCII decimal digits are ids, anything else is
ignored — never a server error nor another channel's items.

`str.isdigit` says "²" is a digit, yet `int("²")` raises (a 500); it reads "١" (an
Arabic-Indic one) as 1 (another channel's filter); and a number beyond the database's
integer overflowed in the lookup.
"""

from __future__ import annotations

import pytest

from ordstyrer.core.ids import parse_id
from ordstyrer.inbox.models import ItemStatus
from ordstyrer.inbox.selectors import parse_filter
from tests.inbox.conftest import comment, ingest, signed_in

BAD = ["²", "١", "٣", "１", "12²", "-1", "+1", " 1", "1.0", "0", "9" * 19, "9" * 40, "", "abc"]


@pytest.mark.parametrize("value", BAD)
def test_only_ascii_digits_in_range_are_ids(value):
    assert parse_id(value) is None
    assert parse_filter({"kanal": value}).channel is None


@pytest.mark.parametrize(
    ("value", "expected"), [("1", 1), ("0042", 42), (str(2**63 - 1), 2**63 - 1)]
)
def test_an_id_is_read(value, expected):
    assert parse_id(value) == expected
    assert parse_filter({"kanal": value}).channel == expected


@pytest.mark.parametrize("value", BAD)
def test_the_work_list_ignores_a_bad_channel(world, value):
    ingest(world.channel, comment("c1"))
    client = signed_in(world.editor)
    for view in ("open", "all", "resolved"):
        response = client.get(
            f"/m/{world.municipality.slug}/innboks/", {"kanal": value, "vis": view}
        )
        assert response.status_code == 200, (value, view)
        assert "svømmehallen" in response.content.decode() or view == "resolved"


def test_an_outsider_gets_no_work_list_whatever_the_channel(world):
    response = signed_in(world.p.outsider).get(
        f"/m/{world.municipality.slug}/innboks/", {"kanal": "²"}
    )
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("value", ["²", "١", "9" * 40, "-1"])
def test_bulk_actions_ignore_bad_item_ids(world, value):
    item = ingest(world.channel, comment("c1"))
    client = signed_in(world.editor)
    url = f"/m/{world.municipality.slug}/innboks/handling/"
    checked = client.post(url, {"action": "acknowledge", "item": [value]})
    row = client.post(url, {"row": f"acknowledge:{value}"})
    assert checked.status_code == 302 and row.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.NEW


def test_bulk_actions_still_act_on_good_ids_beside_bad_ones(world):
    item = ingest(world.channel, comment("c1"))
    client = signed_in(world.editor)
    url = f"/m/{world.municipality.slug}/innboks/handling/"
    response = client.post(url, {"action": "acknowledge", "item": ["²", str(item.pk)]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.ACKNOWLEDGED
