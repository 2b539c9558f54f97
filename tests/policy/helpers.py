"""Shared test data for the policy tests: preset letters, rules.md's "who" column, numbers."""

from __future__ import annotations

import re

from ordstyrer.shared import SHARED

RULES_MD = SHARED / "spec" / "rules.md"
GUIDELINES = SHARED / "guidelines"

LETTERS = {
    "F": "indre-fosen",
    "R": "rennebu",
    "M": "midt-telemark",
    "B": "birkenes",
    "G": "gausdal",
}
PRESETS = tuple(LETTERS.values())

# rules.md, column "who" (AR-3: "all"). Checked against the file when it is present.
WHO: dict[str, str] = {
    "CH-1": "FRMBG",
    "CH-2": "FMBG",
    "CH-3": "FRMBG",
    "CH-4": "MG",
    "CH-5": "G",
    "CH-6": "M",
    "CH-7": "M",
    "CH-8": "MB",
    "CH-9": "G",
    "CH-10": "G",
    "CH-11": "FM",
    "PU-1": "FRMBG",
    "PU-2": "FM",
    "PU-3": "FM",
    "PU-4": "FM",
    "PU-5": "F",
    "PU-6": "FM",
    "PU-7": "FM",
    "PU-8": "FBG",
    "PU-9": "FMB",
    "PU-10": "M",
    "PU-11": "RB",
    "PU-12": "FRMBG",
    "DI-1": "FG",
    "DI-2": "F",
    "DI-3": "BG",
    "DI-4": "FBG",
    "DI-5": "FRG",
    "DI-6": "FR",
    "DI-7": "FRMBG",
    "DI-8": "RBG",
    "DI-9": "G",
    "DI-10": "FG",
    "DI-11": "B",
    "DI-12": "B",
    "MO-1": "FRMB",
    "MO-2": "FRM",
    "MO-3": "F",
    "MO-4": "F",
    "MO-5": "M",
    "MO-6": "RM",
    "AR-1": "FRMG",
    "AR-2": "RM",
    "AR-3": "FRMBG",
    "EM-1": "FBG",
    "EM-2": "FRMBG",
    "EM-3": "FBG",
    "EM-4": "FMBG",
    "EM-5": "FG",
    "EM-6": "FG",
    "EM-7": "G",
    "EM-8": "M",
    "EM-9": "FG",
}

# rules.md, column "how".
HOW: dict[str, str] = {
    "CH-1": "flow",
    "CH-2": "flow",
    "CH-3": "block",
    "CH-4": "flow",
    "CH-5": "warn",
    "CH-6": "flow",
    "CH-7": "doc",
    "CH-8": "record",
    "CH-9": "flow",
    "CH-10": "doc",
    "CH-11": "doc",
    "PU-1": "block",
    "PU-2": "block",
    "PU-3": "block",
    "PU-4": "warn",
    "PU-5": "warn",
    "PU-6": "block",
    "PU-7": "block",
    "PU-8": "warn",
    "PU-9": "warn",
    "PU-10": "warn",
    "PU-11": "doc",
    "PU-12": "block",
    "DI-1": "flow",
    "DI-2": "flow",
    "DI-3": "flow",
    "DI-4": "flow",
    "DI-5": "warn",
    "DI-6": "warn",
    "DI-7": "flow + record",
    "DI-8": "flow",
    "DI-9": "block",
    "DI-10": "flow",
    "DI-11": "flow",
    "DI-12": "block",
    "MO-1": "block",
    "MO-2": "record",
    "MO-3": "flow + record",
    "MO-4": "flow + record",
    "MO-5": "flow",
    "MO-6": "flow",
    "AR-1": "record",
    "AR-2": "record",
    "AR-3": "record",
    "EM-1": "doc",
    "EM-2": "doc",
    "EM-3": "doc",
    "EM-4": "doc",
    "EM-5": "doc",
    "EM-6": "doc",
    "EM-7": "doc",
    "EM-8": "doc",
    "EM-9": "doc",
}


def expected_rules(preset_id: str) -> set[str]:
    letter = next(k for k, v in LETTERS.items() if v == preset_id)
    return {rule_id for rule_id, who in WHO.items() if letter in who}


_ROW = re.compile(r"^\|\s*([A-Z]{2}-\d+)\s*\|(.*)\|\s*$")


def parse_rules_md(text: str) -> dict[str, tuple[str, str]]:
    """rule id -> (how, who letters) from the tables of rules.md."""
    out = {}
    for line in text.splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        cells = [c.strip() for c in match.group(2).split("|")]
        how, who = cells[-2], cells[-1]
        letters = "FRMBG" if who == "all" else "".join(w for w in who.split() if w in LETTERS)
        out[match.group(1)] = (how, letters)
    return out


def normalise(text: str) -> str:
    return " ".join(text.split())


_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def national_id(first9: str, *, k1_remainder: int = 0) -> str:
    """An 11-digit number valid with the given K1 remainder (0: classic; 1–3: the 2032 rule)."""
    digits = [int(c) for c in first9]
    k1 = (k1_remainder - sum(w * d for w, d in zip(_K1, digits, strict=True))) % 11
    assert k1 < 10, "pick other digits"
    digits.append(k1)
    k2 = (-sum(w * d for w, d in zip(_K2, digits, strict=True))) % 11
    assert k2 < 10, "pick other digits"
    digits.append(k2)
    return "".join(map(str, digits))
