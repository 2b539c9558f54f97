"""Connecting a real Page (spec §1.1): long-lived user token → Page tokens → checks.

The Django side runs Facebook Login for Business, gets a short-lived *user* token, and
then calls these helpers. A Page token taken from a long-lived user token does not
expire; it stops working when the person changes password, loses the Page role or
removes the app (then Graph answers 190 and the channel needs re-authorisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordstyrer.connectors.base import Listing, iterate_pages
from ordstyrer.connectors.graph.answers import PageAccount, access_token, parse
from ordstyrer.connectors.graph.client import DEFAULT_BASE_URL, DEFAULT_GRAPH_VERSION, GraphClient
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.http import HttpSession

# Tasks the product needs on a Page (MANAGE covers all of them). MESSAGING: the private
# reply that tells an author why (MO-4; Meta's Private Replies need it).
NEEDED_TASKS = {
    "read_and_moderate": "MODERATE",
    "publish": "CREATE_CONTENT",
    "insights": "ANALYZE",
    "private_replies": "MESSAGING",
}


@dataclass(frozen=True, slots=True)
class PageAccess:
    id: str
    name: str
    tasks: frozenset[str]
    token: SecretToken

    def missing_tasks(self) -> list[str]:
        if "MANAGE" in self.tasks:
            return []
        return sorted({t for t in NEEDED_TASKS.values() if t not in self.tasks})


def _client(token: SecretToken, **settings: Any) -> GraphClient:
    return GraphClient(
        token=token,
        app_secret=settings.get("app_secret"),
        base_url=settings.get("base_url", DEFAULT_BASE_URL),
        version=settings.get("graph_version", DEFAULT_GRAPH_VERSION),
        session=settings.get("session"),
    )


def exchange_for_long_lived(
    short_user_token: SecretToken,
    *,
    app_id: str,
    app_secret: SecretToken,
    base_url: str = DEFAULT_BASE_URL,
    graph_version: str = DEFAULT_GRAPH_VERSION,
    session: HttpSession | None = None,
) -> SecretToken:
    """`GET /oauth/access_token?grant_type=fb_exchange_token` → a ~60-day user token."""
    client = _client(
        short_user_token, base_url=base_url, graph_version=graph_version, session=session
    )
    body = client.get(
        "oauth/access_token",
        {
            "grant_type": "fb_exchange_token",
            "client_id": app_id,
            "client_secret": app_secret.reveal(),
            "fb_exchange_token": short_user_token.reveal(),
        },
    )
    return access_token(body, "Meta ga ikke noe langtidstoken.")


def list_pages(user_token: SecretToken, **settings: Any) -> list[PageAccess]:
    """The Pages the person can act for, each with its Page token and tasks."""
    client = _client(user_token, **settings)

    def page(cursor: str | None) -> Listing[PageAccount]:
        body = client.get_list(
            "me/accounts", {"fields": "id,name,tasks,access_token", "limit": 100}, cursor=cursor
        )
        return client.listing(body, lambda item: parse(PageAccount, item, "sider"))

    return [
        PageAccess(
            id=account.id,
            name=account.name,
            tasks=frozenset(account.tasks),
            token=SecretToken(account.access_token.get_secret_value()),
        )
        for account in iterate_pages(page)
        if account.access_token is not None and account.access_token.get_secret_value()
    ]
