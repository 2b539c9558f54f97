"""The API's input after the review of stop 22 (api.md "Errors": "422 on invalid input
(field errors listed)", "a refusal about one field names it"):

1. A field the API does not know is a 422 naming it, never silently dropped: a misspelt
   `publishAt` made an embargoed post go out at once, a misspelt `documentationValue`
   skipped its journaling (AR-1), and a file's `people`/`children` — which the PU-6
   finding asks for — were dropped. Those PU-6 facts, and PU-7's, are now taken.
2. A blank alt text never erases the one the media register holds (PU-4): 422.
3. A post of zero-width characters alone is empty (the channel's own limit): blocked.
4. A service's refusal of one field's value names the field (MO-1, MO-2, categories,
   links, a rejection's reason, a video's captions, a publish time that has passed).
5. A cursor `next` never gave is a 422 for posts, channels and archive records too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ordstyrer.archive.models import ArchiveExport, ArchiveRecord
from ordstyrer.channels.models import ChannelStatus
from ordstyrer.crisis.models import Crisis
from ordstyrer.inbox.models import Reply
from ordstyrer.moderation.models import ModerationAction
from ordstyrer.publishing.media import media_update, media_upload
from ordstyrer.publishing.models import MediaAsset, Post, PostStatus
from tests.api.conftest import ApiClient, citizen_comment, token_for
from tests.publishing.conftest import MP4, jpeg, make_world

# Clean under Indre Fosen's preset (PU-9: a link to the municipality's own site).
TEXT = (
    "Biblioteket har nye åpningstider fra mandag. Vi holder åpent til klokken åtte hver kveld. "
    "Les mer på https://indrefosen.kommune.no/bibliotek"
)
SLUG = "apis22"
POSTS = f"/api/v1/m/{SLUG}/posts"
ALT = "Biblioteket sett utenfra en vinterkveld"
INVISIBLE = "\u200b\u200d\ufeff\u2060"


@pytest.fixture
def pub(db):
    return make_world(SLUG)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


def client(pub: Any, user: Any) -> ApiClient:
    return ApiClient(token_for(user, pub.municipality))


def patch(api: ApiClient, url: str, body: dict) -> Any:
    return api.client.patch(url, body, content_type="application/json", headers=api._headers(None))


def image(pub: Any, *, alt: str = ALT, seed: int = 1) -> MediaAsset:
    return media_upload(
        actor=pub.editor,
        municipality=pub.municipality,
        filename="bibliotek.jpg",
        content=jpeg(seed, (100, 100)),
        alt_text=alt,
    )


def refused_field(response: Any, loc: list[Any], *, status: int = 422) -> dict[str, Any]:
    """The response is a problem document whose one field error is at `loc`."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert [e["loc"] for e in problem["errors"]] == [loc], problem
    assert problem["detail_nb"] and problem["detail"]
    return problem


def unknown_field(response: Any, name: str) -> None:
    """A 422 of the schema naming the field the API does not know."""
    assert response.status_code == 422, response.content
    problem = response.json()
    assert problem["code"] == "validation"
    assert [(e["loc"][0], e["loc"][-1], e["type"]) for e in problem["errors"]] == [
        ("body", name, "extra_forbidden")
    ], problem


# --------------------------------------------------------------------- 1 unknown fields


