"""E-mail about posts (Django e-mail; the console in the demo). Called from tasks only,
after the change committed. In each recipient's language (`core.mail`); the reason is
quoted, the post text is not, nor the name of a person whose consent is withdrawn."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext as _

from ordstyrer.core.mail import addresses, console_url, send
from ordstyrer.publishing.models import Consent, MediaAsset, Post

logger = logging.getLogger("ordstyrer.publishing")


def _tell_author(post_id: int, compose: Callable[[Post, str], tuple[str, str]]) -> str:
    """E-mail the post's author `compose(post, link)` = (subject, body), in the author's
    language (`core.mail`)."""
    post = Post.objects.select_related("author", "municipality").filter(pk=post_id).first()
    if post is None:
        return "skipped"
    recipients = addresses([post.author])
    if not recipients:
        return "skipped"
    link = console_url(reverse("publishing:detail", args=[post.municipality.slug, post.pk]))
    send(lambda: compose(post, link), recipients)
    return "sent"


def rejected_notify(*, post_id: int) -> str:
    """Tell the author that the post came back, and why; where the latest rejection is
    the crisis leader's (`services.post_crisis_reject`), that the crisis leader stopped
    it (PU-12), as a stopped reply says (`crisis.notifications.notify_reply_rejected`)."""

    def compose(post: Post, link: str) -> tuple[str, str]:
        context = {
            "municipality": post.municipality.name,
            "reason": post.rejection_reason,
            "path": link,
        }
        last = (
            post.events.filter(action__in=("reject", "crisis_reject"))
            .order_by("-at", "-id")
            .values_list("action", flat=True)
            .first()
        )
        if last == "crisis_reject":
            return _("Kriselederen stoppet innlegget ditt"), _(
                "Innlegget ditt i %(municipality)s ventet på godkjenning fra kriseleder, og "
                "kriselederen godkjente det ikke (PU-12).\n\nBegrunnelse: %(reason)s\n\n"
                "Åpne innlegget: %(path)s"
            ) % context
        return _("Innlegget ditt ble sendt tilbake"), _(
            "Innlegget ditt i %(municipality)s ble ikke godkjent.\n\nBegrunnelse: %(reason)s\n\n"
            "Åpne innlegget: %(path)s"
        ) % context

    return _tell_author(post_id, compose)


def _withdrawn_file(post: Post) -> MediaAsset | None:
    """The file whose consent was withdrawn last on `post` (its `consent_withdrawn`
    event, `media.consent_withdraw`)."""
    event = post.events.filter(action="consent_withdrawn").order_by("-at", "-id").first()
    consent_id = (event.data or {}).get("consent_id") if event is not None else None
    if consent_id is None:
        return None
    consent = Consent.objects.select_related("asset").filter(pk=consent_id).first()
    return consent.asset if consent is not None else None


def pulled_back_notify(*, post_id: int) -> str:
    """Tell the author that a post on its way was stopped (PU-6) and is a draft again,
    and why: its consent withdrawn (`services.posts_pull_back`), or the post taken down
    (`media.post_take_down`; the take-down's reason), said as a take-down since the post
    was out on some channel and came down there.

    A withdrawn consent is said by the file (its title, else its file name), never by the
    person in it, who may be a child: the e-mail leaves the installation (docs/privacy.md),
    and the post's flag, which names them, stays in the console behind the login."""

    def compose(post: Post, link: str) -> tuple[str, str]:
        stop = (
            post.events.filter(action__in=("pull_back", "take_down")).order_by("-at", "-id").first()
        )
        if stop is not None and stop.action == "take_down":
            return _("Innlegget ditt ble tatt ned"), _(
                "Innlegget ditt i %(municipality)s ble tatt ned fra plattformene mens det var "
                "på vei ut, og er et utkast igjen.\n\nÅrsak: %(reason)s\n\nRett opp "
                "innlegget, og send det på nytt: %(path)s"
            ) % {"municipality": post.municipality.name, "reason": stop.note, "path": link}
        subject = _("Innlegget ditt ble stoppet før publisering")
        asset = _withdrawn_file(post)
        context = {"municipality": post.municipality.name, "path": link}
        if asset is None:
            return subject, _(
                "Innlegget ditt i %(municipality)s ble stoppet før det ble publisert, og er et "
                "utkast igjen.\n\nÅrsak: Et samtykke til bruk av et bilde eller en video i "
                "innlegget er trukket tilbake (PU-6). Hvem det gjelder, ser du i Ordstyrer."
                "\n\nBytt ut eller fjern bildet eller videoen, og send innlegget på nytt: "
                "%(path)s"
            ) % context
        context["file"] = asset.title or asset.filename
        return subject, _(
            "Innlegget ditt i %(municipality)s ble stoppet før det ble publisert, og er et "
            "utkast igjen.\n\nÅrsak: Et samtykke til bruk av «%(file)s» er trukket tilbake "
            "(PU-6). Hvem det gjelder, ser du i Ordstyrer.\n\nBytt ut eller fjern bildet "
            "eller videoen, og send innlegget på nytt: %(path)s"
        ) % context

    return _tell_author(post_id, compose)


def awaiting_notify(*, post_id: int) -> str:
    """E-mail everyone who may approve the post (`access.approvers`: the chain's
    approvers and communications standing in for a unit leader; never its author, four
    eyes). When nobody may approve it, or nobody of them has an address, a structured
    warning says so (it would otherwise wait unseen) and the answer is "nobody"."""
    from ordstyrer.publishing.access import approvers, post_channels

    post = Post.objects.select_related("author", "municipality").filter(pk=post_id).first()
    if post is None or post.status != "awaiting_approval":
        return "skipped"
    channels = post_channels(post)
    found = approvers(post, channels)
    recipients = addresses(found)
    if not recipients:
        logger.warning(
            "post awaits an approval nobody can be told of",
            extra={
                "post_id": post.pk,
                "municipality": post.municipality.slug,
                "approval": post.approval,
                "channel_ids": [c.pk for c in channels],
                "reason": "no_address" if found else "no_approver",
            },
        )
        return "nobody"
    context = {
        "author": (post.author.get_full_name() or post.author.username) if post.author else "",
        "municipality": post.municipality.name,
        "channels": ", ".join(c.name for c in channels),
        "path": console_url(reverse("publishing:approvals", args=[post.municipality.slug])),
    }

    def compose() -> tuple[str, str]:
        subject = _("Et innlegg venter på din godkjenning")
        body = (
            _(
                "%(author)s har sendt et innlegg til godkjenning i %(municipality)s "
                "(%(channels)s).\n\nÅpne godkjenningskøen: %(path)s"
            )
            % context
        )
        return subject, body

    send(compose, recipients)
    return "sent"
