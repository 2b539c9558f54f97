"""What waits for an answer (#15): spam, hateful speech and hidden comments are
moderated, not answered — they are not counted as waiting, nor as overdue (CH-5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.selectors import overdue_counts
from tests.factories import PASSWORD
from tests.inbox.conftest import comment, ingest

pytestmark = pytest.mark.django_db


def test_spam_hate_and_hidden_do_not_wait_for_an_answer(world):
    question = ingest(world.channel, comment("c1", "Når åpner svømmehallen?"))
    spam = ingest(world.channel, comment("c2", "Tjen 5000 kr!!! bit.ly/x", author="u2"))
    hate = ingest(world.channel, comment("c3", "Jag dem ut!", author="u3"))
    hidden = ingest(world.channel, comment("c4", "Hva koster det?", author="u4"))
    InboxItem.objects.filter(pk=spam.pk).update(category="spam")
    InboxItem.objects.filter(pk=hate.pk).update(category="hate_speech")
    InboxItem.objects.filter(pk=hidden.pk).update(hidden=True)
    past = timezone.now() - timedelta(days=2)
    InboxItem.objects.filter(pk__in=[question.pk, spam.pk, hate.pk, hidden.pk]).update(
        due_at=past, open=True
    )
    client = Client()
    assert client.login(username=world.p.communications.username, password=PASSWORD)
    html = client.get(reverse("inbox:list", args=[world.municipality.slug])).content.decode()
    assert "1 henvendelse venter på svar" in html and "1 er over fristen" in html
    assert overdue_counts([world.channel.pk]) == {world.channel.pk: 1}
    outsider = Client()
    assert outsider.login(username=world.p.outsider.username, password=PASSWORD)
    assert outsider.get(reverse("inbox:list", args=[world.municipality.slug])).status_code == 404
