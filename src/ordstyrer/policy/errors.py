"""The one error type of the policy engine."""

from __future__ import annotations


class PolicyError(ValueError):
    """An unknown preset, rule or parameter, or an override of the wrong type.

    The message is Norwegian Bokmål and fit to show to a user as it is.
    """
