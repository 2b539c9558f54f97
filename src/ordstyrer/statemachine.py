"""A status machine as a table: `action → (statuses it may start from, status it leads to)`.

Pure Python, shared by the channel (CH-1) and inbox item (DI-1 … DI-8) workflows so the
guard is written once (issue #17).
"""

from __future__ import annotations

from collections.abc import Mapping


class TransitionError(ValueError):
    """The action is not allowed from the current status."""

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"{action} is not allowed from {status}")
        self.action = action
        self.status = status


class StateMachine:
    def __init__(self, transitions: Mapping[str, tuple[frozenset[str], str]]) -> None:
        self.transitions = transitions

    def next_status(self, status: str, action: str) -> str:
        """The status `action` leads to from `status`; ValueError for an unknown action,
        TransitionError for one not allowed from `status`."""
        try:
            sources, target = self.transitions[action]
        except KeyError:
            raise ValueError(f"unknown action {action!r}") from None
        if status not in sources:
            raise TransitionError(action, status)
        return target

    def allowed_actions(self, status: str) -> list[str]:
        """The actions the table allows from `status` (permissions aside), in table order."""
        return [action for action, (sources, _) in self.transitions.items() if status in sources]
