"""Issue #18: a Content-Security-Policy on every page, and no inline script or style in
the console's templates (which the policy would block).

The template walk reads every template of the product, so a later inline <script>, <style>,
style="" or on…="" handler fails here before it breaks a page in a browser. The PDF
templates (`*/pdf/*`) are rendered to PDF on the server, never served as a page: exempt.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ordstyrer

pytestmark = pytest.mark.django_db

PACKAGE = Path(ordstyrer.__file__).resolve().parent
INLINE = [
    (
        re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I),
        "inline <script> (put it in a static .js file)",
    ),
    (re.compile(r"<style\b", re.I), "<style> element (put it in a static .css file)"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute (use a class in the stylesheet)"),
    (
        re.compile(
            r"\son(?:click|change|submit|load|input|key\w+|focus|blur|mouse\w+|error)\s*=", re.I
        ),
        "inline event handler (bind it in a static .js file)",
    ),
    (re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I), "javascript: URL"),
]


def console_templates() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.glob("*/templates/**/*.html")
        if "pdf" not in path.relative_to(PACKAGE).parts
    )


def inline_violations(html: str) -> list[str]:
    found = []
    for pattern, what in INLINE:
        for match in pattern.finditer(html):
            line = html.count("\n", 0, match.start()) + 1
            found.append(f"line {line}: {what}: {match.group(0).strip()[:60]}")
    return found


def test_the_walk_finds_the_console_templates() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in console_templates()}
    assert "web/templates/web/base.html" in names
    assert "web/templates/registration/login.html" in names
    assert len(names) > 20


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        "<style>p{}</style>",
        '<p style="color:red">',
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ],
)
def test_the_walk_catches_each_kind_of_inline_code(snippet: str) -> None:
    assert inline_violations(f"<div>\n{snippet}\n</div>")


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'web/ordstyrer.js' %}\" defer></script>",
        '<script type="application/json" id="data">{}</script>',
        '<p class="notice">Stil og onboarding</p>',
    ],
)
def test_the_walk_leaves_static_scripts_and_data_alone(snippet: str) -> None:
    assert not inline_violations(snippet)


def test_no_console_template_has_inline_script_or_style() -> None:
    problems = {
        path.relative_to(PACKAGE).as_posix(): found
        for path in console_templates()
        if (found := inline_violations(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


def test_the_login_page_carries_a_strict_policy(client) -> None:
    policy = _csp(client.get("/logg-inn/"))
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"].split()[0] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in " ".join(policy.values())


PAGES = [
    "",
    "sjekk/",
    "retningslinjer/",
    "husregler/",
    "innstillinger/",
    "kanaler/",
    "innboks/",
    "arkiv/",
    "moderering/",
]


@pytest.mark.parametrize("page", PAGES)
def test_console_pages_are_served_with_the_policy_and_no_inline_code(
    client, personas, page: str
) -> None:
    url = f"/m/{personas.municipality.slug}/{page}"
    client.force_login(personas.communications)
    response = client.get(url)
    assert response.status_code == 200
    assert _csp(response)["frame-ancestors"] == "'none'"
    assert inline_violations(response.content.decode()) == []
    client.force_login(personas.outsider)  # another municipality's member
    assert client.get(url).status_code == 404
