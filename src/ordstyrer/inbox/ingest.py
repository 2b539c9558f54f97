"""The one way anything enters the inbox: `inbox_ingest` (DI-1, DI-12; CH-9).

Called by the poller (`inbox.polling`), the Facebook/Instagram webhook processing and
the demo, with the platform's normalised `connectors.base.Comment`. Idempotent and
safe out of order: the same comment twice is one item; an edit that arrives before
its "add" creates the item with the edited text and keeps the original as an earlier
version when it comes; a removal of a comment never seen leaves a tombstone, so a late
"add" cannot bring it back as a live item.

The page's own comments are never triaged as citizens' comments: our own replies are
recognised, and a reply written directly on the platform by the page marks the
citizen's item answered.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField, Model, Q
from django.utils.translation import gettext as _

from ordstyrer.channels.models import Channel
from ordstyrer.connectors.base import Comment
from ordstyrer.inbox import triage as triage_mod
from ordstyrer.inbox import workflow
from ordstyrer.inbox.models import (
    CloseReason,
    InboxItem,
    ItemEvent,
    ItemKind,
    ItemStatus,
    ItemVersion,
    Reply,
)
from ordstyrer.inbox.transitions import (
    calendar_for,
    lock_item,
    log_event,
    policy_state,
    set_deadlines,
    transition,
)

MAX_ID = 255
# The triage's actions for a comment that must be moderated or looked at, not merely
# answered (`ordstyrer.language.triage.decide`): personal data such as a fødselsnummer
# (PU-1: «skjul straks»), hateful speech, harassment, spam, sensitive data, rumours.
# A follow-up with one of these is listed on its own (see `_create`).
NEEDS_ATTENTION = frozenset({"hide", "delete_allowed", "escalate"})


@dataclass(frozen=True, slots=True)
class Context:
    """What ingesting many comments of one channel shares (one policy read)."""

    policy: Any
    targets: Any
    version: int


def ingest_context(channel: Channel) -> Context:
    policy, targets, version = policy_state(channel.municipality)
    return Context(policy, targets, version)


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return value


def _without_nul(comment: Comment) -> Comment:
    """The comment with NUL characters removed from what is stored: PostgreSQL's text
    and jsonb cannot hold them, so one stray NUL would make the comment unstorable and
    its delivery a dead letter (issue #18). Meta does not send them in real text."""
    author = comment.author
    if author is not None and "\x00" in f"{author.id}{author.name}{author.profile_url or ''}":
        author = replace(
            author,
            id=str(author.id).replace("\x00", ""),
            name=str(author.name).replace("\x00", ""),
            profile_url=(author.profile_url or "").replace("\x00", "") or None,
        )
    text = comment.text.replace("\x00", "") if comment.text else comment.text
    permalink = comment.permalink.replace("\x00", "") if comment.permalink else comment.permalink
    if (text, permalink, author) == (comment.text, comment.permalink, comment.author):
        return comment
    return replace(comment, text=text, permalink=permalink, author=author)


def _kind(comment: Comment, kind: str | None) -> str:
    if kind:
        if kind not in ItemKind.values:
            raise ValueError(f"unknown inbox item kind {kind!r}")
        return kind
    return ItemKind.REPLY if comment.parent_id else ItemKind.COMMENT


def inbox_ingest(
    *,
    channel: Channel,
    comment: Comment,
    received_at: datetime,
    kind: str | None = None,
    context: Context | None = None,
    triaged: Mapping[str, triage_mod.TriageOutcome] | None = None,
    current: bool = False,
) -> InboxItem | None:
    """Upsert one comment, reply, visitor post or message of `channel`.

    Returns the item, or None for one of our own replies coming back from the platform.
    Triages new text on arrival (`ordstyrer.language.triage`) and stores both deadlines.
    `triaged` (text → outcome, from `pretriage` under the same `context`) saves the
    triage when the text was triaged beforehand in a batch.

    `current`: the comment as read from the platform (a poll or a backfill), not a
    change event: its text is the platform's text as of `received_at`. Graph says
    nothing of edits in a read, so a text that differs from the stored one is the
    citizen's edit whose webhook was lost (Meta drops events after 36 h of failed
    deliveries, spec §2.4) and is taken as one: the item shows it, keeps the old text
    as a version, and triages it (PU-1, DI-1). A webhook edit received later still wins
    (`_is_newer`).
    """
    _aware(received_at, "received_at")
    comment = _without_nul(comment)
    if comment.created_at is not None:
        _aware(comment.created_at, "comment.created_at")
    platform_id = str(comment.id or "").strip()
    if not platform_id or len(platform_id) > MAX_ID:
        raise ValueError("a comment needs a platform id of at most 255 characters")
    ctx = context or ingest_context(channel)
    if comment.is_page_author:
        return _ingest_page_comment(channel, comment, platform_id, received_at, ctx)
    # The stored text only (one column: this runs for every comment of every burst).
    stored = list(
        InboxItem.objects.filter(channel=channel, platform_id=platform_id).values_list(
            "text", flat=True
        )[:1]
    )
    verdict = None
    if comment.text and (not stored or stored[0] != comment.text):
        verdict = (triaged or {}).get(_triage_key(comment.text, comment.post_id, True)) or (
            triaged or {}
        ).get(comment.text)
        if verdict is None:  # outside the transaction
            post_text = _our_post_texts(channel, [comment.post_id]).get(comment.post_id or "")
            verdict = triage_mod.triage_text(comment.text, ctx.policy, post_text=post_text)
    if not stored:
        try:
            with transaction.atomic():
                return _create(channel, comment, platform_id, received_at, kind, ctx, verdict)
        except IntegrityError:  # another worker stored it a moment ago
            pass
    with transaction.atomic():
        item = lock_item(InboxItem.objects.get(channel=channel, platform_id=platform_id))
        _update(item, comment, received_at, ctx, verdict, current=current)
        return item


def pretriage(
    channel: Channel, comments: list[Comment], context: Context | None = None
) -> dict[str, triage_mod.TriageOutcome]:
    """Triage in one batch the texts `inbox_ingest` would triage one at a time for these
    comments of `channel` (citizens' texts that are new, or changed since stored); the
    result is its `triaged` argument. One query for what is stored already."""
    ctx = context or ingest_context(channel)
    comments = [_without_nul(c) for c in comments]
    wanted = {
        str(c.id).strip(): (c.text, c.post_id)
        for c in comments
        if c.text and c.id and not c.is_page_author
    }
    if not wanted:
        return {}
    stored = dict(
        InboxItem.objects.filter(channel=channel, platform_id__in=list(wanted)).values_list(
            "platform_id", "text"
        )
    )
    todo = [(text, post) for pid, (text, post) in wanted.items() if stored.get(pid) != text]
    posts = _our_post_texts(channel, [post for _text, post in todo])
    return _triage_batch(todo, posts, ctx, {})


def _our_post_texts(channel: Channel, post_ids: Iterable[str | None]) -> dict[str, str]:
    """The texts of these posts of `channel` that are the municipality's own, published
    through Ordstyrer (platform post id → text), in one query. A comment under one is
    triaged with the post's text: a letterless or one- or two-word reply under a Nynorsk
    post is Nynorsk (the reply suggestion and the MO-4 notice follow it), as the CLI and
    the API triage it when given the post's text."""
    from ordstyrer.publishing.models import DeliveryStatus, PostChannel

    wanted = {str(p) for p in post_ids if p}
    if not wanted:
        return {}
    return dict(
        PostChannel.objects.filter(
            channel=channel, platform_id__in=wanted, status=DeliveryStatus.PUBLISHED
        )
        .exclude(post__text="")
        .values_list("platform_id", "post__text")
    )


def _triage_key(text: str, post_id: str | None, ours: bool) -> str:
    """The key of a triage outcome in `triaged`: the text, or for a comment under one of
    our own posts (read with the post's text) the post and the text, NUL between (no
    stored text holds one: `_without_nul`)."""
    return f"{post_id}\x00{text}" if ours and post_id else text


def _triage_batch(
    todo: Sequence[tuple[str, str | None]],
    posts: Mapping[str, str],
    ctx: Context,
    known: Mapping[str, triage_mod.TriageOutcome],
) -> dict[str, triage_mod.TriageOutcome]:
    """Triage the (text, post id) pairs not in `known`, each under its post's text where
    the post is ours (`posts`, from `_our_post_texts`); keyed as `_triage_key`. One batch
    for the comments under posts that are not ours, and one for each of our posts."""
    by_post: dict[str | None, dict[str, str]] = {}
    for text, post in todo:
        ours = post in posts
        key = _triage_key(text, post, ours)
        if key not in known:
            by_post.setdefault(post if ours else None, {})[key] = text
    found: dict[str, triage_mod.TriageOutcome] = {}
    for post, texts in by_post.items():
        post_text = posts[post] if post is not None else None
        outcomes = triage_mod.triage_texts(list(texts.values()), ctx.policy, post_text=post_text)
        found.update(zip(texts, outcomes, strict=True))
    return found


# --- many new items at once (a burst's backlog) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Arrival:
    """One comment for `inbox_ingest_new`, as `inbox_ingest` would be given it."""

    comment: Comment
    received_at: datetime
    kind: str | None = None


def inbox_ingest_new(
    *,
    channel: Channel,
    arrivals: Sequence[Arrival],
    context: Context | None = None,
    triaged: Mapping[str, triage_mod.TriageOutcome] | None = None,
) -> set[str]:
    """Store at once the arrivals that are plainly new citizens' comments, and recognise
    the plain repeats of stored ones; returns their platform ids. Everything else is left
    to `inbox_ingest`, one at a time and in order, by the caller: this is only a faster
    way to what `inbox_ingest` stores for the common case of a burst (DI-1, DI-12), and
    stores exactly that (tests/inbox/test_ingest_bulk.py, test_ingest_repeats.py).

    Plain: a citizen's add (not the Page's own, not an edit, removal or hide of
    something), with text, a valid id and aware times, whose platform id occurs in
    `arrivals` only as this very comment (Meta's retries after an outage send the same
    change again: the first counts, as in `inbox_ingest`, where the rest change nothing),
    and which is no parent of another arrival nor a reply to one. New: not stored yet, no
    parent of a stored item (a child that came first), no reply to anything known (no
    conversation to join, DI-3), and only while the channel has no closure in effect
    (CH-9). A plain repeat of a stored item — the same text, nothing the item lacks
    (`_copy_platform_fields` would change nothing) — is recognised and not written.
    A few queries for the lot, then one insert each of items, first versions and
    "arrived" events in one transaction; on IntegrityError (another worker stored one of
    them a moment ago) nothing is stored and only the repeats are returned.
    """
    ctx = context or ingest_context(channel)
    same: dict[str, list[Arrival]] = {}
    for arrival in arrivals:
        comment = _without_nul(arrival.comment)
        if comment is not arrival.comment:
            arrival = replace(arrival, comment=comment)
        same.setdefault(str(comment.id or "").strip(), []).append(arrival)
    parents = {str(a.comment.parent_id) for a in arrivals if a.comment.parent_id}
    plain: dict[str, Arrival] = {}
    for platform_id, group in same.items():
        first = group[0]
        if any(_key(a) != _key(first) for a in group[1:]):
            continue  # the comment changed within the batch: each change in order
        parent = str(first.comment.parent_id) if first.comment.parent_id else None
        if _plainly_new(first, first.comment, platform_id) and platform_id not in parents:
            if parent is None or parent not in same:
                plain[platform_id] = first
    if not plain:
        return set()
    asked_parents = {str(a.comment.parent_id) for a in plain.values() if a.comment.parent_id}
    stored = set(
        InboxItem.objects.filter(
            channel=channel, platform_id__in=[*plain, *asked_parents]
        ).values_list("platform_id", flat=True)
    )
    repeats = _repeats(channel, {pid: a for pid, a in plain.items() if pid in stored})
    plain = {pid: a for pid, a in plain.items() if pid not in stored}
    if not plain:
        return repeats
    known = stored | set(
        InboxItem.objects.filter(channel=channel, parent_platform_id__in=list(plain))
        .order_by()
        .values_list("parent_platform_id", flat=True)
        .distinct()
    )
    if asked_parents - known:
        known |= set(
            Reply.objects.filter(
                item__channel=channel, platform_id__in=list(asked_parents - known)
            ).values_list("platform_id", flat=True)
        )
    plain = {
        pid: a
        for pid, a in plain.items()
        if pid not in known and not (a.comment.parent_id and str(a.comment.parent_id) in known)
    }
    if not plain or _closure_in_effect(channel):
        return repeats
    todo = [(a.comment.text, a.comment.post_id) for a in plain.values()]
    posts = _our_post_texts(channel, [post for _text, post in todo])
    verdicts = dict(triaged or {})
    verdicts.update(_triage_batch(todo, posts, ctx, verdicts))
    calendar = calendar_for(channel.municipality)
    items = [
        _new_item(
            channel,
            a,
            pid,
            ctx,
            verdicts[_triage_key(a.comment.text, a.comment.post_id, a.comment.post_id in posts)],
            calendar,
        )
        for pid, a in plain.items()
    ]
    try:
        with transaction.atomic():
            (_copy_new if connection.vendor == "postgresql" else _bulk_create_new)(items)
    except IntegrityError:  # another worker stored one of them: one at a time, then
        return repeats
    return repeats | set(plain)


def _key(arrival: Arrival) -> tuple[Any, ...]:
    """What `inbox_ingest` reads of an arrival (`Comment` equality leaves out `raw`, of
    which ingestion reads only what `hidden_on_platform` says)."""
    return arrival.comment, arrival.kind, hidden_on_platform(arrival.comment)


def _repeats(channel: Channel, arrivals: dict[str, Arrival]) -> set[str]:
    """The platform ids of `arrivals` (plain adds of stored items) that `inbox_ingest`
    would leave as they are: the same text, and `_copy_platform_fields` finds nothing
    to fill or change (compared on everything it sets on the item)."""
    if not arrivals:
        return set()
    out = set()
    for item in InboxItem.objects.filter(channel=channel, platform_id__in=list(arrivals)):
        comment = arrivals[item.platform_id].comment
        before = {k: v for k, v in item.__dict__.items() if k != "_state"}
        _copy_platform_fields(item, comment, arrivals[item.platform_id].received_at)
        after = {k: v for k, v in item.__dict__.items() if k != "_state"}
        if comment.text == item.text and after == before:
            out.add(item.platform_id)
    return out


# The data of the "arrived" event `_create` logs for a plainly new comment (`log_event`
# with audit=False, as before: an arrival is no person's action).
_ARRIVED = {"removed": False, "follow_up_of": None}


def _bulk_create_new(items: list[InboxItem]) -> None:
    """The new items, their first versions and "arrived" events: one insert each."""
    InboxItem.objects.bulk_create(items)
    ItemVersion.objects.bulk_create(
        ItemVersion(item=item, text=item.text, original=True, seen_at=item.received_at)
        for item in items
    )
    ItemEvent.objects.bulk_create(
        ItemEvent(item=item, action="arrived", actor=None, at=item.received_at, data=_ARRIVED)
        for item in items
    )


def _copy_new(items: list[InboxItem]) -> None:
    """`_bulk_create_new` on PostgreSQL with `COPY`: the item ids in one query, then one
    `COPY` each of items, versions and events (issue #14: Django's `bulk_create` spent
    more CPU building and quoting its statement than PostgreSQL spent storing the rows).
    The same rows (`tests/inbox/test_ingest_copy.py`); in the caller's transaction, and
    an IntegrityError is Django's, as from `bulk_create`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [InboxItem._meta.db_table, len(items)],
        )
        for item, (pk,) in zip(items, cursor.fetchall(), strict=True):
            item.pk = pk
        with connection.wrap_database_errors:
            _copy(cursor, InboxItem, [_values(item) for item in items], with_id=True)
            _copy(
                cursor,
                ItemVersion,
                _like(
                    ItemVersion(original=True),
                    item_id=[item.pk for item in items],
                    text=[item.text for item in items],
                    seen_at=[item.received_at for item in items],
                ),
            )
            _copy(
                cursor,
                ItemEvent,
                _like(
                    ItemEvent(action="arrived", actor=None, data=_ARRIVED),
                    item_id=[item.pk for item in items],
                    at=[item.received_at for item in items],
                ),
            )
    for item in items:
        item._state.adding, item._state.db = False, connection.alias


def _columns(model: Any, *, with_id: bool = False) -> list[Any]:
    return [f for f in model._meta.concrete_fields if with_id or not f.primary_key]


def _values(obj: Any, *, with_id: bool = True) -> list[Any]:
    """A model instance's row as `bulk_create` would send it for these models (no field
    changes its value on save: no `auto_now`), JSON as `json.dumps` gives it (jsonb
    stores the same value)."""
    model: type[Model] = type(obj)
    attnames, json_at = _row_shape(model, with_id)
    row = [getattr(obj, name) for name in attnames]
    for i in json_at:
        row[i] = json.dumps(row[i])
    return row


@functools.cache
def _row_shape(model: type[Model], with_id: bool) -> tuple[tuple[str, ...], tuple[int, ...]]:
    fields = _columns(model, with_id=with_id)
    json_at = tuple(i for i, f in enumerate(fields) if isinstance(f, JSONField))
    return tuple(f.attname for f in fields), json_at


def _like(template: Any, **columns: list[Any]) -> list[list[Any]]:
    """Rows of `template`'s model without ids: `template`'s values, but for the columns
    given (attname → one value per row)."""
    fields = _columns(type(template))
    base = _values(template, with_id=False)
    at = [(i, columns[f.attname]) for i, f in enumerate(fields) if f.attname in columns]
    rows = []
    for n in range(len(at[0][1])):
        row = base.copy()
        for i, values in at:
            row[i] = values[n]
        rows.append(row)
    return rows


def _copy(cursor: Any, model: Any, rows: list[list[Any]], *, with_id: bool = False) -> None:
    """COPY rows (values in `_columns` order) into `model`'s table."""
    names = ", ".join(connection.ops.quote_name(f.column) for f in _columns(model, with_id=with_id))
    table = connection.ops.quote_name(model._meta.db_table)
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
        for row in rows:
            copy.write_row(row)


