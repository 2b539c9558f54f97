"""No module- or class-level `gettext`: a text translated at import time is frozen in
the language that happened to be active then (the crisis page said its consequence in
Bokmål to Nynorsk readers). Such texts use `gettext_lazy`, or are translated per call."""

from __future__ import annotations

import ast
from pathlib import Path

import ordstyrer

EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}
SOURCE = Path(ordstyrer.__file__).parent


def _eager_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in EAGER}
    return names


def _at_import(node: ast.AST) -> list[ast.AST]:
    """The nodes under `node` that run when the module is imported: everything but
    function bodies (their defaults and decorators do run)."""
    out: list[ast.AST] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Lambda):
            continue
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            for runs in (*child.decorator_list, *child.args.defaults, *child.args.kw_defaults):
                if runs is not None:
                    out += [runs, *_at_import(runs)]
            continue
        out += [child, *_at_import(child)]
    return out


def eager_lines(source: str) -> list[int]:
    """The lines where `source` calls an eager gettext at import time."""
    tree = ast.parse(source)
    names = _eager_names(tree)
    return [
        node.lineno
        for node in _at_import(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
    ]


def test_no_text_is_translated_at_import_time():
    found = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line in eager_lines(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_check_finds_what_runs_at_import_and_nothing_else():
    source = (
        "from django.utils.translation import gettext as _\n"
        "A = _('frozen')\n"
        "class Form:\n    label = _('frozen too')\n"
        "def view(x=_('default')):\n    return _('per call')\n"
        "f = lambda: _('per call too')\n"
    )
    assert eager_lines(source) == [2, 4, 5]
