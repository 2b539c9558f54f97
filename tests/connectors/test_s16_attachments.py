"""A comment's picture is fetched for the archive (MO-2, MO-3) without opening a
server-side request forgery, and within real limits.

The address comes from the platform, but what a comment links is its author's choice.
So only Meta's CDNs (`ORDSTYRER_ATTACHMENT_HOSTS`) are fetched, over https, never where
the name resolves to a private, loopback or link-local address (169.254.169.254 is a
cloud's metadata service) unless the setting lists that host itself; the body is
streamed and stops past the size cap, and the whole download has a deadline well inside
the outbox's lease. Nothing logs the address's query string (a CDN signature).

The "CDN" is a small local server; Meta's host names are pointed at it, or at the
address under test, by patching the one name lookup (`socket.getaddrinfo`)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ordstyrer.connectors import attachments
from ordstyrer.connectors.attachments import fetch_attachment
from ordstyrer.connectors.base import ConnectorError
from ordstyrer.moderation import outbox

PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
SIGNATURE = "c2lnbmF0dXJlLXNlY3JldA"  # a CDN query's `oh=`: it opens the picture


@dataclass
class Cdn:
    """A local server: `routes` maps a path to what is answered there. It counts every
    connection made to it, a request or not (a TLS hello to a plain-HTTP server too)."""

    port: int = 0
    routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=dict)
    connections: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Host)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _picture(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "image/png")
    handler.send_header("Content-Length", str(len(PICTURE)))
    handler.end_headers()
    handler.wfile.write(PICTURE)


@pytest.fixture
def cdn() -> Iterator[Cdn]:
    state = Cdn(routes={"/bilde.png": _picture})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            state.requests.append((path, self.headers.get("Host", "")))
            answer = state.routes.get(path)
            try:
                if answer is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    answer(self)
            except OSError:  # the client hung up, as it should past a limit
                pass
            finally:
                state.done.set()

        def log_message(self, format: str, *args: Any) -> None:
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def verify_request(self, request: Any, client_address: Any) -> bool:
            state.connections += 1
            return True

    server = Server(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Dns:
    """What the patched name lookup answers: `names` maps a name to its addresses (any
    other name is unknown; IP addresses pass through); `lookups` records each name."""

    names: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)


@pytest.fixture
def dns(monkeypatch) -> Dns:
    state = Dns()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        state.lookups.append(name)
        if name in state.names:
            return [
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, int(port or 0), 0, 0))
                if ":" in a
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, int(port or 0)))
                for a in state.names[name]
            ]
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in name else socket.AF_INET, name)
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, "unknown in this test") from None
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return state


META = ["*.fbcdn.net", "*.facebook.com", "*.cdninstagram.com", "*.fbsbx.com"]
LOCAL = ["*.fbcdn.net", "127.0.0.1"]  # the tests' and the Graph stand-in's: listed by itself


def fetch(url: str, **kwargs: Any) -> attachments.FetchedAttachment:
    """`fetch_attachment` as the outbox calls it outside production, local hosts allowed."""
    return fetch_attachment(url, **{"hosts": LOCAL, "https_only": False, **kwargs})


def refused(url: str, **kwargs: Any) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        fetch(url, **kwargs)
    return caught.value


# --- SSRF: only Meta's CDNs, over https, at public addresses ------------------------------------


def test_meta_s_cdns_are_the_default_hosts():
    from django.conf import settings

    assert settings.ORDSTYRER_ATTACHMENT_HOSTS == META


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",  # cloud metadata
        "https://169.254.169.254/latest/meta-data/",
        "http://[::1]/admin",
        "https://intranet.kommune.no/bilde.png",
        "https://fbcdn.net.evil.example/bilde.png",
        "https://evilfbcdn.net/bilde.png",
    ],
)
def test_an_address_off_meta_s_cdns_is_refused_without_a_request(dns, url):
    error = refused(url, hosts=META)

    assert error.permanent
    assert "ikke hos plattformen" in error.message  # MO-3: the record says why
    assert dns.lookups == []  # not even looked up


def test_the_local_server_itself_is_refused_unless_listed(cdn):
    error = refused(f"{cdn.base}/bilde.png", hosts=META)

    assert error.message == "Vedlegget ligger ikke hos plattformen (127.0.0.1), og hentes ikke."
    assert cdn.connections == 0


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["169.254.169.254"],
        ["10.20.30.40"],
        ["192.168.1.10"],
        ["100.64.0.1"],  # shared (carrier-grade NAT)
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["fe80::1"],
        ["157.240.1.35", "127.0.0.1"],  # one private answer among public ones
    ],
)
def test_a_cdn_name_that_resolves_to_an_internal_address_is_refused(dns, cdn, addresses):
    dns.names["scontent-arn2-1.xx.fbcdn.net"] = addresses

    error = refused(f"https://scontent-arn2-1.xx.fbcdn.net:{cdn.port}/bilde.png", hosts=META)

    assert error.message == (
        "Vedlegget peker til en intern adresse (scontent-arn2-1.xx.fbcdn.net), og hentes ikke."
    )
    assert cdn.connections == 0


def test_plain_http_is_refused_for_meta_s_cdns(dns, cdn):
    dns.names["scontent.cdninstagram.com"] = ["157.240.1.174"]

    error = refused(f"http://scontent.cdninstagram.com:{cdn.port}/bilde.png", hosts=META)

    assert error.message == "Vedlegget hentes bare over https."
    assert cdn.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://scontent.xx.fbcdn.net/bilde.png",
        "file:///etc/passwd",
        "https://user:pass@scontent.xx.fbcdn.net/bilde.png",
        "https://scontent.xx.fbcdn.net\\@169.254.169.254/",
        "not an address",
    ],
)
def test_an_address_that_is_no_plain_https_address_is_refused(dns, url):
    error = refused(url, hosts=META)

    assert error.message == "Vedlegget har en adresse som ikke kan hentes."
    assert dns.lookups == []


def test_a_host_listed_by_itself_may_be_local_and_plain_http(cdn):
    # The tests and the local Graph stand-in run on 127.0.0.1: listed by itself, it is
    # fetched, over plain http too (outside production).
    fetched = fetch(f"{cdn.base}/bilde.png", hosts=["*.fbcdn.net", "127.0.0.1"])

    assert fetched.data == PICTURE and fetched.mime == "image/png"


def test_a_listed_name_is_fetched_from_the_address_that_was_checked(dns, cdn):
    """One lookup, and the connection goes to its answer with the name as Host: a second
    lookup (a rebinding DNS server) could answer differently."""
    dns.names["bilder.test"] = ["127.0.0.1"]

    fetched = fetch(f"http://bilder.test:{cdn.port}/bilde.png", hosts=["bilder.test"])

    assert fetched.data == PICTURE
    assert cdn.requests == [("/bilde.png", f"bilder.test:{cdn.port}")]
    assert dns.lookups.count("bilder.test") == 1


def test_plain_http_is_refused_in_production_even_for_a_listed_host(cdn):
    error = refused(f"{cdn.base}/bilde.png", hosts=["127.0.0.1"], https_only=True)

    assert error.message == "Vedlegget hentes bare over https."
    assert cdn.connections == 0


def test_a_redirect_is_not_followed(cdn):
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    cdn.routes["/flytt.png"] = redirect

    error = refused(f"{cdn.base}/flytt.png")

    assert error.message == "Vedlegget kunne ikke hentes (HTTP 302)."
    assert [path for path, _host in cdn.requests] == ["/flytt.png"]


# --- limits: size, time, one attempt ----------------------------------------------------------


def test_a_larger_content_length_is_refused_before_the_body_is_read(cdn):
    def huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", str(50 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(PICTURE)
        handler.wfile.flush()
        time.sleep(3)  # and the rest never comes

    cdn.routes["/stor.png"] = huge
    started = time.monotonic()

    error = refused(f"{cdn.base}/stor.png", max_bytes=1024 * 1024)

    assert error.message == "Vedlegget er større enn 1 MB." and error.permanent
    assert time.monotonic() - started < 2
    assert len(cdn.requests) == 1  # not asked again


def test_a_body_past_the_cap_is_not_read_to_its_end(cdn):
    """Without a Content-Length the body is read in chunks and dropped past the cap:
    the server never gets to send it all (it did: the whole answer was read into
    memory first, the cap checked after)."""
    total = 64 * 1024 * 1024
    sent = [0]

    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/gif")
        handler.send_header("Connection", "close")
        handler.end_headers()
        block = b"\0" * 65536
        while sent[0] < total:
            handler.wfile.write(block)
            sent[0] += len(block)

    cdn.routes["/uendelig.gif"] = endless

    error = refused(f"{cdn.base}/uendelig.gif", max_bytes=1024 * 1024)

    assert error.message == "Vedlegget er større enn 1 MB."
    assert cdn.done.wait(10)
    assert sent[0] < total


def test_a_slow_server_is_given_up_at_the_deadline_not_per_read(cdn):
    """Each read comes in time, but the whole download would take 5 s: it stops at the
    deadline (the timeout was per read, and the GET was tried three times, so a slow
    server could outlast the outbox's lease and have the capture run twice)."""

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", "50")
        handler.end_headers()
        for _ in range(50):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.1)

    cdn.routes["/sakte.png"] = trickle
    started = time.monotonic()

    error = refused(f"{cdn.base}/sakte.png", deadline=2)

    assert error.message == "Vedlegget ble ikke hentet ferdig innen 2 sekunder."
    assert time.monotonic() - started < 3.5
    assert len(cdn.requests) == 1