def _plainly_new(arrival: Arrival, comment: Comment, platform_id: str) -> bool:
    """What needs nothing of `inbox_ingest` but a new row (checks that need no query)."""
    received, created = arrival.received_at, comment.created_at
    return bool(
        platform_id
        and len(platform_id) <= MAX_ID
        and comment.text
        and not (comment.is_page_author or comment.edited or comment.removed)
        and isinstance(received, datetime)
        and received.tzinfo is not None
        and (created is None or (isinstance(created, datetime) and created.tzinfo is not None))
        and (arrival.kind is None or arrival.kind in ItemKind.values)
    )


def _closure_in_effect(channel: Channel) -> bool:
    """Whether `closure_comment_arrived` acts on a new comment of `channel` (CH-9) —
    whatever the closure's comment mode: then each goes through `inbox_ingest`."""
    from ordstyrer.channels.closures import comments_closed

    return comments_closed(channel_id=channel.pk)


def _new_item(
    channel: Channel,
    arrival: Arrival,
    platform_id: str,
    ctx: Context,
    verdict: triage_mod.TriageOutcome,
    calendar: Any,
) -> InboxItem:
    """The row `_create` saves for a plainly new comment (no conversation, no removal)."""
    comment, received_at = arrival.comment, arrival.received_at
    item = _unsaved_item(channel, comment, platform_id, received_at, arrival.kind)
    item.text = comment.text
    item.edited = False
    triage_mod.apply(item, verdict, at=received_at)
    item.status, item.open = ItemStatus.NEW, True
    set_deadlines(item, targets=ctx.targets, calendar=calendar, version=ctx.version)
    item.status_changed_at = received_at
    return item


