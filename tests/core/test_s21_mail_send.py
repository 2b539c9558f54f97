"""One refused recipient no longer stops everyone after it (PU-12, DI-10).

Django's SMTP backend raises the first SMTPException of a batch and sends nothing after
it. The crisis approvers are mailed in address order, so a deputy whose mailbox was
removed (550 at RCPT) kept the crisis leader sorted after them from ever hearing that a
post waited (PU-12), and the task was marked failed. Now each message is sent on its
own over one connection; a failure is one warning naming the person's user id, never the
address; the call fails only when nothing got through."""

from __future__ import annotations

import json
import logging
import smtplib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ordstyrer.core.logging import JsonFormatter
from ordstyrer.core.mail import MailNotSent, addresses, send
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.factories import UserFactory, person_with_roles
from tests.publishing.conftest import make_world

REFUSED: set[str] = set()
BACKEND = "tests.core.test_s21_mail_send.RefusingBackend"


class RefusingBackend(LocmemBackend):
    """The test outbox, with a relay that refuses the addresses in REFUSED at RCPT as
    Django's SMTP backend reports it: the batch's first refusal raised, nothing after."""

    def send_messages(self, messages):
        count = 0
        for message in messages:
            refused = [to for to in message.to if to in REFUSED]
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    {
                        to: (550, b"5.1.1 <" + to.encode() + b">: mailbox unavailable")
                        for to in refused
                    }
                )
            count += super().send_messages([message])
        return count


@pytest.fixture
def refusing(settings) -> Iterator[set[str]]:
    settings.EMAIL_BACKEND = BACKEND
    REFUSED.clear()
    yield REFUSED
    REFUSED.clear()


def mail_warnings(caplog) -> list[dict]:
    """The ordstyrer.mail warnings as the JSON log lines an operator reads."""
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(r))
        for r in caplog.records
        if r.name == "ordstyrer.mail" and r.levelno == logging.WARNING
    ]


def person(email: str) -> Any:
    return UserFactory(email=email)


