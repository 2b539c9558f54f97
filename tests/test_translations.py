"""The Nynorsk and English catalogues of the console: complete, consistent, compiled, used.

The source strings are Bokmål; `bin/dev messages` extracts them into
`src/ordstyrer/locale/{nn,en}/LC_MESSAGES/django.po` and compiles the `.mo` files,
which are committed because a fresh machine has no GNU gettext. These tests read the
committed files with a small PO reader (no polib) and Python's `gettext` module.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import ordstyrer

LOCALE = Path(ordstyrer.__file__).parent / "locale"
LANGUAGES = ["nn", "en"]

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
QUOTED = re.compile(r"«[^»]*»")  # citations of a guideline stay in the guideline's words

# Words that exist in Bokmål but not in Nynorsk: one of them in a Nynorsk string means
# a Bokmål string was copied instead of translated.
BOKMAL_ONLY = re.compile(
    r"\b(ikke|hva|hvem|hvor|hvorfor|hvordan|hvilken|hvilket|hvilke|hvis|bare|jeg|fra|ennå|"
    r"allerede|mens|noen|navn|skrevet|kanaler|kommentarer|henvendelser?|enheten|ansatte?)\b",
    re.IGNORECASE,
)
# English strings that are rightly the same as the Bokmål source.
SAME_IN_ENGLISH = {
    "%(ms)s ms",
    "Administrator",
    "Filter",
    "Format",
    "Hash",
    "Info",
    "KS Fiks Arkiv – arkivmelding (v1)",
    "OK",
    "Ordstyrer",
    "Ordstyrer (system)",
    "Person",
    "Status",
    "Status:",
    "Type",
    "Video",
    "Webhooks",
    "eFormidling – arkivmelding",
    "format",
    "status",
    "type",
}


@dataclass
class Entry:
    msgctxt: str | None = None  # pgettext: one Bokmål word, two meanings
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    plurals: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Every entry of a PO file, the header (msgid "") first."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None
    started = False

    def finish() -> None:
        nonlocal current, target, started
        if started:
            entries.append(current)
        current, target, started = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            current.obsolete = True
        elif line.startswith("#,"):
            current.flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            if started and target and target[0].startswith("msgstr"):
                finish()
            started = True
            current.msgctxt = _unquote(line[len("msgctxt ") :])
            target = ("msgctxt", None)
        elif line.startswith("msgid_plural "):
            current.msgid_plural = _unquote(line[len("msgid_plural ") :])
            target = ("msgid_plural", None)
        elif line.startswith("msgid "):
            if started and target and target[0].startswith("msgstr"):
                finish()
            started = True
            current.msgid = _unquote(line[len("msgid ") :])
            target = ("msgid", None)
        elif line.startswith("msgstr["):
            index = int(line[len("msgstr[") : line.index("]")])
            current.plurals[index] = _unquote(line[line.index("]") + 1 :])
            target = ("msgstr[]", index)
        elif line.startswith("msgstr "):
            current.msgstr = _unquote(line[len("msgstr ") :])
            target = ("msgstr", None)
        elif line.startswith('"') and target is not None:
            name, index = target
            if name == "msgstr[]":
                current.plurals[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
        else:
            raise AssertionError(f"{path}: cannot read the line {raw!r}")
    finish()
    return entries


def catalogue(language: str) -> tuple[Entry, list[Entry]]:
    entries = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert entries and entries[0].msgid == "", "the header comes first"
    return entries[0], [e for e in entries[1:] if not e.obsolete]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def forms(entry: Entry) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a plain entry, one per form for a plural."""
    if entry.msgid_plural is None:
        return [(entry.msgid, entry.msgstr)]
    return [(entry.msgid, entry.plurals.get(0, "")), (entry.msgid_plural, entry.plurals.get(1, ""))]


