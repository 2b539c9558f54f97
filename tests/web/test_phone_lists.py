"""The channel list and the publishing list on a 390 px phone: their tables scroll in
their own frame (`.table-scroll`, in the console's stylesheet), and the page does not
scroll sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ordstyrer.publishing.services import post_create
from tests.browser_support import PHONE, assert_accessible, assert_fits, login
from tests.publishing.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Biblioteket i Kulturhuset har utvidet åpningstid i hele desember, også i helgene. "
    "Se https://indrefosen.kommune.no"
)


def test_channel_and_post_lists_fit_a_390_px_phone(page: Page, live_server):
    w = make_world("mobilpub", "indre-fosen")
    post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk, w.school.pk],
        text=TEXT,
        publish_at=timezone.now() + timedelta(days=2),
    )
    page.set_viewport_size(PHONE)
    base, slug = live_server.url, w.municipality.slug
    login(page, base, w.editor)
    for url, table in (
        (f"{base}/m/{slug}/kanaler/", "Kommunens kanaler"),
        (f"{base}/m/{slug}/publisering/", "Innlegg"),
    ):
        page.goto(url)
        expect(page.get_by_role("table", name=table)).to_be_visible()
        assert_fits(page)
        assert_accessible(page)
