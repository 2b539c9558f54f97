"""The Graph stand-in itself (spec §7): routing, tokens, fields, paging, control, CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ordstyrer_fakegraph.demo import DEMO_USER_TOKEN
from ordstyrer_fakegraph.errors import GraphError
from ordstyrer_fakegraph.fields import format_fields, parse_fields
from ordstyrer_fakegraph.records import Settings

from .conftest import NOW


@pytest.fixture
def http() -> httpx.Client:
    with httpx.Client(timeout=5) as client:
        yield client


def test_fields_parser_round_trip() -> None:
    text = "id,message,comments.limit(0).summary(true){from{name},message},attachments{media{image{src}}}"
    reqs = parse_fields(text)
    assert [r.name for r in reqs] == ["id", "message", "comments", "attachments"]
    assert reqs[2].modifiers == {"limit": "0", "summary": "true"}
    assert reqs[2].children[0].children[0].name == "name"
    assert format_fields(reqs) == text
    for bad in ("id,{x}", "comments{id", "a.limit(3", "a..b"):
        with pytest.raises(GraphError) as info:
            parse_fields(bad)
        assert info.value.code == 2500


@pytest.mark.parametrize("prefix", ["/v25.0", "/v19.0", "/v26.0", ""])
def test_versioned_and_unversioned_routes(fake, page, http, prefix) -> None:
    r = http.get(f"{fake.base_url}{prefix}/{page.id}", params={"access_token": page.token})
    assert r.status_code == 200 and r.json() == {"id": page.id, "name": "Eksempel kommune"}


def test_token_checks(fake, page, http) -> None:
    url = f"{fake.base_url}/v25.0/{page.id}"
    assert http.get(url).json()["error"]["code"] == 104
    assert http.get(url, params={"access_token": "ukjent"}).json()["error"]["code"] == 190
    assert http.get(url, headers={"Authorization": f"Bearer {page.token}"}).status_code == 200
    other = fake.add_page("Nabokommunen")
    foreign = http.get(
        f"{fake.base_url}/v25.0/{other.id}", params={"access_token": page.token}
    ).json()
    assert (foreign["error"]["code"], foreign["error"]["error_subcode"]) == (100, 33)
    fake.store.expire_page_token(page.id, 460)
    expired = http.get(url, params={"access_token": page.token}).json()["error"]
    assert (expired["code"], expired["error_subcode"]) == (190, 460)


def test_defaults_nesting_and_unknown_fields(fake, page, http) -> None:
    post = fake.store.create_post(page, message="Skolestart mandag")
    reply_to = fake.store.add_comment(post.id, from_id="1", from_name="Kari", message="Hei")
    fake.store.add_comment(reply_to.id, from_id="2", from_name="Ola", message="Hallo")
    t = {"access_token": page.token}
    default = http.get(f"{fake.base_url}/v25.0/{post.id}", params=t).json()
    assert set(default) == {"id", "created_time", "message"}
    assert default["created_time"] == NOW.strftime("%Y-%m-%dT%H:%M:%S+0000")
    nested = http.get(
        f"{fake.base_url}/v25.0/{post.id}",
        params={
            **t,
            "fields": "comments.limit(1).summary(true).filter(stream){message,from{name}}",
        },
    ).json()
    assert nested["comments"]["summary"]["total_count"] == 2
    assert nested["comments"]["data"] == [
        {"message": "Hei", "from": {"name": "Kari"}, "id": reply_to.id}
    ]
    assert "next" in nested["comments"]["paging"]
    bad = http.get(f"{fake.base_url}/v25.0/{post.id}", params={**t, "fields": "nonsense"}).json()
    assert bad["error"]["code"] == 100 and "nonexisting field (nonsense)" in bad["error"]["message"]


def test_from_only_with_a_page_token(fake, page, http) -> None:
    post = fake.store.create_post(page, message="x")
    fake.store.add_comment(post.id, from_id="1", from_name="Kari", message="Hei")
    fake.store.add_user_token("EAAuser", {page.id})
    data = http.get(
        f"{fake.base_url}/v25.0/{post.id}/comments",
        params={"access_token": "EAAuser", "fields": "from,message"},
    ).json()["data"]
    assert data and "from" not in data[0]


def test_paging_cursors_and_limits(fake, page, http) -> None:
    for i in range(5):
        fake.store.create_post(page, message=f"post {i}")
    url = f"{fake.base_url}/v25.0/{page.id}/feed"
    first = http.get(url, params={"access_token": page.token, "limit": 2}).json()
    assert len(first["data"]) == 2 and "previous" not in first["paging"]
    last = http.get(first["paging"]["next"]).json()
    last = http.get(last["paging"]["next"]).json()
    assert len(last["data"]) == 1 and "next" not in last["paging"] and "previous" in last["paging"]
    back = http.get(last["paging"]["previous"]).json()
    assert len(back["data"]) == 2
    assert (
        http.get(url, params={"access_token": page.token, "limit": 101}).json()["error"]["code"]
        == 100
    )
    many = http.get(
        f"{fake.base_url}/v25.0/{page.id}/published_posts",
        params={"access_token": page.token, "limit": 500},
    ).json()
    assert len(many["data"]) == 5  # other edges clamp instead
    invalid = http.get(url, params={"access_token": page.token, "after": "%%%"}).json()
    assert invalid["error"]["code"] == 100


def test_comment_order_and_since(fake, page, http) -> None:
    from datetime import timedelta

    post = fake.store.create_post(page, message="x")
    for i in range(3):
        fake.store.add_comment(
            post.id,
            from_id="1",
            from_name="A",
            message=f"c{i}",
            created=NOW - timedelta(minutes=30 - i * 10),
        )
    base = {"access_token": page.token, "fields": "message"}
    url = f"{fake.base_url}/v25.0/{post.id}/comments"
    rev = http.get(url, params={**base, "order": "reverse_chronological"}).json()["data"]
    assert [c["message"] for c in rev] == ["c2", "c1", "c0"]
    since = int((NOW - timedelta(minutes=15)).timestamp())
    assert [
        c["message"] for c in http.get(url, params={**base, "since": since}).json()["data"]
    ] == ["c2"]


def test_control_endpoints_over_http(fake, http) -> None:
    base = f"{fake.base_url}/_fake"
    created = http.post(f"{base}/pages", json={"name": "Testkommune", "token": "EAAtest"}).json()
    page_id = created["id"]
    post = http.post(f"{base}/posts", json={"page_id": page_id, "message": "Hei"}).json()
    c = http.post(
        f"{base}/comments",
        json={"target_id": post["id"], "from": {"id": "9", "name": "Åse"}, "message": "Når?"},
    ).json()
    assert c["id"].startswith(post["id"].split("_")[1])
    assert http.post(f"{base}/errors", json={"code": 368, "path": "/feed", "times": 1}).json()[
        "success"
    ]
    err = http.post(
        f"{fake.base_url}/v25.0/{page_id}/feed", data={"access_token": "EAAtest", "message": "x"}
    )
    assert err.json()["error"]["code"] == 368
    assert http.post(f"{base}/errors", json={"code": 1}).status_code == 200
    assert http.delete(f"{base}/errors").json()["success"] and not fake.store.injections
    assert http.post(f"{base}/errors", json={"bogus": 1}).status_code == 400
    clock = http.post(f"{base}/clock", json={"advance": 3600}).json()
    assert clock["now"].startswith("2026-05-04T09:00")
    http.post(f"{base}/usage", json={"step": 10, "buc": {page_id: {"call_count": 50}}})
    r = http.get(f"{fake.base_url}/v25.0/{page_id}", params={"access_token": "EAAtest"})
    assert '"call_count": 60' in r.headers["x-business-use-case-usage"]
    http.post(f"{base}/settings", json={"require_proof": True})
    assert (
        http.get(f"{fake.base_url}/v25.0/{page_id}", params={"access_token": "EAAtest"}).json()[
            "error"
        ]["code"]
        == 100
    )
    state = http.get(f"{base}/state").json()
    assert any(p["id"] == page_id for p in state["pages"])
    assert http.post(f"{base}/nothing-here", json={}).status_code == 404


def test_oauth_exchange_accounts_and_debug_token(fake, page, http) -> None:
    fake.store.add_user_token("EAAshort", {page.id})
    url = f"{fake.base_url}/v25.0/oauth/access_token"
    st = fake.store.settings
    long = http.get(
        url,
        params={
            "grant_type": "fb_exchange_token",
            "client_id": st.app_id,
            "client_secret": st.app_secret,
            "fb_exchange_token": "EAAshort",
        },
    ).json()
    assert long["token_type"] == "bearer" and long["expires_in"] > 5_000_000
    accounts = http.get(
        f"{fake.base_url}/v25.0/me/accounts", params={"access_token": long["access_token"]}
    ).json()
    assert (
        accounts["data"][0]["access_token"] == page.token
        and "MODERATE" in accounts["data"][0]["tasks"]
    )
    info = http.get(
        f"{fake.base_url}/v25.0/debug_token",
        params={"access_token": long["access_token"], "input_token": page.token},
    ).json()["data"]
    assert info["is_valid"] and info["type"] == "PAGE" and info["expires_at"] == 0
    wrong = http.get(
        url,
        params={
            "grant_type": "fb_exchange_token",
            "client_id": st.app_id,
            "client_secret": "feil",
            "fb_exchange_token": "EAAshort",
        },
    ).json()
    assert wrong["error"]["code"] == 101


APP_ID = Settings().app_id
BACK = "https://kommune.example/tilkobling/meta/tilbake/"


def _code_grant(code: str, redirect_uri: str, *, secret: str | None = None) -> dict[str, str]:
    st = Settings()
    return {
        "client_id": st.app_id,
        "client_secret": secret or st.app_secret,
        "redirect_uri": redirect_uri,
        "code": code,
    }


def _dialog(http, fake, **params: str) -> httpx.Response:
    query = {"client_id": APP_ID, "redirect_uri": BACK, "state": "tilstand-ø", **params}
    return http.get(f"{fake.base_url}/v25.0/dialog/oauth", params=query)


def test_login_dialog_sends_a_single_use_code_back(fake, page, http) -> None:
    fake.store.add_user_token("EAAperson", {page.id})
    fake.store.settings.login_user_token = "EAAperson"
    answer = _dialog(http, fake, scope="pages_show_list", response_type="code")
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == BACK
    query = parse_qs(target.query)
    assert query["state"] == ["tilstand-ø"]
    url = f"{fake.base_url}/v25.0/oauth/access_token"
    grant = _code_grant(query["code"][0], BACK)
    token = http.get(url, params=grant).json()
    assert token == {"access_token": "EAAperson", "token_type": "bearer", "expires_in": 5400}
    # Single use; and only with the redirect URI the dialog was given.
    again = http.get(url, params=grant).json()["error"]
    assert (again["code"], again["error_subcode"]) == (100, 36009)
    code = parse_qs(urlsplit(_dialog(http, fake).headers["Location"]).query)["code"][0]
    other = http.get(url, params=_code_grant(code, BACK + "annen/")).json()["error"]
    assert (other["code"], other["error_subcode"]) == (100, 36008)
    wrong_secret = http.get(url, params=_code_grant(code, BACK, secret="feil")).json()
    assert wrong_secret["error"]["code"] == 101


def test_login_dialog_without_a_chosen_person_logs_in_one_with_every_page(fake, page, http) -> None:
    second = fake.add_page("Eksempel kulturskole")
    location = _dialog(http, fake).headers["Location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    url = f"{fake.base_url}/v25.0/oauth/access_token"
    user = http.get(url, params=_code_grant(code, BACK)).json()["access_token"]
    accounts = http.get(f"{fake.base_url}/v25.0/me/accounts", params={"access_token": user})
    assert {a["id"] for a in accounts.json()["data"]} == {page.id, second.id}


def test_login_dialog_refusals(fake, page, http) -> None:
    wrong_app = _dialog(http, fake, client_id="123")
    assert wrong_app.status_code == 400 and wrong_app.json()["error"]["code"] == 101
    assert _dialog(http, fake, redirect_uri="tilbake").status_code == 400
    http.post(f"{fake.base_url}/_fake/settings", json={"login_outcome": "denied"})
    denied = parse_qs(urlsplit(_dialog(http, fake).headers["Location"]).query)
    assert denied["error"] == ["access_denied"] and denied["error_reason"] == ["user_denied"]
    assert denied["state"] == ["tilstand-ø"] and "code" not in denied


def test_login_codes_through_the_control_endpoint(fake, page, http) -> None:
    fake.store.add_user_token("EAAkontroll", {page.id})
    payload = {"code": "kode-1", "user_token": "EAAkontroll", "redirect_uri": BACK}
    assert http.post(f"{fake.base_url}/_fake/login_codes", json=payload).status_code == 200
    token = http.get(f"{fake.base_url}/oauth/access_token", params=_code_grant("kode-1", BACK))
    assert token.json()["access_token"] == "EAAkontroll"


def test_a_visitors_post_is_in_the_feed_only_and_announced_as_a_post(fake, page, http) -> None:
    bodies: list[dict] = []
    fake.store.emit = lambda obj, entry_id, field, value: bodies.append(value)
    own = fake.store.create_post(page, message="Kommunen informerer.")
    post = fake.store.add_visitor_post(
        page.id, from_id="5550042", from_name="Per Ås", message="Hull i veien ved skolen."
    )
    base = f"{fake.base_url}/v25.0/{page.id}"
    token = {"access_token": page.token, "fields": "id,from"}
    feed = http.get(f"{base}/feed", params=token).json()["data"]
    published = http.get(f"{base}/published_posts", params=token).json()["data"]
    assert {p["id"] for p in feed} == {own.id, post.id}
    assert [p["id"] for p in published] == [own.id]
    assert next(p for p in feed if p["id"] == post.id)["from"] == {
        "id": "5550042",
        "name": "Per Ås",
    }
    assert [(b["item"], b["from"]["id"]) for b in bodies] == [
        ("status", page.id),
        ("post", "5550042"),
    ]


def test_cli_serves_the_demo_page() -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ordstyrer", "fake-graph", "--port", "0", "--seed", "2"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(5)]
        url = lines[0].split(" på ")[1].split()[0]
        token = next(line.split()[-1] for line in lines if line.startswith("Sidetoken"))
        page_id = next(line.split()[-1] for line in lines if line.startswith("Demoside"))
        deadline = time.monotonic() + 5
        while True:
            try:
                r = httpx.get(
                    f"{url}/v25.0/{page_id}/published_posts", params={"access_token": token}
                )
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert len(r.json()["data"]) == 6
        # The whole Facebook Login flow: the dialog logs in as the demo user.
        back = "http://127.0.0.1:8000/tilkobling/meta/tilbake/"
        dialog = httpx.get(
            f"{url}/v25.0/dialog/oauth",
            params={"client_id": APP_ID, "redirect_uri": back, "state": "s1"},
        )
        code = parse_qs(urlsplit(dialog.headers["Location"]).query)["code"][0]
        user = httpx.get(f"{url}/v25.0/oauth/access_token", params=_code_grant(code, back))
        assert user.json()["access_token"] == DEMO_USER_TOKEN
    finally:
        proc.terminate()
        proc.wait(timeout=5)
