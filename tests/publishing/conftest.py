"""Publishing test set-up: personas, channels with an editor, tasks run at once, the Graph
stand-in on loopback with Facebook and Instagram channels connected to it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone

from ordstyrer.channels.models import Channel, ChannelMembership, ChannelRole
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.publishing.models import ChannelPublishing
from ordstyrer.tenants.models import RoleAssignment, Unit
from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.clock import FakeClock
from ordstyrer_fakegraph.store import PageRec
from tests.conftest import Personas, make_personas
from tests.factories import person_with_roles

TOKEN_KEY = "b3Jkc3R5cmVyLXRlc3QtdG9rZW4ta2V5LTMyLWJ5dGU="
APP_SECRET = "app-hemmelighet-publisering"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, monkeypatch):
    """Tasks queued on commit run at once, in the test's thread."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # nothing there unless a test says
    settings.META_APP_SECRET = APP_SECRET
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"
    monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", TOKEN_KEY)


def make_channel(
    p: Personas,
    *,
    name: str,
    kind: str = "simulated",
    unit: Unit | None = None,
    editor: Any = None,
    platform_id: str = "",
) -> Channel:
    channel = Channel.objects.create(
        municipality=p.municipality,
        kind=kind,
        name=name,
        status="active",
        unit=unit,
        platform_id=platform_id,
        created_at=timezone.now(),
        proposed_by=p.employee,
    )
    ChannelMembership.objects.create(
        channel=channel, user=p.employee, role=ChannelRole.MAIN_ADMIN, granted_at=timezone.now()
    )
    if editor is not None:
        ChannelMembership.objects.create(
            channel=channel, user=editor, role=ChannelRole.EDITOR, granted_at=timezone.now()
        )
    return channel


@dataclass
class World:
    p: Personas
    unit: Unit
    editor: Any  # editor on every channel below
    page: Channel  # the municipality's simulated main page, no approval
    school: Channel  # a unit page: the unit leader or communications approves

    @property
    def municipality(self) -> Any:
        return self.p.municipality


def make_world(slug: str = "pubby", preset: str = "indre-fosen") -> World:
    p = make_personas(slug, preset)
    unit = Unit.objects.create(municipality=p.municipality, name="Skolen")
    RoleAssignment.objects.filter(user=p.unit_leader, municipality=p.municipality).update(unit=unit)
    editor = person_with_roles(
        p.municipality,
        username=f"{slug}-red",
        first_name="Sigrid",
        email=f"{slug}-red@example.invalid",
    )
    page = make_channel(p, name="Kommunen", editor=editor)
    school = make_channel(p, name="Skolesiden", unit=unit, editor=editor)
    ChannelPublishing.objects.create(channel=school, approval="unit_leader_or_communications")
    return World(p, unit, editor, page, school)


@pytest.fixture
def world(db) -> World:
    return make_world()


def png(seed: int = 0) -> bytes:
    """A real (tiny) PNG file."""
    import struct
    import zlib

    raw = b"\x00" + bytes([seed % 256, 120, 200])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg(seed: int = 0, size: tuple[int, int] = (1, 1)) -> bytes:
    """A real (tiny) JPEG file: what Instagram takes (`rules.LIMITS`), where a PNG is a
    block finding."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (seed % 256, 120, 200)).save(out, "JPEG")
    return out.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
SRT = "1\n00:00:00,000 --> 00:00:02,000\nVelkommen til kommunestyret.\n"


def upload(name: str = "bilde.png", content: bytes | None = None) -> io.BytesIO:
    return io.BytesIO(content or png())


# --------------------------------------------------------------------------- Graph stand-in


@contextmanager
def running_graph(*, frozen: bool = True) -> Iterator[FakeGraph]:
    """The Graph stand-in on a free port for one test, with this suite's app secret."""
    graph = FakeGraph(clock=FakeClock(datetime.now(UTC), frozen=frozen)).start()
    graph.usage.send_headers = False  # keep the process-wide throttle book out of it
    graph.store.settings.app_secret = APP_SECRET
    try:
        yield graph
    finally:
        graph.stop()


@contextmanager
def product_on_graph(settings: Any, monkeypatch: Any) -> Iterator[FakeGraph]:
    """The stand-in with a running clock, and the product's settings pointed at it."""
    with running_graph(frozen=False) as graph:
        settings.META_GRAPH_BASE_URL = graph.base_url
        settings.META_APP_SECRET = APP_SECRET
        monkeypatch.setenv("ORDSTYRER_TOKEN_KEY", TOKEN_KEY)
        yield graph


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with running_graph() as graph:
        yield graph


