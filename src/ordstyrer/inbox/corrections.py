"""Editors' corrections of the triage categories (issue #16, item 4).

An editor who reads a comment better than the model sets its categories right on the
item page. The correction takes effect at once — the category the inbox shows and
filters on, the action the municipality's policy prescribes for it, the deletion grounds
and the findings (`inbox.triage.corrected`) — and is kept in the item's timeline (an
item event, with the audit entry every change gets). Saving the model's own categories
unchanged confirms them, which is as useful a label.

Each correction is also a labelled example: `corrections_rows` gives one municipality's
as the JSONL rows that `python -m ordstyrer.language.train.comments --corrections FILE`
(and `train.cascade`) read, and `ordstyrer corrections-export` writes them. The product
never retrains itself: an operator runs the training command and ships the model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordstyrer.core.actor import ActorLike
from ordstyrer.core.errors import ServiceError
from ordstyrer.inbox.access import require_work
from ordstyrer.inbox.models import InboxItem, ItemEvent
from ordstyrer.inbox.transitions import lock_item, log_event
from ordstyrer.inbox.triage import CATEGORY_LABELS, TRIAGE_FIELDS, apply, corrected
from ordstyrer.language.classify import HATE_GROUNDS
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for

EVENT = "categories"


def item_correct_categories(
    *, actor: ActorLike, item: InboxItem, labels: Iterable[str], hate_ground: str = ""
) -> InboxItem:
    """Set the item's categories to an editor's reading (CH-3: those who work on the
    channel). Idempotent: the same correction again (a replayed or double-clicked form)
    changes nothing and logs nothing."""
    wanted = set(labels)
    if wanted - set(CATEGORY_LABELS):
        raise ServiceError(gettext_lazy("Ukjent kategori."))
    chosen = [code for code in CATEGORY_LABELS if code in wanted]
    if not chosen:
        raise ServiceError(gettext_lazy("Velg minst én kategori."))
    if hate_ground and hate_ground not in HATE_GROUNDS:
        raise ServiceError(gettext_lazy("Ukjent grunnlag for hatefulle ytringer."))
    if hate_ground and "hate_speech" not in chosen:
        raise ServiceError(
            gettext_lazy("Grunnlaget etter straffeloven § 185 gjelder bare hatefulle ytringer.")
        )
    now = timezone.now()
    with transaction.atomic():
        item = lock_item(item)
        require_work(actor, item.channel)
        if not item.text:
            raise ServiceError(gettext_lazy("Henvendelsen har ingen tekst å sette kategori på."))
        wanted_record = {
            "to": chosen,
            "hate_ground": hate_ground or None,
            "text_digest": text_digest(item.text),
        }
        last = latest_correction(item)
        if (
            last is not None
            and {k: last.data.get(k) for k in wanted_record} == wanted_record
            and list(item.categories) == chosen
        ):
            return item
        previous = {"from": list(item.categories), "from_category": item.category}
        outcome = corrected(
            item,
            chosen,
            hate_ground or (item.triage or {}).get("hate_ground"),
            policy_for(municipality=item.municipality),
        )
        apply(item, outcome, at=item.triaged_at or now)
        item.save(update_fields=TRIAGE_FIELDS)
        log_event(
            item,
            action=EVENT,
            actor=actor,
            now=now,
            data={**previous, **wanted_record, "action": outcome.action},
        )
    return item


def text_digest(text: str) -> str:
    """Which text a correction was made for (the author may edit it afterwards)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def latest_correction(item: InboxItem) -> ItemEvent | None:
    return item.events.filter(action=EVENT).order_by("-at", "-id").first()


def editors_hate_ground(item: InboxItem) -> str:
    """The § 185 ground an editor gave for the item's categories as they stand ("" when
    none did): the form starts from it, never from the model's guess."""
    if "hate_speech" not in item.categories:
        return ""
    last = latest_correction(item)
    if last is None or list(last.data.get("to") or ()) != list(item.categories):
        return ""
    return str(last.data.get("hate_ground") or "")


def _author_removals(item_id: Any) -> QuerySet[ItemEvent]:
    """The marks `inbox.ingest` leaves when a comment's author removed it: a "removed"
    event (the platform's removal nobody here decided), or a comment first seen as
    removed (a tombstone, "arrived" with `removed`). The municipality's own deletion sets
    `removed_at` too, and leaves neither."""
    return ItemEvent.objects.filter(item_id=item_id).filter(
        Q(action="removed") | Q(action="arrived", data__removed=True)
    )


def corrections_rows(municipality: Municipality) -> Iterator[dict[str, Any]]:
    """One municipality's corrections as labelled rows for the training commands
    (`language.train.comments.load_jsonl`'s format): the item's text as the editor read
    it, with national ID numbers masked (PU-1), and the categories the editor set, last
    correction of an item counts. Left out: items whose text the author has edited since (the
    labels were for the text before), removed by their author, or without text. A comment
    the municipality deleted (MO-1; or took down with its post, PU-6) stays in: it is the
    harmful kind the model must learn. No author, no person: a row is the text and its
    labels."""
    from ordstyrer.language.masking import mask_national_ids

    events = (
        ItemEvent.objects.filter(action=EVENT, item__municipality=municipality)
        .annotate(author_removed=Exists(_author_removals(OuterRef("item_id"))))
        .select_related("item")
        .order_by("item_id", "-at", "-id")
    )
    seen: set[int] = set()
    for event in events.iterator(chunk_size=500):
        item = event.item
        if item.pk in seen:
            continue
        seen.add(item.pk)
        if not item.text or event.author_removed:
            continue
        if event.data.get("text_digest") != text_digest(item.text):
            continue
        labels = [code for code in event.data.get("to") or () if code in CATEGORY_LABELS]
        if not labels:
            continue
        row: dict[str, Any] = {
            "id": f"{municipality.slug}-{item.pk}",
            "text": mask_national_ids(item.text),
            "labels": labels,
            "municipality": municipality.slug,
            "source": "correction",
            # Comments under one post stay on one side of the training folds.
            "group": f"{municipality.slug}:{item.post_id or item.pk}",
            "corrected_at": event.at.isoformat(),
        }
        if item.written_standard:
            row["standard"] = item.written_standard
        if event.data.get("hate_ground") and "hate_speech" in labels:
            row["hate_ground"] = event.data["hate_ground"]
        yield row
