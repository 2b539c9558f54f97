"""E-mail about crisis mode (called from tasks, after commit): to an author when the
crisis leader stopped their reply, and to the crisis leader and deputies when a post or a
reply starts to wait for them, or when a paused post's copy could not be deleted on the
platform's own scheduler (PU-12).

Like the inbox's e-mail it quotes no comment text; it carries the crisis leader's
reason, which was written for the author.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from ordstyrer.core.mail import addresses, console_url, send

# An alias for tasks already queued, not the task's home (that is `crisis/tasks.py`):
# django-tasks stores each queued task's import path (`Task.module_path`) and the worker
# imports it back. Tasks queued before the task moved carry
# `ordstyrer.crisis.notifications.crisis_waiting_notify`; without this name the worker
# would mark them failed (ImportError) and the crisis leader would not hear of a post or
# reply waiting for them (PU-12). Queue `ordstyrer.crisis.tasks.crisis_waiting_notify`.
from ordstyrer.crisis.models import Crisis
from ordstyrer.crisis.selectors import active_crisis, crisis_approvers, crisis_approvers_said
from ordstyrer.crisis.tasks import crisis_waiting_notify as crisis_waiting_notify
from ordstyrer.formats import norwegian_datetime
from ordstyrer.inbox.models import Reply
from ordstyrer.inbox.notifications import _path
from ordstyrer.tenants.models import Municipality


def notify_reply_rejected(*, reply_id: int) -> int:
    reply = Reply.objects.select_related("item__channel__municipality", "author").get(pk=reply_id)
    context = {
        "channel": reply.item.channel.name,
        "path": _path(reply.item),
        "reason": reply.crisis_reason,
    }

    def compose() -> tuple[str, str]:
        subject = _("Kriselederen stoppet svaret ditt på %(channel)s") % context
        body = (
            _(
                "Kommunen er i krisemodus, og kriselederen godkjente ikke svaret ditt på "
                "%(channel)s (PU-12). Begrunnelse: %(reason)s\n\nHenvendelsen er satt tilbake "
                "slik den var. Se den i Ordstyrer: %(path)s"
            )
            % context
        )
        return subject, body

    return send(compose, addresses([reply.author]))


def notify_crisis_waiting(*, kind: str, object_id: int) -> int:
    """PU-12: tell the crisis leader and the deputies that a post or a reply (`kind`)
    waits for them, with a link to the crisis page's queue: those who may approve it, so
    not a deputy who wrote, changed or sent it in. One message per item, sent only while
    it still waits; no text of the post, the reply or the comment is quoted."""
    from ordstyrer.inbox.models import ReplyStatus
    from ordstyrer.publishing.models import Post, PostStatus

    municipality: Municipality
    author: Any
    hands: set[int]
    resumed: Any = None  # the post's latest step, when it was a resumption: who took it
    held_by: int | None = None  # the crisis that held the post (`Post.crisis_ref`)
    if kind == "post":
        from ordstyrer.publishing.access import hands_on

        post = Post.objects.select_related("author", "municipality").filter(pk=object_id).first()
        if post is None or post.status != PostStatus.AWAITING_CRISIS_APPROVAL:
            return 0
        municipality, author, held_by = post.municipality, post.author, post.crisis_ref
        # Who wrote, changed or sent it in, as `post_crisis_approve` reads them.
        hands = hands_on(post)
        channels = ", ".join(d.channel.name for d in post.deliveries.select_related("channel"))
        step = (
            post.events.filter(action__in=("publish", "resume"))
            .select_related("actor")
            .order_by("-at", "-pk")
            .first()
        )
        if step is not None and step.action == "resume":
            resumed = step
    else:
        reply = (
            Reply.objects.select_related("item__channel__municipality", "author")
            .filter(pk=object_id)
            .first()
        )
        if reply is None or reply.status != ReplyStatus.AWAITING_CRISIS_APPROVAL:
            return 0
        municipality, author = reply.item.channel.municipality, reply.author
        # Its author, as `reply_crisis_approve` reads them.
        hands = {reply.author_id} if reply.author_id is not None else set()
        channels = reply.item.channel.name
    # Those who may approve it (`crisis_approvers`): none of its hands but the crisis
    # leader, who approves all information (PU-12).
    recipients = addresses(crisis_approvers(municipality=municipality, hands=hands))
    if not recipients:
        return 0
    # After the crisis a post still waits for the crisis leader (`publishing.selectors.
    # resume_status`): the e-mail says which crisis held it, not that one is going on.
    ended = None
    if kind == "post" and active_crisis(municipality=municipality) is None:
        crises = Crisis.objects.filter(municipality=municipality).order_by("-declared_at")
        ended = crises.filter(pk=held_by).first() if held_by is not None else None
        ended = ended or crises.first()  # a post held before `crisis_ref` was kept
    context = {
        "author": _name(author),
        "municipality": municipality.name,
        "channels": channels,
        "path": console_url(reverse("crisis:index", args=[municipality.slug])) + "#queue-heading",
        "crisis": ended.name if ended is not None else "",
        "actor": _name(resumed.actor) if resumed is not None else "",
    }

    def compose() -> tuple[str, str]:
        # Who approves, as the guide and the crisis page say it (PU-12).
        context["who"] = crisis_approvers_said(municipality=municipality)
        if kind != "post":
            subject = _("Et svar venter på godkjenning fra kriseleder")
            body = _(
                "%(author)s har skrevet et svar på %(channels)s i %(municipality)s. Kommunen "
                "er i krisemodus, så svaret venter på godkjenning fra %(who)s eller en "
                "stedfortreder (PU-12).\n\nÅpne godkjenningskøen: %(path)s"
            )
            return subject, body % context
        subject = _("Et innlegg venter på godkjenning fra kriseleder")
        if ended is None:
            body = _(
                "%(author)s har sendt et innlegg til publisering i %(municipality)s "
                "(%(channels)s). Kommunen er i krisemodus, så innlegget venter på "
                "godkjenning fra %(who)s eller en stedfortreder (PU-12).\n\n"
                "Åpne godkjenningskøen: %(path)s"
            )
        elif resumed is not None:
            body = _(
                "%(actor)s har gjenopptatt et innlegg i %(municipality)s (%(channels)s) "
                "etter krisen «%(crisis)s». Innlegget ventet på godkjenning fra kriseleder "
                "da det ble satt på pause, og venter fortsatt på godkjenning fra "
                "%(who)s eller en stedfortreder (PU-12).\n\n"
                "Åpne godkjenningskøen: %(path)s"
            )
        else:
            body = _(
                "%(author)s sendte et innlegg til publisering i %(municipality)s "
                "(%(channels)s) under krisen «%(crisis)s». Krisen er avsluttet, men "
                "innlegget venter fortsatt på godkjenning fra %(who)s eller en "
                "stedfortreder (PU-12).\n\n"
                "Åpne godkjenningskøen: %(path)s"
            )
        return subject, body % context

    return send(compose, recipients)


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def notify_copy_left(*, post_channel_id: int) -> int:
    """PU-12: tell the crisis leader and the deputies that the copy of a post paused for
    a crisis is still on the platform's own scheduler and Ordstyrer could not delete it
    (`publishing.delivery._paused_copy_left`, once per copy): it goes out there at its
    time unless someone deletes it on the platform. Everyone who may approve in a crisis
    (`crisis_approvers`), with a link to the post's page; sent only while the post is
    still paused. No text of the post is quoted."""
    from ordstyrer.publishing.models import PostChannel, PostStatus

    row = (
        PostChannel.objects.select_related("post__municipality", "channel")
        .filter(pk=post_channel_id, post__status=PostStatus.PAUSED)
        .first()
    )
    if row is None:
        return 0
    post, municipality = row.post, row.post.municipality
    recipients = addresses(crisis_approvers(municipality=municipality))
    if not recipients:
        return 0
    context = {
        "channel": row.channel.name,
        "municipality": municipality.name,
        "time": norwegian_datetime(post.publish_at) if post.publish_at else "",
        "path": console_url(reverse("publishing:detail", args=[municipality.slug, post.pk])),
    }

    def compose() -> tuple[str, str]:
        subject = _("Et innlegg på pause kan bli publisert på %(channel)s") % context
        if post.publish_at is not None:
            body = _(
                "Et innlegg i %(municipality)s er satt på pause for krisen, men det ligger "
                "fortsatt planlagt hos plattformen på «%(channel)s», og Ordstyrer fikk ikke "
                "slettet det der. Det publiseres der %(time)s hvis ingen sletter det "
                "(PU-12). Slett innlegget direkte på plattformen.\n\n"
                "Se innlegget i Ordstyrer: %(path)s"
            )
        else:
            body = _(
                "Et innlegg i %(municipality)s er satt på pause for krisen, men det ligger "
                "fortsatt planlagt hos plattformen på «%(channel)s», og Ordstyrer fikk ikke "
                "slettet det der. Det publiseres der hvis ingen sletter det (PU-12). Slett "
                "innlegget direkte på plattformen.\n\n"
                "Se innlegget i Ordstyrer: %(path)s"
            )
        return subject, body % context

    return send(compose, recipients)
