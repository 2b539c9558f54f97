"""A local stand-in for Meta's Graph API (spec `meta-graph-api.md` §7).

It is the only place where Ordstyrer's tests meet "Meta": the Facebook and Instagram
connectors talk HTTP to it exactly as they would to graph.facebook.com. Start it with
`ordstyrer fake-graph --port N`, or in-process with `FakeGraph().start()`.

Only the standard library (plus our own pure modules) is used.
"""

from ordstyrer_fakegraph.server import FakeGraph

__all__ = ["FakeGraph"]
