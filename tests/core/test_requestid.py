"""A request id on every response and log line, one access line per request (#14)."""

from __future__ import annotations

import logging

from ordstyrer.core.requestid import RequestIdFilter, current


def test_every_response_carries_a_request_id(client, db):
    first = client.get("/logg-inn/")
    second = client.get("/logg-inn/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxys_id_is_kept_when_it_is_a_plain_token(client, db):
    kept = client.get("/logg-inn/", HTTP_X_REQUEST_ID="proxy-1234abcd")
    assert kept["X-Request-ID"] == "proxy-1234abcd"
    odd = client.get("/logg-inn/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert odd["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(odd["X-Request-ID"]) == 32


def test_access_line_has_no_query_string_and_no_names(client, db, caplog):
    caplog.set_level(logging.INFO, logger="ordstyrer.access")
    client.get("/logg-inn/?hub.verify_token=secret-value&next=/m/x/")
    (record,) = [r for r in caplog.records if r.name == "ordstyrer.access"]
    assert record.path == "/logg-inn/"
    assert record.status == 200
    assert record.user_id is None
    assert "secret-value" not in caplog.text


def test_log_lines_written_during_a_request_carry_its_id():
    token = current.set("abc123def456")
    try:
        record = logging.makeLogRecord({"msg": "x"})
        assert RequestIdFilter().filter(record)
        assert record.request_id == "abc123def456"
    finally:
        current.reset(token)
    outside = logging.makeLogRecord({"msg": "y"})
    RequestIdFilter().filter(outside)
    assert not hasattr(outside, "request_id")
