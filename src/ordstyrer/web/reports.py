"""Moved to `ordstyrer.core.reports` (apps import downwards only, issue #17). Kept for
the one view module still importing it here; remove with that import."""

from ordstyrer.core.reports import csv_cell, report_period

__all__ = ["csv_cell", "report_period"]
