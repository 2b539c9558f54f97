"""A signature header that is not 64 hex digits is refused with 403, never a crash.

`hmac.compare_digest` raises TypeError on a str holding non-ASCII characters, so an
unauthenticated POST with `X-Hub-Signature-256: sha256=` + 64 × "é" made the webhook
answer 500 (spec §2.2: a missing or wrong signature gets 403 and nothing is stored).
Both entry points are tested: Django's view and the served application's fast receipt.
"""

from __future__ import annotations

import pytest

from ordstyrer.connectors.graph.webhooks import sign, verify_signature
from ordstyrer.platforms.models import WebhookDelivery
from tests.platforms.conftest import APP_SECRET, comment_value, feed_body, make_channel
from tests.platforms.test_receipt_wsgi import call

pytestmark = pytest.mark.django_db

PAGE = "2020777"
BODY = feed_body([comment_value(PAGE, "222_20777", message="Hei")], PAGE)
BAD_SIGNATURES = [
    "sha256=" + "é" * 64,
    "sha256=" + "ø" * 63 + "a",
    "sha256=" + "😀" * 64,
    "sha256=" + "g" * 64,
    "sha256=" + " " * 64,
]
IDS = ["e-acute", "one-ascii", "emoji", "not-hex", "blanks"]


@pytest.mark.parametrize("header", BAD_SIGNATURES, ids=IDS)
def test_verify_signature_refuses_a_header_that_is_not_64_hex_digits(header: str) -> None:
    assert verify_signature(BODY, header, APP_SECRET) is False


def test_verify_signature_still_accepts_meta_signature_in_either_case() -> None:
    good = sign(BODY, APP_SECRET)
    assert verify_signature(BODY, good, APP_SECRET) is True
    assert verify_signature(BODY, "SHA256=" + good.split("=", 1)[1].upper(), APP_SECRET)


@pytest.mark.parametrize("header", BAD_SIGNATURES, ids=IDS)
def test_the_view_answers_403_to_a_non_hex_signature(client, personas, header: str) -> None:
    make_channel(personas, platform_id=PAGE)
    response = client.post(
        "/webhooks/meta/",
        data=BODY,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=header,
    )
    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


# The receipt sends Django's request signals, which close a connection left inside a
# transaction (as in test_receipt_wsgi): real commits, or PostgreSQL's test connection goes.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("header", BAD_SIGNATURES, ids=IDS)
def test_the_fast_receipt_answers_403_to_a_non_hex_signature(personas, header: str) -> None:
    make_channel(personas, platform_id=PAGE)
    status, _, _ = call("POST", body=BODY, headers={"X-Hub-Signature-256": header})
    assert status.startswith("403")
    assert not WebhookDelivery.objects.exists()