# --- new items ----------------------------------------------------------------------------


def _conversation_for(channel: Channel, comment: Comment) -> InboxItem | None:
    """The citizen's own earlier item this comment follows up, if any.

    A reply by the same person under their own comment, or under our reply to it,
    belongs to that conversation (and reopens it when it was answered)."""
    if not comment.parent_id or comment.author is None:
        return None
    parent = (
        InboxItem.objects.filter(channel=channel, platform_id=comment.parent_id)
        .select_related("conversation")
        .first()
    )
    root: InboxItem | None = None
    if parent is not None and not parent.from_page:
        root = parent.conversation or parent
    else:
        ours = (
            Reply.objects.filter(item__channel=channel, platform_id=comment.parent_id)
            .select_related("item")
            .first()
        )
        if ours is not None:
            root = ours.item
        elif parent is not None and parent.parent_platform_id:
            root = InboxItem.objects.filter(
                channel=channel, platform_id=parent.parent_platform_id, from_page=False
            ).first()
    if root is None or root.author_platform_id != comment.author.id:
        return None
    return root.conversation or root


def _create(
    channel: Channel,
    comment: Comment,
    platform_id: str,
    received_at: datetime,
    kind: str | None,
    ctx: Context,
    verdict: triage_mod.TriageOutcome | None,
) -> InboxItem:
    item = _unsaved_item(channel, comment, platform_id, received_at, kind)
    item.text = comment.text or ""
    item.edited = bool(comment.edited)
    if verdict is not None:
        triage_mod.apply(item, verdict, at=received_at)
    conversation = _conversation_for(channel, comment)
    if comment.removed:
        # A removal we had not seen the comment for: a tombstone, nothing to answer.
        item.removed_at = received_at
        item.status, item.open = ItemStatus.CLOSED, False
        item.close_reason = CloseReason.AUTHOR_REMOVED
        item.listed = conversation is None
        item.conversation = conversation
    elif conversation is not None and not _needs_attention(item):
        item.conversation = conversation
        item.listed = False
        item.status, item.open = ItemStatus.CLOSED, False
    elif not _needs_attention(item) and _under_gone_comment(channel, comment):
        # Another citizen's reply under a comment that is gone (DI-1): kept and listed,
        # so nothing is lost, but closed on arrival with no deadline (`_under_gone_comment`).
        item.status, item.open = ItemStatus.CLOSED, False
        item.close_reason = CloseReason.PARENT_REMOVED
    else:
        # A follow-up that must be moderated (PU-1, MO-1) stays in its conversation
        # (`conversation`, for the thread) but is listed and worked on like any comment:
        # in the work list, with its own deadlines, seen by the automatic rules.
        item.conversation = conversation
        item.status, item.open = ItemStatus.NEW, True
        set_deadlines(
            item,
            targets=ctx.targets,
            calendar=calendar_for(channel.municipality),
            version=ctx.version,
        )
    item.status_changed_at = received_at
    item.save()
    if item.text:
        ItemVersion.objects.create(
            item=item, text=item.text, original=not item.edited, seen_at=received_at
        )
    log_event(
        item,
        action="arrived",
        actor=None,
        now=received_at,
        data={"removed": bool(comment.removed), "follow_up_of": getattr(conversation, "pk", None)},
        audit=False,
    )
    if comment.removed:
        # Replies that came before their comment's removal did, the comment unseen.
        close_replies_under(item, now=received_at, targets=ctx.targets, version=ctx.version)
    if conversation is not None and not comment.removed:
        if item.listed:
            _listed_follow_up(conversation, item)
        else:
            # started_at: set by `_unsaved_item` above.
            _follow_up(conversation, item, cast(datetime, item.started_at), ctx)
    if not comment.removed and item.listed and item.close_reason != CloseReason.PARENT_REMOVED:
        # CH-9: a comment on a closed channel (a platform without a comment switch, or a
        # post the closure did not switch off) is hidden.
        from ordstyrer.channels.closures import closure_comment_arrived

        closure_comment_arrived(
            channel_id=channel.pk,
            comment_id=platform_id,
            now=received_at,
            post_id=str(comment.post_id) if comment.post_id else None,
        )
    return item


