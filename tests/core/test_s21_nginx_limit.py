"""deploy/nginx.conf lets the composer's largest form through (a 50 MB video, its caption
file and the fields: docs/publishing.md promises videos up to 50 MB), and answers a
bigger body with Ordstyrer's own page in Bokmål, Nynorsk and English, not nginx's
English 413 page (which also lost the typed post without a word of why)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ordstyrer.publishing.media import MAX_CAPTIONS, MAX_VIDEO
from ordstyrer.publishing.views import MAX_FORM_FILE

REPO = Path(__file__).resolve().parents[2]
CONF = REPO / "deploy" / "nginx.conf"
# Where docs/deploy.md (section 2) puts the checkout nginx reads the page from.
CHECKOUT = "/srv/ordstyrer/"
MB = 1024 * 1024


@dataclass
class Block:
    directives: list[list[str]] = field(default_factory=list)
    blocks: list[tuple[list[str], Block]] = field(default_factory=list)

    def values(self, name: str) -> list[list[str]]:
        return [d[1:] for d in self.directives if d[0] == name]


_TOKEN = re.compile(r"""\{|\}|;|"[^"]*"|'[^']*'|[^\s{};]+""")


def parse(text: str) -> Block:
    """nginx's configuration syntax: directives end in `;`, blocks are `name args { … }`."""
    text = re.sub(r"#[^\n]*", "", text)
    stack, words = [Block()], list[str]()
    for token in _TOKEN.findall(text):
        if token == ";":
            stack[-1].directives.append(words)
            words = []
        elif token == "{":
            child = Block()
            stack[-1].blocks.append((words, child))
            stack.append(child)
            words = []
        elif token == "}":
            assert not words, words
            stack.pop()
        else:
            words.append(token.strip("\"'"))
    assert len(stack) == 1 and not words
    return stack[0]


def size(value: str) -> int:
    """An nginx size: bytes, or k/m/g (powers of 1024)."""
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": MB, "g": 1024 * MB}[unit.lower()]


def https_server() -> Block:
    (server,) = [
        b
        for words, b in parse(CONF.read_text()).blocks
        if words == ["server"] and any("443" in v[0] for v in b.values("listen"))
    ]
    return server


def test_the_limit_covers_the_composers_largest_form():
    (limit,) = https_server().values("client_max_body_size")
    needed = MAX_FORM_FILE + 4 * MAX_CAPTIONS + MB
    assert size(limit[0]) >= needed, (limit, needed)
    assert MAX_FORM_FILE >= MAX_VIDEO  # the limit above covers the largest video too


def test_a_body_over_it_gets_the_norwegian_page():
    server = https_server()
    pages = [v for v in server.values("error_page") if "413" in v[:-1]]
    assert pages, "no error_page 413 in deploy/nginx.conf"
    uri = pages[0][-1]
    (location,) = [b for words, b in server.blocks if words == ["location", "=", uri]]
    assert location.values("internal") == [[]]  # never fetched by itself
    # HTTP/2 checks the body against the limit again on the way to the page (nginx 1.22):
    # without this the English page comes after all.
    assert location.values("client_max_body_size") == [["0"]]
    (alias,) = location.values("alias")
    assert alias[0].startswith(CHECKOUT)
    page = REPO / alias[0].removeprefix(CHECKOUT)
    assert page.is_file(), page

    html = page.read_text(encoding="utf-8")
    langs = Langs()
    langs.feed(html)
    assert langs.root == "nb"
    assert {"nn", "en"} <= langs.inner
    assert "Filen er for stor" in html and "50 MB" in html
    assert "Fila er for stor" in html and "The file is too large" in html
    assert '<meta charset="utf-8">' in html


class Langs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = ""
        self.inner: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        if tag == "html":
            self.root = lang or ""
        elif lang:
            self.inner.add(lang)


def test_the_config_loads_on_debian_12s_nginx():
    """`http2 on;` is nginx ≥ 1.25.1; Debian 12 ships 1.22, whose `nginx -t` refused the
    whole file («unknown directive "http2"»). The listen parameter works on both."""
    text = CONF.read_text()
    assert not re.search(r"^\s*http2\s+on\s*;", text, re.MULTILINE)
    assert re.search(r"^\s*listen\s+443\s+ssl\s+http2\s*;", text, re.MULTILINE)
