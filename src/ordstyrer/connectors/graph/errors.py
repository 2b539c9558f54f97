"""Graph API error classification (spec §3.1–§3.2) into `ConnectorError`.

The decision is made on `error.code` / `error_subcode`, never on the HTTP status alone
(Meta sends most errors as 400, some as 500 or 403). Norwegian messages are for the
people who run the channel; the Graph message is appended after masking secrets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ordstyrer.connectors.base import ConnectorError, ErrorCode
from ordstyrer.connectors.graph.usage import Usage
from ordstyrer.core.http import redact_text

THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002})
TRANSIENT_CODES = frozenset({1, 2, 1705})
REAUTH_CODES = frozenset({190, 102, 10})
UNSUPPORTED_SUBCODES = frozenset({2069030, 2069031, 2069033})

# How long to stop writes after "action deemed abusive" (368): hours, per spec §3.4.
POLICY_BLOCK_PAUSE = 6 * 3600.0
POLICY_BLOCK_MESSAGE = (
    "Meta har midlertidig sperret handlingen som misbruk. Ordstyrer skriver ikke til "
    "kanalen på flere timer, og hovedadministratorene er varslet."
)
# Instagram's publishing cap is a rolling 24 h window; retry within the hour.
PUBLISHING_LIMIT_PAUSE = 3600.0

_REAUTH_MESSAGES = {
    458: "Appen er fjernet av brukeren som koblet til siden.",
    459: "Brukeren må logge inn på facebook.com og bekrefte kontoen (kontrollpunkt).",
    460: "Passordet til brukeren som koblet til siden er endret.",
    463: "Tilgangen (tokenet) er utløpt.",
    464: "Brukeren som koblet til siden er ikke bekreftet hos Meta.",
    467: "Tilgangen (tokenet) er ugyldig, for eksempel fordi brukeren logget ut.",
    492: "Økten er ugyldig; har brukeren mistet rollen sin på siden?",
    2069032: "Kallet krever et sidetoken, ikke et brukertoken.",
}


class GraphErrorBody(BaseModel):
    """The `error` object of a Graph response, read through typed accessors."""

    model_config = ConfigDict(extra="ignore")
    message: str = ""
    type: str | None = None
    code: int | None = None
    error_subcode: int | None = None
    is_transient: bool | None = None
    error_user_title: str | None = None
    error_user_msg: str | None = None
    fbtrace_id: str | None = None


@dataclass(frozen=True, slots=True)
class GraphFailure:
    """A classified failure: the error to raise and whether the call may be repeated."""

    error: ConnectorError
    retry_in_process: bool  # transient: the client may retry it now (bounded)
    pause_key_seconds: float | None  # throttle: pause every call for the key this long
    pause_writes_seconds: float | None = None  # 368: pause the key's writes this long


def parse_error(payload: Any) -> GraphErrorBody | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("error"), dict):
        return None
    try:
        return GraphErrorBody.model_validate(payload["error"])
    except ValidationError:
        return GraphErrorBody(message="(uleselig feilmelding)")


def classify(
    status: int,
    body: GraphErrorBody | None,
    *,
    usage: Usage,
    throttle_key: str | None,
    default_backoff: float,
    secrets: tuple[str | None, ...] = (),
) -> GraphFailure:
    """Turn an HTTP status and Graph error into a `GraphFailure` (spec §3.2 table)."""
    if body is None:
        transient = status >= 500 or status == 429
        return GraphFailure(
            ConnectorError(
                f"Plattformen svarte med HTTP {status} uten feilbeskrivelse.",
                permanent=not transient,
                code=ErrorCode.TRANSIENT if transient else ErrorCode.BAD_REQUEST,
            ),
            retry_in_process=transient,
            pause_key_seconds=None,
        )
    code = body.code
    sub = body.error_subcode
    detail = redact_text(body.message, *secrets)[:300]

    def make(
        text: str, *, permanent: bool, kind: ErrorCode, retry_after: float | None = None
    ) -> ConnectorError:
        return ConnectorError(
            f"{text} (Graph {code}{'/' + str(sub) if sub else ''}: {detail})",
            permanent=permanent,
            retry_after=retry_after,
            code=kind,
            platform_code=code,
            platform_subcode=sub,
            trace_id=body.fbtrace_id,
        )

    if code in REAUTH_CODES:
        text = _REAUTH_MESSAGES.get(sub or 0, "Tilgangen til siden må fornyes.")
        if code == 10:
            text = "En tillatelse er trukket tilbake eller mangler; koble til siden på nytt."
        return GraphFailure(
            make(
                f"{text} Kanalen må kobles til på nytt.",
                permanent=True,
                kind=ErrorCode.NEEDS_REAUTH,
            ),
            retry_in_process=False,
            pause_key_seconds=None,
        )
    if code in THROTTLE_CODES:
        regain = 0.0
        if throttle_key and throttle_key in usage.regain_minutes:
            regain = usage.regain_minutes[throttle_key]
        elif usage.regain_minutes:
            regain = max(usage.regain_minutes.values())
        wait = regain * 60.0 if regain > 0 else default_backoff
        return GraphFailure(
            make(
                "Plattformens grense for antall kall er nådd; venter før nye kall.",
                permanent=False,
                kind=ErrorCode.THROTTLED,
                retry_after=wait,
            ),
            retry_in_process=False,
            pause_key_seconds=wait,
        )
    if code == 1 and sub == 2853006:
        return GraphFailure(
            make(
                "Personen mangler rolle på siden for denne handlingen.",
                permanent=True,
                kind=ErrorCode.PERMISSION,
            ),
            retry_in_process=False,
            pause_key_seconds=None,
        )
    if code in TRANSIENT_CODES or (body.is_transient and code not in {368, 9}):
        return GraphFailure(
            make(
                "Midlertidig feil hos plattformen; prøver igjen.",
                permanent=False,
                kind=ErrorCode.TRANSIENT,
            ),
            retry_in_process=True,
            pause_key_seconds=None,
        )
    if code == 368:
        return GraphFailure(
            make(
                POLICY_BLOCK_MESSAGE,
                permanent=False,
                kind=ErrorCode.POLICY_BLOCK,
                retry_after=POLICY_BLOCK_PAUSE,
            ),
            retry_in_process=False,
            pause_key_seconds=None,
            # The client stops every write to the Page (reads go on); the recorder of
            # the channel's calls alerts its main administrators (platforms.health).
            pause_writes_seconds=POLICY_BLOCK_PAUSE,
        )
    if code == 9:
        return GraphFailure(
            make(
                "Instagram-grensen for publiseringer siste døgn er nådd.",
                permanent=False,
                kind=ErrorCode.PUBLISHING_LIMIT,
                retry_after=PUBLISHING_LIMIT_PAUSE,
            ),
            retry_in_process=False,
            pause_key_seconds=None,
        )
    if code == 100 and sub == 33:
        kind, text = ErrorCode.NOT_FOUND, "Objektet finnes ikke lenger (eller kan ikke leses)."
    elif code == 506:
        kind, text = ErrorCode.DUPLICATE, "Samme innlegg er allerede publisert; endre teksten."
    elif code == 1609005:
        kind, text = ErrorCode.BAD_LINK, "Lenken kunne ikke hentes av plattformen; sjekk adressen."
    elif code == 3 or (code is not None and 200 <= code <= 299 and sub in UNSUPPORTED_SUBCODES):
        kind, text = ErrorCode.UNSUPPORTED, "Plattformen støtter ikke denne handlingen."
    elif code is not None and 200 <= code <= 299:
        kind, text = ErrorCode.PERMISSION, "Mangler tillatelse til handlingen på plattformen."
    else:
        kind, text = ErrorCode.BAD_REQUEST, "Plattformen avviste kallet."
    return GraphFailure(
        make(text, permanent=True, kind=kind), retry_in_process=False, pause_key_seconds=None
    )
