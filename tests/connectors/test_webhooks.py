"""Webhooks: signatures over raw bytes (æøå), the handshake, typed parsing, and the
stand-in's emitter delivering to a real local receiver (spec §2, §7.7)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from ordstyrer.connectors.graph.webhooks import (
    WebhookPayloadError,
    parse_events,
    sign,
    verify_handshake,
    verify_signature,
)
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.webhooks import encode_body

SECRET = "app-hemmelighet-æøå"


def _feed(value: dict, page_id: str = "111") -> bytes:
    return encode_body(
        {
            "object": "page",
            "entry": [
                {"id": page_id, "time": 1777712472, "changes": [{"field": "feed", "value": value}]}
            ],
        }
    )


ADD = {
    "item": "comment",
    "verb": "add",
    "comment_id": "222_9001",
    "post_id": "111_222",
    "parent_id": "111_222",
    "from": {"id": "5550001", "name": "Kari Nordmann"},
    "message": "Når er vannet tilbake? Blåbærsyltetøy på Ørsta 😀",
    "created_time": 1777712472,
    "post": {
        "id": "111_222",
        "status_type": "mobile_status_update",
        "is_published": True,
        "updated_time": "2026-05-02T09:01:12+0000",
        "permalink_url": "https://www.facebook.com/x",
        "promotion_status": "inactive",
    },
}


# -- signature -------------------------------------------------------------------------


def test_meta_style_body_escapes_norwegian_letters_and_verifies() -> None:
    body = _feed(ADD)
    assert b"\\u00f8" in body and "ø".encode() not in body  # ensure_ascii like Meta
    assert verify_signature(body, sign(body, SECRET), SECRET)


@pytest.mark.parametrize(
    ("mutate", "header_of"),
    [
        (lambda b: b, lambda b: sign(b, "en-annen-hemmelighet")),  # forged
        (lambda b: b.replace(b"vannet", b"vannEt"), lambda b: sign(_feed(ADD), SECRET)),  # altered
        (
            lambda b: json.dumps(json.loads(b), ensure_ascii=False).encode(),
            lambda b: sign(_feed(ADD), SECRET),
        ),  # re-serialised
        (lambda b: b, lambda b: "sha1=" + "0" * 40),  # legacy header only
        (lambda b: b, lambda b: ""),
        (lambda b: b, lambda b: "sha256=zz"),
    ],
)
def test_bad_signatures_are_refused(mutate, header_of) -> None:
    body = _feed(ADD)
    assert not verify_signature(mutate(body), header_of(body), SECRET)


def test_signature_header_is_case_tolerant_in_hex() -> None:
    body = _feed(ADD)
    assert verify_signature(body, sign(body, SECRET).upper().replace("SHA256", "sha256"), SECRET)
    assert not verify_signature(body, sign(body, SECRET), "")


def test_handshake() -> None:
    ok = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "ordstyrer-ø"}
    assert verify_handshake(ok, "ordstyrer-ø") == "1158201444"
    assert verify_handshake({**ok, "hub.verify_token": "feil"}, "ordstyrer-ø") is None
    assert verify_handshake({**ok, "hub.mode": "unsubscribe"}, "ordstyrer-ø") is None
    assert verify_handshake(ok, "") is None


# -- parsing ------------------------------------------------------------------------------


def test_parse_feed_comment_events() -> None:
    values = [
        ADD,
        {**ADD, "comment_id": "222_9003", "parent_id": "222_9001", "message": "Samme her"},
        {**ADD, "verb": "edited", "message": "Når kommer vannet tilbake?"},
        {
            "item": "comment",
            "verb": "remove",
            "comment_id": "222_9001",
            "post_id": "111_222",
            "parent_id": "111_222",
            "from": {"id": "5550001"},
            "created_time": 1777712800,
        },
        {**ADD, "verb": "hide"},
        {**ADD, "verb": "unhide"},
        {
            **ADD,
            "comment_id": "222_9009",
            "from": {"id": "111", "name": "Eksempel kommune"},
            "message": "Vi svarer",
        },
        {
            "item": "post",
            "verb": "remove",
            "post_id": "111_333",
            "recipient_id": "111",
            "from": {"id": "111", "name": "Eksempel kommune"},
            "created_time": 1777713000,
        },
    ]
    body = encode_body(
        {
            "object": "page",
            "entry": [
                {
                    "id": "111",
                    "time": 1777712472,
                    "changes": [{"field": "feed", "value": v} for v in values],
                }
            ],
        }
    )
    events = parse_events(body)
    assert [(e.item, e.verb) for e in events] == [
        ("comment", "add"),
        ("comment", "add"),
        ("comment", "edited"),
        ("comment", "remove"),
        ("comment", "hide"),
        ("comment", "unhide"),
        ("comment", "add"),
        ("post", "remove"),
    ]
    assert events[0].parent_id is None and events[0].text.startswith("Når er vannet")
    assert events[0].created_at.timestamp() == 1777712472
    assert events[1].parent_id == "222_9001"
    assert events[3].text is None and events[3].author.name == ""
    assert [e.is_page_author for e in events] == [False] * 6 + [True, True]


def test_parse_instagram_comment_and_unknown_fields() -> None:
    body = encode_body(
        {
            "object": "instagram",
            "entry": [
                {
                    "id": "1784000",
                    "time": 1777712472,
                    "changes": [
                        {
                            "field": "comments",
                            "value": {
                                "id": "1790001",
                                "text": "Så fint på Nesbyen!",
                                "from": {"id": "9901", "username": "kari_n"},
                                "media": {"id": "1795555", "media_product_type": "FEED"},
                            },
                        },
                        {
                            "field": "comments",
                            "value": {
                                "id": "1790002",
                                "text": "Takk!",
                                "parent_id": "1790001",
                                "from": {"id": "1784000", "username": "kommunen"},
                                "media": {"id": "1795555"},
                            },
                        },
                        {"field": "mentions", "value": {"media_id": "1"}},
                    ],
                },
                {
                    "id": "1784000",
                    "time": 1777712500,
                    "field": "comments",  # IG-Login shape [U]
                    "value": {
                        "id": "1790003",
                        "text": "Hei",
                        "from": {"id": "9902", "username": "ola"},
                        "media": {"id": "1795555"},
                    },
                },
            ],
        }
    )
    events = parse_events(body)
    assert [(e.platform, e.item, e.verb) for e in events] == [
        ("instagram", "comment", "add"),
        ("instagram", "comment", "add"),
        ("instagram", "mentions", "unknown"),
        ("instagram", "comment", "add"),
    ]
    assert events[0].post_id == "1795555" and events[0].author.name == "kari_n"
    assert events[1].parent_id == "1790001" and events[1].is_page_author
    assert events[3].comment_id == "1790003"


def test_parse_messenger_messages_echoes_and_receipts() -> None:
    body = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "111",
                    "time": 1777712472000,  # milliseconds for Messenger
                    "messaging": [
                        {
                            "sender": {"id": "2470001"},
                            "recipient": {"id": "111"},
                            "timestamp": 1777712472123,
                            "message": {"mid": "m_1", "text": "Kor tid opnar biblioteket?"},
                        },
                        {
                            "sender": {"id": "111"},
                            "recipient": {"id": "2470001"},
                            "timestamp": 1777712480000,
                            "message": {"mid": "m_2", "text": "Klokka ti.", "is_echo": True},
                        },
                        {"sender": {"id": "2470001"}, "delivery": {"mids": ["m_2"]}},
                    ],
                }
            ],
        },
        ensure_ascii=True,
    ).encode()
    first, echo, receipt = parse_events(body)
    assert (first.item, first.verb, first.comment_id, first.post_id) == (
        "message",
        "add",
        "m_1",
        None,
    )
    assert first.text == "Kor tid opnar biblioteket?" and first.author.id == "2470001"
    assert first.created_at.timestamp() == pytest.approx(1777712472.123)
    assert not first.is_page_author
    assert echo.item == "message" and echo.is_page_author
    # No message in it: passed on as unknown, with the entry's time read as milliseconds.
    assert (receipt.item, receipt.verb) == ("messaging", "unknown")
    assert receipt.created_at.timestamp() == pytest.approx(1777712472.0)


def test_an_impossible_time_does_not_break_parsing() -> None:
    body = (
        b'{"object":"page","entry":[{"id":"111","time":1e300,"changes":[{"field":"feed",'
        b'"value":{"item":"comment","verb":"add","comment_id":"1_2","post_id":"111_1",'
        b'"created_time":1e300}}]}]}'
    )
    (event,) = parse_events(body)
    assert event.comment_id == "1_2" and event.created_at is None


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"entry": []}', b'{"object": "page", "entry": [{"time": 1}]}']
)
def test_malformed_payloads_raise_one_error_type(body) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_events(body)


# -- the stand-in's emitter, end to end ------------------------------------------------------


@dataclass
class Receiver:
    url: str
    verify_token: str
    bodies: list[bytes] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    fail_first: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self):
        return [e for b in self.bodies for e in parse_events(b)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            params = dict(parse_qsl(urlsplit(self.path).query))
            challenge = verify_handshake(params, state["r"].verify_token)
            self.send_response(200 if challenge else 403)
            self.end_headers()
            self.wfile.write((challenge or "").encode())

        def do_POST(self) -> None:
            r = state["r"]
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            header = self.headers.get("X-Hub-Signature-256", "")
            with r.lock:
                if r.fail_first > 0:
                    r.fail_first -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                if not verify_signature(raw, header, SECRET):
                    self.send_response(403)
                    self.end_headers()
                    return
                r.bodies.append(raw)
                r.signatures.append(header)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state["r"] = Receiver(
        url=f"http://127.0.0.1:{httpd.server_address[1]}/webhooks/meta", verify_token="tok-å"
    )
    yield state["r"]
    httpd.shutdown()
    httpd.server_close()


def _subscribe(fake: FakeGraph, receiver: Receiver, **settings) -> None:
    fake.store.settings.app_secret = SECRET
    assert fake.emitter.handshake(receiver.url, receiver.verify_token)
    fake.emitter.configure(callback_url=receiver.url, retry_schedule=(0, 0.01, 0.01), **settings)


def test_handshake_with_wrong_token_fails(fake, receiver) -> None:
    assert not fake.emitter.handshake(receiver.url, "feil")


def test_comment_lifecycle_arrives_signed_with_norwegian_text(fake, page, fb, receiver) -> None:
    _subscribe(fake, receiver)
    post = fake.store.create_post(page, message="Vannledningsbrudd")
    c = fake.store.add_comment(
        post.id, from_id="5550001", from_name="Bjørn Ærø", message="Når kommer vannet på Østre Ål?"
    )
    fb.hide_comment(c.id)
    fb.unhide_comment(c.id)
    reply = fb.reply(c.id, "Hei Bjørn! I løpet av dagen.")
    fake.store.edit_comment(reply_rec := fake.store.objects[reply.id], "Hei Bjørn! Før kl. 15.")
    fb.delete_comment(c.id)
    assert fake.emitter.flush()
    comment_events = [e for e in receiver.events() if e.item == "comment"]
    assert [e.verb for e in comment_events] == ["add", "hide", "unhide", "add", "edited", "remove"]
    assert comment_events[0].text == "Når kommer vannet på Østre Ål?"
    assert comment_events[0].author.name == "Bjørn Ærø"
    assert comment_events[3].is_page_author and comment_events[3].parent_id == c.id
    assert reply_rec.id == comment_events[4].comment_id
    assert all(b.isascii() for b in receiver.bodies)


def test_batching_duplicates_and_disorder(fake, page, receiver) -> None:
    _subscribe(fake, receiver, batch_max=10, hold=True, shuffle=True, duplicate_every=1, seed=3)
    post = fake.store.create_post(page, message="17. mai-program")
    for i in range(5):
        fake.store.add_comment(
            post.id, from_id=f"55500{i}", from_name=f"Person {i}", message=f"Hurra {i}!"
        )
    fake.emitter.release()
    assert fake.emitter.flush()
    assert (
        len(receiver.bodies) == 2 and receiver.bodies[0] == receiver.bodies[1]
    )  # one batch, twice
    events = parse_events(receiver.bodies[0])
    texts = [e.text for e in events if e.item == "comment"]
    assert sorted(texts) == [f"Hurra {i}!" for i in range(5)]
    assert texts != sorted(texts)  # seeded shuffle: delivered out of order
    assert len(events) == 6  # the post itself, too


def test_retries_on_failure_then_drops(fake, page, receiver) -> None:
    _subscribe(fake, receiver)
    receiver.fail_first = 2
    fake.store.create_post(page, message="Første forsøk feiler")
    assert fake.emitter.flush()
    assert [d.status for d in fake.emitter.deliveries] == [500, 500, 200]
    receiver.fail_first = 10
    fake.store.create_post(page, message="Alle forsøk feiler")
    assert fake.emitter.flush()
    assert len(fake.emitter.dropped) == 1


def test_escaped_slashes_still_verify(fake, page, receiver) -> None:
    _subscribe(fake, receiver, escape_slashes=True)
    post = fake.store.create_post(page, message="Se https://kommune.example/vann")
    fake.store.add_comment(
        post.id, from_id="1", from_name="Åse", message="Lenken: https://x.example/a/b"
    )
    assert fake.emitter.flush()
    assert receiver.bodies and b"\\/" in receiver.bodies[-1]
    assert receiver.events()[-1].text == "Lenken: https://x.example/a/b"


def test_instagram_comments_webhook(fake, page, ig, receiver) -> None:
    _subscribe(fake, receiver)
    media = fake.store.add_ig_media(
        page.ig_user_id, caption="Sommer", media_url="https://cdn.example/x.jpg"
    )
    c = fake.store.add_ig_comment(
        media.id, from_id="9901", username="kari_n", text="Så flott, Kåre!"
    )
    ig.reply(c.id, "Tusen takk!")
    assert fake.emitter.flush()
    events = receiver.events()
    assert [(e.platform, e.text, e.is_page_author) for e in events] == [
        ("instagram", "Så flott, Kåre!", False),
        ("instagram", "Tusen takk!", True),
    ]
    assert events[1].parent_id == c.id and events[0].post_id == media.id


def test_messenger_message_and_visitor_post_arrive_signed(fake, page, receiver) -> None:
    _subscribe(fake, receiver, batch_max=5)
    post = fake.store.add_visitor_post(
        page.id, from_id="5550042", from_name="Per Ås", message="Hull i veien ved skolen."
    )
    mid = fake.store.add_message(page.id, sender_id="2470001", text="Kor tid opnar hallen?")
    assert fake.emitter.flush()
    (body,) = receiver.bodies  # one POST: a feed entry and a Messenger entry
    entries = json.loads(body)["entry"]
    assert [sorted(e) for e in entries] == [["changes", "id", "time"], ["id", "messaging", "time"]]
    assert entries[1]["time"] == entries[0]["time"] * 1000  # Messenger counts milliseconds
    visitor, message = receiver.events()
    assert (visitor.item, visitor.post_id, visitor.author.name) == ("post", post.id, "Per Ås")
    assert not visitor.is_page_author
    assert (message.item, message.comment_id, message.text) == (
        "message",
        mid,
        "Kor tid opnar hallen?",
    )
