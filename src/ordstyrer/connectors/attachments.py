"""A comment's picture, fetched for the archive before the comment is deleted (MO-2, MO-3).

A photo, sticker or GIF comment carries the address of its picture (Graph:
`attachment.media.image.src`; meta-graph-api §1.3 gives the shape as unverified and
names no host). Once the comment is deleted that address stops working, so the
moderation capture fetches the bytes first, through the one outgoing session
(`core.http`). No token is ever sent with it.

The address comes from the platform, but what a comment links is the commenter's
choice, so it is treated as untrusted (a server-side request forgery otherwise):

* only the hosts the caller lists are fetched (the outbox passes the setting
  `ORDSTYRER_ATTACHMENT_HOSTS`, by default Meta's CDNs `*.fbcdn.net`,
  `*.cdninstagram.com`, `*.fbsbx.com` and `*.facebook.com`). A `*.` entry matches the
  domain's subdomains, any other entry exactly that host;
* over https only — plain http only for a host listed exactly (a local stand-in), and
  never with `https_only` (production);
* a host that resolves to a private, loopback, link-local or otherwise non-public
  address is refused unless listed exactly; the connection goes to the address that
  was checked (no second lookup that could answer differently), with the host's own
  name for the `Host` header and TLS;
* the body is streamed as sent (no compression asked for or accepted) and the download
  stops past `max_bytes` (or at a larger `Content-Length`), and past an overall deadline
  well inside the outbox's lease; one attempt, no retries, no redirects.

Like every connector this module knows no Django (docs/architecture.md, "Layers"): its
settings come as arguments, and its failures are `ConnectorError`s with a Norwegian
reason written as the other connectors write theirs. The caller decides what they mean
(the capture archives the comment without the file, and says why). Logs name the host,
never the address's path or query (a CDN query is a signature).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import httpx

from ordstyrer.connectors.base import ConnectorError, ErrorCode
from ordstyrer.core.http import HttpSession, HttpTransportError, default_session

logger = logging.getLogger("ordstyrer.connectors.attachments")

# A comment's picture is a few hundred kB; a GIF or a video thumbnail a few MB. Far above
# that is not a comment's picture.
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
ARCHIVABLE_TYPES = ("image/", "video/")
# The whole download, from the name lookup to the last byte, in seconds. It is checked
# between reads, and one read may block up to READ_TIMEOUT, so the worst case is ~70 s
# (plus the system resolver's own timeout): far inside the outbox's 5-minute lease,
# after which another worker would run the capture again.
DOWNLOAD_DEADLINE = 60.0
READ_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
_HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


@dataclass(frozen=True, slots=True)
class FetchedAttachment:
    data: bytes = field(repr=False)
    mime: str


@dataclass(frozen=True, slots=True)
class _Target:
    """Where the GET goes: the checked address, and the host's name for Host and TLS."""

    url: httpx.URL
    host: str
    host_header: str


def fetch_attachment(
    url: str,
    *,
    hosts: Sequence[str],
    https_only: bool = True,
    session: HttpSession | None = None,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
    deadline: float = DOWNLOAD_DEADLINE,
    clock: Callable[[], float] = time.monotonic,
) -> FetchedAttachment:
    """The bytes and MIME type at `url` (a comment's picture). Raises `ConnectorError`.

    `hosts` are the hosts it may come from (`*.fbcdn.net`: that domain's subdomains;
    anything else: that host itself); `https_only` refuses plain http even for a host
    listed by itself (production)."""
    started = clock()
    target = _checked_target(url, hosts=hosts, https_only=https_only)
    if clock() - started > deadline:  # a slow name lookup
        raise _too_slow(target.host, deadline)
    try:
        with (session or default_session()).stream(
            "GET",
            target.url,
            # Identity: the bytes counted are the bytes kept, and no decompression bomb.
            headers={"Host": target.host_header, "Accept-Encoding": "identity"},
            timeout=httpx.Timeout(
                min(READ_TIMEOUT.read or deadline, deadline),
                connect=min(READ_TIMEOUT.connect or deadline, deadline),
            ),
            extensions={"sni_hostname": target.host},
            hide_query=True,
        ) as response:
            mime = _checked_answer(response, target.host, max_bytes)
            data = bytearray()
            for chunk in response.iter_raw():
                data += chunk
                if len(data) > max_bytes:
                    raise _too_large(target.host, max_bytes)
                if clock() - started > deadline:
                    raise _too_slow(target.host, deadline)
    except HttpTransportError:
        logger.warning("attachment not fetched", extra={"host": target.host, "why": "network"})
        raise ConnectorError(
            "Vedlegget kunne ikke hentes (ingen forbindelse med plattformen).",
            permanent=False,
            code=ErrorCode.NETWORK,
        ) from None
    logger.info("attachment fetched", extra={"host": target.host, "bytes": len(data), "mime": mime})
    return FetchedAttachment(data=bytes(data), mime=mime)


