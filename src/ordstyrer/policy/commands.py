"""`ordstyrer check`, `ordstyrer presets`, `ordstyrer policy show` — pure commands.

A stable contract other tools build on (docs/policy.md):

    ordstyrer check --preset ID [--kind post|reply] [--input-format text|json]
                    [--format text|json] [--signer FORNAVN] [FILE|-]
        exit 0: no block; 1: at least one block; 2: bad usage or input.
    ordstyrer presets [--format text|json]
    ordstyrer policy show --preset ID [--format md|html] [--lang nb|nn|en] [--house-rules]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordstyrer import jsonsafe
from ordstyrer.errors import MAX_INPUT_BYTES, MAX_INPUT_TEXT, UsageError
from ordstyrer.jsonsafe import TooBig, read_bounded
from ordstyrer.language import commands as triage_command
from ordstyrer.policy.catalogue import RULES
from ordstyrer.policy.effective import Policy, load_policy
from ordstyrer.policy.engine import check, has_block
from ordstyrer.policy.errors import PolicyError
from ordstyrer.policy.preset import load_preset, preset_ids
from ordstyrer.policy.render import render_guideline, render_house_rules
from ordstyrer.policy.types import CheckContext, Draft, Finding, context_from_dict, draft_from_dict

EXIT_OK = 0
EXIT_BLOCKED = 1


def _choice(name: str, allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise argparse.ArgumentTypeError(
                f"ugyldig {name} «{value}»: bruk {' eller '.join(allowed)}"
            )
        return value

    parse.__name__ = name
    return parse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "check",
        help="sjekk et utkast mot en kommunes retningslinjer",
        description="Sjekker et innlegg eller svar mot kommunens retningslinjer. "
        "Avslutter med 0 uten blokkering, 1 ved minst én blokkering, 2 ved feil bruk.",
    )
    p.add_argument("--preset", metavar="ID", help="kommunens forhåndsinnstilling")
    p.add_argument("--kind", type=_choice("type", ("post", "reply")), default="post")
    p.add_argument(
        "--input-format", type=_choice("inndataformat", ("text", "json")), default="text"
    )
    p.add_argument("--format", type=_choice("format", ("text", "json")), default="text")
    p.add_argument("--signer", metavar="FORNAVN", help="fornavnet til den som svarer (DI-9)")
    p.add_argument("file", nargs="?", default="-", metavar="FIL", help="fil, eller - for stdin")
    p.set_defaults(handler=run_check)

    p = subparsers.add_parser("presets", help="list kommunenes forhåndsinnstillinger")
    p.add_argument("--format", type=_choice("format", ("text", "json")), default="text")
    p.set_defaults(handler=run_presets)

    p = subparsers.add_parser("policy", help="vis retningslinjene slik Ordstyrer håndhever dem")
    p.set_defaults(handler=run_policy_show)
    sub = p.add_subparsers(dest="policy_command", metavar="KOMMANDO")
    show = sub.add_parser(
        "show",
        help="skriv ut retningslinjene for ansatte eller reglene for en side",
        description="Skriver ut retningslinjene for ansatte, eller med --house-rules "
        "reglene for en side (CH-10), på bokmål, nynorsk eller engelsk.",
    )
    show.add_argument("--preset", metavar="ID", help="kommunens forhåndsinnstilling")
    show.add_argument("--format", type=_choice("format", ("md", "html")), default="md")
    show.add_argument("--lang", type=_choice("språk", ("nb", "nn", "en")), default="nb")
    show.add_argument("--house-rules", action="store_true", help="reglene for en side (CH-10)")
    show.set_defaults(handler=run_policy_show)
    # `triage` is the language library's command; it needs the presets, which it may not
    # import (policy sits above language), so this layer hands them in.
    triage_command.register(subparsers, preset_ids=preset_ids, load_policy=load_policy)


def _policy(preset_id: str | None) -> Policy:
    if not preset_id:
        raise UsageError(f"mangler --preset. Kjente: {', '.join(preset_ids())}.")
    try:
        return load_policy(preset_id)
    except PolicyError as exc:
        raise UsageError(str(exc)) from None


def _read(path: str) -> str:
    """The input, read bounded (MAX_INPUT_BYTES); empty input is unusable (issue #18)."""
    try:
        if path == "-":
            data = read_bounded(sys.stdin.buffer, MAX_INPUT_BYTES)
        else:
            with Path(path).open("rb") as fh:
                data = read_bounded(fh, MAX_INPUT_BYTES)
    except TooBig:
        raise UsageError(f"inndataene er større enn grensen på {MAX_INPUT_TEXT}.") from None
    except OSError as exc:
        raise UsageError(f"kan ikke lese «{path}»: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"«{path}» er ikke gyldig UTF-8-tekst.") from None
    if not text.strip():
        raise UsageError("ingen tekst å sjekke: inndataene er tomme.")
    return text


def _parse_input(
    raw: str, input_format: str, kind: str, signer: str | None
) -> tuple[Draft, CheckContext]:
    now = datetime.now(UTC)
    if input_format == "text":
        return Draft(text=raw), CheckContext(kind=kind, now=now, signer_first_name=signer)  # type: ignore[arg-type]
    try:
        data: Any = jsonsafe.loads(raw)
    except json.JSONDecodeError as exc:
        raise UsageError(f"ugyldig JSON (linje {exc.lineno}, kolonne {exc.colno}).") from None
    except jsonsafe.TooDeep:
        raise UsageError(
            f"JSON-en er nestet dypere enn {jsonsafe.MAX_DEPTH} nivåer og kan ikke brukes."
        ) from None
    if not isinstance(data, dict):
        raise UsageError("ugyldige inndata: forventet et JSON-objekt med «text».")
    try:
        draft = draft_from_dict(data)
        ctx = context_from_dict(data.get("context"), kind=kind, now=now)  # type: ignore[arg-type]
    except PolicyError as exc:
        raise UsageError(f"ugyldige inndata: {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"ugyldige inndata: {type(exc).__name__}") from None
    if signer:
        ctx = CheckContext(
            kind=ctx.kind,
            now=ctx.now,
            crisis_active=ctx.crisis_active,
            crisis_approved=ctx.crisis_approved,
            is_main_page=ctx.is_main_page,
            publishing_history=ctx.publishing_history,
            signer_first_name=signer,
        )
    return draft, ctx


def run_check(args: argparse.Namespace) -> int:
    policy = _policy(args.preset)
    draft, ctx = _parse_input(_read(args.file), args.input_format, args.kind, args.signer)
    findings = check(draft, policy, ctx)
    if args.format == "json":
        payload = {"preset": policy.preset_id, "findings": [f.to_dict() for f in findings]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_findings(findings, policy, draft, ctx.kind))
    return EXIT_BLOCKED if has_block(findings) else EXIT_OK


_SEVERITY_NB = {"block": "BLOKKERER", "warn": "ADVARSEL"}


def format_findings(findings: list[Finding], policy: Policy, draft: Draft, kind: str) -> str:
    """Human-readable Norwegian: one block per finding, with the municipality's words."""
    what = "svar" if kind == "reply" else "innlegg"
    lines = [
        f"Sjekk av {what} mot retningslinjene til {policy.municipality_name} ({policy.preset_id})",
        "",
    ]
    for f in findings:
        lines.append(f"[{_SEVERITY_NB[f.severity]}] {f.rule} {RULES[f.rule].title.nb}")
        lines.append(f"  {f.message_nb}")
        if f.span is not None and f.span[1] > f.span[0]:
            excerpt = " ".join(draft.text[f.span[0] : f.span[1]].split())
            lines.append(f"  Tekst: «{excerpt}» (tegn {f.span[0]}–{f.span[1]})")
        lines.append(f"  Kilde: {f.citation.municipality}, «{f.citation.section}»:")
        lines.append(f"    «{f.citation.text}»")
        lines.append("")
    blocks = sum(1 for f in findings if f.severity == "block")
    warns = len(findings) - blocks
    warned = f"{warns} {'advarsel' if warns == 1 else 'advarsler'}"
    if not findings:
        lines.append("Ingen funn: ingen av reglene som kan sjekkes automatisk, slo ut.")
    elif blocks:
        lines.append(f"Resultat: {blocks} blokkerer, {warned} – kan ikke publiseres.")
    else:
        lines.append(f"Resultat: {warned} – kan publiseres etter vurdering.")
    return "\n".join(lines) + "\n"


def run_presets(args: argparse.Namespace) -> int:
    presets = [load_preset(preset_id) for preset_id in preset_ids()]
    if args.format == "json":
        payload = [
            {"id": p.id, "municipality": p.municipality_name, "rules": len(p.rules)}
            for p in presets
        ]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    width = max(len(p.id) for p in presets)
    for p in presets:
        sys.stdout.write(f"{p.id:<{width}}  {p.municipality_name}  ({len(p.rules)} regler)\n")
    return EXIT_OK


def run_policy_show(args: argparse.Namespace) -> int:
    if getattr(args, "policy_command", None) != "show":
        raise UsageError("bruk «ordstyrer policy show --preset ID».")
    policy = _policy(args.preset)
    render = render_house_rules if args.house_rules else render_guideline
    sys.stdout.write(render(policy, args.format, args.lang))
    return EXIT_OK
