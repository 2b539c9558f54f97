"""The inbox offers no reply declining a friend request (EM-3), with or without EM-3 in
the guideline: no comment on a page is a friend request, and a reply from the inbox is
the municipality's, which must not speak as a private employee (CH-3; product.md §4
lists acknowledge, thank, correct and the two referrals). The reply is the employee's,
on «Før du poster privat» (tests/publishing/test_s21_private_check.py).
"""

from __future__ import annotations

import re

import pytest

from ordstyrer.inbox import reply_templates
from ordstyrer.inbox.replies import reply_suggestion
from tests.inbox.conftest import item_page, question

FIVE = ["acknowledge", "thank", "correct", "refer_formal", "refer_political"]


def offered(html: str) -> list[str]:
    return re.findall(r'<a href="\?mal=(\w+)#svar"', html)


@pytest.mark.parametrize("name", ["birkenes", "gausdal", "rennebu"])
def test_the_item_page_offers_the_five_templates_and_no_friend_decline(name, request):
    # Birkenes' and Gausdal's guidelines have EM-3 (Birkenes with a model reply);
    # Rennebu's has not.
    world = request.getfixturevalue(name)
    item = question(world)
    html = item_page(world, item)
    assert offered(html) == FIVE
    assert "venneforespørsel" not in html.lower()
    asked = item_page(world, item, "?mal=decline_friend")
    assert "venneforespørsel" not in asked.lower() and "avslå" not in asked.lower()


@pytest.mark.parametrize("name", ["birkenes", "rennebu"])
def test_no_policy_renders_a_friend_decline(name, request):
    world = request.getfixturevalue(name)
    assert list(reply_templates.TEMPLATES) == FIVE
    with pytest.raises(ValueError, match="unknown reply template"):
        reply_suggestion(item=question(world), actor=world.editor, code="decline_friend")
