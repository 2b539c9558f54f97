"""«Dette venter på deg»: what the start page shows one person (#15). A selector.

Only what this person can act on, each with a count and a link to the filtered list it
counts: items past or near their deadline (DI-1) on the channels whose inbox they
work, approvals waiting for them (channels CH-1, posts, deletions MO-1/MO-5, and the
posts, replies and notices to authors that wait for the crisis leader, PU-12), posts a
crisis paused that wait for their decision (PU-12), notices that did not arrive and
platform calls that failed (MO-4), channels that need follow-up (CH-3, CH-5, CH-6, with
the reason) and connections to the platforms that need a person. A constant number of
queries per section, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ordstyrer.channels import workflow
from ordstyrer.channels.models import Channel, ChannelKind
from ordstyrer.channels.permissions import may_decide
from ordstyrer.channels.selectors import channel_registry
from ordstyrer.core.actor import Actor, ActorLike, user_of
from ordstyrer.core.permissions import actor_for, roles_in
from ordstyrer.core.queries import COUNT_CAP, capped_count
from ordstyrer.inbox.access import visible_channel_ids
from ordstyrer.inbox.models import ChannelPoll, InboxItem, Reply, ReplyStatus
from ordstyrer.inbox.polling import pollable
from ordstyrer.inbox.selectors import IS_OPEN, NOT_WAITING
from ordstyrer.moderation.access import log_channel_ids, may_remove
from ordstyrer.moderation.models import ActionKind, ActionStatus, ModerationAction, NoticeState
from ordstyrer.moderation.selectors import log_counts
from ordstyrer.tenants.models import Municipality, Role

MAX_LISTED = 5


@dataclass
class Need:
    """One thing to do: `count` of them, a sentence saying so, where to do it."""

    key: str
    count: int
    text: str
    url: str
    urgent: bool = False
    reasons: list[str] = field(default_factory=list)


@dataclass
class Needs:
    inbox: list[Need] = field(default_factory=list)
    approvals: list[Need] = field(default_factory=list)
    paused: list[Need] = field(default_factory=list)
    failures: list[Need] = field(default_factory=list)
    channels: list[Need] = field(default_factory=list)
    connections: list[Need] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (
            self.inbox
            or self.approvals
            or self.paused
            or self.failures
            or self.channels
            or self.connections
        )


def _open_items(user: Actor, municipality: Municipality, visible: list[int] | None) -> Any:
    # IS_OPEN, not open=True: an equality SQLite's planner reads the deadline index by.
    items = InboxItem.objects.filter(IS_OPEN, municipality=municipality, listed=True).exclude(
        NOT_WAITING
    )
    return items if visible is None else items.filter(channel_id__in=visible)


def _inbox(user: Actor, municipality: Municipality, now: datetime) -> list[Need]:
    """Counted up to COUNT_CAP, as the inbox's header counts (a full count reads every
    open item); over it the sentence says "over 1000", as the header does."""
    visible = visible_channel_ids(user, municipality)
    if visible is not None and not visible:
        return []
    inbox = reverse("inbox:list", args=[municipality.slug])
    items = _open_items(user, municipality, visible)
    overdue = capped_count(items.filter(due_at__lt=now))
    soon = capped_count(items.filter(warn_at__lte=now, due_at__gte=now))
    mine = capped_count(items.filter(assignee=user_of(user)))
    over = {"n": COUNT_CAP}
    needs = []
    if overdue:
        needs.append(
            Need(
                "overdue",
                overdue,
                _("Over %(n)s henvendelser har passert fristen.") % over
                if overdue > COUNT_CAP
                else ngettext(
                    "%(n)s henvendelse har passert fristen.",
                    "%(n)s henvendelser har passert fristen.",
                    overdue,
                )
                % {"n": overdue},
                f"{inbox}?{urlencode({'frist': 'passert'})}",
                urgent=True,
            )
        )
    if soon:
        needs.append(
            Need(
                "soon",
                soon,
                _("Over %(n)s henvendelser nærmer seg fristen.") % over
                if soon > COUNT_CAP
                else ngettext(
                    "%(n)s henvendelse nærmer seg fristen.",
                    "%(n)s henvendelser nærmer seg fristen.",
                    soon,
                )
                % {"n": soon},
                inbox,  # the open list is sorted by deadline: these come first after the overdue
            )
        )
    if mine:
        needs.append(
            Need(
                "mine",
                mine,
                _("Over %(n)s åpne henvendelser er tildelt deg.") % over
                if mine > COUNT_CAP
                else ngettext(
                    "%(n)s åpen henvendelse er tildelt deg.",
                    "%(n)s åpne henvendelser er tildelt deg.",
                    mine,
                )
                % {"n": mine},
                f"{inbox}?{urlencode({'mine': '1'})}",
            )
        )
    return needs


def _approvals(user: Actor, municipality: Municipality) -> list[Need]:
    needs = []
    channels = [
        c
        for c in Channel.objects.filter(
            municipality=municipality, status__in=workflow.AWAITING_DECISION
        ).order_by("name")
        if may_decide(user, c)
    ]
    if channels:
        needs.append(
            Need(
                "channels",
                len(channels),
                ngettext(
                    "%(n)s kanal venter på din godkjenning (CH-1).",
                    "%(n)s kanaler venter på din godkjenning (CH-1).",
                    len(channels),
                )
                % {"n": len(channels)},
                reverse("channels:detail", args=[municipality.slug, channels[0].pk])
                if len(channels) == 1
                else reverse("channels:list", args=[municipality.slug]),
                reasons=[c.name for c in channels[:MAX_LISTED]],
            )
        )
    needs += publishing_approvals(user=user, municipality=municipality)
    needs += crisis_approvals(user=user, municipality=municipality)
    policy = _policy(municipality)
    pending = [
        a
        for a in ModerationAction.objects.filter(
            municipality=municipality,
            kind=ActionKind.DELETE,
            status=ActionStatus.PENDING_APPROVAL,
        )
        .exclude(requested_by=user_of(user))
        .select_related("channel__municipality")
        if may_remove(user, a.channel, policy)
    ]
    if pending:
        needs.append(
            Need(
                "deletions",
                len(pending),
                ngettext(
                    "%(n)s sletting venter på godkjenning fra en person til (MO-1).",
                    "%(n)s slettinger venter på godkjenning fra en person til (MO-1).",
                    len(pending),
                )
                % {"n": len(pending)},
                reverse("moderation:log", args=[municipality.slug]) + "?vis=waiting",
            )
        )
    return needs


def publishing_approvals(*, user: Actor, municipality: Municipality) -> list[Need]:
    """Posts waiting for this person's approval (the publishing app's queue)."""
    from ordstyrer.publishing.selectors import posts_awaiting_approval

    posts = posts_awaiting_approval(municipality=municipality, user=user)
    if not posts:
        return []
    return [
        Need(
            "posts",
            len(posts),
            ngettext(
                "%(n)s innlegg venter på din godkjenning.",
                "%(n)s innlegg venter på din godkjenning.",
                len(posts),
            )
            % {"n": len(posts)},
            reverse("publishing:approvals", args=[municipality.slug]),
        )
    ]


def _excerpt(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(80)


def crisis_approvals(*, user: Actor, municipality: Municipality) -> list[Need]:
    """Posts, replies and notices to authors (MO-4) waiting for the crisis leader (PU-12),
    for whoever the crisis app lets approve them (`may_approve_in_crisis`: the crisis
    leader, the named deputies, the preset's approvers). Shown also after the crisis:
    its queue stays open."""
    from ordstyrer.crisis.selectors import may_approve_in_crisis
    from ordstyrer.publishing.models import Post, PostStatus

    if not may_approve_in_crisis(user=user, municipality=municipality):
        return []
    queue = reverse("crisis:index", args=[municipality.slug]) + "#queue-heading"
    posts = Post.objects.filter(
        municipality=municipality, status=PostStatus.AWAITING_CRISIS_APPROVAL
    ).order_by("submitted_at", "pk")
    replies = Reply.objects.filter(
        item__municipality=municipality, status=ReplyStatus.AWAITING_CRISIS_APPROVAL
    ).order_by("created_at", "pk")
    needs = []
    n_posts = posts.count()
    if n_posts:
        needs.append(
            Need(
                "crisis-posts",
                n_posts,
                ngettext(
                    "%(n)s innlegg venter på godkjenning fra kriseleder (PU-12).",
                    "%(n)s innlegg venter på godkjenning fra kriseleder (PU-12).",
                    n_posts,
                )
                % {"n": n_posts},
                queue,
                urgent=True,
                reasons=[
                    _excerpt(text) for text in posts.values_list("text", flat=True)[:MAX_LISTED]
                ],
            )
        )
    n_replies = replies.count()
    if n_replies:
        needs.append(
            Need(
                "crisis-replies",
                n_replies,
                ngettext(
                    "%(n)s svar venter på godkjenning fra kriseleder (PU-12).",
                    "%(n)s svar venter på godkjenning fra kriseleder (PU-12).",
                    n_replies,
                )
                % {"n": n_replies},
                queue,
                urgent=True,
                reasons=[
                    _excerpt(text) for text in replies.values_list("text", flat=True)[:MAX_LISTED]
                ],
            )
        )
    needs += _held_notices(municipality)
    return needs


def _held_notices(municipality: Municipality) -> list[Need]:
    """Notices to authors (MO-4) held for the crisis leader (PU-12), approved on the
    moderation app's page of held notices: they wait after the crisis too, and the
    author is told nothing until then. The reasons name the act and the channel, not
    the notice, which may name the author."""
    held = ModerationAction.objects.filter(
        municipality=municipality, notice_state=NoticeState.AWAITING_CRISIS_APPROVAL
    )
    n_held = held.count()
    if not n_held:
        return []
    first = held.select_related("channel").order_by("requested_at", "pk")[:MAX_LISTED]
    return [
        Need(
            "crisis-notices",
            n_held,
            ngettext(
                "%(n)s beskjed til en forfatter venter på godkjenning fra kriseleder (MO-4, "
                "PU-12).",
                "%(n)s beskjeder til forfattere venter på godkjenning fra kriseleder (MO-4, "
                "PU-12).",
                n_held,
            )
            % {"n": n_held},
            reverse("moderation:crisis_notices", args=[municipality.slug]),
            urgent=True,
            reasons=[f"{action.get_kind_display()} – {action.channel.name}" for action in first],
        )
    ]


MAX_PAUSED = 20


def _paused(user: Actor, municipality: Municipality) -> list[Need]:
    """Posts a crisis paused (PU-12), each linking to its page, where the people
    `may_decide_paused` lets decide publish, reschedule or discard it: the author, the
    crisis staff, communications. Listed while the crisis lasts (resuming waits for its
    end) and after it, until each is decided: nothing happens to them unasked."""
    from ordstyrer.crisis.selectors import may_approve_in_crisis
    from ordstyrer.publishing.access import may_decide_paused
    from ordstyrer.publishing.selectors import posts_paused

    paused = posts_paused(municipality=municipality)
    if not paused:
        return []
    # `may_decide_paused` asked per post costs queries per post (the crisis approver's
    # check); its half that does not depend on the post is asked once here: the crisis
    # leader, communications and whoever approves in the crisis decide every paused post.
    staff = bool(roles_in(user, municipality) & {Role.CRISIS_LEADER, Role.COMMUNICATIONS})
    if staff or may_approve_in_crisis(user=user, municipality=municipality):
        posts = paused
    else:
        # Anyone else decides only a post they may edit, i.e. their own (`may_edit`).
        me = getattr(user_of(user), "pk", None)
        posts = [p for p in paused if p.author_id == me and may_decide_paused(user, p)]
    needs = [
        Need(
            f"paused-{post.pk}",
            1,
            _("Satt på pause (krise): «%(text)s»") % {"text": _excerpt(post.text)},
            reverse("publishing:detail", args=[municipality.slug, post.pk]),
            reasons=[", ".join(d.channel.name for d in post.deliveries.all())],
        )
        for post in posts[:MAX_PAUSED]
    ]
    if len(posts) > MAX_PAUSED:
        more = len(posts) - MAX_PAUSED
        needs.append(
            Need(
                "paused-more",
                more,
                ngettext(
                    "%(n)s innlegg til er satt på pause (krise).",
                    "%(n)s innlegg til er satt på pause (krise).",
                    more,
                )
                % {"n": more},
                reverse("publishing:index", args=[municipality.slug])
                + "?"
                + urlencode({"status": "paused"}),
            )
        )
    return needs


def _failures(user: Actor, municipality: Municipality, now: datetime) -> list[Need]:
    needs = []
    channels = log_channel_ids(user, municipality)
    if channels is None or channels:
        notices = ModerationAction.objects.filter(
            municipality=municipality, notice_state=NoticeState.FAILED
        )
        if channels is not None:
            notices = notices.filter(channel_id__in=channels)
        failed_notices = notices.count()
        failed_total = log_counts(user=user, municipality=municipality)["failed"]
        log = reverse("moderation:log", args=[municipality.slug]) + "?vis=failed"
        if failed_notices:
            needs.append(
                Need(
                    "notices",
                    failed_notices,
                    ngettext(
                        "%(n)s beskjed til en forfatter kom ikke fram (MO-4).",
                        "%(n)s beskjeder til forfattere kom ikke fram (MO-4).",
                        failed_notices,
                    )
                    % {"n": failed_notices},
                    log,
                    urgent=True,
                )
            )
        if failed_total - failed_notices > 0:
            n = failed_total - failed_notices
            needs.append(
                Need(
                    "moderation",
                    n,
                    ngettext(
                        "%(n)s moderering ble ikke utført på plattformen.",
                        "%(n)s moderinger ble ikke utført på plattformen.",
                        n,
                    )
                    % {"n": n},
                    log,
                    urgent=True,
                )
            )
    visible = visible_channel_ids(user, municipality)
    if visible is None or visible:
        replies = Reply.objects.filter(
            item__municipality=municipality,
            status=ReplyStatus.FAILED,
            item__open=True,
        )
        if visible is not None:
            replies = replies.filter(item__channel_id__in=visible)
        # Counted up to COUNT_CAP, as the inbox's needs are; the latest few give the
        # link and the reasons (#15: each with a count).
        n_failed = capped_count(replies)
        if n_failed:
            latest = list(replies.order_by("-created_at")[:MAX_LISTED])
            needs.append(
                Need(
                    "replies",
                    n_failed,
                    _("Over %(n)s svar ble ikke publisert.") % {"n": COUNT_CAP}
                    if n_failed > COUNT_CAP
                    else ngettext(
                        "%(n)s svar ble ikke publisert.",
                        "%(n)s svar ble ikke publisert.",
                        n_failed,
                    )
                    % {"n": n_failed},
                    reverse("inbox:detail", args=[municipality.slug, latest[0].item_id]) + "#svar",
                    urgent=True,
                    reasons=[r.error for r in latest if r.error],
                )
            )
    return needs


def _channels(user: Actor, municipality: Municipality, now: datetime) -> list[Need]:
    """CH-3/CH-5/CH-6 flags on the channels this person answers for."""
    roles = roles_in(user, municipality)
    oversight = bool(roles & {"communications", "chief_administrator"})
    mine = log_channel_ids(user, municipality)
    if not oversight and not mine:
        return []
    needs = []
    for channel in channel_registry(
        municipality=municipality,
        policy=_policy(municipality),
        today=timezone.localdate(now),
        statuses=workflow.OFFICIAL,
    ):
        if not channel.flags or (not oversight and channel.pk not in (mine or [])):
            continue
        needs.append(
            Need(
                f"channel-{channel.pk}",
                len(channel.flags),
                _("%(channel)s trenger oppfølging") % {"channel": channel.name},
                reverse("channels:detail", args=[municipality.slug, channel.pk]),
                reasons=[f"{flag.message} ({flag.rule})" for flag in channel.flags],
            )
        )
    return needs


def closure_needs(*, user: Actor, municipality: Municipality, now: datetime) -> list[Need]:
    """Closures (CH-9) that wait for the people who manage their channel
    (`channels.closures.closures_for_people`): a notice to publish before the closure
    starts (or it waits), a platform step that failed for good. Each links to the
    channel's closures."""
    from ordstyrer.channels.closures import closures_for_people
    from ordstyrer.channels.permissions import channel_ids_with_need

    managed = channel_ids_with_need(user, municipality, "manage")
    return [
        Need(
            f"closure-{closure.pk}",
            1,
            _closure_text(closure, why),
            reverse("channels:closures", args=[municipality.slug, closure.channel_id]),
            urgent=why != "notice_due",
            reasons=[closure.reason]
            if why.startswith("notice")
            else closure.platform_note.splitlines()[-1:],
        )
        for closure, why in closures_for_people(
            municipality=municipality, channel_ids=managed, now=now
        )
    ]


def _closure_text(closure: Any, why: str) -> str:
    channel = closure.channel.name
    if why == "notice_waiting":
        return _("Stengingen av %(channel)s venter på at beskjeden publiseres (CH-9).") % {
            "channel": channel
        }
    if why == "notice_due":
        when = formats.date_format(timezone.localtime(closure.starts_at), "SHORT_DATETIME_FORMAT")
        return _("Publiser beskjeden om stengingen av %(channel)s før %(when)s (CH-9).") % {
            "channel": channel,
            "when": when,
        }
    if why == "steps_failed":
        return _(
            "Stengingen av %(channel)s fikk ikke skjult alle nye kommentarer eller slått av "
            "kommentarene på alle innlegg (CH-9)."
        ) % {"channel": channel}
    if closure.state == "in_effect":
        return _("Kommentarene på %(channel)s kunne ikke slås av (CH-9).") % {"channel": channel}
    return _("Kommentarene på %(channel)s er fortsatt slått av etter stengingen (CH-9).") % {
        "channel": channel
    }


def _connections(user: Actor, municipality: Municipality) -> list[Need]:
    """Channels whose platform cannot be read or reached: a person must act."""
    roles = roles_in(user, municipality)
    mine = log_channel_ids(user, municipality)
    oversight = bool(roles & {"communications", "chief_administrator"})
    if not oversight and not mine:
        return []
    polls = ChannelPoll.objects.filter(
        channel__municipality=municipality, channel__status__in=workflow.LIVE, failures__gt=0
    ).select_related("channel")
    if not oversight:
        polls = polls.filter(channel_id__in=mine or [])
    needs = [
        Need(
            f"poll-{poll.channel_id}",
            poll.failures,
            _("Ordstyrer får ikke hentet kommentarer fra %(channel)s.")
            % {"channel": poll.channel.name},
            reverse("channels:detail", args=[municipality.slug, poll.channel_id]),
            urgent=True,
            reasons=[poll.last_error] if poll.last_error else [],
        )
        for poll in polls.order_by("channel__name")[:20]
    ]
    needs += _platform_connections(municipality, None if oversight else (mine or []))
    needs += _unconnected(municipality, None if oversight else (mine or []))
    return needs


def _unconnected(municipality: Municipality, channel_ids: list[int] | None) -> list[Need]:
    """Live Facebook/Instagram channels not connected to their platform yet: nothing is
    read from them or answered on them until a main administrator connects them."""
    live = Channel.objects.filter(
        municipality=municipality,
        status__in=workflow.LIVE,
        kind__in=(ChannelKind.FACEBOOK, ChannelKind.INSTAGRAM),
    )
    if channel_ids is not None:
        live = live.filter(pk__in=channel_ids)
    rows = live.exclude(pk__in=pollable(live).values("pk")).order_by("name")[:20]
    return [
        Need(
            f"unconnected-{channel.pk}",
            1,
            _("%(channel)s er ikke koblet til %(platform)s ennå.")
            % {"channel": channel.name, "platform": channel.kind.title()},
            reverse("platforms:connection", kwargs={"slug": municipality.slug, "pk": channel.pk}),
        )
        for channel in rows
    ]


def _platform_connections(municipality: Municipality, channel_ids: list[int] | None) -> list[Need]:
    from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection

    # Only an official channel's: a retired one cannot be connected again, so nobody
    # could clear its item (`platforms.connections`).
    rows = PlatformConnection.objects.filter(
        channel__municipality=municipality,
        channel__status__in=workflow.OFFICIAL,
        status=ConnectionStatus.NEEDS_REAUTH,
    ).select_related("channel")
    if channel_ids is not None:
        rows = rows.filter(channel_id__in=channel_ids)
    return [
        Need(
            f"reauth-{row.channel_id}",
            1,
            _("%(channel)s må kobles til plattformen på nytt.") % {"channel": row.channel.name},
            reverse("channels:detail", args=[municipality.slug, row.channel_id]),
            urgent=True,
        )
        for row in rows.order_by("channel__name")[:20]
    ]


def _policy(municipality: Municipality) -> Any:
    from ordstyrer.tenants.selectors import policy_for

    return policy_for(municipality=municipality)


def what_needs_me(*, user: ActorLike, municipality: Municipality, now: datetime) -> Needs:
    """Everything on the start page for `user` in `municipality` (#15); every section
    reads the roles from one `Actor` (the console passes `request.actor`)."""
    actor = actor_for(user, municipality)
    if not actor.roles:
        return Needs()
    return Needs(
        inbox=_inbox(actor, municipality, now),
        approvals=_approvals(actor, municipality),
        paused=_paused(actor, municipality),
        failures=_failures(actor, municipality, now),
        channels=_channels(actor, municipality, now)
        + closure_needs(user=actor, municipality=municipality, now=now),
        connections=_connections(actor, municipality),
    )
