"""The served application (`config.wsgi`): Meta's POSTs are answered before Django's
request cycle (`views_webhook.receipt_wsgi`), with the same verification and storage
as the view; everything else still goes to Django (spec §2.2–§2.4)."""

from __future__ import annotations

import io
import sys
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from config.wsgi import application
from ordstyrer.connectors.graph.webhooks import sign
from ordstyrer.inbox.models import InboxItem
from ordstyrer.platforms import webhooks
from ordstyrer.platforms.models import DeliveryStatus, WebhookDelivery
from tests.platforms.conftest import (
    APP_SECRET,
    VERIFY_TOKEN,
    comment_value,
    feed_body,
    make_channel,
)
from tests.platforms.test_webhooks import DB_TASKS

# The receipt sends Django's request signals, which close a connection left inside a
# transaction: these tests run with real commits.
pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "2020202"
TEXT = "Når blir det brøytet i Ørnevegen? Takk for svar 😀"


def call(
    method: str,
    path: str = "/webhooks/meta/",
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    content_length: str | None = None,
) -> tuple[str, dict[str, str], bytes]:
    """One request through the WSGI application, as a server would make it."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": urlencode(query or {}),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)) if content_length is None else content_length,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info=None):
        started.update(status=status, headers=dict(response_headers))

    result = application(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return started["status"], started["headers"], content


def post(body: bytes, signature: str | None = None, **kwargs: Any) -> tuple[str, bytes]:
    header = sign(body, APP_SECRET) if signature is None else signature
    status, _, content = call("POST", body=body, headers={"X-Hub-Signature-256": header}, **kwargs)
    return status, content


@pytest.fixture
def channel(personas):
    return make_channel(personas, platform_id=PAGE)


def test_a_signed_post_is_one_insert_and_the_drain_triages_it(channel, settings) -> None:
    settings.TASKS = DB_TASKS
    body = feed_body([comment_value(PAGE, "222_7001", message=TEXT)], PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert post(body) == ("200 OK", b"")
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    assert len(statements) == 1 and statements[0].startswith("INSERT")
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body and delivery.status == DeliveryStatus.RECEIVED

    assert post(body) == ("200 OK", b"")  # Meta's retry of the same bytes
    assert WebhookDelivery.objects.count() == 1
    assert webhooks.deliveries_drain() == 1
    item = InboxItem.objects.get(channel=channel)
    assert item.text == TEXT and item.triaged_at is not None


def test_a_forged_signature_is_refused_and_nothing_is_stored(channel) -> None:
    body = feed_body([comment_value(PAGE, "222_7002")], PAGE)
    assert post(body, sign(body, "feil-hemmelighet"))[0] == "403 Forbidden"
    assert post(body, "")[0] == "403 Forbidden"
    assert WebhookDelivery.objects.count() == 0


def test_a_body_over_the_upload_limit_or_with_a_bad_length_is_refused(channel, settings) -> None:
    body = feed_body([comment_value(PAGE, "222_7003", message=TEXT)], PAGE)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body) - 1
    assert post(body)[0] == "413 Content Too Large"
    assert post(body, content_length="mange")[0] == "400 Bad Request"
    assert post(body, content_length="-1")[0] == "400 Bad Request"
    assert WebhookDelivery.objects.count() == 0
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body)
    assert post(body)[0] == "200 OK"


def test_a_database_failure_answers_500_without_details_and_the_retry_is_stored(
    channel, settings
) -> None:
    settings.TASKS = DB_TASKS
    body = feed_body([comment_value(PAGE, "222_7004", message=TEXT)], PAGE)

    def database_down(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(database_down):
        assert post(body) == ("500 Internal Server Error", b"")  # Meta sends it again
    assert WebhookDelivery.objects.count() == 0
    assert post(body) == ("200 OK", b"")
    assert WebhookDelivery.objects.count() == 1


def test_everything_else_goes_to_django(channel) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "4711"}
    status, headers, content = call("GET", query=query)
    assert (status, content) == ("200 OK", b"4711")
    assert headers["X-Frame-Options"] == "DENY"  # Django's middleware ran
    assert call("PUT")[0].startswith("405")
    body = feed_body([comment_value(PAGE, "222_7005")], PAGE)
    header = {"X-Hub-Signature-256": sign(body, APP_SECRET)}
    assert call("POST", "/webhooks/meta", body=body, headers=header)[0] != "200 OK"
    assert WebhookDelivery.objects.count() == 0
