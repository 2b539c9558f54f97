"""`ordstyrer fake-graph` — run the local Graph API stand-in (pure command, no Django).

    ordstyrer fake-graph [--host 127.0.0.1] [--port 8089] [--no-demo]
                         [--app-secret S] [--require-proof] [--graph-version v25.0]
                         [--speed 1.0]

Prints the base URL, the demo Page's id and token, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import sys

from ordstyrer.errors import UsageError


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ugyldig port «{value}»") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"ugyldig port «{value}»: bruk 0–65535")
    return port


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "fake-graph",
        help="start en lokal stand-in for Metas Graph API (for utvikling og tester)",
        description="Starter en lokal erstatning for Metas Graph API med en demoside. "
        "Kontrollendepunktene ligger under /_fake/ (se docs/connectors.md).",
    )
    p.add_argument("--host", default="127.0.0.1", help="adresse å lytte på (standard 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8089, help="port (0 = en ledig port)")
    p.add_argument("--no-demo", action="store_true", help="start uten demoside og innhold")
    p.add_argument("--seed", type=int, default=1, help="frø for demoinnholdet")
    p.add_argument(
        "--app-secret", help="app-hemmeligheten som signerer webhooks og appsecret_proof"
    )
    p.add_argument("--require-proof", action="store_true", help="krev appsecret_proof på alle kall")
    p.add_argument(
        "--graph-version", default="v25.0", help="versjonen i sidemarkører (standard v25.0)"
    )
    p.add_argument("--speed", type=float, default=1.0, help="hvor fort klokka går (1 = sanntid)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ordstyrer_fakegraph.demo import seed_demo
    from ordstyrer_fakegraph.server import FakeGraph

    if args.speed <= 0:
        raise UsageError("--speed må være større enn 0")
    if args.host not in {"127.0.0.1", "localhost", "::1"}:
        print("Advarsel: stand-in-en har ingen tilgangskontroll på /_fake/.", file=sys.stderr)  # noqa: T201
    fake = FakeGraph(host=args.host, port=args.port)
    st = fake.store.settings
    st.version = args.graph_version
    st.require_proof = args.require_proof
    if args.app_secret:
        st.app_secret = args.app_secret
    fake.store.clock.set_speed(args.speed)
    try:
        fake.start()
    except OSError as exc:
        raise UsageError(f"kan ikke lytte på {args.host}:{args.port}: {exc.strerror}") from None
    lines = [f"Graph-stand-in kjører på {fake.base_url}  (versjon {st.version})"]
    if not args.no_demo:
        demo = seed_demo(fake, seed=args.seed)
        lines += [
            f"Demoside:        {demo['page_id']}",
            f"Sidetoken:       {demo['token']}",
            f"Instagram-konto: {demo['ig_user_id']}",
            f"Brukertoken:     {demo['user_token']}",
        ]
    lines.append("Kontroll: GET/POST /_fake/… — Ctrl-C stopper.")
    print("\n".join(lines), flush=True)  # noqa: T201
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0
