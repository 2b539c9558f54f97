"""The start page counts every failed reply (DI-1, #15 "each with a count"): eight
replies the platform refused read «8 svar ble ikke publisert.», not the five listed
with their reasons plus one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.inbox.models import InboxItem, Reply, ReplyStatus
from ordstyrer.web.needs import MAX_LISTED, what_needs_me
from tests.moderation.conftest import citizen_comment, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_eight_failed_replies_count_eight():
    world = make_world("svikteby")
    now = timezone.now()
    item = citizen_comment(world.channel, "Når åpner svømmehallen?")
    InboxItem.objects.filter(pk=item.pk).update(open=True)
    for n in range(8):
        Reply.objects.create(
            item=item,
            text=f"Svar {n}",
            effect="answer",
            status=ReplyStatus.FAILED,
            created_at=now - timedelta(minutes=n),
            error=f"Avvist av plattformen ({n})",
        )

    needs = what_needs_me(user=world.p.communications, municipality=world.municipality, now=now)
    [need] = [n for n in needs.failures if n.key == "replies"]
    assert need.count == 8
    assert need.text == "8 svar ble ikke publisert."
    # The reasons stay the latest few.
    assert need.reasons == [f"Avvist av plattformen ({n})" for n in range(MAX_LISTED)]

    client = Client()
    client.force_login(world.p.communications)
    page = client.get(reverse("dashboard", args=[world.municipality.slug]))
    assert "8 svar ble ikke publisert." in page.content.decode()
