"""Mail in each person's own language: the product speaks Bokmål first, Nynorsk and
English through Django's translation machinery, in the console and in every message to
a user — and a mail is one.

Every mail used to be Bokmål, even to someone who had chosen Nynorsk or English: the
console's language switch set only the browser's cookie, and mail is written in a task,
where there is no browser. Now a signed-in person's switch also keeps the choice
(`core.languages`), `core.mail.send` writes each recipient's message in theirs, and a
browser without the cookie follows the kept choice. An anonymous switch stays a cookie.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from ordstyrer.core.mail import Recipient, addresses, send
from ordstyrer.publishing import services
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)

# A real msgid of `publishing.notifications.awaiting_notify` and its translations
# (src/ordstyrer/locale/{nn,en}/LC_MESSAGES/django.po).
AWAITING = {
    "nb": ("Et innlegg venter på din godkjenning", "Åpne godkjenningskøen:"),
    "nn": ("Eit innlegg ventar på godkjenninga di", "Opne godkjenningskøen:"),
    "en": ("A post is waiting for your approval", "Open the approval queue:"),
}
# ... and of `rejected_notify`.
REJECTED = {
    "nb": ("Innlegget ditt ble sendt tilbake", "ble ikke godkjent"),
    "nn": ("Innlegget ditt vart sendt tilbake", "vart ikkje godkjent"),
    "en": ("Your post was sent back", "was not approved"),
}


@pytest.fixture
def world(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return make_world("spraakby")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def switch(client: Client, language: str):
    """The console's language switch (the header's form in web/base.html)."""
    return client.post(reverse("set_language"), {"language": language, "next": "/"})


def console_language(client: Client) -> str:
    return client.get("/")["Content-Language"]


def kept(user) -> str | None:
    from ordstyrer.core.models import LanguageChoice

    row = LanguageChoice.objects.filter(user_id=user.pk).first()
    return row.language if row is not None else None


def mail_to(user) -> mail.EmailMessage:
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    return message


def waiting_post(w, run_on_commit):
    """The editor's post on the unit page, waiting for the unit leader or communications:
    both are told by one `send` (`awaiting_notify`)."""
    with run_on_commit(execute=True):
        post = post_create(
            actor=w.editor, municipality=w.municipality, channel_ids=[w.school.pk], text=TEXT
        )
        post = post_publish(actor=w.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    return post


@pytest.mark.parametrize("language", ["nn", "en"])
def test_an_editor_s_switch_is_kept_and_their_mail_follows_it(
    world, language, django_capture_on_commit_callbacks
):
    w = world
    response = switch(signed_in(w.editor), language)
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    assert kept(w.editor) == language

    post = waiting_post(w, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reject(actor=w.p.unit_leader, post_id=post.pk, reason="Skriv det enklere.")

    message = mail_to(w.editor)
    subject, said = REJECTED[language]
    assert message.subject == subject
    assert said in message.body and "Skriv det enklere." in message.body


@pytest.mark.parametrize("language", ["nn", "en"])
def test_one_mail_reaches_each_recipient_in_their_own_language(
    world, language, django_capture_on_commit_callbacks
):
    w = world
    switch(signed_in(w.p.communications), language)
    mail.outbox.clear()

    waiting_post(w, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [w.p.communications.email, w.p.unit_leader.email]
    )
    for person, expected in ((w.p.communications, language), (w.p.unit_leader, "nb")):
        message = mail_to(person)
        subject, said = AWAITING[expected]
        assert message.subject == subject
        assert said in message.body
        assert f"/m/{w.municipality.slug}/publisering/" in message.body  # the same link


def test_a_browser_without_the_cookie_follows_the_kept_choice(world):
    w = world
    first = signed_in(w.editor)
    switch(first, "nn")
    assert console_language(first) == "nn"

    # A new browser: no cookie, the kept choice.
    second = signed_in(w.editor)
    assert settings.LANGUAGE_COOKIE_NAME not in second.cookies
    assert console_language(second) == "nn"
    # Where the browser has the cookie, it wins.
    second.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert console_language(second) == "en"
    # The first browser without its cookie: the choice made there.
    del first.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert console_language(first) == "nn"
    # A colleague who chose nothing: Bokmål.
    assert console_language(signed_in(w.p.unit_leader)) == "nb"
    # Signed out, the browser has neither the session nor the choice.
    first.post(reverse("logout"))
    assert first.get(reverse("login"))["Content-Language"] == "nb"


def test_an_anonymous_switch_is_the_cookie_only(world):
    from ordstyrer.core.models import LanguageChoice

    anonymous = Client()
    response = switch(anonymous, "nn")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"
    assert anonymous.get(reverse("login"))["Content-Language"] == "nn"
    assert not LanguageChoice.objects.exists()


def test_a_language_not_offered_is_not_kept(world):
    w = world
    client = signed_in(w.editor)
    switch(client, "nn")
    for code in ("xx", "de", ""):  # "de": Django has a translation, the product has not
        switch(client, code)
        assert kept(w.editor) == "nn"
    assert kept(w.p.unit_leader) is None


def test_send_writes_once_per_language_and_addresses_read_the_choices_at_once(
    world, django_assert_num_queries
):
    w = world
    switch(signed_in(w.editor), "nn")
    switch(signed_in(w.p.communications), "nn")
    written: list[str] = []

    def compose() -> tuple[str, str]:
        from django.utils.translation import get_language

        written.append(get_language())
        return f"Emne {get_language()}", "Tekst"

    people = [w.editor, w.p.unit_leader, w.p.communications]
    with django_assert_num_queries(1):
        recipients = addresses(people)
    assert [r.language for r in recipients if isinstance(r, Recipient)] == ["nn", "nb", "nn"]
    mail.outbox.clear()
    assert send(compose, [*recipients, "ekstern@example.invalid"]) == 4
    assert written == ["nn", "nb"]  # once each, a plain address in LANGUAGE_CODE
    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        (w.editor.email, "Emne nn"),
        (w.p.unit_leader.email, "Emne nb"),
        (w.p.communications.email, "Emne nn"),
        ("ekstern@example.invalid", "Emne nb"),
    ]
