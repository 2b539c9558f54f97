"""Issue #18 / PU-1: a national ID number never reaches a log line in clear — not in the
message, an extra or an exception's text."""

from __future__ import annotations

import json
import logging

from ordstyrer.core.logging import JsonFormatter

NATIONAL_ID = "05099242649"


def _line(record: logging.LogRecord) -> str:
    return JsonFormatter().format(record)


def test_message_extras_and_exceptions_are_masked() -> None:
    record = logging.makeLogRecord(
        {
            "name": "ordstyrer.test",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "kunne ikke lagre «mitt fnr er %s»",
            "args": (NATIONAL_ID,),
            "text": f"fnr {NATIONAL_ID}",
            "comment_id": "222_1",
        }
    )
    try:
        raise ValueError(f"ugyldig tekst: {NATIONAL_ID}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = _line(record)
    assert NATIONAL_ID not in line
    entry = json.loads(line)
    assert entry["event"].endswith("«mitt fnr er ******42649»")
    assert entry["text"] == "fnr ******42649" and "******42649" in entry["exception"]
    assert entry["comment_id"] == "222_1"


def test_other_numbers_are_left_alone() -> None:
    record = logging.makeLogRecord({"msg": "ordre 12345678901 og telefon 91234567"})
    assert "12345678901" in _line(record)