@pytest.fixture
def fb_page(fake: FakeGraph) -> PageRec:
    return fake.add_page("Pubby kommune", ig_username="pubbykommune")


@dataclass
class Connected:
    world: World
    fake: FakeGraph
    page: PageRec
    facebook: Channel
    instagram: Channel


@pytest.fixture
def connected(world: World, fake: FakeGraph, fb_page: PageRec, settings) -> Connected:
    """A Facebook Page and its Instagram account, connected through the stand-in."""
    from ordstyrer.platforms.connections import connection_connect_system

    settings.META_GRAPH_BASE_URL = fake.base_url
    facebook = make_channel(world.p, name="Pubby på Facebook", kind="facebook", editor=world.editor)
    instagram = make_channel(
        world.p, name="Pubby på Instagram", kind="instagram", editor=world.editor
    )
    connection_connect_system(
        channel=facebook, account_id=fb_page.id, token=SecretToken(fb_page.token)
    )
    connection_connect_system(
        channel=instagram,
        account_id=fb_page.ig_user_id,
        token=SecretToken(fb_page.token),
        page_id=fb_page.id,
    )
    # Quick retries and container polls: the stand-in answers at once.
    fast = {"transient_backoff": 0.01, "container_poll_interval": 0.05}
    Channel.objects.filter(pk__in=[facebook.pk, instagram.pk]).update(connector_config=fast)
    facebook.refresh_from_db()
    instagram.refresh_from_db()
    return Connected(world, fake, fb_page, facebook, instagram)


def texts_on(channel: Channel, ours: tuple[str, ...], *, published: bool = True) -> list[str]:
    """Which of `ours` a simulated channel holds: published and not deleted, or (with
    `published=False`) waiting on its own scheduler. The simulated page publishes posts
    of its own, hence `ours`."""
    from ordstyrer.inbox.models import SimulatedWorld

    world = SimulatedWorld.objects.filter(channel=channel).first()
    posts = world.state["posts"].values() if world else []
    return [
        p["text"]
        for p in posts
        if p["published"] is published and not p["deleted"] and p["text"] in ours
    ]


def person_photo(
    w: World,
    *,
    consent: bool = True,
    seed: int = 3,
    name: str = "Kari Nordmann",
    as_jpeg: bool = False,
) -> tuple[Any, Any]:
    """A photo of a recognisable adult with `name`'s consent on record (PU-6), or with
    `consent=False` a photo of no people: (asset, consent or None). A PNG, or with
    `as_jpeg` a JPEG (for Instagram)."""
    from ordstyrer.publishing.media import consent_record, media_update, media_upload

    photo = media_upload(
        actor=w.editor,
        municipality=w.municipality,
        filename="biblioteket.jpg" if as_jpeg else "biblioteket.png",
        content=jpeg(seed) if as_jpeg else png(seed),
        alt_text="Folk utenfor biblioteket",
    )
    photo = media_update(
        actor=w.editor,
        asset_id=photo.pk,
        people="recognisable" if consent else "none",
        children=False,
        photographer_permission=True,
    )
    if not consent:
        return photo, None
    given = consent_record(
        actor=w.editor,
        asset_id=photo.pk,
        person_name=name,
        given_by=name,
        given_at=timezone.localdate(),
    )
    return photo, given


def partly_published(w: World, photo: Any, capture: Any, text: str) -> tuple[Any, Channel]:
    """A post with `photo` out on the main page and failed for good on the library's page
    (the post is `failed`): (post, the library's channel)."""
    from ordstyrer.connectors.base import ErrorCode
    from ordstyrer.inbox.platform import channel_connector
    from ordstyrer.publishing.models import DeliveryStatus, PostStatus
    from ordstyrer.publishing.services import post_create, post_publish

    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    with channel_connector(library, now=timezone.now()) as connector:
        connector.fail_next("publish", code=ErrorCode.PERMISSION, permanent=True)
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk, library.pk],
        text=text,
        media_ids=[photo.pk],
    )
    with capture(execute=True):
        post_publish(actor=w.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    statuses = dict(post.deliveries.values_list("channel_id", "status"))
    assert statuses == {w.page.pk: DeliveryStatus.PUBLISHED, library.pk: DeliveryStatus.FAILED}
    return post, library