def test_a_misspelt_publish_at_is_refused_and_nothing_goes_out(pub, commit):
    """A typo'd embargo was dropped: 201 with publish_at null, and publish sent it at once."""
    editor = client(pub, pub.editor)
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    for name in ("publishAt", "publish_time"):
        body = {"channels": [pub.page.pk], "text": TEXT, name: tomorrow}
        unknown_field(editor.post(POSTS, body), name)
    assert not Post.objects.exists()

    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    unknown_field(patch(editor, f"{POSTS}/{post}", {"publishAt": tomorrow}), "publishAt")
    # The documentation value (AR-1) misspelt is refused too, not quietly "no".
    unknown_field(
        patch(editor, f"{POSTS}/{post}", {"documentationValue": True}), "documentationValue"
    )
    unknown_field(
        editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "documentationValue": True}),
        "documentationValue",
    )
    stored = Post.objects.get(pk=post)
    assert stored.publish_at is None and not stored.documentation_value
    # So is a misspelt key of a file, and of the publish, approve and reject bodies.
    media = [{"type": "image", "upload_id": image(pub).pk, "colour": "red"}]
    unknown_field(
        editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "media": media}), "colour"
    )
    unknown_field(
        editor.post(f"{POSTS}/{post}/publish", {"overide_reason": "Viktig"}), "overide_reason"
    )
    assert Post.objects.get(pk=post).status == PostStatus.DRAFT

    waiting = editor.post(POSTS, {"channels": [pub.school.pk], "text": TEXT}).json()["id"]
    assert editor.post(f"{POSTS}/{waiting}/publish", {}).json()["status"] == "awaiting_approval"
    leader = client(pub, pub.p.unit_leader)
    unknown_field(leader.post(f"{POSTS}/{waiting}/approve", {"round": 1}), "round")
    unknown_field(
        leader.post(
            f"{POSTS}/{waiting}/reject", {"reason": "Feil dato.", "approval_round": 1, "x": 1}
        ),
        "x",
    )
    assert Post.objects.get(pk=waiting).status == PostStatus.AWAITING_APPROVAL
    approved = commit(leader.post, f"{POSTS}/{waiting}/approve", {"approval_round": 1})
    assert approved.status_code == 200, approved.content


def test_unknown_fields_are_refused_on_the_other_writes(world, commit):
    """Inbox, moderation, archive, crisis, check and triage take only their own fields."""
    api = ApiClient(token_for(world.p.communications, world.municipality))
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    base = "/api/v1/m/apiby"
    unknown_field(
        api.post(f"{base}/inbox/items/{item.pk}/replies", {"text": "Hei!", "signatur": "Kari"}),
        "signatur",
    )
    unknown_field(
        api.post(f"{base}/inbox/items/{item.pk}/moderation", {"action": "hide", "grund": "spam"}),
        "grund",
    )
    unknown_field(
        api.post(f"{base}/inbox/items/{item.pk}/categories", {"labels": ["praise"], "hate": "x"}),
        "hate",
    )
    unknown_field(
        api.post(
            f"{base}/archive/exports",
            {"format": "fiks-arkiv", "since": "2026-01-01", "until_date": "2026-02-01"},
        ),
        "until_date",
    )
    unknown_field(api.post(f"{base}/crisis", {"name": "Flom", "navn": "Flom"}), "navn")
    unknown_field(api.post(f"{base}/check", {"text": "Hei", "lenker": ["x"]}), "lenker")
    unknown_field(api.post(f"{base}/triage", {"items": [{"text": "Hei", "tekst": "x"}]}), "tekst")
    assert not Reply.objects.exists() and not ModerationAction.objects.exists()
    assert not ArchiveExport.objects.exists() and not Crisis.objects.exists()


def test_an_unknown_query_parameter_is_refused(pub):
    """A misspelt filter or cursor (`stauts`, `curser`) would silently list everything
    from the first page (api.md "Lists")."""
    editor = client(pub, pub.editor)
    for name in ("stauts", "curser"):
        response = editor.get(POSTS, **{name: "1"})
        assert response.status_code == 422, response.content
        assert [e["loc"][-1] for e in response.json()["errors"]] == [name]


