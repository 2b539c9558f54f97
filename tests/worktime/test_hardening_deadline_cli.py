"""Issue #18: `ordstyrer deadline --received` outside 1900–2100 is unusable input (one
Norwegian line, exit 2): 9999-12-31 overflowed with a traceback, 0001-01-01 printed a
+00:43 offset."""

from __future__ import annotations

import pytest

from ordstyrer.cli import main


@pytest.mark.parametrize(
    "received",
    [
        "9999-12-31T23:59:00+00:00",
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T10:00",
        "1899-12-31T23:59:59+01:00",
        "2101-01-01T00:00:00+01:00",
    ],
)
def test_dates_outside_1900_to_2100_exit_2_with_one_line(capsys, received: str) -> None:
    code = main(["deadline", "--preset", "gausdal", "--received", received])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "1900–2100" in err


def test_a_deadline_that_would_fall_after_the_calendar_is_one_line(capsys) -> None:
    code = main(["deadline", "--preset", "gausdal", "--received", "2100-12-31T15:00:00+01:00"])
    out, err = capsys.readouterr()
    # Either a deadline in 2101 or one line saying it cannot be computed: never a traceback.
    assert (code == 0 and out.startswith("2101-")) or (code == 2 and err.count("\n") == 1)


@pytest.mark.parametrize("received", ["1900-01-02T10:00:00+01:00", "2100-06-01T10:00:00+02:00"])
def test_the_edges_of_the_range_are_accepted(capsys, received: str) -> None:
    assert main(["deadline", "--preset", "gausdal", "--received", received]) == 0


def test_a_huge_calendar_file_is_refused_with_one_line(capsys, tmp_path) -> None:
    calendar = tmp_path / "kalender.toml"
    calendar.write_bytes(b"# " + b"x" * (2 * 1024 * 1024) + b"\n")
    code = main(
        [
            "deadline",
            "--preset",
            "gausdal",
            "--received",
            "2026-04-02T10:00+02:00",
            "--calendar",
            str(calendar),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "større enn 1 MB" in err
