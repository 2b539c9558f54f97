"""Every Graph error the connector must handle, injected in the stand-in (spec §3.2, §7.8)."""

from __future__ import annotations

import pytest

from ordstyrer.connectors.base import ConnectorError, Draft, ErrorCode
from ordstyrer.connectors.facebook.connector import FacebookConnector
from ordstyrer.connectors.graph.errors import POLICY_BLOCK_PAUSE
from ordstyrer_fakegraph import FakeGraph

# code, subcode, expected ErrorCode, permanent
TABLE = [
    (1, 2853006, ErrorCode.PERMISSION, True),
    (3, None, ErrorCode.UNSUPPORTED, True),
    (10, None, ErrorCode.NEEDS_REAUTH, True),
    (100, None, ErrorCode.BAD_REQUEST, True),
    (100, 33, ErrorCode.NOT_FOUND, True),
    (102, None, ErrorCode.NEEDS_REAUTH, True),
    (190, None, ErrorCode.NEEDS_REAUTH, True),
    (190, 458, ErrorCode.NEEDS_REAUTH, True),
    (190, 459, ErrorCode.NEEDS_REAUTH, True),
    (190, 460, ErrorCode.NEEDS_REAUTH, True),
    (190, 463, ErrorCode.NEEDS_REAUTH, True),
    (190, 464, ErrorCode.NEEDS_REAUTH, True),
    (190, 467, ErrorCode.NEEDS_REAUTH, True),
    (190, 492, ErrorCode.NEEDS_REAUTH, True),
    (190, 2069032, ErrorCode.NEEDS_REAUTH, True),
    (200, None, ErrorCode.PERMISSION, True),
    (200, 2069030, ErrorCode.UNSUPPORTED, True),
    (200, 2069033, ErrorCode.UNSUPPORTED, True),
    (368, None, ErrorCode.POLICY_BLOCK, False),
    (506, None, ErrorCode.DUPLICATE, True),
    (1609005, None, ErrorCode.BAD_LINK, True),
    (2500, None, ErrorCode.BAD_REQUEST, True),
    (3001, 1504028, ErrorCode.BAD_REQUEST, True),
    (9, None, ErrorCode.PUBLISHING_LIMIT, False),
]


@pytest.mark.parametrize(("code", "subcode", "expected", "permanent"), TABLE)
def test_error_classification(
    fb: FacebookConnector, fake: FakeGraph, code, subcode, expected, permanent
) -> None:
    fake.inject(code, subcode=subcode, path="/published_posts")
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    err = info.value
    assert (err.code, err.permanent) == (expected, permanent)
    assert err.platform_code == code and err.platform_subcode == subcode
    assert err.trace_id  # fbtrace_id kept for support (§3.1)


@pytest.mark.parametrize("code", [1, 2])
def test_transient_errors_are_retried_for_reads(fb, fake, sleeps, code) -> None:
    fake.inject(code, times=2, path="/published_posts")
    assert fb.list_posts().items == ()
    assert len(sleeps.calls) == 2


def test_transient_error_that_persists_is_raised_after_bounded_retries(fb, fake, sleeps) -> None:
    fake.inject(2, times=-1, path="/published_posts")
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    assert info.value.code == ErrorCode.TRANSIENT and not info.value.permanent
    assert len([r for r in fake.store.requests if r[1].endswith("/published_posts")]) == 4


def test_transient_error_on_a_create_is_not_repeated(fb, fake, page) -> None:
    """Retrying a POST could publish twice (§3.4): raise, let the caller re-check."""
    fake.inject(1, path="/feed", method="POST")
    with pytest.raises(ConnectorError) as info:
        fb.publish(Draft(text="Strømbrudd på Fevik"))
    assert info.value.code == ErrorCode.TRANSIENT
    assert [r for r in fake.store.requests if r == ("POST", f"/{page.id}/feed")] == [
        ("POST", f"/{page.id}/feed")
    ]


