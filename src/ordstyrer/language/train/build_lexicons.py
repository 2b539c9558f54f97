"""Build the compact lexicon artefacts shipped in `ordstyrer/language/models/`.

Reads the public data in `../shared/data/` beside the checkout (or `--data DIR`) and writes:

- `health_terms.tsv`  — NorMedTerm conditions, substances and procedures (CC BY 4.0),
  filtered so that everyday words do not become health findings (PU-1).
- `plain_language.json` — Språkrådet's Kansellisten and avløserord lists as used by
  NAV's Klarspråkshjelpen (MIT), cleaned into match keys and suggestions (PU-5).

Run: `python -m ordstyrer.language.train.build_lexicons [--data DIR] [--out DIR]`.
The output is deterministic (sorted), so a rebuild on the same data gives the same files.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter
from pathlib import Path

from ordstyrer.shared import SHARED_DATA

DEFAULT_DATA = SHARED_DATA
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models"

HEALTH_CATEGORIES = {"CONDITION": "condition", "SUBSTANCE": "substance", "PROCEDURE": "procedure"}
# LABV holds laboratory analyses ("Kalium", "Glukose") — chemistry, not a person's health.
SKIP_SOURCES = {"LABV"}
MAX_TERM_WORDS = 3
MIN_TERM_CHARS = 5
# A term seen this often in general Norwegian prose (parliament speeches, reviews,
# newspaper text) is an everyday word ("hoste", "salt", "vann"), not a health finding.
EVERYDAY_MIN_COUNT = 3

# Terms NorMedTerm lists that are ordinary words in a municipality's comment field, or
# that belong to the hand-written lay list in pii_lexicon instead.
HEALTH_STOPLIST = {
    "abort",  # handled as a lay term with context
    "a chaud",
    "ad hoc",
    "affeksjon",
    "alfalfa",
    "anatomi",
    "aniseed",
    "beeswax",
    "bismuth",
    "calcium",
    "citrate",
    "copper",
    "aggregasjon",
    "aggresjon",
    "agitasjon",
    "akutt",
    "analog",
    "balsam",
    "basal",
    "crisis",
    "defekt",
    "droge",
    "dråper",
    "drypp",
    "dvale",
    "engram",
    "eponym",
    "fiber",
    "hjerne",
    "hormon",
    "immun",
    "kallus",
    "alarm",
    "ansvar",
    "arbeid",
    "avgang",
    "besøk",
    "bading",
    "bolig",
    "endring",
    "feil",
    "forsinkelse",
    "gruppepraksis",
    "hjemmebesøk",
    "kontroll",
    "levering",
    "mangel",
    "måling",
    "oppfølging",
    "plassering",
    "problem",
    "rådgivning",
    "samtale",
    "sertifikat",
    "skade",
    "stress",
    "tilsyn",
    "trening",
    "uttalelse",
    "vaksine",
    "veiledning",
    "vurdering",
}

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def _general_counts(data: Path) -> Counter[str]:
    """Word counts over non-medical Norwegian prose, used to drop everyday words."""
    counts: Counter[str] = Counter()
    for name in ("no_bokmaal-train-from-ndt.iob", "no_nynorsk-train-from-ndt.iob"):
        with (data / "norne" / name).open(encoding="utf-8") as fh:
            for line in fh:
                token = line.split("\t", 1)[0].strip().lower()
                if token:
                    counts[token] += 1
    with (data / "parliament_nob_nno" / "train.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            counts.update(w.lower() for w in _WORD.findall(row["text"]))
    for name in ("train.json", "dev.json"):
        rows = json.loads((data / "norec_sentence" / "3class" / name).read_text("utf-8"))
        for row in rows:
            counts.update(w.lower() for w in _WORD.findall(row["text"]))
    return counts


def _clean_term(raw: str) -> str | None:
    term = raw.strip().lower()
    if not term or any(ch.isdigit() for ch in term):
        return None
    if any(ch in term for ch in ",;()[]/+&%:"):
        return None
    if term.startswith("-") or term.endswith("-") or term.endswith("."):
        return None
    words = term.split()
    if len(words) > MAX_TERM_WORDS or len(term) < MIN_TERM_CHARS:
        return None
    if not all(_WORD.fullmatch(w) for w in words):
        return None
    return " ".join(words)


def build_health_terms(data: Path) -> list[tuple[str, str]]:
    counts = _general_counts(data)
    chosen: dict[str, str] = {}
    with (data / "normedterm" / "NorMedTerm.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 3 or row[1] not in HEALTH_CATEGORIES or row[2] in SKIP_SOURCES:
                continue
            term = _clean_term(row[0])
            if term is None or term in HEALTH_STOPLIST:
                continue
            cls = HEALTH_CATEGORIES[row[1]]
            brand = row[0][:1].isupper()
            if cls == "substance" and (" " in term or (row[2] != "FEST" and not brand)):
                # FEST is the medicine register and capitalised entries are brand names;
                # the other lower-case substances are foods and elements ("fiken").
                continue
            if " " not in term and (counts[term] >= EVERYDAY_MIN_COUNT or len(term) < 6):
                continue
            if cls == "substance" and counts[term] > 0:
                continue
            if " " in term and all(counts[w] >= EVERYDAY_MIN_COUNT for w in term.split()):
                # Multi-word terms made only of common words ("i live") are prose.
                continue
            chosen.setdefault(term, cls)
    return sorted(chosen.items())


# Kansellisten entries whose bare form is mostly innocent: "gitt" is stiff only as the
# conjunction "gitt at"; "opphold" is the everyday word for a stay.
STIFF_KEY_FIX = {"gitt": "gitt at", "opphold": "", "finne å": "finne å"}


def _split_suggestions(*parts: str) -> str:
    alts = [p.strip() for p in parts if p and p.strip() and p.strip() != "@"]
    return "; ".join(alts)


# Loanwords that are also ordinary Norwegian words or long-established in Norwegian:
# flagging them would be noise ("time" = hour, "gate" = street, "hoste" = cough).
LOANWORD_SKIP = {
    "abort",
    "boom",
    "cap",
    "chips",
    "design",
    "designer",
    "display",
    "driver",
    "editor",
    "fan",
    "fanklubb",
    "fair",
    "flop",
    "frisbee",
    "gate",
    "guide",
    "gründer",
    "host",
    "hoste",
    "house",
    "image",
    "insider",
    "keeper",
    "lighter",
    "link",
    "live",
    "loin",
    "manual",
    "match",
    "moderator",
    "musical",
    "must",
    "mute",
    "option",
    "outsider",
    "paring",
    "patch",
    "pink",
    "polish",
    "poster",
    "printer",
    "quilt",
    "rack",
    "rail",
    "scanner",
    "server",
    "skins",
    "sound",
    "stout",
    "tab",
    "tape",
    "time",
    "canyon",
    "carport",
    "catering",
    "chat",
    "crew",
    "fight",
    "sample",
    "pitch",
    "feature",
}


def _loanword_keys(raw: str) -> list[str]:
    text = re.sub(r"\([^)]*\)", "", raw)  # "(av eng. «attention»)", "(AD)", "(med eng. uttale)"
    text = text.replace("«", "").replace("»", "")
    keys = []
    for part in re.split(r"[,/]", text):
        key = " ".join(part.strip().lower().split())
        if key.endswith("-"):
            continue
        if len(key) < 4 or not re.fullmatch(r"[a-zæøåé][a-zæøåé\- ]*[a-zæøåé]", key):
            continue
        keys.append(key)
    return keys


def build_plain_language(data: Path) -> dict[str, object]:
    base = data / "navikt-spraksjekk"
    kansellisten = json.loads((base / "kansellisten.json").read_text("utf-8"))["kansellisten"]
    stiff: dict[str, str] = {}
    for entry in kansellisten:
        key = " ".join(entry["kanselliord"].strip().lower().split())
        key = STIFF_KEY_FIX.get(key, key)
        suggestion = _split_suggestions(entry["alternativ_1"], entry["alternativ_2"])
        if key and suggestion:
            stiff.setdefault(key, suggestion)
    loan_rows = json.loads((base / "avløserord.json").read_text("utf-8"))["avløserord"]
    loanwords: dict[str, str] = {}
    for entry in loan_rows:
        suggestion = _split_suggestions(entry["avløserord"])
        for key in _loanword_keys(entry["importord"]):
            if key not in LOANWORD_SKIP and suggestion:
                loanwords.setdefault(key, suggestion)
    return {
        "source": "navikt/spraksjekk c54a709 (MIT): Språkrådet Kansellisten, avløserord",
        "stiff_words": dict(sorted(stiff.items())),
        "loanwords": dict(sorted(loanwords.items())),
    }


def build_first_names(data: Path) -> list[str]:
    """Norwegian first names: Faker's no_NO lists plus first tokens of NorNE person names."""
    from faker.providers.person.no_NO import Provider

    names = set(Provider.first_names_male) | set(Provider.first_names_female)
    counts: Counter[str] = Counter()
    for name in ("no_bokmaal-train-from-ndt.iob", "no_nynorsk-train-from-ndt.iob"):
        previous = ("", "O")
        with (data / "norne" / name).open(encoding="utf-8") as fh:
            for line in fh:
                word, _, tag = line.rstrip("\n").partition("\t")
                if tag == "I-PER" and previous[1] == "B-PER":
                    counts[previous[0]] += 1
                previous = (word, tag)
    names |= {n for n, c in counts.items() if c >= 2 and n.isalpha() and n[:1].isupper()}
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bygg ordlister for språkanalysen.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    terms = build_health_terms(args.data)
    with (args.out / "health_terms.tsv").open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("# NorMedTerm (CC BY 4.0), filtered by build_lexicons.py: term<TAB>class\n")
        fh.writelines(f"{term}\t{cls}\n" for term, cls in terms)
    plain = build_plain_language(args.data)
    (args.out / "plain_language.json").write_text(
        json.dumps(plain, ensure_ascii=False, indent=0, sort_keys=False) + "\n", "utf-8"
    )
    first_names = build_first_names(args.data)
    (args.out / "first_names.txt").write_text(
        "# Faker no_NO (MIT) and NorNE (CC0) first names, built by build_lexicons.py\n"
        + "\n".join(first_names)
        + "\n",
        "utf-8",
    )
    print(f"first_names.txt: {len(first_names)} names")  # noqa: T201
    by_class = Counter(cls for _, cls in terms)
    print(f"health_terms.tsv: {len(terms)} terms {dict(sorted(by_class.items()))}")  # noqa: T201
    print(  # noqa: T201
        f"plain_language.json: {len(plain['stiff_words'])} stiff words, "  # type: ignore[arg-type]
        f"{len(plain['loanwords'])} loanwords"  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