def _follow_up(root: InboxItem, follow_up: InboxItem, at: datetime, ctx: Context) -> None:
    """The citizen wrote again: an answered conversation opens again (DI-3), unless its
    comment is gone (`_gone`); the follow-up is then only noted in its timeline."""
    root = lock_item(root)
    if root.status in workflow.RESOLVED and not _gone(root):
        transition(
            root,
            action="reopen",
            actor=None,
            now=follow_up.received_at,
            targets=ctx.targets,
            version=ctx.version,
            reopened_by=at,
            note=_("Innbyggeren svarte igjen."),
            data={"follow_up_id": follow_up.pk},
        )
    else:
        log_event(
            root,
            action="follow_up",
            actor=None,
            now=follow_up.received_at,
            data={"follow_up_id": follow_up.pk},
            audit=False,
        )


def _gone(root: InboxItem) -> bool:
    """Whether the conversation's comment is gone from the platform, or going: removed by
    its author, deleted by the municipality (done, or decided and on its way), or a reply
    under such a comment (`CloseReason.PARENT_REMOVED`: gone with it). Such a
    conversation can neither be answered (`replies.reply_send`) nor moderated: reopened,
    it would only wait for a deadline it must miss, in the overdue counts and digests
    (DI-1). A comment merely hidden is still there and is reopened like any other."""
    return (
        root.close_reason in (CloseReason.AUTHOR_REMOVED, CloseReason.PARENT_REMOVED)
        or root.removed_at is not None
        or _deleted_by_municipality(root)
    )