def test_the_facts_a_pu6_or_pu7_finding_asks_for_are_taken_and_kept(pub):
    """The PU-6 finding asks for "people" (then "children"), PU-7 for
    "photographer_consent" and, for a video, "music_cleared": each is a field of a post's
    media, written to the register as the console's register form does."""
    editor = client(pub, pub.editor)
    photo = image(pub)
    video = media_upload(
        actor=pub.editor,
        municipality=pub.municipality,
        filename="mote.mp4",
        content=MP4,
        title="Kommunestyret",
    )
    media: list[dict[str, Any]] = [
        {"type": "image", "upload_id": photo.pk},
        {"type": "video", "upload_id": video.pk, "captions": "no_speech"},
    ]
    created = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "media": media})
    assert created.status_code == 201, created.content
    post = created.json()["id"]

    def asked(findings: list[dict[str, Any]]) -> set[tuple[int, str]]:
        """(file index, key) of each "is not given" finding of PU-6 and PU-7."""
        out = set()
        for f in findings:
            if f["rule"] in ("PU-6", "PU-7") and "is not given" in f["message_en"]:
                number = int(f["message_en"].split(":")[0].split()[-1])
                out.add((number - 1, f["message_en"].split("“")[1].split("”")[0]))
        return out

    answers = {"people": "recognisable", "children": False, "photographer_consent": True}
    answers["music_cleared"] = True
    findings = created.json()["findings"]
    for _round in range(3):  # "people" first, then "children" for recognisable people
        questions = asked(findings)
        if not questions:
            break
        for index, key in questions:
            media[index][key] = answers[key]
        changed = patch(editor, f"{POSTS}/{post}", {"media": media})
        assert changed.status_code == 200, changed.content
        findings = changed.json()["findings"]
    assert not asked(findings), findings
    photo.refresh_from_db()
    video.refresh_from_db()
    assert (photo.people, photo.children, photo.photographer_permission) == (
        "recognisable",
        False,
        True,
    )
    assert (video.people, video.photographer_permission, video.music_cleared) == (
        "recognisable",
        True,
        True,
    )
    # An unknown value is refused by the schema, naming the field.
    media[0]["people"] = "many"
    response = patch(editor, f"{POSTS}/{post}", {"media": media})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][-1] == "people"


def test_a_fact_that_would_block_a_post_on_its_way_is_a_409_naming_it(pub, commit):
    """PU-6: the register's facts do not change so that a scheduled post would get a block
    finding (`media_update`); through the API the refusal names the field."""
    editor = client(pub, pub.editor)
    photo = media_update(
        actor=pub.editor, asset_id=image(pub).pk, people="none", photographer_permission=True
    )
    later = (timezone.now() + timedelta(days=1)).isoformat()
    media = [{"type": "image", "upload_id": photo.pk}]
    body = {"channels": [pub.page.pk], "text": TEXT, "media": media, "publish_at": later}
    scheduled = editor.post(POSTS, body).json()["id"]
    done = commit(editor.post, f"{POSTS}/{scheduled}/publish", {})
    assert done.json()["status"] == "scheduled", done.content
    media = [{"type": "image", "upload_id": photo.pk, "people": "recognisable"}]
    response = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "media": media})
    problem = refused_field(response, ["body", "media", 0, "people"], status=409)
    assert problem["rule"] == "PU-6"
    photo.refresh_from_db()
    assert photo.people == "none"


# --------------------------------------------------------------------- 2 blank alt text


@pytest.mark.parametrize("blank", ["", "   ", INVISIBLE])
def test_a_blank_alt_text_is_refused_and_the_registers_is_kept(pub, blank):
    """PU-4: the file's alt text is shared by every post using it; a blank one sent with a
    post erased it and put a PU-4 block on all of them."""
    editor = client(pub, pub.editor)
    photo = image(pub)
    media = [{"type": "image", "upload_id": photo.pk, "alt": blank}]
    response = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "media": media})
    problem = refused_field(response, ["body", "media", 0, "alt"])
    assert problem["rule"] == "PU-4"
    assert not Post.objects.exists()
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    refused_field(patch(editor, f"{POSTS}/{post}", {"media": media}), ["body", "media", 0, "alt"])
    assert MediaAsset.objects.get(pk=photo.pk).alt_text == ALT
    # Left out, the register's alt text is used as it is.
    kept = patch(editor, f"{POSTS}/{post}", {"media": [{"type": "image", "upload_id": photo.pk}]})
    assert kept.status_code == 200 and kept.json()["media"] == [photo.pk]