def test_the_reader_reads_plurals_continuations_and_escapes(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nn\\n"\n\n'
        '#, python-format\nmsgid "%(n)s sak"\nmsgid_plural "%(n)s saker"\n'
        'msgstr[0] "%(n)s sak"\nmsgstr[1] "%(n)s saker"\n\n'
        'msgid ""\n"Linje «én»\\n"\n"og \\"to\\""\nmsgstr "Line one\\nand \\"two\\""\n',
        encoding="utf-8",
    )
    header, plural, multi = read_po(po)
    assert header.msgstr == "Language: nn\n"
    assert plural.flags == ["python-format"]
    assert plural.plurals == {0: "%(n)s sak", 1: "%(n)s saker"}
    assert multi.msgid == 'Linje «én»\nog "to"' and multi.msgstr == 'Line one\nand "two"'


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_names_the_language_and_its_plural_rule(language):
    header, entries = catalogue(language)
    assert len(entries) > 500, "the whole console is in the catalogue"
    assert f"Language: {language}\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr
    assert "charset=UTF-8" in header.msgstr
    assert "fuzzy" not in header.flags


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_has_a_checked_translation_with_the_same_placeholders(language):
    _, entries = catalogue(language)
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if entry.msgid_plural is not None and sorted(entry.plurals) != [0, 1]:
            problems.append(f"needs exactly two plural forms: {entry.msgid!r}")
        for source, text in forms(entry):
            if not text.strip():
                problems.append(f"untranslated: {source!r}")
                continue
            if placeholders(source) != placeholders(text):
                problems.append(f"placeholders differ: {source!r} -> {text!r}")
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(text)):
                problems.append(f"HTML differs: {source!r} -> {text!r}")
            if source.count("\n") != text.count("\n"):
                problems.append(f"line breaks differ: {source!r} -> {text!r}")
            rule_ids = re.findall(r"\b(?:CH|PU|DI|MO|AR|EM)-\d+\b", source)
            if sorted(rule_ids) != sorted(re.findall(r"\b(?:CH|PU|DI|MO|AR|EM)-\d+\b", text)):
                problems.append(f"rule ids differ: {source!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def test_nynorsk_strings_are_not_bokmal():
    _, entries = catalogue("nn")
    leftovers = [
        text
        for entry in entries
        for _source, text in forms(entry)
        if BOKMAL_ONLY.search(QUOTED.sub("", text))
    ]
    assert not leftovers, "\n".join(leftovers)


def test_english_strings_are_not_norwegian():
    _, entries = catalogue("en")
    leftovers = []
    for entry in entries:
        for source, text in forms(entry):
            prose = QUOTED.sub("", text).replace("Bokmål", "")
            if re.search(r"[æøåÆØÅ]", prose):
                leftovers.append(text)
            elif text == source and source not in SAME_IN_ENGLISH:
                leftovers.append(text)
    assert not leftovers, "\n".join(leftovers)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    """The committed .mo is compiled from the committed .po (run `bin/dev messages`)."""
    _, entries = catalogue(language)
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"
    stale = []
    for entry in entries:
        if entry.msgctxt is not None:
            if compiled.pgettext(entry.msgctxt, entry.msgid) != entry.msgstr:
                stale.append(entry.msgid)
        elif entry.msgid_plural is None:
            if compiled.gettext(entry.msgid) != entry.msgstr:
                stale.append(entry.msgid)
        else:
            one = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            many = compiled.ngettext(entry.msgid, entry.msgid_plural, 5)
            if (one, many) != (entry.plurals[0], entry.plurals[1]):
                stale.append(entry.msgid)
    assert not stale, "recompile the catalogue: " + "; ".join(stale[:10])


# One or two strings from each app, through Django's own machinery.
REPRESENTATIVE = [
    # (msgid, Nynorsk, English)
    ("Sjekk tekst", "Sjekk tekst", "Check text"),
    ("Innstillinger", "Innstillingar", "Settings"),
    ("Bytt språk", "Byt språk", "Change language"),
    ("Kanaler", "Kanalar", "Channels"),
    ("Hovedadministrator", "Hovudadministrator", "Main administrator"),
    (
        "Kanalen er allerede stengt i en del av perioden.",
        "Kanalen er allereie stengd i ein del av perioden.",
        "The channel is already closed for part of the period.",
    ),
    ("henvendelser", "førespurnader", "inquiries"),
    ("Svaret er tomt.", "Svaret er tomt.", "The reply is empty."),
    ("Skjul kommentaren", "Skjul kommentaren", "Hide the comment"),
    ("Slettet", "Sletta", "Deleted"),
    ("Fant ikke arkivposten.", "Fann ikkje arkivposten.", "Archive record not found."),
    ("Koble fra", "Kople frå", "Disconnect"),
    ("Enhetsleder", "Einingsleiar", "Unit leader"),
    ("Ansatt", "Tilsett", "Employee"),
]


@pytest.mark.parametrize(("msgid", "nynorsk", "english"), REPRESENTATIVE)
def test_django_serves_the_translations(msgid, nynorsk, english):
    with translation.override("nn"):
        assert translation.gettext(msgid) == nynorsk
    with translation.override("en"):
        assert translation.gettext(msgid) == english
    with translation.override("nb"):
        assert translation.gettext(msgid) == msgid


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("nn", 1, "1 arkivpost"),
        ("nn", 3, "3 arkivpostar"),
        ("en", 1, "1 archive record"),
        ("en", 3, "3 archive records"),
    ],
)
def test_plural_forms_follow_the_count(language, count, expected):
    with translation.override(language):
        template = translation.ngettext("%(counter)s arkivpost", "%(counter)s arkivposter", count)
    text = template % {"counter": count}
    assert text == expected


def test_interpolated_message_keeps_its_values():
    with translation.override("nn"):
        text = translation.gettext("Side %(n)s av %(total)s") % {"n": 2, "total": 9}
    assert text == "Side 2 av 9"
    with translation.override("en"):
        text = translation.gettext("Side %(n)s av %(total)s") % {"n": 2, "total": 9}
    assert text == "Page 2 of 9"


NAV = {
    "nb": ["Oversikt", "Sjekk tekst", "Kanaler", "Retningslinjer", "Husregler", "Innstillinger"],
    "nn": ["Oversikt", "Sjekk tekst", "Kanalar", "Retningslinjer", "Husreglar", "Innstillingar"],
    "en": ["Overview", "Check text", "Channels", "Guidelines", "House rules", "Settings"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nn", "en", "nb"])
def test_console_speaks_the_chosen_language(client, personas, language):
    client.force_login(personas.employee)
    url = reverse("dashboard", args=[personas.municipality.slug])
    response = client.post(reverse("set_language"), {"language": language, "next": url})
    assert response.status_code == 302
    response = client.get(url)
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert response["Content-Language"] == language
    nav = page[page.index('<nav aria-label="') : page.index("</nav>")]
    for label in NAV[language]:
        assert f">{label}</a>" in nav, (language, label)
    others = {label for code, labels in NAV.items() if code != language for label in labels}
    for label in others - set(NAV[language]):
        assert f">{label}</a>" not in nav, (language, label)
