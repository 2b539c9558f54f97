"""A comment's picture, fetched for the archive before the comment is deleted (MO-2, MO-3).

A photo, sticker or GIF comment carries the address of its picture (Graph:
`attachment.media.image.src`, a CDN address that needs no token; meta-graph-api §1.3).
Once the comment is deleted that address stops working, so the moderation capture
fetches the bytes first, through the one outgoing session (`core.http`: timeouts,
bounded retries of a GET). No token is ever sent with it.

Failures are `ConnectorError`s with a Norwegian reason; the caller decides what they
mean (the capture archives the comment without the file, and says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ordstyrer.connectors.base import ConnectorError, ErrorCode
from ordstyrer.core.http import HttpSession, HttpTransportError, default_session

# A comment's picture is a few hundred kB; a GIF or a video thumbnail a few MB. Far above
# that is not a comment's picture, and the session reads the whole answer into memory.
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
ARCHIVABLE_TYPES = ("image/", "video/")


@dataclass(frozen=True, slots=True)
class FetchedAttachment:
    data: bytes = field(repr=False)
    mime: str


def fetch_attachment(
    url: str, *, session: HttpSession | None = None, max_bytes: int = MAX_ATTACHMENT_BYTES
) -> FetchedAttachment:
    """The bytes and MIME type at `url` (a comment's picture). Raises `ConnectorError`."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ConnectorError(
            "Vedlegget har en adresse som ikke kan hentes.",
            permanent=True,
            code=ErrorCode.BAD_REQUEST,
        )
    try:
        response = (session or default_session()).request("GET", url)
    except HttpTransportError:
        raise ConnectorError(
            "Vedlegget kunne ikke hentes (ingen forbindelse med plattformen).",
            permanent=False,
            code=ErrorCode.NETWORK,
        ) from None
    if response.status_code != 200:
        gone = response.status_code in (403, 404, 410)
        raise ConnectorError(
            f"Vedlegget kunne ikke hentes (HTTP {response.status_code}).",
            permanent=gone,
            code=ErrorCode.NOT_FOUND if gone else ErrorCode.BAD_ANSWER,
        )
    mime = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if not mime.startswith(ARCHIVABLE_TYPES):
        raise ConnectorError(
            f"Vedlegget er ikke et bilde eller en video ({mime or 'ukjent type'}).",
            permanent=True,
            code=ErrorCode.BAD_ANSWER,
        )
    data = response.content
    if len(data) > max_bytes:
        raise ConnectorError(
            f"Vedlegget er større enn {max_bytes // (1024 * 1024)} MB.",
            permanent=True,
            code=ErrorCode.BAD_ANSWER,
        )
    return FetchedAttachment(data=data, mime=mime)