def _under_gone_comment(channel: Channel, comment: Comment) -> bool:
    """Whether `comment` replies under a comment that is gone from the platform, or going
    (`_gone`): its parent, the top of its thread, or the comment our reply it answers was
    under. Facebook and Instagram take a comment's replies with it, and our answer would
    go under the removed comment (the platforms thread one level deep): such a reply
    cannot be answered, and a deadline would only be missed, in the overdue counts, the
    digests and the report (DI-1) — a question to the municipality too. A comment merely
    hidden is still there: a reply under it is answered like any other (DI-1, DI-3)."""
    if not comment.parent_id:
        return False
    parent_id = str(comment.parent_id)
    above = list(InboxItem.objects.filter(channel=channel, platform_id=parent_id)[:1])
    if above and above[0].parent_platform_id:
        top = above[0].parent_platform_id
        above += InboxItem.objects.filter(channel=channel, platform_id=top)[:1]
    elif not above:
        ours = (
            Reply.objects.filter(item__channel=channel, platform_id=parent_id)
            .select_related("item")
            .first()
        )
        above = [ours.item] if ours is not None else []
    return any(_gone(known) for known in above)


def _needs_attention(item: InboxItem) -> bool:
    return item.action in NEEDS_ATTENTION


def _listed_follow_up(root: InboxItem, follow_up: InboxItem) -> None:
    """The citizen wrote again, and what they wrote must be moderated: it is an item of
    its own, and the conversation's page says so. The conversation is not reopened: the
    follow-up carries the work (and its own clocks), so the report counts it once."""
    log_event(
        lock_item(root),
        action="follow_up",
        actor=None,
        now=follow_up.received_at,
        data={"follow_up_id": follow_up.pk, "listed": True},
        audit=False,
    )


