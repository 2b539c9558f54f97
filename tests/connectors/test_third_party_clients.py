"""Contract test: two third-party Graph clients, `facebook-sdk` (module `facebook`) and
`python-facebook-api` (module `pyfacebook`), driven against the stand-in exactly as they
would drive Meta — pages, feed paging, comments with replies, hide, reply, delete and
errors (meta-graph-api.md §1, §3, §7). If the stand-in drifts from what these clients
expect of Meta, this fails, so our own connector's tests cannot pass on a fake that
real Meta would contradict."""

from __future__ import annotations

import facebook
import pytest
import requests
from pyfacebook import FacebookApi, FacebookError

from ordstyrer_fakegraph import FakeGraph
from ordstyrer_fakegraph.demo import seed_demo
from ordstyrer_fakegraph.nodes import PAGE_POST_FIELDS

# The PagePost edges of meta-graph-api.md §1.2.
POST_EDGES = (
    "attachments",
    "comments",
    "insights",
    "likes",
    "reactions",
    "sharedposts",
    "sponsor_tags",
    "to",
    "dynamic_posts",
)
COMMENT_FIELDS = (
    "id,admin_creator,application,attachment,can_comment,can_hide,can_like,can_remove,"
    "can_reply_privately,comment_count,created_time,from,is_hidden,is_private,like_count,"
    "live_broadcast_timestamp,message,message_tags,object,parent,permalink_url,"
    "private_reply_conversation,user_likes"
)


@pytest.fixture
def demo(fake: FakeGraph) -> dict:
    return seed_demo(fake)


@pytest.fixture
def sdk(fake: FakeGraph, demo: dict, monkeypatch) -> facebook.GraphAPI:
    monkeypatch.setattr(facebook, "FACEBOOK_GRAPH_URL", fake.base_url + "/")
    return facebook.GraphAPI(access_token=demo["token"], version="3.1")


@pytest.fixture
def pyfb(fake: FakeGraph, demo: dict) -> FacebookApi:
    return FacebookApi(
        access_token=demo["token"],
        version="v26.0",
        ignore_version_check=True,  # its allow-list stops at v24.0 (§5)
        base_url=fake.base_url + "/",
        sleep_on_rate_limit=False,
        timeout=10,
    )


def _thread(fake: FakeGraph, demo: dict) -> tuple[str, str]:
    """A (post id, comment id) whose comment has replies in the demo data."""
    from ordstyrer_fakegraph.store import CommentRec

    for rec in fake.store.objects.values():
        if isinstance(rec, CommentRec) and rec.parent_id is None and fake.store.replies_of(rec.id):
            return rec.post_id, rec.id
    raise AssertionError("the demo data has no thread with replies")


# --- facebook-sdk 3.1 ---------------------------------------------------------------


def test_facebook_sdk_page_and_feed_paging(sdk, demo):
    page = sdk.get_object(
        demo["page_id"],
        fields="id,name,fan_count,about,username,website,picture,category_list,access_token",
    )
    assert page["name"] == "Eksempel kommune" and page["fan_count"] >= 0
    assert page["username"] and page["website"].startswith("https://")
    assert page["picture"]["data"]["url"] and page["access_token"] == demo["token"]
    first = sdk.get_connections(demo["page_id"], "feed", limit=2)
    assert len(first["data"]) == 2 and "/v3.1/" in first["paging"]["next"]
    posts = list(sdk.get_all_connections(demo["page_id"], "feed", limit=2))
    assert len(posts) == 6 and len({p["id"] for p in posts}) == 6


def test_facebook_sdk_every_post_field_and_edge(sdk, demo):
    post_id = sdk.get_connections(demo["page_id"], "published_posts", limit=1)["data"][0]["id"]
    post = sdk.get_object(post_id, fields=",".join(sorted(PAGE_POST_FIELDS)))
    assert post["id"] == post_id and post["can_reply_privately"] is False
    assert post["is_eligible_for_promotion"] is False and "privacy" in post
    for edge in POST_EDGES:
        assert "data" in sdk.get_connections(post_id, edge, metric="post_clicks"), edge
    assert sdk.get_connections(post_id, "sharedposts") == {"data": []}


def test_facebook_sdk_comments_replies_hide_reply_delete(sdk, fake, demo):
    post_id, comment_id = _thread(fake, demo)
    stream = sdk.get_connections(
        post_id, "comments", filter="stream", fields="id,message,from,parent"
    )["data"]
    replies = [c for c in stream if "parent" in c]
    assert replies and all(r["parent"]["id"] == comment_id for r in replies)
    assert any(r["from"]["id"] == demo["page_id"] for r in replies)  # the Page answered
    top = sdk.get_connections(post_id, "comments")["data"]
    assert comment_id in {c["id"] for c in top} and not {r["id"] for r in replies} & {
        c["id"] for c in top
    }
    assert sdk.get_object(comment_id, fields=COMMENT_FIELDS)["comment_count"] == len(replies)

    assert sdk.request(f"{sdk.version}/{comment_id}", post_args={"is_hidden": "true"}) == {
        "success": True
    }
    assert sdk.get_object(comment_id, fields="is_hidden")["is_hidden"] is True
    reply = sdk.put_comment(comment_id, "Takk, vi ser på saken.")
    assert reply["id"].split("_")[0] == post_id.split("_")[1]
    assert sdk.get_object(reply["id"], fields="parent")["parent"]["id"] == comment_id
    assert sdk.delete_object(reply["id"]) == {"success": True}
    with pytest.raises(facebook.GraphAPIError) as gone:
        sdk.get_object(reply["id"])
    assert gone.value.code == 100


