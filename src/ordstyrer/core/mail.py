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

A relay that is down for a while (restarted, unreachable, answering 4xx) does not lose
the message: a task declared with `mail_task` instead of `@task()` tries again the
recipients a passing failure kept from their message, after 1, 5, 15, 30, 60 and 120
minutes (`RETRY_AFTER`: seven attempts over almost four hours), never those who got it
or whom the relay refused for good (5xx). Only the last failure fails the task, logged
at ERROR (PU-12, CH-1, DI-10).
"""

from __future__ import annotations

import functools
import logging
import smtplib
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django_tasks import task
from django_tasks.base import Task

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
    """No message of one `send` got through, or a `mail_task` gave up on the recipients a
    relay outage kept from their message; each failure is logged on `ordstyrer.mail`.
    Carries no address, so the failed task's record names none either."""


P = ParamSpec("P")
T = TypeVar("T")

# The pauses before a `mail_task` tries again (after attempt 1, 2, …): a relay restarted
# or briefly unreachable is back within minutes, a longer outage within hours; the last
# attempt is made 3 h 51 min after the first.
RETRY_AFTER = tuple(timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 120))


@dataclass
class _Attempt:
    """One run of a `mail_task`: which messages earlier runs settled (sent, or refused
    for good), and what this run settles or leaves for the next."""

    number: int
    settled: set[str]
    calls: int = 0
    deferred: int = 0
    now_settled: set[str] = field(default_factory=set)

    def key(self, call: int, to: str) -> str:
        """A message's mark: the `send` call of the run it belongs to (one task may send
        one person several messages) and the address, keyed so the queued task's record
        names no one."""
        return salted_hmac("ordstyrer.core.mail.settled", f"{call}:{to}").hexdigest()[:20]


_ATTEMPT: ContextVar[_Attempt | None] = ContextVar("ordstyrer_mail_attempt", default=None)


def mail_task(func: Callable[P, T]) -> Task[P, T]:
    """`@task()` for a task whose e-mail goes through `send` (PU-12, CH-1, DI-10).

    When a passing failure (the relay could not be reached, the connection dropped, a 4xx
    answer) kept some recipients from their message, the task is queued again after the
    next pause of `RETRY_AFTER`, and that run sends only to the recipients no earlier run
    settled: those who got the message, or whom the relay refused for good (5xx), are not
    written to again. The run is otherwise the same — the function reads the rows again,
    so a notice about something settled meanwhile is not sent. After the last attempt,
    or where the task backend cannot queue for later, the task fails with `MailNotSent`,
    logged at ERROR. The bookkeeping rides in the queued task's arguments as keyed
    marks, never as addresses (a new SECRET_KEY in between loses them: at worst a
    duplicate)."""

    @functools.wraps(func)
    def run(
        *args: Any, mail_attempt: int = 1, mail_settled: list[str] | None = None, **kwargs: Any
    ) -> T:
        attempt = _Attempt(number=mail_attempt, settled=set(mail_settled or ()))
        token = _ATTEMPT.set(attempt)
        try:
            return func(*args, **kwargs)
        finally:
            _ATTEMPT.reset(token)
            if attempt.deferred:
                _again(queued, attempt, args, kwargs)

    queued = task()(run)
    return cast("Task[P, T]", queued)


def _again(queued: Task[..., Any], attempt: _Attempt, args: Any, kwargs: Any) -> None:
    """Queue the task's next attempt, or give up after the last."""
    extra = {"task": queued.name, "attempt": attempt.number, "not_sent": attempt.deferred}
    if attempt.number <= len(RETRY_AFTER) and queued.get_backend().supports_defer:
        pause = RETRY_AFTER[attempt.number - 1]
        queued.using(run_after=timezone.now() + pause).enqueue(
            *args,
            **kwargs,
            mail_attempt=attempt.number + 1,
            mail_settled=sorted(attempt.settled | attempt.now_settled),
        )
        logger.warning(
            "e-mail not sent yet, trying again",
            extra={**extra, "retry_in_minutes": int(pause.total_seconds() // 60)},
        )
        return
    logger.error("e-mail not sent, given up", extra=extra)
    raise MailNotSent(
        f"{attempt.deferred} e-mail messages not sent after {attempt.number} attempts "
        "(ordstyrer.mail)"
    )


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
    code, whether it passes; never the address or the text). Raises `MailNotSent` only
    when every message failed, so the task shows failed then; a relay that cannot be
    reached is tried once, not once per recipient.

    Within a `mail_task` a message a previous attempt settled is not sent again, and a
    passing failure (`_passing`) is left to the next attempt instead of failing the
    call."""
    attempt = _ATTEMPT.get()
    targets = list(recipients)
    call = 0
    if attempt is not None:
        attempt.calls += 1
        call = attempt.calls
        targets = [to for to in targets if attempt.key(call, to) not in attempt.settled]
    if not targets:
        return 0
    written: dict[str, tuple[str, str]] = {}
    for language in dict.fromkeys(_language(to) for to in targets):
        with translation.override(language):
            written[language] = compose()
    connection = get_connection()
    sent = 0
    failed = 0
    deferred = 0

    def settle(to: str, exc: BaseException | None = None, *, stage: str = "") -> None:
        nonlocal failed, deferred
        if exc is not None:
            failed += 1
            _warn(to, exc, stage=stage)
            if attempt is not None and _passing(exc):
                deferred += 1
                return
        if attempt is not None:
            attempt.now_settled.add(attempt.key(call, to))

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
                    settle(rest, exc, stage="connect")
                break
            try:
                sent += connection.send_messages([message]) or 0
            except (smtplib.SMTPException, OSError) as exc:
                settle(to, exc, stage="send")
                if not isinstance(exc, _SESSION_INTACT):
                    _close_quietly(connection)
            else:
                settle(to)
    finally:
        _close_quietly(connection)
    if attempt is not None:
        attempt.deferred += deferred
    if failed == len(targets) and not deferred:
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
            "passing": _passing(exc),
        },
    )


def _passing(exc: BaseException) -> bool:
    """Whether trying again later may get the message through: a 4xx answer (RFC 5321
    §4.2.1: a transient negative reply; a greylisting relay's 451, a full queue's 452),
    or no answer at all — the relay could not be reached, the connection dropped or
    timed out. A 5xx answer (a removed mailbox, a refused sender or login) is for good."""
    code = _smtp_code(exc)
    if code is None:
        return isinstance(exc, OSError)  # smtplib's errors are OSErrors too
    return not 500 <= code < 600  # 4xx, or a garbled reply (smtplib's -1)


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