def _list_follow_up(item: InboxItem, received_at: datetime, ctx: Context) -> None:
    """A folded follow-up whose edit needs moderation (a fødselsnummer added later,
    PU-1) is listed from now on, like a new comment: new, open, deadlines from the edit."""
    item.listed = True
    item.status, item.open = ItemStatus.NEW, True
    item.close_reason = ""
    item.started_at = item.resolution_started_at = received_at
    item.first_responded_at = item.resolved_at = None
    item.status_changed_at = received_at
    set_deadlines(
        item,
        targets=ctx.targets,
        calendar=calendar_for(item.channel.municipality),
        version=ctx.version,
    )


def _unsaved_item(
    channel: Channel, comment: Comment, platform_id: str, received_at: datetime, kind: str | None
) -> InboxItem:
    """A new comment's row, unsaved: its times (the response clock starts when it was
    written, or when it arrived if the platform says later) and the platform's fields."""
    created = comment.created_at
    started = created if created is not None and created <= received_at else received_at
    item = InboxItem(
        municipality=channel.municipality,
        channel=channel,
        kind=_kind(comment, kind),
        platform_id=platform_id,
        received_at=received_at,
        platform_created_at=created,
        text_seen_at=received_at,
        started_at=started,
        resolution_started_at=started,
    )
    _copy_platform_fields(item, comment, received_at)
    return item


def _copy_platform_fields(item: InboxItem, comment: Comment, received_at: datetime) -> None:
    """Fill what the platform told us, never erasing what an earlier event gave, nor
    overwriting a later hidden state with an earlier one."""
    if comment.post_id and not item.post_id:
        item.post_id = str(comment.post_id)[:MAX_ID]
    if comment.parent_id and not item.parent_platform_id:
        item.parent_platform_id = str(comment.parent_id)[:MAX_ID]
    if comment.author is not None:
        item.author_platform_id = item.author_platform_id or str(comment.author.id)[:MAX_ID]
        item.author_name = item.author_name or str(comment.author.name)[:MAX_ID]
        item.author_url = item.author_url or (comment.author.profile_url or "")[:500]
    if comment.permalink and not item.permalink:
        item.permalink = comment.permalink[:1000]
    if comment.created_at is not None and item.platform_created_at is None:
        item.platform_created_at = comment.created_at
    hidden = hidden_on_platform(comment)
    if hidden is not None and _hidden_is_newer(item, hidden, received_at):
        item.hidden, item.hidden_seen_at = hidden, received_at