def test_facebook_sdk_errors(sdk, fake, demo, monkeypatch):
    with pytest.raises(facebook.GraphAPIError) as wrong:
        facebook.GraphAPI(access_token="EAAwrong", version="3.1").get_object(demo["page_id"])
    assert wrong.value.code == 190 and wrong.value.type == "OAuthException"
    with pytest.raises(facebook.GraphAPIError) as unknown:
        sdk.get_object(demo["page_id"], fields="name,no_such_field")
    assert unknown.value.code == 100 and "no_such_field" in unknown.value.message
    fake.store.expire_page_token(demo["page_id"])
    with pytest.raises(facebook.GraphAPIError) as expired:
        sdk.get_object(demo["page_id"])
    # The stand-in's clock (frozen at 2026-05-04 08:00 UTC), in Meta's Pacific wording.
    assert expired.value.code == 190
    assert "Session has expired on Monday, 04-May-26 01:00:00 PDT" in expired.value.message
    assert "The current time is Monday, 04-May-26" in expired.value.message


# --- python-facebook-api 0.24 -------------------------------------------------------


def test_pyfacebook_page_info_with_its_default_fields(pyfb, demo):
    page = pyfb.page.get_info(page_id=demo["page_id"])  # all of PAGE_PUBLIC_FIELDS
    assert page.id == demo["page_id"] and page.name == "Eksempel kommune"
    assert page.username and page.website and page.about and page.fan_count is not None
    assert page.category_list[0].name == page.category


def test_pyfacebook_feed_paging_keeps_the_version(pyfb, demo):
    posts = pyfb.page.get_posts(object_id=demo["page_id"], count=None, limit=4)
    assert len(posts.data) == 6 and all(p.permalink_url for p in posts.data)
    first = pyfb.get_connection(demo["page_id"], "feed", limit=4)
    nxt = first["paging"]["next"]
    assert "/v26.0/" in nxt  # the version asked for, not the stand-in's default
    second = requests.get(nxt, timeout=10).json()
    assert len(second["data"]) == 2
    assert not {p["id"] for p in second["data"]} & {p["id"] for p in first["data"]}
    assert "next" not in second["paging"] and "/v26.0/" in second["paging"]["previous"]


def test_pyfacebook_comments_replies_hide_reply_delete(pyfb, fake, demo):
    post_id, comment_id = _thread(fake, demo)
    stream = pyfb.get_full_connections(
        post_id, "comments", count=None, limit=2, filter="stream", fields="id,message,parent"
    )["data"]
    assert {c["parent"]["id"] for c in stream if "parent" in c} == {comment_id}
    replies = pyfb.get_full_connections(comment_id, "comments", count=None)["data"]
    assert replies and len(replies) == sum("parent" in c for c in stream)

    assert pyfb.comment.update(comment_id=comment_id, is_hidden=True) == {"success": True}
    hidden = pyfb.comment.get_info(comment_id=comment_id, fields="id,is_hidden", return_json=True)
    assert hidden["is_hidden"] is True
    assert pyfb.comment.update(comment_id=comment_id, is_hidden=False) == {"success": True}
    reply = pyfb.comment.create(
        object_id=comment_id,
        message="Hei! Vi svarer deg på e-post.",
        fields="id,message,parent,permalink_url,created_time",
    )
    assert reply.message == "Hei! Vi svarer deg på e-post." and reply.parent.id == comment_id
    assert "reply_comment_id=" in reply.permalink_url
    assert pyfb.comment.delete(reply.id) == {"success": True}
    with pytest.raises(FacebookError) as gone:
        pyfb.comment.get_info(comment_id=reply.id)
    assert gone.value.code == 100 and gone.value.error_subcode == 33


def test_pyfacebook_errors(fake, demo):
    wrong = FacebookApi(
        access_token="EAAwrong",
        version="v26.0",
        ignore_version_check=True,
        base_url=fake.base_url + "/",
        sleep_on_rate_limit=False,
    )
    with pytest.raises(FacebookError) as raised:
        wrong.page.get_info(page_id=demo["page_id"])
    assert raised.value.code == 190 and raised.value.type == "OAuthException"
    fake.inject(80001, path="/feed", estimated_time_to_regain_access=3)
    api = FacebookApi(
        access_token=demo["token"],
        version="v26.0",
        ignore_version_check=True,
        base_url=fake.base_url + "/",
        sleep_on_rate_limit=False,
    )
    with pytest.raises(FacebookError) as limited:
        api.get_connection(demo["page_id"], "feed")
    assert limited.value.code == 80001
    # pyfacebook reads the usage header Meta sends with a Page rate limit (§3).
    usage = api.rate_limit.get_limit(object_id=demo["page_id"], rate_limit_type="pages")
    assert usage.call_count == 100 and usage.estimated_time_to_regain_access == 3
