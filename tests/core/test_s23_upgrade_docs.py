"""docs/deploy.md §9 said "Migrations are written to run while the old version still
serves" and restarted the processes after `migrate`. It was not true: releases add
required columns without a database default (the `intent_key` columns, the API's
idempotency fingerprint) and drop columns and tables in the same release, so the old
code failed between `migrate` and the restart — requests and tasks (a PU-12 notice, a
DI-10 escalation) failed and were not run again. The upgrade now stops every web and
worker process before `migrate` and starts them after it."""

from __future__ import annotations

import re
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def _upgrade_section() -> str:
    text = DEPLOY.read_text(encoding="utf-8")
    return text.split("## 9. Upgrades", 1)[1].split("\n## 10.", 1)[0]


def test_the_upgrade_stops_web_and_workers_before_migrate_and_starts_them_after() -> None:
    section = _upgrade_section()
    commands = re.search(r"```sh\n(.*?)```", section, re.S).group(1).splitlines()  # type: ignore[union-attr]
    stop = next(i for i, c in enumerate(commands) if c.startswith("systemctl stop"))
    migrate = next(i for i, c in enumerate(commands) if c.startswith("ordstyrer migrate"))
    start = next(i for i, c in enumerate(commands) if c.startswith("systemctl start"))
    assert stop < migrate < start
    assert "ordstyrer-web@" in commands[stop] and "ordstyrer-worker@" in commands[stop]
    assert "ordstyrer-web@" in commands[start] and "ordstyrer-worker@" in commands[start]
    assert not any(c.startswith("systemctl restart") for c in commands)


def test_the_upgrade_no_longer_promises_the_old_version_serves_during_migrate() -> None:
    assert "still serves" not in _upgrade_section()
