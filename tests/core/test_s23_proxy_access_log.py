"""The proxy's access log kept what the app's own log leaves out (PU-1).

Ordstyrer logs each request's path without its query string (`core.requestid`): a
query holds the inbox search words (a name, a national ID number) and Meta's webhook
verify token. deploy/nginx.conf set no `access_log`, so nginx wrote its default
"combined" line with the whole request line, `GET /m/testby/innboks/?q=Kari+Nordmann
HTTP/2.0`, and the referring page's address (with its query) too, in a log
docs/privacy.md did not name. Each server now logs with a format of method, path
without the query, status, size, duration and the request id."""

from __future__ import annotations

import re

from tests.core.test_s21_nginx_limit import CONF, REPO, Block, parse

# Variables that carry the query string or a whole address with it.
WITH_QUERY = re.compile(
    r"\$(request(?![_a-z])|request_uri|args|query_string|arg_\w+|is_args|http_referer)\b"
)


def servers(root: Block) -> list[Block]:
    return [block for words, block in root.blocks if words and words[0] == "server"]


def test_every_server_logs_without_the_query_string():
    root = parse(CONF.read_text())
    formats = {values[0]: " ".join(values[1:]) for values in root.values("log_format")}
    assert formats, "no log_format in deploy/nginx.conf: nginx logs the whole request line"
    for name, fmt in formats.items():
        assert not WITH_QUERY.search(fmt), (name, fmt)
    assert len(servers(root)) == 2
    for server in servers(root):
        logs = server.values("access_log") + root.values("access_log")
        assert logs, "a server without access_log inherits nginx's combined format"
        for values in logs:
            # A log without a format name is written in "combined" ($request).
            assert values == ["off"] or values[1] in formats, values
    used = formats[servers(root)[1].values("access_log")[0][1]]
    assert "$request_method $uri $server_protocol" in used and "$request_id" in used


def test_the_privacy_page_names_the_proxys_log():
    privacy = (REPO / "docs" / "privacy.md").read_text()
    assert "deploy/nginx.conf" in privacy and "access log" in privacy
