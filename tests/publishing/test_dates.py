"""The publishing pages write times as the rest of the console does (#15): the one
Norwegian format of `ordstyrer.formats`, «4. des. 2027 kl. 11.42», in Oslo time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ordstyrer.publishing.services import post_create

pytestmark = pytest.mark.django_db

AT = datetime(2027, 12, 4, 10, 42, tzinfo=UTC)  # 11.42 in Oslo (CET)
SHOWN = "4. des. 2027 kl. 11.42"


def test_the_post_list_and_the_post_write_the_consoles_date_format(client, world):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text="Biblioteket har åpent til klokka seks. Se https://indrefosen.kommune.no",
        publish_at=AT,
    )
    client.force_login(world.editor)
    slug = world.municipality.slug
    listing = client.get(reverse("publishing:index", args=[slug])).content.decode()
    assert SHOWN in listing and "4. des 2027 11:42" not in listing
    detail = client.get(reverse("publishing:detail", args=[slug, post.pk])).content.decode()
    assert SHOWN in detail
    client.force_login(world.p.outsider)
    assert client.get(reverse("publishing:index", args=[slug])).status_code == 404
