"""E-mail about crisis decisions (called from tasks, after commit).

Like the inbox's e-mail it quotes no comment text; it carries the crisis leader's
reason, which was written for the author.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ordstyrer.core.mail import addresses, send
from ordstyrer.inbox.models import Reply
from ordstyrer.inbox.notifications import _path


def notify_reply_rejected(*, reply_id: int) -> int:
    reply = Reply.objects.select_related("item__channel__municipality", "author").get(pk=reply_id)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "channel": reply.item.channel.name,
            "path": _path(reply.item),
            "reason": reply.crisis_reason,
        }
        subject = _("Kriselederen stoppet svaret ditt på %(channel)s") % context
        body = (
            _(
                "Kommunen er i krisemodus, og kriselederen godkjente ikke svaret ditt på "
                "%(channel)s (PU-12). Begrunnelse: %(reason)s\n\nHenvendelsen er satt tilbake "
                "slik den var. Se den i Ordstyrer: %(path)s"
            )
            % context
        )
        return send(subject, body, addresses([reply.author]))