@pytest.mark.django_db
def test_a_refused_recipient_costs_only_their_own_message(refusing, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ordstyrer.mail")
    deputy = person("aase.vara@kommune.no")
    leader = person("kari.krise@kommune.no")
    other = person("per.kom@kommune.no")
    refusing.add(deputy.email)

    sent = send(lambda: ("Emne", "Tekst med lenke"), addresses([deputy, leader, other]))

    assert sent == 2
    assert [m.to for m in mail.outbox] == [[leader.email], [other.email]]
    [warning] = mail_warnings(caplog)
    assert warning["user_id"] == deputy.pk
    assert warning["error"] == "SMTPRecipientsRefused" and warning["smtp_code"] == 550
    line = json.dumps(warning)
    assert "aase.vara" not in line and "Tekst med lenke" not in line


@pytest.mark.django_db
def test_when_every_recipient_is_refused_the_call_fails(refusing, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ordstyrer.mail")
    people = [person("a@kommune.no"), person("b@kommune.no")]
    refusing.update(p.email for p in people)

    with pytest.raises(MailNotSent) as raised:
        send(lambda: ("Emne", "Tekst"), addresses(people))

    assert mail.outbox == []
    assert [w["user_id"] for w in mail_warnings(caplog)] == [p.pk for p in people]
    assert "@kommune.no" not in str(raised.value)  # the failed task's record names no one


def test_an_address_given_as_plain_text_is_logged_without_a_user_id(refusing, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ordstyrer.mail")
    refusing.add("borte@kommune.no")
    assert send(lambda: ("Emne", "Tekst"), ["borte@kommune.no", "her@kommune.no"]) == 1
    assert [m.to for m in mail.outbox] == [["her@kommune.no"]]
    [warning] = mail_warnings(caplog)
    assert warning["user_id"] is None and "borte" not in json.dumps(warning)


# ------------------------------------------------------------- through Django's SMTP backend


class _Relay(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, refused: set[str], *, silent: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _RelaySession)
        self.refused = refused
        self.silent = silent  # accepts the connection and never answers: a stalled relay
        self.connections = 0
        self.delivered: list[str] = []


class _RelaySession(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: greeting, EHLO, MAIL, RCPT, DATA, RSET."""

    server: _Relay

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.server.connections += 1
        if self.server.silent:
            time.sleep(5)
            return
        self.reply("220 relay.kommune.test ESMTP")
        recipients: list[str] = []
        for raw in self.rfile:
            command = raw.decode().strip()
            verb = command.split(" ", 1)[0].split(":", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 relay.kommune.test")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                to = command.partition("<")[2].partition(">")[0]
                if to in self.server.refused:
                    self.reply(f"550 5.1.1 <{to}>: Recipient address rejected")
                else:
                    recipients.append(to)
                    self.reply("250 2.1.5 Ok")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                for data in self.rfile:
                    if data in (b".\r\n", b".\n"):
                        break
                self.server.delivered.extend(recipients)
                self.reply("250 2.0.0 Ok: queued")
            elif verb == "RSET":
                recipients = []
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Error: command not recognized")


@contextmanager
def relay(settings, refused: set[str], *, silent: bool = False) -> Iterator[_Relay]:
    server = _Relay(refused, silent=silent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_through_a_real_relay_one_refusal_leaves_the_others_on_the_same_connection(
    settings,
) -> None:
    with relay(settings, {"aase.vara@kommune.no"}) as server:
        sent = send(
            lambda: ("Emne", "Tekst"),
            ["aase.vara@kommune.no", "kari.krise@kommune.no", "per.kom@kommune.no"],
        )
    assert sent == 2
    assert server.delivered == ["kari.krise@kommune.no", "per.kom@kommune.no"]
    assert server.connections == 1


def test_a_relay_that_cannot_be_reached_is_tried_once_and_the_call_fails(settings, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ordstyrer.mail")
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    with pytest.raises(MailNotSent):
        send(lambda: ("Emne", "Tekst"), ["a@kommune.no", "b@kommune.no"])
    assert [w["stage"] for w in mail_warnings(caplog)] == ["connect", "connect"]


def test_a_stalled_relay_is_given_up_after_the_timeout(settings) -> None:
    settings.EMAIL_TIMEOUT = 1
    with relay(settings, set(), silent=True) as server:
        started = time.monotonic()
        with pytest.raises(MailNotSent):
            send(lambda: ("Emne", "Tekst"), ["a@kommune.no", "b@kommune.no", "c@kommune.no"])
        assert time.monotonic() - started < 4  # one wait of 1 s, not one per recipient
    assert server.connections == 1


# ------------------------------------------------------------------ the PU-12 notice, end to end


def run_worker() -> None:
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    ).run()


def waiting_post_with_a_deputy(settings, slug: str):
    """A post waits for the crisis leader (PU-12); their deputy's address sorts first."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"
    world = make_world(slug)
    deputy = person_with_roles(
        world.municipality, username=f"{slug}-vara", email=f"{slug}-aa-vara@example.invalid"
    )
    crisis_deputy_add(municipality=world.municipality, user=deputy, actor=world.p.crisis_leader)
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=(
            "Kokevarselet gjelder fortsatt for Elvdalen. Kok vannet i ett minutt før du "
            "drikker det. Les mer på https://indrefosen.kommune.no/vann"
        ),
    )
    post = post_publish(actor=world.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    queued = DBTaskResult.objects.filter(task_path__endswith=".crisis_waiting_notify").get()
    mail.outbox.clear()
    return world, deputy, queued


@pytest.mark.django_db(transaction=True)
def test_the_crisis_leader_is_told_though_the_deputy_before_them_has_no_mailbox(
    refusing, settings, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="ordstyrer.mail")
    world, deputy, queued = waiting_post_with_a_deputy(settings, "krmail")
    refusing.add(deputy.email)

    run_worker()

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    told = [m.to[0] for m in mail.outbox]
    assert world.p.crisis_leader.email in told and deputy.email not in told
    # The deputy was asked first (addresses in order) and refused, and that is logged.
    assert [w["user_id"] for w in mail_warnings(caplog)] == [deputy.pk]


@pytest.mark.django_db(transaction=True)
def test_the_notice_fails_visibly_when_no_approver_could_be_told(refusing, settings) -> None:
    _world, _deputy, queued = waiting_post_with_a_deputy(settings, "krnone")
    refusing.update(get_user_model().objects.values_list("email", flat=True))

    run_worker()

    queued.refresh_from_db()
    assert queued.status == "FAILED"
    assert queued.exception_class_path.endswith("MailNotSent")
    assert mail.outbox == []
