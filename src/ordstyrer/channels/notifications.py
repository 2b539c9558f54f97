"""E-mail to the people a channel event concerns (Django e-mail; console in the demo).

Called from tasks only, after the change has committed. Each message is in its
recipient's language (`core.mail`); every one names the rule it follows and where to act.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ordstyrer.channels import rules
from ordstyrer.channels.models import Channel, ChannelReview
from ordstyrer.channels.selectors import deciders, main_admin_users
from ordstyrer.core.mail import addresses, console_url, send


def _channel_path(channel: Channel) -> str:
    return console_url(reverse("channels:detail", args=[channel.municipality.slug, channel.pk]))


def notify_channel_event(*, channel_id: int, event: str) -> int:
    """Mail the next approvers ("awaiting_decision"), or the proposer on a decision
    ("approved", "rejected"), each in their own language. Returns the number of messages
    sent."""
    channel = Channel.objects.select_related(
        "municipality", "unit", "proposed_by", "submitted_by"
    ).get(pk=channel_id)
    context = {
        "name": channel.name,
        "municipality": channel.municipality.name,
        "unit": channel.unit.name if channel.unit else channel.municipality.name,
        "path": _channel_path(channel),
    }
    proposers = [channel.proposed_by, channel.submitted_by]
    if event == "awaiting_decision":
        role = channel.current_approver_role
        if role is None:
            return 0
        # Only whom the service lets decide the step (CH-1, four eyes): never its
        # proposer or submitter, nor who approved an earlier step of this round.
        approvers = deciders(channel=channel, chain_role=role)

        def awaiting() -> tuple[str, str]:
            said = {**context, "role": rules.role_label(role, translation.get_language())}
            subject = _("Kanalforslag venter på din godkjenning: %(name)s") % said
            body = (
                _(
                    "%(unit)s foreslår en ny offisiell kanal, «%(name)s». Steget som venter, er "
                    "godkjenning fra %(role)s (CH-1).\n\nLes planen og avgjør forslaget i "
                    "Ordstyrer: %(path)s"
                )
                % said
            )
            return subject, body

        return send(awaiting, addresses(approvers))
    if event == "approved":

        def approved() -> tuple[str, str]:
            subject = _("Kanalen «%(name)s» er godkjent") % context
            body = (
                _(
                    "Forslaget om kanalen «%(name)s» er godkjent (CH-1). Hovedadministratoren "
                    "kan nå ta kanalen i bruk: %(path)s"
                )
                % context
            )
            return subject, body

        return send(approved, addresses([*proposers, *main_admin_users(channel=channel)]))
    if event == "rejected":
        context["reason"] = channel.rejection_reason

        def rejected() -> tuple[str, str]:
            subject = _("Kanalforslaget «%(name)s» er avvist") % context
            body = (
                _(
                    "Forslaget om kanalen «%(name)s» er avvist (CH-1).\n\nBegrunnelse: "
                    "%(reason)s\n\nDu kan endre planen og sende den inn på nytt: %(path)s"
                )
                % context
            )
            return subject, body

        return send(rejected, addresses(proposers))
    raise ValueError(f"unknown channel event {event!r}")


def notify_review_due(*, review_id: int) -> int:
    """Remind the channel's main administrators of a due review (CH-6)."""
    review = ChannelReview.objects.select_related("channel__municipality").get(pk=review_id)
    if review.completed_at is not None:
        return 0
    channel = review.channel
    path = console_url(reverse("channels:review", args=[channel.municipality.slug, channel.pk]))

    def compose() -> tuple[str, str]:
        context = {"name": channel.name, "due": review.due_on.strftime("%d.%m.%Y"), "path": path}
        subject = _("Tid for gjennomgang av «%(name)s»") % context
        body = (
            _(
                "Kanalen «%(name)s» skal gjennomgås (CH-6), frist %(due)s. Gå gjennom siden "
                "og registrer gjennomgangen i Ordstyrer: %(path)s"
            )
            % context
        )
        return subject, body

    return send(compose, addresses(main_admin_users(channel=channel)))