# --------------------------------------------------------------------- 3 invisible post


def test_a_post_of_zero_width_characters_is_empty_and_never_published(pub, commit):
    editor = client(pub, pub.editor)
    created = editor.post(POSTS, {"channels": [pub.page.pk], "text": INVISIBLE})
    assert created.status_code == 201, created.content
    blocks = [f for f in created.json()["findings"] if f["severity"] == "block"]
    assert [f["rule"] for f in blocks] == ["channel"] and "empty" in blocks[0]["message_en"]
    done = commit(
        editor.post,
        f"{POSTS}/{created.json()['id']}/publish",
        {"override_reason": "Test av tom melding"},
    )
    assert done.status_code == 422, done.content
    assert "channel" in {f["rule"] for f in done.json()["findings"]}
    assert Post.objects.get(pk=created.json()["id"]).status == PostStatus.DRAFT


# --------------------------------------------------------------------- 4 field refusals


def test_moderation_refusals_name_the_field(world):
    api = ApiClient(token_for(world.p.communications, world.municipality))
    item = citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/x")
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation"
    short = api.post(url, {"action": "delete", "ground": "spam", "reason": "Reklame."})
    problem = refused_field(short, ["body", "reason"])
    assert problem["rule"] == "MO-2" and problem["code"] == "justification"
    # Indre Fosen's guideline does not let harassment be deleted (MO-1).
    body = {"action": "delete", "ground": "harassment", "reason": "Sjikane av en ansatt."}
    problem = refused_field(api.post(url, body), ["body", "ground"])
    assert problem["rule"] == "MO-1" and problem["code"] == "ground_not_allowed"
    hidden = {"action": "hide", "ground": "harassment", "reason": "Sjikane av en ansatt."}
    refused_field(api.post(url, hidden), ["body", "ground"])
    assert not ModerationAction.objects.exists()


def test_category_refusals_name_the_field(world):
    api = ApiClient(token_for(world.p.communications, world.municipality))
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/categories"
    refused_field(api.post(url, {"labels": ["praise", "nope"]}), ["body", "labels", 1])
    body = {"labels": ["hate_speech"], "hate_ground": "weather"}
    refused_field(api.post(url, body), ["body", "hate_ground"])
    body = {"labels": ["complaint"], "hate_ground": "religion"}
    assert "§ 185" in refused_field(api.post(url, body), ["body", "hate_ground"])["detail_nb"]
    assert not item.events.filter(action="categories").exists()


def test_a_link_too_long_is_refused_naming_it(pub):
    editor = client(pub, pub.editor)
    links = ["https://indrefosen.kommune.no/bibliotek", "https://" + "a" * 2100]
    body = {"channels": [pub.page.pk], "text": TEXT, "links": links}
    refused_field(editor.post(POSTS, body), ["body", "links", 1])
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    refused_field(patch(editor, f"{POSTS}/{post}", {"links": links}), ["body", "links", 1])
    assert Post.objects.get(pk=post).links == []


@pytest.mark.parametrize("reason", ["   ", INVISIBLE])
def test_a_rejection_reason_that_says_nothing_names_the_field(pub, reason):
    editor = client(pub, pub.editor)
    post = editor.post(POSTS, {"channels": [pub.school.pk], "text": TEXT}).json()["id"]
    assert editor.post(f"{POSTS}/{post}/publish", {}).json()["status"] == "awaiting_approval"
    leader = client(pub, pub.p.unit_leader)
    body = {"reason": reason, "approval_round": 1}
    refused_field(leader.post(f"{POSTS}/{post}/reject", body), ["body", "reason"])
    assert Post.objects.get(pk=post).status == PostStatus.AWAITING_APPROVAL


