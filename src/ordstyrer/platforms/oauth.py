"""Meta login and token inspection (spec §1.1), the parts the connectors do not cover.

Pure Python (no Django): the views pass the settings in. Facebook Login for Business
sends the person to Meta's dialog and back to our callback with a `code`; the code is
exchanged for a short-lived user token (`GET /oauth/access_token` with `code` and
`redirect_uri`), which `connectors.facebook.onboarding` turns into a long-lived one and
then into Page tokens. The user token itself is never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError

from ordstyrer.connectors.graph.answers import InstagramLink, TokenDebug, access_token, parse
from ordstyrer.connectors.graph.client import DEFAULT_BASE_URL, DEFAULT_GRAPH_VERSION, GraphClient
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.http import HttpSession

DEFAULT_DIALOG_BASE = "https://www.facebook.com"

# Permissions the product asks for (spec §1.1 table; `docs/connectors.md` step 1).
# `publish_video` and the insights permissions are optional: without them only video
# publishing and statistics are missing, so they are named but never block.
# `pages_messaging`: the private reply that tells an author why (MO-4; Meta's Private
# Replies need it, with the Page task MESSAGING, on Facebook and Instagram alike).
FACEBOOK_PERMISSIONS = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_engagement",
    "pages_manage_posts",
    "pages_manage_metadata",
    "pages_messaging",
    "read_insights",
)
INSTAGRAM_PERMISSIONS = (
    "pages_show_list",
    "pages_read_engagement",
    "instagram_basic",
    "instagram_manage_comments",
    "instagram_content_publish",
    "pages_messaging",
)
REQUESTED_SCOPES = tuple(dict.fromkeys((*FACEBOOK_PERMISSIONS, *INSTAGRAM_PERMISSIONS)))

NEEDED_PERMISSIONS = {"facebook": FACEBOOK_PERMISSIONS, "instagram": INSTAGRAM_PERMISSIONS}


def missing_permissions(kind: str, granted: Iterable[str]) -> list[str]:
    have = set(granted)
    return [p for p in NEEDED_PERMISSIONS.get(kind, ()) if p not in have]


def dialog_url(
    *,
    app_id: str,
    redirect_uri: str,
    state: str,
    config_id: str = "",
    dialog_base: str = DEFAULT_DIALOG_BASE,
    graph_version: str = DEFAULT_GRAPH_VERSION,
) -> str:
    """Meta's login dialog. Login for Business names a configuration (`config_id`) that
    holds the permissions; without one the scopes are asked for directly."""
    params = {
        "client_id": app_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
    }
    if config_id:
        params["config_id"] = config_id
    else:
        params["scope"] = ",".join(REQUESTED_SCOPES)
    base = (dialog_base or DEFAULT_DIALOG_BASE).rstrip("/")
    return f"{base}/{graph_version.strip('/')}/dialog/oauth?{urlencode(params)}"


def _app_client(
    app_id: str, app_secret: SecretToken, base_url: str, graph_version: str, session: Any
) -> GraphClient:
    # An app access token is "{app-id}|{app-secret}" (spec §2.1).
    return GraphClient(
        token=SecretToken(f"{app_id}|{app_secret.reveal()}"),
        base_url=base_url or DEFAULT_BASE_URL,
        version=graph_version or DEFAULT_GRAPH_VERSION,
        session=session,
    )


def exchange_code(
    code: str,
    *,
    app_id: str,
    app_secret: SecretToken,
    redirect_uri: str,
    base_url: str = DEFAULT_BASE_URL,
    graph_version: str = DEFAULT_GRAPH_VERSION,
    session: HttpSession | None = None,
) -> SecretToken:
    """The login dialog's `code` → a short-lived user token."""
    client = _app_client(app_id, app_secret, base_url, graph_version, session)
    body = client.get(
        "oauth/access_token",
        {
            "client_id": app_id,
            "client_secret": app_secret.reveal(),
            "redirect_uri": redirect_uri,
            "code": code,
        },
    )
    return access_token(body, "Meta ga ikke noe token for innloggingen.")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    valid: bool
    scopes: tuple[str, ...]
    kind: str  # USER, PAGE, SYSTEM_USER … as Meta reports it
    expires_at: int | None  # Unix seconds; 0/None = does not expire


def debug_token(
    token: SecretToken,
    *,
    app_secret: SecretToken | None = None,
    base_url: str = DEFAULT_BASE_URL,
    graph_version: str = DEFAULT_GRAPH_VERSION,
    session: HttpSession | None = None,
) -> TokenInfo:
    """`GET /debug_token?input_token=…` for the token's scopes (shape [U], spec §1.1)."""
    client = GraphClient(
        token=token,
        app_secret=app_secret,
        base_url=base_url or DEFAULT_BASE_URL,
        version=graph_version or DEFAULT_GRAPH_VERSION,
        session=session,
    )
    body = client.get("debug_token", {"input_token": token.reveal()})
    try:
        facts = TokenDebug.model_validate(body).data
    except ValidationError:  # an answer Meta does not document: the token is not known good
        return TokenInfo(valid=False, scopes=(), kind="", expires_at=None)
    return TokenInfo(
        valid=facts.is_valid,
        scopes=tuple(facts.scopes),
        kind=facts.type,
        expires_at=facts.expires_at,
    )


def instagram_account(
    page_token: SecretToken,
    page_id: str,
    *,
    app_secret: SecretToken | None = None,
    base_url: str = DEFAULT_BASE_URL,
    graph_version: str = DEFAULT_GRAPH_VERSION,
    session: HttpSession | None = None,
) -> tuple[str, str] | None:
    """The Instagram professional account connected to a Page: (id, username) (§4.1)."""
    client = GraphClient(
        token=page_token,
        app_secret=app_secret,
        base_url=base_url or DEFAULT_BASE_URL,
        version=graph_version or DEFAULT_GRAPH_VERSION,
        throttle_key=page_id,
        session=session,
    )
    body = client.get(page_id, {"fields": "instagram_business_account{id,username}"})
    account = parse(InstagramLink, body, "Instagram-konto").instagram_business_account
    if account is None:
        return None
    return account.id, account.username
