"""The `fields` parameter: parse `a,b{c,d},e.limit(0).summary(true){f}` and format back."""

from __future__ import annotations

from dataclasses import dataclass, field

from ordstyrer_fakegraph.errors import GraphError


@dataclass
class FieldReq:
    name: str
    modifiers: dict[str, str] = field(default_factory=dict)
    children: list[FieldReq] | None = None


def _err(text: str) -> GraphError:
    return GraphError(2500, None, f'(#2500) Syntax error "{text}"')


def parse_fields(text: str) -> list[FieldReq]:
    reqs, pos = _parse_list(text.replace(" ", ""), 0, top=True)
    if pos != len(text.replace(" ", "")):
        raise _err(text)
    return reqs


def _name(text: str, pos: int) -> tuple[str, int]:
    start = pos
    while pos < len(text) and (text[pos].isalnum() or text[pos] in "_"):
        pos += 1
    if pos == start:
        raise _err(text[start:])
    return text[start:pos], pos


def _parse_list(text: str, pos: int, *, top: bool) -> tuple[list[FieldReq], int]:
    reqs: list[FieldReq] = []
    if pos < len(text) and text[pos] == "}" and not top:
        return reqs, pos
    while pos < len(text):
        name, pos = _name(text, pos)
        req = FieldReq(name)
        while pos < len(text) and text[pos] == ".":
            mod, pos = _name(text, pos + 1)
            if pos >= len(text) or text[pos] != "(":
                raise _err(text[pos:])
            end = text.find(")", pos)
            if end < 0:
                raise _err(text[pos:])
            req.modifiers[mod] = text[pos + 1 : end]
            pos = end + 1
        if pos < len(text) and text[pos] == "{":
            req.children, pos = _parse_list(text, pos + 1, top=False)
            if pos >= len(text) or text[pos] != "}":
                raise _err(text[pos:])
            pos += 1
        reqs.append(req)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        break
    return reqs, pos


def format_fields(reqs: list[FieldReq]) -> str:
    parts = []
    for req in reqs:
        text = req.name + "".join(f".{k}({v})" for k, v in req.modifiers.items())
        if req.children is not None:
            text += "{" + format_fields(req.children) + "}"
        parts.append(text)
    return ",".join(parts)
