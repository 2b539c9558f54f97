"""What every library's commands share with the `ordstyrer` command, without
importing it (the pure libraries sit below the CLI: .importlinter): the usage error
and the bound on the input a command reads. Pure: no Django."""

from __future__ import annotations

EXIT_USAGE = 2
# Input a command reads (a draft, JSON lines) is read up to this many bytes; more is
# refused with one line rather than read into memory (issue #18: 50 MB took 2 GB).
MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_INPUT_TEXT = "10 MB"


class UsageError(Exception):
    """Bad arguments or unusable input: reported on one line, exit code 2."""
