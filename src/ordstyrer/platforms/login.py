"""Facebook Login for Business: from the callback's `code` to the Pages one may connect.

This is the one place a platform is called during a request: the code Meta hands back
is single-use and expires within minutes, and the person is waiting for the list of
Pages to choose from. The calls go through the shared HTTP session with its timeouts,
outside any transaction. The user token is never stored; each Page token is encrypted
at once and kept in the person's session only until they have chosen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

from ordstyrer.connectors.base import ConnectorError
from ordstyrer.connectors.facebook.onboarding import exchange_for_long_lived, list_pages
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.platforms import oauth
from ordstyrer.platforms.models import Platform
from ordstyrer.platforms.recording import graph_settings
from ordstyrer.platforms.tokens import cipher


@dataclass(frozen=True)
class PageOption:
    """One Page (or its Instagram account) the person may connect; JSON-safe."""

    account_id: str
    account_name: str
    page_id: str
    page_name: str
    tasks: list[str]
    missing_tasks: list[str]
    token_encrypted: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LoginResult:
    options: list[PageOption]
    scopes: list[str] | None


def login_configured() -> bool:
    return bool(settings.META_APP_ID and settings.META_APP_SECRET)


def dialog_for(*, redirect_uri: str, state: str) -> str:
    return oauth.dialog_url(
        app_id=settings.META_APP_ID,
        redirect_uri=redirect_uri,
        state=state,
        config_id=getattr(settings, "META_LOGIN_CONFIG_ID", ""),
        dialog_base=getattr(settings, "META_DIALOG_BASE_URL", "") or oauth.DEFAULT_DIALOG_BASE,
        graph_version=settings.META_GRAPH_VERSION,
    )


def login_pages(*, code: str, redirect_uri: str, kind: str) -> LoginResult:
    """Exchange the code, make the user token long-lived, list the Pages with their
    tasks (and, for an Instagram channel, each Page's Instagram account)."""
    graph = graph_settings()
    where = {"base_url": graph["base_url"], "graph_version": graph["graph_version"]}
    app_secret = SecretToken(settings.META_APP_SECRET)
    short = oauth.exchange_code(
        code, app_id=settings.META_APP_ID, app_secret=app_secret, redirect_uri=redirect_uri, **where
    )
    long_lived = exchange_for_long_lived(
        short, app_id=settings.META_APP_ID, app_secret=app_secret, **where
    )
    pages = list_pages(long_lived, **graph)
    try:
        scopes: list[str] | None = list(oauth.debug_token(long_lived, **graph).scopes)
    except ConnectorError:
        scopes = None
    box = cipher()
    options: list[PageOption] = []
    for page in pages:
        account_id, account_name = page.id, page.name
        if kind == Platform.INSTAGRAM:
            found = oauth.instagram_account(page.token, page.id, **graph)
            if found is None:
                continue
            account_id, account_name = found[0], found[1] or page.name
        options.append(
            PageOption(
                account_id=account_id,
                account_name=account_name,
                page_id=page.id,
                page_name=page.name,
                tasks=sorted(page.tasks),
                missing_tasks=page.missing_tasks(),
                token_encrypted=box.encrypt(page.token),
            )
        )
    return LoginResult(options=options, scopes=scopes)