def test_1705_on_a_hide_is_retried_once(fb, fake, page, sleeps) -> None:
    post = fake.store.create_post(page, message="x")
    c = fake.store.add_comment(post.id, from_id="1", from_name="A", message="hei")
    fake.inject(1705, times=2, path=f"/{c.id}", method="POST")
    with pytest.raises(ConnectorError) as info:
        fb.hide_comment(c.id)
    assert info.value.platform_code == 1705 and len(sleeps.calls) == 1
    assert fb.hide_comment(c.id) is True


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttle_backs_off_and_pauses_the_page(fb, fake, throttle_clock, code) -> None:
    fake.inject(code, path="/published_posts")
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    err = info.value
    assert err.code == ErrorCode.THROTTLED and not err.permanent
    assert err.retry_after == 60.0  # no estimate → exponential backoff from 60 s
    sent = len(fake.store.requests)
    with pytest.raises(ConnectorError) as paused:
        fb.get_post("whatever")  # every call for the page waits, not only the failed one
    assert paused.value.code == ErrorCode.THROTTLED and 0 < paused.value.retry_after <= 60
    assert len(fake.store.requests) == sent  # refused without a network call
    throttle_clock.t += 61
    assert fb.list_posts().items == ()


def test_80001_uses_estimated_time_to_regain_access(fb, fake, throttle_clock) -> None:
    fake.inject(80001, path="/published_posts", estimated_time_to_regain_access=7)
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    assert info.value.retry_after == 7 * 60
    throttle_clock.t += 6 * 60
    with pytest.raises(ConnectorError):
        fb.list_posts()
    throttle_clock.t += 61
    fb.list_posts()


def test_repeated_throttles_back_off_exponentially(fb, fake, throttle_clock) -> None:
    waits = []
    for _ in range(3):
        fake.inject(4, path="/published_posts")
        with pytest.raises(ConnectorError) as info:
            fb.list_posts()
        waits.append(info.value.retry_after)
        throttle_clock.t += 10_000
    assert waits == [60.0, 120.0, 240.0]


def test_policy_block_368_stops_writes_for_hours(fb, fake, page) -> None:
    post = fake.store.create_post(page, message="x")
    fake.inject(368, path="/comments", method="POST")
    with pytest.raises(ConnectorError) as info:
        fb.comment(post.id, "Hei")
    assert (
        info.value.code == ErrorCode.POLICY_BLOCK and info.value.retry_after == POLICY_BLOCK_PAUSE
    )
    assert "hovedadministratorene er varslet" in str(info.value)


def test_http_status_does_not_decide(fb, fake) -> None:
    fake.inject(190, subcode=460, http_status=500, path="/published_posts")
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    assert info.value.code == ErrorCode.NEEDS_REAUTH


def test_usage_headers_climb_and_pause_at_100(fb, fake, page, throttle_clock) -> None:
    fake.usage.step = 30
    fb.list_posts()
    first = fb.client.last_usage.percent
    fb.list_posts()
    assert fb.client.last_usage.percent > first
    fb.list_posts()
    fb.list_posts()  # now at 120 %: the client stops by itself
    assert fb.client.last_usage.buc_percent[page.id] >= 100
    sent = len(fake.store.requests)
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    assert info.value.code == ErrorCode.THROTTLED and len(fake.store.requests) == sent


def test_enforced_limit_answers_80001(fb, fake, page) -> None:
    fake.usage.enforce = True
    fake.usage.buc[page.id] = {
        "type": "pages",
        "call_count": 99.5,
        "total_cputime": 0.0,
        "total_time": 0.0,
        "estimated_time_to_regain_access": 3,
    }
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    assert info.value.platform_code == 80001 and info.value.code == ErrorCode.THROTTLED


def test_no_usage_headers_mode(fb, fake) -> None:
    fake.usage.send_headers = False
    fb.list_posts()
    assert not fb.client.last_usage.seen


def test_token_never_leaks_into_errors(fb, fake, page) -> None:
    fake.inject(
        100,
        message=f"(#100) bad access_token={page.token} and {page.token}",
        path="/published_posts",
    )
    with pytest.raises(ConnectorError) as info:
        fb.list_posts()
    text = str(info.value) + repr(info.value)
    assert page.token not in text and "***" in text


def test_network_failure_is_transient(page, graph_config) -> None:
    import socket

    from ordstyrer.connectors.secrets import SecretToken

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = FacebookConnector.from_config(
        {
            **graph_config,
            "base_url": f"http://127.0.0.1:{port}",
            "page_id": page.id,
            "token": SecretToken(page.token),
        }
    )
    with pytest.raises(ConnectorError) as info:
        dead.list_posts()
    assert info.value.code == ErrorCode.NETWORK and not info.value.permanent
    assert page.token not in str(info.value)


def test_cursor_to_another_host_is_refused(fb) -> None:
    with pytest.raises(ConnectorError) as info:
        fb.list_posts(cursor="https://evil.example/v25.0/1/published_posts?after=x")
    assert info.value.code == ErrorCode.BAD_REQUEST
