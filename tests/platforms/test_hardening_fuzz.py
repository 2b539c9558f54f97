"""Issue #18: a fuzz test of the webhook receipt and `parse_events` (hypothesis): nested,
huge, odd unicode and wrongly typed bodies. No exception escapes either, and no stored
delivery is ever left `processing` after a drain.

Bounded and deterministic for CI: few examples, derandomised, no example database.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordstyrer.connectors.graph.webhooks import WebhookPayloadError, parse_events
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from tests.platforms.conftest import make_channel, post_signed

PAGE = "1919191"
FUZZ = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(["\u0000", "\u202e", "\ufeff", "ø", "😀", "\U0010ffff", '"', "\\"]),
    max_size=40,
) | st.sampled_from(["æøå", "\\u00e6", "05099242649", "[[[[", "{{"])
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | odd_text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)


def _envelope_like(value) -> dict:
    """Shapes near a real envelope, with wrong types in every place."""
    return {
        "object": value if not isinstance(value, dict) else "page",
        "entry": [
            {
                "id": value,
                "time": value,
                "changes": [{"field": "feed", "value": value}, {"field": value, "value": {}}],
                "messaging": [{"sender": value, "message": value}],
            }
        ],
    }


def _nested(depth: int, opener: str) -> bytes:
    inner, close = ('{"a":', "}") if opener == "{" else ("[", "]")
    return (inner * depth + "1" + close * depth).encode()


bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(_envelope_like(v), ensure_ascii=False).encode()),
    st.binary(max_size=200),
    st.builds(_nested, st.integers(min_value=1, max_value=5000), st.sampled_from(["[", "{"])),
    st.integers(min_value=0, max_value=3_000_000).map(lambda n: b'{"x":"' + b"a" * n + b'"}'),
)


@FUZZ
@given(body=bodies)
def test_parse_events_never_raises_anything_but_a_payload_error(body: bytes) -> None:
    try:
        events = parse_events(body)
    except WebhookPayloadError:
        return
    assert isinstance(events, list)


@FUZZ
@given(value=json_values)
def test_parse_events_refuses_non_bytes_cleanly(value) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_events(value if not isinstance(value, bytes | bytearray) else 1)  # type: ignore[arg-type]


@pytest.mark.django_db
@FUZZ
@given(body=bodies)
def test_receipt_and_drain_never_escape_and_never_leave_a_delivery_processing(
    client, personas, body: bytes
) -> None:
    if not WebhookDelivery.objects.exists() and not hasattr(personas, "_fuzz_channel"):
        personas._fuzz_channel = make_channel(personas, platform_id=PAGE)
    response = post_signed(client, body)
    assert response.status_code in (200, 400, 413)
    webhooks.deliveries_drain()
    assert not WebhookDelivery.objects.filter(status=DeliveryStatus.PROCESSING).exists()
    if response.status_code != 200:
        assert not WebhookDelivery.objects.filter(sha256=webhooks.body_hash(body)).exists()
