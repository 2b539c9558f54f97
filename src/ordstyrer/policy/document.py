"""A tiny document model with Markdown and accessible HTML output, for render.py.

Headings nest in order (h1 → h2 → h3), lists are real lists, quotes carry the
language of the source document, and the HTML wrapper has a lang attribute.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal

Format = Literal["md", "html"]
FORMATS: tuple[str, ...] = ("md", "html")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    rule_id: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    source: str
    lang: str
    # Said before the words, in the document's language: how they stand here ("not in
    # force here" for a rule the municipality switched off); "" for the rule in force.
    status: str = ""


Block = Heading | Paragraph | BulletList | Quote


@dataclass(slots=True)
class Document:
    lang: str
    css_class: str
    blocks: list[Block] = field(default_factory=list)

    def heading(self, level: int, text: str, rule_id: str | None = None) -> None:
        previous = max((b.level for b in self.blocks if isinstance(b, Heading)), default=0)
        if level > previous + 1:  # never skip a level (WCAG 1.3.1)
            raise ValueError(f"heading level {level} after {previous}")
        self.blocks.append(Heading(level, text, rule_id))

    def paragraph(self, text: str) -> None:
        self.blocks.append(Paragraph(text))

    def bullets(self, items: list[str] | tuple[str, ...]) -> None:
        if items:
            self.blocks.append(BulletList(tuple(items)))

    def quote(self, text: str, source: str, lang: str, *, status: str = "") -> None:
        self.blocks.append(Quote(text, source, lang, status))

    def render(self, fmt: str) -> str:
        if fmt == "md":
            return to_markdown(self)
        if fmt == "html":
            return to_html(self)
        raise ValueError(f"unknown format {fmt!r}")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    # A line starting with "#", "-", "+", ">" or "1." would change meaning.
    return re.sub(r"^([#+\->]|\d+\.)", r"\\\1", escaped)


def to_markdown(doc: Document) -> str:
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            suffix = f" ({block.rule_id})" if block.rule_id else ""
            parts.append(f"{'#' * block.level} {_md(block.text)}{suffix}")
        elif isinstance(block, Paragraph):
            parts.append(_md(block.text))
        elif isinstance(block, BulletList):
            parts.append("\n".join(f"- {_md(item)}" for item in block.items))
        else:
            status = f"{_md(block.status)}\n\n" if block.status else ""
            parts.append(f"{status}> {_md(block.text)}\n>\n> {_md(block.source)}")
    return "\n\n".join(parts) + "\n"


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(doc: Document) -> str:
    lines = [f'<div class="{_h(doc.css_class)}" lang="{_h(doc.lang)}">']
    for block in doc.blocks:
        if isinstance(block, Heading):
            rule = f' <span class="rule-id">({_h(block.rule_id)})</span>' if block.rule_id else ""
            anchor = f' id="{_h(block.rule_id.lower())}"' if block.rule_id else ""
            lines.append(f"<h{block.level}{anchor}>{_h(block.text)}{rule}</h{block.level}>")
        elif isinstance(block, Paragraph):
            lines.append(f"<p>{_h(block.text)}</p>")
        elif isinstance(block, BulletList):
            items = "".join(f"<li>{_h(item)}</li>" for item in block.items)
            lines.append(f"<ul>{items}</ul>")
        else:
            lang = f' lang="{_h(block.lang)}"' if block.lang != doc.lang else ""
            if block.status:  # read before the words it frames, in the text's own style
                lines.append(f'<p class="citation-status">{_h(block.status)}</p>')
            lines.append(
                f'<figure class="citation"><blockquote{lang}><p>{_h(block.text)}</p></blockquote>'
                f"<figcaption>{_h(block.source)}</figcaption></figure>"
            )
    lines.append("</div>")
    return "\n".join(lines) + "\n"