def test_captions_from_a_file_the_video_lacks_names_the_field(pub):
    """PU-3: "file" needs a caption file uploaded with the video (in the console)."""
    editor = client(pub, pub.editor)
    video = media_upload(
        actor=pub.editor, municipality=pub.municipality, filename="mote.mp4", content=MP4
    )
    media = [{"type": "video", "upload_id": video.pk, "captions": "file"}]
    response = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "media": media})
    refused_field(response, ["body", "media", 0, "captions"])
    assert MediaAsset.objects.get(pk=video.pk).caption_mode == ""


def test_a_publish_time_passed_by_the_time_of_publishing_names_the_field(pub):
    """The post's stored `publish_at` is at fault (PATCH it): `["post", "publish_at"]`."""
    editor = client(pub, pub.editor)
    soon = (timezone.now() + timedelta(minutes=30)).isoformat()
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT, "publish_at": soon})
    assert post.status_code == 201, post.content
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        response = editor.post(f"{POSTS}/{post.json()['id']}/publish", {})
    refused_field(response, ["post", "publish_at"])
    assert Post.objects.get(pk=post.json()["id"]).status == PostStatus.DRAFT


def test_a_channel_no_longer_in_use_names_the_channels(pub):
    """CH-1: a paused channel takes no new post; at publish time the post's channels are
    at fault (`["post", "channels"]`)."""
    editor = client(pub, pub.editor)
    post = editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"]
    pub.page.status = ChannelStatus.PAUSED
    pub.page.save(update_fields=["status"])
    body = {"channels": [pub.page.pk], "text": TEXT}
    assert refused_field(editor.post(POSTS, body), ["body", "channels"])["rule"] == "CH-1"
    refused_field(patch(editor, f"{POSTS}/{post}", body), ["body", "channels"])
    problem = refused_field(editor.post(f"{POSTS}/{post}/publish", {}), ["post", "channels"])
    assert problem["rule"] == "CH-1" and problem["code"] == "channel_inactive"
    assert Post.objects.get(pk=post).status == PostStatus.DRAFT


# --------------------------------------------------------------------- 5 cursors


def test_a_made_up_cursor_is_refused_for_posts_channels_and_records(pub, world):
    """api.md "Lists": a cursor that is not one `next` gave is a 422, never silently the
    first page."""
    editor = client(pub, pub.editor)
    posts = [
        editor.post(POSTS, {"channels": [pub.page.pk], "text": TEXT}).json()["id"] for _ in "ab"
    ]
    page = editor.get(POSTS, limit="1").json()
    assert (
        page["next"]
        and editor.client.get(page["next"], headers=editor._headers(None)).json()["items"][0]["id"]
        == posts[0]
    )
    response = editor.get(POSTS, cursor=str(posts[-1] + 1000))
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == [
        "query",
        "cursor",
    ]

    channels = f"/api/v1/m/{SLUG}/channels"
    listed = editor.get(channels, limit="1").json()
    assert listed["next"]
    assert editor.client.get(listed["next"], headers=editor._headers(None)).status_code == 200
    response = editor.get(channels, cursor=str(max(pub.page.pk, pub.school.pk) + 1000))
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == [
        "query",
        "cursor",
    ]

    office = ApiClient(token_for(world.p.communications, world.municipality))
    records = "/api/v1/m/apiby/archive/records"
    item = citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/x")
    body = {"action": "hide", "ground": "spam", "reason": "Reklame for pengespill."}
    assert office.post(f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation", body).status_code == 202
    top = ArchiveRecord.objects.filter(municipality=world.municipality).order_by("-sequence")[0]
    assert office.get(records, cursor=str(top.sequence)).status_code == 200
    response = office.get(records, cursor=str(top.sequence + 1000))
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == [
        "query",
        "cursor",
    ]
