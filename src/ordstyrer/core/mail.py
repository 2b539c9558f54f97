"""The one mailer: every e-mail Ordstyrer sends goes through `send` (issue #17).

Called from tasks only, after the change committed. Each message goes to one
recipient (no one sees who else was told), links are absolute (`console_url`,
issue #15: a mail client cannot open a relative link), and nothing is sent to
inactive people or people without an address.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def addresses(users: Iterable[AbstractBaseUser | None]) -> list[str]:
    """The distinct e-mail addresses of the active people among `users`, in order."""
    seen: list[str] = []
    for user in users:
        if user is None or not getattr(user, "is_active", True):
            continue
        email = (getattr(user, "email", "") or "").strip()
        if email and email not in seen:
            seen.append(email)
    return seen


def send(subject: str, body: str, recipients: Iterable[str]) -> int:
    """One message per recipient over one connection; returns how many were sent."""
    messages = [
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
        for to in recipients
    ]
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def console_url(path: str) -> str:
    """An absolute link to `path` in the console: ORDSTYRER_BASE_URL, else
    ORDSTYRER_PUBLIC_URL, else the embedded default on localhost."""
    base = (
        getattr(settings, "ORDSTYRER_BASE_URL", "")
        or getattr(settings, "ORDSTYRER_PUBLIC_URL", "")
        or f"http://localhost:{getattr(settings, 'WEB_PORT', 8000)}"
    )
    return base.rstrip("/") + path
