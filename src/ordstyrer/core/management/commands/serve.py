"""`ordstyrer serve`: the console on waitress, with an in-process background worker
unless `--no-worker`.

Behind a reverse proxy (`ORDSTYRER_PROXY_COUNT` > 0) waitress is told which peer is the
proxy (`ORDSTYRER_TRUSTED_PROXY`) and takes from it, and from nobody else, the forwarded
headers Django's settings read: X-Forwarded-For (the client address: login throttling,
the API's limits, the logs) and X-Forwarded-Proto when it is SECURE_PROXY_SSL_HEADER
(HTTPS: no redirect loop, HSTS, secure callback URLs). Waitress 3 drops every
X-Forwarded-*/Forwarded header from a peer it does not trust, so without this the
documented nginx set-up loses both. X-Forwarded-Host is not taken: the proxy sets `Host`
itself (deploy/nginx.conf), and Django checks that against ALLOWED_HOSTS.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from django.conf import settings

from ordstyrer.core.commands import NorwegianCommand, UsageError


def waitress_options(*, host: str, port: int, threads: int) -> dict[str, Any]:
    """waitress.serve's keyword arguments for these settings."""
    options: dict[str, Any] = {"host": host, "port": port, "threads": threads, "ident": "Ordstyrer"}
    proxies = int(settings.PROXY_COUNT)
    if proxies > 0:
        headers = {"x-forwarded-for"}
        ssl_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if ssl_header and ssl_header[0] == "HTTP_X_FORWARDED_PROTO":
            headers.add("x-forwarded-proto")
        options.update(
            trusted_proxy=settings.TRUSTED_PROXY,
            trusted_proxy_count=proxies,
            trusted_proxy_headers=headers,
            clear_untrusted_proxy_headers=True,
        )
    return options


class Command(NorwegianCommand):
    help = "Kjør konsollet (waitress), med bakgrunnsarbeideren i samme prosess."
    prog = "ordstyrer serve"

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", metavar="VERT", help="adressen det lyttes på"
        )
        parser.add_argument(
            "--port", type=int, default=settings.WEB_PORT, help="porten det lyttes på"
        )
        parser.add_argument(
            "--threads", type=int, default=8, metavar="ANTALL", help="tråder som svarer"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="ikke kjør bakgrunnsarbeideren i denne prosessen (kjør `ordstyrer worker`)",
        )

    def handle(self, *args, host, port, threads, no_worker, **options):
        from waitress.server import create_server

        from config.wsgi import application
        from ordstyrer.core.worker import start_in_thread

        if not 0 < port < 65536:
            raise UsageError(f"ugyldig port: {port}")
        if threads < 1:
            raise UsageError(f"--threads må være minst 1, ikke {threads}")
        # Bind before saying the console runs and before the worker starts: a port in
        # use or a host that does not resolve is one line and exit 2, not a traceback
        # after "kjører på". Resolved here as waitress does it, which would turn a
        # resolver error into "Invalid host/port specified." and lose the reason.
        try:
            socket.getaddrinfo(
                host,
                port,
                socket.AF_UNSPEC,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                socket.AI_PASSIVE,
            )
            server = create_server(
                application, **waitress_options(host=host, port=port, threads=threads)
            )
        except (OSError, ValueError) as exc:
            reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
            raise UsageError(f"kan ikke lytte på {host}:{port}: {reason}") from None
        logging.basicConfig()  # as waitress.serve does; idempotent
        self.stdout.write(f"Ordstyrer kjører på http://{host}:{port}/  (Ctrl+C avslutter)")
        if not no_worker:
            start_in_thread()
        server.run()
