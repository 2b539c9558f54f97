"""The `/_fake/…` control endpoints: set up the world, inject errors, drive time, webhooks.

JSON in, JSON out, no token. Every endpoint has a Python twin on `FakeGraph`/`Store`
so in-process tests can call either. See `docs/connectors.md` for the list.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ordstyrer_fakegraph.errors import GraphError, Injection, Malformation
from ordstyrer_fakegraph.store import CommentRec, IgUserRec, PageRec

if TYPE_CHECKING:
    from ordstyrer_fakegraph.server import FakeGraph


def control(fake: FakeGraph, method: str, path: str, body: bytes) -> tuple[int, Any]:
    data: dict[str, Any] = json.loads(body) if body else {}
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    s = fake.store
    route = path.removeprefix("/_fake").strip("/")
    if method == "GET" and route in {"", "state"}:
        return 200, _state(fake)
    if method == "GET" and route == "webhooks/deliveries":
        return 200, {
            "deliveries": [
                {
                    "status": d.status,
                    "attempt": d.attempt,
                    "ok": d.ok,
                    "body": d.body.decode("ascii"),
                }
                for d in fake.emitter.deliveries
            ],
            "dropped": len(fake.emitter.dropped),
        }
    if method == "DELETE" and route == "errors":
        with s.lock:
            s.injections.clear()
        return 200, {"success": True}
    if method == "DELETE" and route == "malformed":
        with s.lock:
            s.malformations.clear()
        return 200, {"success": True}
    if method != "POST":
        return 404, {"error": f"unknown control endpoint {method} {path}"}
    if route == "pages":
        page = s.add_page(
            data["name"],
            page_id=data.get("page_id"),
            token=data.get("token"),
            tasks=set(data["tasks"]) if "tasks" in data else None,
            scopes=data.get("scopes"),
            with_instagram=data.get("with_instagram", True),
            ig_username=data.get("ig_username"),
        )
        return 200, {"id": page.id, "token": page.token, "ig_user_id": page.ig_user_id}
    if route == "user_tokens":
        tok = s.add_user_token(
            data["token"],
            set(data["pages"]),
            tasks=set(data["tasks"]) if "tasks" in data else None,
            scopes=data.get("scopes"),
        )
        return 200, {"token": tok.value, "user_id": tok.user_id}
    if route == "login_codes":
        s.add_login_code(data["code"], data["user_token"], data["redirect_uri"])
        return 200, {"success": True}
    if route == "tokens/expire":
        s.expire_page_token(data["page_id"], int(data.get("subcode", 463)))
        return 200, {"success": True}
    if route == "roles":
        page = s.typed(data["page_id"], PageRec)
        page.roles.add(str(data["user_id"]))
        return 200, {"success": True}
    if route == "settings":
        _settings(fake, data)
        return 200, {"success": True}
    if route == "errors":
        rule = Injection.from_json(data)
        with s.lock:
            s.injections.append(rule)
        return 200, {"success": True, "injections": len(s.injections)}
    if route == "malformed":
        malformation = Malformation.from_json(data)
        with s.lock:
            s.malformations.append(malformation)
        return 200, {"success": True, "malformations": len(s.malformations)}
    if route == "usage":
        for key in ("step", "send_headers", "enforce"):
            if key in data:
                setattr(fake.usage, key, data[key])
        fake.usage.app.update({k: float(v) for k, v in data.get("app", {}).items()})
        for key, values in data.get("buc", {}).items():
            entry = fake.usage.buc.setdefault(
                key,
                {
                    "type": values.get("type", "pages"),
                    "call_count": 0.0,
                    "total_cputime": 0.0,
                    "total_time": 0.0,
                    "estimated_time_to_regain_access": 0,
                },
            )
            entry.update(values)
        return 200, {"success": True}
    if route == "clock":
        if "now" in data:
            s.clock.set(datetime.fromisoformat(data["now"]), frozen=data.get("frozen"))
        elif "frozen" in data:
            s.clock.set(s.clock.now(), frozen=bool(data["frozen"]))
        if "advance" in data:
            s.clock.advance(float(data["advance"]))
        if "speed" in data:
            s.clock.set_speed(float(data["speed"]))
        with s.lock:
            s.tick()
        return 200, {"now": s.now().isoformat()}
    if route == "comments":
        frm = data.get("from", {})
        try:
            c = s.add_comment(
                data["target_id"],
                from_id=str(frm["id"]),
                from_name=frm.get("name", ""),
                message=data.get("message", ""),
                attachment_url=data.get("attachment_url"),
            )
        except GraphError as err:
            return err.http_status, err.body()
        return 200, {"id": c.id}
    if route in {"comments/edit", "comments/remove"}:
        c = s.typed(data["comment_id"], CommentRec)
        if route == "comments/edit":
            s.edit_comment(c, data["message"])
        else:
            s.delete_comment(c)
        return 200, {"success": True}
    if route == "posts" and "from" in data:
        post = s.add_visitor_post(
            data["page_id"],
            from_id=str(data["from"]["id"]),
            from_name=data["from"].get("name", ""),
            message=data.get("message", ""),
        )
        return 200, {"id": post.id}
    if route == "messages":
        mid = s.add_message(data["page_id"], sender_id=str(data["sender_id"]), text=data["text"])
        return 200, {"mid": mid}
    if route == "posts":
        page = s.typed(data["page_id"], PageRec)
        post = s.create_post(
            page, message=data.get("message"), link=data.get("link"), check_duplicate=False
        )
        if "created_time" in data:
            post.created_time = post.updated_time = datetime.fromisoformat(data["created_time"])
        return 200, {"id": post.id}
    if route == "ig_media":
        media = s.add_ig_media(
            data["ig_user_id"],
            caption=data.get("caption", ""),
            media_url=data.get("media_url"),
            alt_text=data.get("alt_text"),
        )
        return 200, {"id": media.id}
    if route == "ig_comments":
        frm = data.get("from", {})
        try:
            ig = s.add_ig_comment(
                data["target_id"],
                from_id=str(frm["id"]),
                username=frm.get("username", ""),
                text=data["text"],
            )
        except GraphError as err:
            return err.http_status, err.body()
        return 200, {"id": ig.id}
    if route == "webhooks":
        settings = {k: v for k, v in data.items() if k != "app_secret"}
        if "app_secret" in data:
            s.settings.app_secret = data["app_secret"]
        verified = None
        if settings.get("callback_url"):
            verified = fake.emitter.handshake(
                settings["callback_url"], settings.get("verify_token", "")
            )
            if not verified:
                return 400, {"error": "callback verification failed", "verified": False}
        fake.emitter.configure(**settings)
        return 200, {"success": True, "verified": verified}
    if route == "webhooks/release":
        fake.emitter.release()
        return 200, {"success": True}
    if route == "webhooks/flush":
        return 200, {"ok": fake.emitter.flush(float(data.get("timeout", 5)))}
    if route == "seed-demo":
        from ordstyrer_fakegraph.demo import seed_demo

        return 200, seed_demo(fake, seed=int(data.get("seed", 1)))
    return 404, {"error": f"unknown control endpoint {method} {path}"}


def _settings(fake: FakeGraph, data: dict[str, Any]) -> None:
    st = fake.store.settings
    for key, value in data.items():
        if key == "schedule_max_days":
            st.schedule_max = timedelta(days=float(value))
        elif key == "schedule_min_minutes":
            st.schedule_min = timedelta(minutes=float(value))
        elif key == "quota_total":
            for ig_id, total in value.items():
                ig = fake.store.typed(ig_id, IgUserRec)
                ig.quota_total = int(total)
        elif key == "unreachable_hosts":
            st.unreachable_hosts = tuple(value)
        elif key in {f.name for f in dataclasses.fields(st)}:
            setattr(st, key, value)
        else:
            raise ValueError(f"unknown setting {key}")


def _state(fake: FakeGraph) -> dict[str, Any]:
    s = fake.store
    pages = [
        {
            "id": p.id,
            "name": p.name,
            "token": p.token,
            "ig_user_id": p.ig_user_id,
            "blocked": sorted(p.blocked),
        }
        for p in s.objects.values()
        if isinstance(p, PageRec)
    ]
    counts: dict[str, int] = {}
    for rec in s.objects.values():
        counts[type(rec).__name__] = counts.get(type(rec).__name__, 0) + 1
    return {
        "now": s.now().isoformat(),
        "version": s.settings.version,
        "pages": pages,
        "objects": counts,
        "injections": len(s.injections),
    }