def _hidden_is_newer(item: InboxItem, hidden: bool, received_at: datetime) -> bool:
    """Whether a hidden state received at `received_at` is not older than the one the
    item shows (DI-1, MO-1).

    A webhook delivery that failed is retried later with the time it was first received
    (`platforms.webhooks`; the dead letters' «Prøv igjen»): its stale "hide" after a
    moderator's "unhide" would show a comment that is visible on the platform as hidden
    here, out of the waiting and overdue counts, and refuse to hide it. The item's state
    was set last either by a platform event (`hidden_seen_at`) or by the municipality's
    own hide/unhide, which the moderation outbox stamps as a "mod_platform_done" event
    in the item's timeline when the platform has done it. On a tie the later processed
    wins, as the changes of one delivery share its receipt time (and as `_is_newer`)."""
    if item.hidden_seen_at is not None and received_at < item.hidden_seen_at:
        return False
    if hidden == item.hidden or item.pk is None:
        return True  # the same state (its time moves on), or a new item
    moderated = (
        ItemEvent.objects.filter(
            item_id=item.pk, action="mod_platform_done", data__op__in=("hide", "unhide")
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return moderated is None or received_at >= moderated


def hidden_on_platform(comment: Comment) -> bool | None:
    """Whether the platform says the comment is hidden, or None when this change does not
    say: an add or an author's edit must not show a comment the municipality hid.

    A hide/unhide event decides (`raw["verb"]`, as webhooks and the simulated feed carry
    it); then an explicit platform value (Graph `is_hidden`, Instagram `hidden`, as in
    a comment read from the platform); `Comment.hidden=True` is always an explicit "hidden".
    """
    raw = comment.raw if isinstance(comment.raw, dict) else {}
    verb = raw.get("verb")
    if verb in ("hide", "unhide"):
        return verb == "hide"
    for key in ("is_hidden", "hidden"):
        if isinstance(raw.get(key), bool):
            return bool(raw[key])
    return True if comment.hidden else None


# --- known items -----------------------------------------------------------------------------


def _update(
    item: InboxItem,
    comment: Comment,
    received_at: datetime,
    ctx: Context,
    verdict: triage_mod.TriageOutcome | None,
    *,
    current: bool = False,
) -> None:
    _copy_platform_fields(item, comment, received_at)
    text = comment.text or ""
    # A read of the platform (`current`) whose text differs from the stored one shows
    # an edit whose webhook never came (`inbox_ingest`).
    edited = bool(comment.edited) or (current and bool(text and item.text) and text != item.text)
    known = set(item.versions.values_list("text", flat=True))
    if text and text != item.text:
        if not item.text:
            # The tombstone learns what was said, or an edit-first item its original.
            item.text, item.text_seen_at, item.edited = text, received_at, edited
            if verdict is not None:
                triage_mod.apply(item, verdict, at=received_at)
        elif _is_newer(item, edited, received_at):
            item.text, item.text_seen_at, item.edited = text, received_at, True
            if verdict is not None:
                triage_mod.apply(item, verdict, at=received_at)
            log_event(item, action="edited", actor=None, now=received_at, audit=False)
        if text not in known:
            ItemVersion.objects.create(
                item=item, text=text, original=not edited, seen_at=received_at
            )
    # The platform's "remove" of a comment the municipality is deleting, or has deleted,
    # is our own deletion coming back (the webhook may beat the outbox's record of it):
    # the comment is gone, but its author did not remove it (MO-2, the archive and the
    # audit name who deleted it). Only a removal nobody here decided is the author's.
    by_author = comment.removed and not _deleted_by_municipality(item)
    newly_removed = comment.removed and item.removed_at is None
    if newly_removed:
        item.removed_at = received_at
        if by_author:
            log_event(item, action="removed", actor=None, now=received_at, audit=False)
    newly_listed = (
        not item.listed
        and item.conversation_id is not None
        and item.removed_at is None
        and _needs_attention(item)
    )
    if newly_listed:
        _list_follow_up(item, received_at, ctx)
    item.save()
    if newly_listed and item.conversation is not None:
        _listed_follow_up(item.conversation, item)
    if by_author and item.open:
        transition(
            item,
            action="close",
            actor=None,
            now=received_at,
            targets=ctx.targets,
            version=ctx.version,
            close_reason=CloseReason.AUTHOR_REMOVED,
            note=_("Forfatteren fjernet kommentaren."),
        )
    if by_author and newly_removed:
        # The platform took the replies under it with it (DI-1), and a follow-up that
        # reopened its conversation is gone (DI-3).
        close_replies_under(item, now=received_at, targets=ctx.targets, version=ctx.version)
        _follow_up_removed(item, received_at, ctx)


def close_replies_under(
    item: InboxItem,
    *,
    now: datetime,
    targets: Any = None,
    version: int | None = None,
    data: dict[str, Any] | None = None,
) -> list[int]:
    """Close the open replies under `item`, whose comment is gone from the platform:
    removed by its author (`_update`), or deleted by the municipality
    (`moderation.effects`). Facebook and Instagram take a comment's replies with it,
    silently (one "remove", for the comment): other citizens' replies that arrived
    before and wait for an answer are closed as one that arrives after it is
    (`CloseReason.PARENT_REMOVED`, `_under_gone_comment`): no answer can be given there,
    so no deadline is left to miss in the overdue counts, the digests and the report
    (DI-1). As on arrival, one that must itself be moderated (`NEEDS_ATTENTION`: personal
    data, hateful speech, …) stays open; the municipality's own comments are not touched.

    Under it: a reply to the comment, to one of its replies (the platforms thread one
    level deep, so these are the comment's too), or to our reply to it. Returns the ids
    of the items closed; the caller holds the transaction. Without `targets` and
    `version`, the municipality's are read when there is a reply to close."""
    if not item.platform_id:
        return []
    channel_replies = InboxItem.objects.filter(channel_id=item.channel_id, from_page=False)
    parents = {item.platform_id}
    parents |= set(
        Reply.objects.filter(item=item)
        .exclude(platform_id="")
        .values_list("platform_id", flat=True)
    )
    parents |= set(
        channel_replies.filter(parent_platform_id__in=parents)
        .exclude(platform_id="")
        .values_list("platform_id", flat=True)
    )
    waiting = list(
        channel_replies.filter(parent_platform_id__in=parents, open=True)
        .exclude(pk=item.pk)
        .exclude(action__in=NEEDS_ATTENTION)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if waiting and (targets is None or version is None):
        _policy, targets, version = policy_state(item.municipality)
    closed = []
    for pk in waiting:
        reply = lock_item(pk)
        if not reply.open or _needs_attention(reply):
            continue
        # A system's close answers nobody (DI-1): the transition stamps no response time
        # for it and leaves the reply no deadline, as one that arrives after the removal
        # (`transitions.NOT_AN_ANSWER`, `NO_DEADLINE`).
        transition(
            reply,
            action="close",
            actor=None,
            now=now,
            targets=targets,
            version=cast(int, version),
            close_reason=CloseReason.PARENT_REMOVED,
            note=_(
                "Kommentaren dette svarer på, er slettet, og plattformen fjernet svarene "
                "under den med den. Svaret kan derfor ikke besvares der, og har ingen frist."
            ),
            data={"parent_item_id": item.pk, **(data or {})},
        )
        closed.append(pk)
    return closed


# What a conversation reopened by a follow-up goes back to when that follow-up is removed
# by its author (`_follow_up_removed`): the status it had, by the action that sets it.
_BACK_TO: dict[str, str] = {
    ItemStatus.ANSWERED: "answer",
    ItemStatus.REFERRED: "refer",
    ItemStatus.CLOSED: "close",
}


def _follow_up_removed(follow_up: InboxItem, at: datetime, ctx: Context) -> None:
    """The citizen removed a follow-up that reopened their conversation (DI-3): the
    reason to answer again is gone, and the conversation would wait with a running
    deadline for an answer to nothing, in the overdue counts and the digests (DI-1).
    When that follow-up was what reopened it and nothing has happened to it since (its
    last event is that reopening: no other follow-up, note, assignment or reply), the
    conversation goes back to the status it had, with a note by the system. Its first
    resolution's figures are kept, as through every reopening (docs/inbox.md).
    Otherwise — someone is working on it, or another follow-up came — it stays open."""
    if follow_up.conversation_id is None or follow_up.listed:
        return
    root = lock_item(follow_up.conversation_id)
    if root.status != ItemStatus.REOPENED:
        return
    last = ItemEvent.objects.filter(item_id=root.pk).order_by("-at", "-pk").first()
    if (
        last is None
        or last.action != "reopen"
        or (last.data or {}).get("follow_up_id") != follow_up.pk
        or last.from_status not in _BACK_TO
    ):
        return
    close_reason = ""
    if last.from_status == ItemStatus.CLOSED:
        closed = (
            ItemEvent.objects.filter(item_id=root.pk, action="close", pk__lt=last.pk)
            .order_by("-at", "-pk")
            .first()
        )
        close_reason = str(((closed.data if closed else None) or {}).get("close_reason", ""))
        if close_reason == CloseReason.CHANNEL_RETIRED:
            return  # only the retirement closes with that reason (`transition`)
    transition(
        root,
        action=_BACK_TO[last.from_status],
        actor=None,
        now=at,
        targets=ctx.targets,
        version=ctx.version,
        close_reason=close_reason,
        note=_(
            "Innbyggeren fjernet oppfølgingen som åpnet samtalen igjen. Samtalen er satt "
            "tilbake til status «%(status)s»."
        )
        % {"status": ItemStatus(last.from_status).label},
        data={"follow_up_id": follow_up.pk, "follow_up_removed": True},
    )


def _deleted_by_municipality(item: InboxItem) -> bool:
    """Whether the municipality has decided to delete this comment: a deletion of it that
    is running (archived, on its way to the platform) or done. One waiting for a second
    approver, turned down or failed has not removed anything."""
    from ordstyrer.inbox.selectors import deleted_by_municipality

    return item.pk in deleted_by_municipality([item.pk])


def _is_newer(item: InboxItem, edited: bool, received_at: datetime) -> bool:
    """Whether a text received at `received_at` (`edited`: an edit, or a read of the
    platform that differs from the stored text) is later than the one the item shows.

    An un-edited text ("add") is never newer than an edited one; between two edits,
    the later arrival wins, so a poll that read the comment before a webhook's edit was
    received does not overwrite that edit (on a tie, the later processed wins)."""
    if not edited:
        return False
    if not item.edited:
        return True
    return item.text_seen_at is None or received_at >= item.text_seen_at


# --- the page's own comments ----------------------------------------------------------------


def _ingest_page_comment(
    channel: Channel, comment: Comment, platform_id: str, received_at: datetime, ctx: Context
) -> InboxItem | None:
    """Our replies come back as page comments: recognise them; a reply the page wrote
    directly on the platform is kept in the thread and answers the citizen's item."""
    if Reply.objects.filter(item__channel=channel, platform_id=platform_id).exists():
        return None
    with transaction.atomic():
        item, created = InboxItem.objects.get_or_create(
            channel=channel,
            platform_id=platform_id,
            defaults={
                "municipality": channel.municipality,
                "kind": _kind(comment, None),
                "from_page": True,
                "listed": False,
                "open": False,
                "status": ItemStatus.CLOSED,
                "text": comment.text or "",
                "received_at": received_at,
                "text_seen_at": received_at,
                "status_changed_at": received_at,
            },
        )
        _copy_platform_fields(item, comment, received_at)
        if comment.text and comment.text != item.text:
            item.text = comment.text
        if comment.removed and item.removed_at is None:
            item.removed_at = received_at
        item.save()
        if created and comment.parent_id:
            _answered_on_platform(channel, comment, item, received_at, ctx)
    return item


def _answered_on_platform(
    channel: Channel, comment: Comment, page_item: InboxItem, received_at: datetime, ctx: Context
) -> None:
    parent = InboxItem.objects.filter(
        channel=channel, platform_id=comment.parent_id, from_page=False
    ).first()
    if parent is None:
        return
    if not parent.listed:  # a folded follow-up: the conversation carries the work
        parent = parent.conversation or parent
    ours = Reply.objects.filter(item=parent).filter(
        Q(platform_id=page_item.platform_id) | Q(text=comment.text)
    )
    if not parent.open or ours.exists():
        return
    parent = lock_item(parent)
    transition(
        parent,
        action="answer",
        actor=None,
        now=comment.created_at or received_at,
        targets=ctx.targets,
        version=ctx.version,
        note=_("Besvart direkte på plattformen."),
        data={"page_comment_id": page_item.pk},
    )
