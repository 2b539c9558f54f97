"""Demo content for the stand-in: a page with posts and comments from the simulated corpus."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ordstyrer.connectors.simulated.corpus import load_corpus

if TYPE_CHECKING:
    from ordstyrer_fakegraph.server import FakeGraph

DEMO_PAGE_ID = "100000000000001"
DEMO_TOKEN = "EAAdemoPageToken"  # noqa: S105 — the stand-in's own, printed for the demo
DEMO_USER_TOKEN = "EAAdemoUserToken"  # noqa: S105


PAGE_REPLIES = (
    "Takk for spørsmålet! Vi sjekker og kommer tilbake til deg her.",
    "Hei! Se kommunens nettside for oppdatert informasjon, eller ring servicetorget.",
    "Takk for at du sier fra. Vi har sendt saken videre til riktig avdeling.",
)


def seed_demo(fake: FakeGraph, *, seed: int = 1, posts: int = 6) -> dict[str, Any]:
    """A page (with Instagram) holding `posts` posts, each with a handful of comments;
    the first comment of each post is a thread: the Page answers it, and on every other
    post a citizen answers too (replies carry `parent`, as Meta's do)."""
    store = fake.store
    rng = random.Random(seed)  # noqa: S311 — demo content
    threads = random.Random(seed + 1)  # noqa: S311 — replies, kept apart from the rest
    corpus = load_corpus()
    page = store.add_page(
        "Eksempel kommune", page_id=DEMO_PAGE_ID, token=DEMO_TOKEN, ig_username="eksempelkommune"
    )
    store.add_user_token(DEMO_USER_TOKEN, {page.id})
    store.settings.login_user_token = DEMO_USER_TOKEN  # who logs in at the login dialog
    now = store.now()
    people = [f"{f} {last}" for f in corpus.first_names[:20] for last in corpus.last_names[:10]]
    chosen = rng.sample(list(corpus.posts), posts)
    for n, cp in enumerate(chosen):
        post = store.create_post(page, message=cp.text, link=cp.link, check_duplicate=False)
        post.created_time = post.updated_time = now - timedelta(hours=6 * (posts - n))
        fitting = [c for c in corpus.comments if cp.topic in c.topics or "*" in c.topics]
        for k, entry in enumerate(rng.sample(fitting, rng.randint(3, 7))):
            person = rng.randrange(len(people))
            comment = store.add_comment(
                post.id,
                from_id=str(5_550_000 + person),
                from_name=people[person],
                message=entry.text,
                created=post.created_time + timedelta(minutes=7 * (k + 1)),
            )
            if k:
                continue
            store.add_comment(
                comment.id,
                from_id=page.id,
                from_name=page.name,
                message=threads.choice(PAGE_REPLIES),
                created=comment.created_time + timedelta(minutes=3),
            )
            if n % 2 == 0:
                other = threads.randrange(len(people))
                store.add_comment(
                    comment.id,
                    from_id=str(5_550_000 + other),
                    from_name=people[other],
                    message=threads.choice(fitting).text,
                    created=comment.created_time + timedelta(minutes=5),
                )
        if page.ig_user_id and n % 2 == 0:
            media = store.add_ig_media(
                page.ig_user_id,
                caption=cp.text,
                media_url=f"https://kommune.example/{cp.topic}.jpg",
                alt_text=cp.image_alt,
            )
            for entry in rng.sample(fitting, 3):
                person = rng.randrange(len(people))
                store.add_ig_comment(
                    media.id,
                    from_id=str(17_800_000 + person),
                    username=people[person].lower().replace(" ", "_"),
                    text=entry.text,
                )
    return {
        "page_id": page.id,
        "token": page.token,
        "ig_user_id": page.ig_user_id,
        "user_token": DEMO_USER_TOKEN,
    }
