"""Instagram professional accounts through the Graph API (Facebook Login flavour, spec §4)."""

from ordstyrer.connectors.instagram.connector import (
    BLOCKING_UNSUPPORTED_NB,
    CAPTIONS_UNSUPPORTED_NB,
    SCHEDULING_NOTE_NB,
    InstagramConnector,
)

__all__ = [
    "BLOCKING_UNSUPPORTED_NB",
    "CAPTIONS_UNSUPPORTED_NB",
    "SCHEDULING_NOTE_NB",
    "InstagramConnector",
]
