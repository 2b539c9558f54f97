"""The category the inbox stores is one the triage assigned (DI-1, DI-12, CH-5, MO-1).

The stored category decides what waits for an answer, what is sorted first, which
automatic rules match and whether DI-12 refuses a reply; a score under its threshold
must not decide any of it, and a harmful label that was assigned must. The scores are
set through the installation's cascade seam (`ORDSTYRER_LANGUAGE_CASCADE`, the reading
model `language.cascade.load_reader` gives), as tests/inbox/test_triage_cascade.py does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pytest

from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox import triage as inbox_triage
from ordstyrer.inbox.models import InboxItem, ReplyStatus
from ordstyrer.inbox.selectors import InboxFilter, inbox_page, overdue_counts
from ordstyrer.language import cascade
from ordstyrer.language.classify import CATEGORIES
from ordstyrer.moderation.auto import auto_moderate
from tests.inbox.conftest import TUESDAY, comment, ingest

pytestmark = pytest.mark.django_db

RUMOUR_QUESTION = "Stemmer det at skolen på Herefoss skal legges ned til sommeren?"
RUMOUR = "Alle vet jo at rektor ved skolen på Herefoss slutter fordi skolen legges ned"
COMPLAINT = "Strøket ved idrettsbanen har ikke vært brøytet siden mandag, det er for dårlig"
HATEFUL_COMPLAINT = "Bråket fra asylmottaket er ikke til å holde ut, sånne folk bør sendes hjem"
SCORES = {
    RUMOUR_QUESTION: {"rumour": 0.60, "question": 0.55},
    RUMOUR: {"rumour": 0.90, "question": 0.10},
    COMPLAINT: {"hate_speech": 0.38, "complaint": 0.36},
    HATEFUL_COMPLAINT: {"hate_speech": 0.45, "complaint": 0.70},
}


class Scored:
    """A reading model that gives each text the scores `SCORES` sets (`classify.Cascade`)."""

    def combine(
        self, texts: Sequence[str], fast: np.ndarray, fast_thresholds: Sequence[float]
    ) -> np.ndarray:
        return np.asarray(
            [[SCORES[t].get(c, 0.01) for c in CATEGORIES] for t in texts], dtype=np.float64
        )


@pytest.fixture(autouse=True)
def scored(settings, monkeypatch):  # noqa: ANN001, ANN201
    settings.ORDSTYRER_LANGUAGE_CASCADE = True
    monkeypatch.setattr(cascade, "available", lambda: True)
    monkeypatch.setattr(cascade, "load_reader", Scored)
    inbox_triage._load_cascade.cache_clear()  # noqa: SLF001 - loaded once per process
    yield
    inbox_triage._load_cascade.cache_clear()  # noqa: SLF001


def _item(world, cid: str, text: str, author: str = "user-1") -> InboxItem:  # noqa: ANN001
    item = ingest(world.channel, comment(cid, text, author=author))
    assert item is not None
    return item


def test_a_question_whose_rumour_score_fell_short_is_answered(birkenes, fake_platform, send):  # noqa: ANN001
    """DI-12, DI-1: Birkenes, «Stemmer det at skolen skal legges ned?» with rumour 0.60
    (threshold 0.65) and question 0.55: stored as a question, the reply is sent, and the
    rumour rule does not flag it."""
    item = _item(birkenes, "c1", RUMOUR_QUESTION)
    assert (item.category, item.categories, item.action) == ("question", ["question"], "answer")
    rules = [{"category": "rumour", "action": "flag"}]
    assert auto_moderate(item=item, rules=rules, now=TUESDAY + timedelta(minutes=1)) == []
    reply = send(actor=birkenes.editor, item=item, text="Nei, skolen fortsetter som før.")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    # A rumour the model did assign is still never commented on (DI-12).
    rumour = _item(birkenes, "c2", RUMOUR, author="user-2")
    assert rumour.category == "rumour"
    with pytest.raises(ServiceError, match="DI-12"):
        send(actor=birkenes.editor, item=rumour, text="Det stemmer ikke.")


def test_a_complaint_with_a_hate_score_under_its_threshold_waits_for_an_answer(world):  # noqa: ANN001
    """DI-1, CH-5: hate speech at 0.38 (threshold 0.40) is no label: the complaint is
    stored as a complaint and counted as waiting and, past its deadline, overdue."""
    item = _item(world, "c1", COMPLAINT)
    assert (item.category, item.categories) == ("complaint", ["complaint"])
    InboxItem.objects.filter(pk=item.pk).update(due_at=TUESDAY + timedelta(hours=1))
    page = inbox_page(
        user=world.editor,
        municipality=world.municipality,
        filters=InboxFilter(),
        now=TUESDAY + timedelta(days=3),
    )
    assert (page.open_count, page.overdue_count) == (1, 1)
    assert overdue_counts([world.channel.pk]) == {world.channel.pk: 1}


def test_an_assigned_hate_label_is_sorted_first_and_meets_the_hate_rule(world):  # noqa: ANN001
    """MO-1: labelled hate speech at 0.45 with a higher complaint score (0.70), the item is
    stored as hate speech: sorted first by urgency, and the municipality's automatic
    rule for hate speech matches it."""
    first = _item(world, "c1", COMPLAINT)
    item = _item(world, "c2", HATEFUL_COMPLAINT, author="user-2")
    assert item.category == "hate_speech"
    assert set(item.categories) == {"complaint", "hate_speech"}
    InboxItem.objects.filter(pk=first.pk).update(due_at=TUESDAY + timedelta(hours=1))
    InboxItem.objects.filter(pk=item.pk).update(due_at=TUESDAY + timedelta(hours=5))
    page = inbox_page(
        user=world.editor,
        municipality=world.municipality,
        filters=InboxFilter(sort="hast"),
        now=TUESDAY + timedelta(minutes=5),
    )
    assert [row.pk for row in page.items] == [item.pk, first.pk]
    rules = [{"category": "hate_speech", "action": "flag"}]
    assert auto_moderate(item=item, rules=rules, now=TUESDAY + timedelta(minutes=1)) == ["flag"]
