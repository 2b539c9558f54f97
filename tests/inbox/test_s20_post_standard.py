"""DI-5, MO-4: a letterless or one- or two-word comment under one of the municipality's
own Nynorsk posts is triaged as Nynorsk, on every way a comment arrives (one at a time,
a batch triaged beforehand, a burst stored at once), as the CLI and the API triage it
when given the post's text: the reply suggestion and the MO-4 notice follow the
comment's written standard. Before, the inbox triaged it without the post's text and
it came out "" (letterless) or Bokmål.

A comment under a post that is not ours (or not published through Ordstyrer) is triaged
on its own text, as before."""

from __future__ import annotations

from datetime import timedelta

from ordstyrer.inbox.ingest import Arrival, inbox_ingest_new, pretriage
from ordstyrer.inbox.models import InboxItem
from ordstyrer.publishing.models import DeliveryStatus, Post, PostChannel, PostStatus
from tests.inbox.conftest import TUESDAY, comment, ingest

NYNORSK_POST = (
    "Kommunen har no opna den nye symjehallen. Vi gler oss til å sjå dykk der, og ho er "
    "open kvar dag frå klokka sju."
)


def _our_post(world, platform_id: str, text: str = NYNORSK_POST) -> None:
    at = TUESDAY - timedelta(hours=2)
    post = Post.objects.create(
        municipality=world.municipality,
        author=world.editor,
        text=text,
        status=PostStatus.PUBLISHED,
        created_at=at,
        updated_at=at,
        published_at=at,
    )
    PostChannel.objects.create(
        post=post,
        channel=world.channel,
        status=DeliveryStatus.PUBLISHED,
        platform_id=platform_id,
        published_at=at,
    )


def test_di_5_a_short_comment_under_our_nynorsk_post_is_nynorsk(world):
    _our_post(world, "post-nn")
    short = ingest(world.channel, comment("c1", "Kjempefint!", post="post-nn"))
    emoji = ingest(world.channel, comment("c2", "👍👍", post="post-nn"))
    elsewhere = ingest(world.channel, comment("c3", "Kjempefint!", post="post-other"))
    assert short is not None and emoji is not None and elsewhere is not None
    assert short.written_standard == "nn"
    assert emoji.written_standard == "nn"
    assert elsewhere.written_standard == "nb"  # not our post: its own text decides


def test_di_5_the_batch_paths_read_the_post_too(world):
    _our_post(world, "post-nn")
    batch = [
        Arrival(comment(f"b{n}", text, post=post, author=f"user-{n}"), TUESDAY)
        for n, (text, post) in enumerate(
            [("Kjempefint!", "post-nn"), ("Kjempefint!", "post-other"), ("👍👍", "post-nn")]
        )
    ]
    triaged = pretriage(world.channel, [a.comment for a in batch])
    assert inbox_ingest_new(channel=world.channel, arrivals=batch, triaged=triaged) == {
        "b0",
        "b1",
        "b2",
    }
    standards = dict(
        InboxItem.objects.filter(channel=world.channel).values_list(
            "platform_id", "written_standard"
        )
    )
    assert standards == {"b0": "nn", "b1": "nb", "b2": "nn"}


def test_di_5_a_burst_without_a_batch_triage_reads_the_post(world):
    _our_post(world, "post-nn")
    batch = [Arrival(comment("d0", "Kjempefint!", post="post-nn"), TUESDAY)]
    assert inbox_ingest_new(channel=world.channel, arrivals=batch) == {"d0"}
    assert InboxItem.objects.get(platform_id="d0").written_standard == "nn"


def test_di_5_a_one_at_a_time_ingest_after_the_batch_triage_reads_the_post(world):
    """The polling and webhook paths: pretriage, then `inbox_ingest` with `triaged`."""
    _our_post(world, "post-nn")
    first = comment("e0", "Kjempefint!", post="post-nn")
    triaged = pretriage(world.channel, [first])
    item = ingest(world.channel, first, triaged=triaged)
    assert item is not None and item.written_standard == "nn"
