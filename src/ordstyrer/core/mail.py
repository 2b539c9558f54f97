"""The one mailer: every e-mail Ordstyrer sends goes through `send` (issue #17).

Called from tasks only, after the change committed. Each message goes to one
recipient (no one sees who else was told), links are absolute (`console_url`,
issue #15: a mail client cannot open a relative link), and nothing is sent to
inactive people or people without an address. A recipient the relay refuses does
not stop the others (`send`).

Each message is in its recipient's own language (Bokmål first; Nynorsk or English as
they chose with the console's language switch, `core.languages`): the caller gives
`send` a function that writes the subject and body, and `send` calls it once per
language among the recipients, with that language active.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation

from ordstyrer.core.languages import languages_chosen

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("ordstyrer.mail")

# The relay answered and reset the transaction (smtplib sends RSET before raising these):
# the connection carries the next message. After anything else it is closed and opened
# again for the next one.
_SESSION_INTACT = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


Compose = Callable[[], tuple[str, str]]
"""Writes one message's (subject, body) in the active language: gettext, dates and
anything else that depends on the language are called inside it."""


class Recipient(str):
    """An e-mail address that knows whose it is: `send` names the person by their user
    id when a message to them fails, never by the address, and writes to them in their
    `language`."""

    user_id: int | None
    language: str

    def __new__(
        cls, address: str, user_id: int | None = None, language: str | None = None
    ) -> Recipient:
        recipient = super().__new__(cls, address)
        recipient.user_id = user_id
        recipient.language = language or settings.LANGUAGE_CODE
        return recipient


class MailNotSent(Exception):
    """No message of one `send` got through; each failure is logged on `ordstyrer.mail`.
    Carries no address, so the failed task's record names none either."""


def addresses(users: Iterable[AbstractBaseUser | None]) -> list[str]:
    """The distinct e-mail addresses of the active people among `users`, in order, each
    a `Recipient` carrying its person's id and language (their own choice, else
    settings.LANGUAGE_CODE; one query for all of them)."""
    found: dict[str, int | None] = {}
    for user in users:
        if user is None or not getattr(user, "is_active", True):
            continue
        email = (getattr(user, "email", "") or "").strip()
        if email and email not in found:
            found[email] = getattr(user, "pk", None)
    chosen = languages_chosen(pk for pk in found.values() if pk is not None)
    return [
        Recipient(email, pk, chosen.get(pk) if pk is not None else None)
        for email, pk in found.items()
    ]


def send(compose: Compose, recipients: Iterable[str]) -> int:
    """One message per recipient over one connection; returns how many were sent.

    Each recipient's message is `compose()` called with their language active (a
    `Recipient`'s, else settings.LANGUAGE_CODE): once per language among them, before
    anything is sent.

    Each message is sent on its own: a recipient the relay refuses (a removed mailbox,
    550 at RCPT) or a connection lost half-way costs that message only, never the people
    after it — the crisis leader sorted after a deputy without a mailbox is still told
    (PU-12). Each failure is one warning (the person's user id, the error's class and SMTP
    code; never the address or the text). Raises `MailNotSent` only when every message
    failed, so the task shows failed then; a relay that cannot be reached is tried once,
    not once per recipient."""
    targets = list(recipients)
    if not targets:
        return 0
    written: dict[str, tuple[str, str]] = {}
    for language in dict.fromkeys(_language(to) for to in targets):
        with translation.override(language):
            written[language] = compose()
    connection = get_connection()
    sent = 0
    failed = 0
    try:
        for position, to in enumerate(targets):
            subject, body = written[_language(to)]
            message = EmailMessage(
                subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[str(to)]
            )
            try:
                connection.open()  # once; again only after a failure closed it
            except (smtplib.SMTPException, OSError) as exc:
                for rest in targets[position:]:
                    _warn(rest, exc, stage="connect")
                failed += len(targets) - position
                break
            try:
                sent += connection.send_messages([message]) or 0
            except (smtplib.SMTPException, OSError) as exc:
                _warn(to, exc, stage="send")
                failed += 1
                if not isinstance(exc, _SESSION_INTACT):
                    _close_quietly(connection)
    finally:
        _close_quietly(connection)
    if failed == len(targets):
        raise MailNotSent(f"none of {len(targets)} e-mail messages was sent (ordstyrer.mail)")
    return sent


def _language(to: str) -> str:
    return getattr(to, "language", None) or settings.LANGUAGE_CODE


def _warn(to: str, exc: BaseException, *, stage: str) -> None:
    logger.warning(
        "e-mail not sent",
        extra={
            "user_id": getattr(to, "user_id", None),
            "stage": stage,
            "error": type(exc).__name__,
            "smtp_code": _smtp_code(exc),
        },
    )


def _smtp_code(exc: BaseException) -> int | None:
    """The relay's reply code, if it gave one; its text is not kept (it may quote the
    address)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return codes[0] if codes else None
    code = getattr(exc, "smtp_code", None)
    return code if isinstance(code, int) else None


def _close_quietly(connection: BaseEmailBackend) -> None:
    """Closing a connection the relay already dropped raises; there is nothing to save."""
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        logger.debug("e-mail connection closed with an error")


def console_url(path: str) -> str:
    """An absolute link to `path` in the console: ORDSTYRER_BASE_URL, else
    ORDSTYRER_PUBLIC_URL, else the embedded default on localhost."""
    base = (
        getattr(settings, "ORDSTYRER_BASE_URL", "")
        or getattr(settings, "ORDSTYRER_PUBLIC_URL", "")
        or f"http://localhost:{getattr(settings, 'WEB_PORT', 8000)}"
    )
    return base.rstrip("/") + path