def _checked_target(url: str, *, hosts: Sequence[str], https_only: bool) -> _Target:
    """The address to connect to, or `ConnectorError` if the URL may not be fetched."""
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii").lower().rstrip(".")
    except (httpx.InvalidURL, UnicodeDecodeError, TypeError):
        host, parsed = "", None
    if parsed is None or parsed.scheme not in ("http", "https") or parsed.userinfo:
        raise _refused(host, "address", "Vedlegget har en adresse som ikke kan hentes.")
    literal = _ip(host)
    if literal is None and not _HOST_NAME.fullmatch(host):
        raise _refused(host, "address", "Vedlegget har en adresse som ikke kan hentes.")
    patterns = [h.strip().lower().rstrip(".") for h in hosts if h.strip()]
    exact = _listed_exactly(host, patterns)
    if not exact and not _under_a_wildcard(host, patterns):
        raise _refused(
            host,
            "host",
            f"Vedlegget ligger ikke hos plattformen ({host}), og hentes ikke.",
        )
    if parsed.scheme != "https" and (not exact or https_only):
        raise _refused(host, "scheme", "Vedlegget hentes bare over https.")
    address, public = _resolved(host, parsed.port or (443 if parsed.scheme == "https" else 80))
    if not exact and not public:
        raise _refused(
            host,
            "private",
            f"Vedlegget peker til en intern adresse ({host}), og hentes ikke.",
        )
    return _Target(
        url=parsed.copy_with(host=str(address)),
        host=host,
        host_header=parsed.netloc.decode("ascii"),
    )


def _ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _listed_exactly(host: str, patterns: Sequence[str]) -> bool:
    """Listed by itself (not by a `*.` entry): an IP address matches in any spelling."""
    literal = _ip(host)
    return any(
        host == p or (literal is not None and literal == _ip(p))
        for p in patterns
        if not p.startswith("*.")
    )


def _under_a_wildcard(host: str, patterns: Sequence[str]) -> bool:
    return _ip(host) is None and any(p.startswith("*.") and host.endswith(p[1:]) for p in patterns)


def _resolved(host: str, port: int) -> tuple[IPAddress, bool]:
    """The host's first address, and whether all its addresses are public (a name that
    answers with a public and a private address is not taken at its word)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
    except (OSError, UnicodeError, ValueError):
        addresses = []
    if not addresses:
        logger.warning("attachment not fetched", extra={"host": host, "why": "lookup"})
        raise ConnectorError(
            "Vedlegget kunne ikke hentes (ingen forbindelse med plattformen).",
            permanent=False,
            code=ErrorCode.NETWORK,
        )
    return addresses[0], all(_public(a) for a in addresses)


def _public(address: IPAddress) -> bool:
    """Neither private, loopback, link-local (169.254.169.254: cloud metadata), shared,
    reserved nor multicast; an IPv4 address written as IPv6 counts as itself."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _checked_answer(response: httpx.Response, host: str, max_bytes: int) -> str:
    """The picture's MIME type, or `ConnectorError` before any of the body is read."""
    if response.status_code != 200:
        gone = response.status_code in (403, 404, 410)
        logger.warning(
            "attachment not fetched",
            extra={"host": host, "why": "status", "status": response.status_code},
        )
        raise ConnectorError(
            f"Vedlegget kunne ikke hentes (HTTP {response.status_code}).",
            permanent=gone,
            code=ErrorCode.NOT_FOUND if gone else ErrorCode.BAD_ANSWER,
        )
    mime = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if not mime.startswith(ARCHIVABLE_TYPES):
        logger.warning("attachment not fetched", extra={"host": host, "why": "type"})
        raise ConnectorError(
            f"Vedlegget er ikke et bilde eller en video ({mime[:80] or 'ukjent type'}).",
            permanent=True,
            code=ErrorCode.BAD_ANSWER,
        )
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        logger.warning("attachment not fetched", extra={"host": host, "why": "encoding"})
        raise ConnectorError(
            f"Vedlegget kom komprimert ({encoding[:40]}), og hentes ikke.",
            permanent=True,
            code=ErrorCode.BAD_ANSWER,
        )
    length = response.headers.get("Content-Length", "")
    if length.isascii() and length.isdigit() and int(length) > max_bytes:
        raise _too_large(host, max_bytes)
    return mime


def _too_large(host: str, max_bytes: int) -> ConnectorError:
    logger.warning("attachment not fetched", extra={"host": host, "why": "size"})
    return ConnectorError(
        f"Vedlegget er større enn {max_bytes // (1024 * 1024)} MB.",
        permanent=True,
        code=ErrorCode.BAD_ANSWER,
    )


def _too_slow(host: str, deadline: float) -> ConnectorError:
    logger.warning("attachment not fetched", extra={"host": host, "why": "deadline"})
    return ConnectorError(
        f"Vedlegget ble ikke hentet ferdig innen {round(deadline)} sekunder.",
        permanent=False,
        code=ErrorCode.NETWORK,
    )


def _refused(host: str, why: str, message: str) -> ConnectorError:
    logger.warning("attachment refused", extra={"host": host[:253], "why": why})
    return ConnectorError(message, permanent=True, code=ErrorCode.BAD_REQUEST)