def test_the_deadline_is_well_inside_the_outbox_s_lease():
    worst = (
        attachments.DOWNLOAD_DEADLINE
        + (attachments.READ_TIMEOUT.read or 0)
        + (attachments.READ_TIMEOUT.connect or 0)
    )
    assert worst <= outbox.LEASE.total_seconds() / 3


def test_what_is_not_a_picture_is_refused(cdn):
    def page(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", "4")
        handler.end_headers()
        handler.wfile.write(b"<p/>")

    cdn.routes["/side.html"] = page

    assert refused(f"{cdn.base}/side.html").message == (
        "Vedlegget er ikke et bilde eller en video (text/html)."
    )


def test_a_compressed_answer_is_refused_not_unpacked(cdn):
    """Only the bytes as sent are counted and kept: a gzip "picture" could unpack to
    far more than the cap in one read (or fail to unpack at all)."""
    seen: list[str] = []

    def packed(handler: BaseHTTPRequestHandler) -> None:
        seen.append(handler.headers.get("Accept-Encoding", ""))
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", "10")
        handler.end_headers()
        handler.wfile.write(b"not gzip!!")

    cdn.routes["/pakket.png"] = packed

    error = refused(f"{cdn.base}/pakket.png")

    assert error.message == "Vedlegget kom komprimert (gzip), og hentes ikke."
    assert seen == ["identity"]


# --- logs -------------------------------------------------------------------------------------


def test_no_log_line_carries_the_address_s_query(cdn, caplog):
    """httpx logged every request's full address, the CDN's signature with it."""
    caplog.set_level(logging.DEBUG)

    fetch(f"{cdn.base}/bilde.png?oh={SIGNATURE}&oe=6A1B2C3D")
    error = refused(f"{cdn.base}/borte.png?oh={SIGNATURE}&oe=6A1B2C3D")

    assert SIGNATURE not in error.message
    assert caplog.records
    for record in caplog.records:
        assert SIGNATURE not in record.getMessage()
        assert SIGNATURE not in repr(vars(record))
    # Ours are structured: the host and what happened, never the address.
    ours = [r for r in caplog.records if r.name == "ordstyrer.connectors.attachments"]
    assert [(r.getMessage(), r.__dict__.get("host")) for r in ours] == [
        ("attachment fetched", "127.0.0.1"),
        ("attachment not fetched", "127.0.0.1"),
    ]
    assert ours[0].__dict__["bytes"] == len(PICTURE)
    assert ours[1].__dict__["status"] == 404


# --- the setting --------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent.parent


def settings_with(tmp_path: Path, hosts: str) -> subprocess.CompletedProcess[str]:
    """config.settings read in a fresh process (settings are read once)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORDSTYRER_", "DJANGO_"))}
    env.update(ORDSTYRER_DATA_DIR=str(tmp_path / "data"), ORDSTYRER_ATTACHMENT_HOSTS=hosts)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import config.settings as s; print(s.ORDSTYRER_ATTACHMENT_HOSTS)"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_hosts_are_read_from_the_environment(tmp_path):
    done = settings_with(tmp_path, "*.fbcdn.net, Bilder.Test., 127.0.0.1,::1")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['*.fbcdn.net', 'bilder.test', '127.0.0.1', '::1']"


@pytest.mark.parametrize("hosts", ["*", "*.net", "https://scontent.xx.fbcdn.net", "*.fb*.net"])
def test_a_host_entry_that_would_match_too_much_or_nothing_stops_the_start(tmp_path, hosts):
    done = settings_with(tmp_path, hosts)

    assert done.returncode != 0
    assert "ORDSTYRER_ATTACHMENT_HOSTS" in done.stderr
