"""Moved to `ordstyrer.core.console` (apps import downwards only, issue #17). Kept for
the one view module still importing it here; remove with that import."""

from ordstyrer.core.console import municipality_view

__all__ = ["municipality_view"]
