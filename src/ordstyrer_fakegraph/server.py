"""The stand-in's HTTP server: routing, tokens, usage headers, error injection (§7.1, §7.8-9)."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from ordstyrer_fakegraph.clock import FakeClock
from ordstyrer_fakegraph.edges import edge, project
from ordstyrer_fakegraph.errors import (
    GraphError,
    Injection,
    Malformation,
    expired_session,
    not_found,
)
from ordstyrer_fakegraph.fields import parse_fields
from ordstyrer_fakegraph.nodes import Ctx
from ordstyrer_fakegraph.store import (
    IgCommentRec,
    IgContainerRec,
    IgMediaRec,
    IgUserRec,
    PageRec,
    Store,
    Token,
)
from ordstyrer_fakegraph.webhooks import WebhookEmitter
from ordstyrer_fakegraph.writes import Req, Upload, create, delete, update

_VERSION = re.compile(r"^/v\d+\.\d+(?=/|$)")
_CREDENTIALS = {"access_token", "appsecret_proof"}


# `malform(body=…)` not given: keep the real answer (None is a body of its own).
_KEEP: Any = object()


class UsageMeter:
    """Usage percentages that climb with every call (§3.3, §7.9)."""

    def __init__(self) -> None:
        self.step = 1.0
        self.send_headers = True
        self.enforce = False
        self.app = {"call_count": 0.0, "total_cputime": 0.0, "total_time": 0.0}
        self.buc: dict[str, dict[str, Any]] = {}

    def record(self, key: str | None, kind: str) -> None:
        for name in self.app:
            self.app[name] += self.step if name == "call_count" else self.step / 2
        if key is not None:
            entry = self.buc.setdefault(
                key,
                {
                    "type": kind,
                    "call_count": 0.0,
                    "total_cputime": 0.0,
                    "total_time": 0.0,
                    "estimated_time_to_regain_access": 0,
                },
            )
            entry["call_count"] += self.step
            entry["total_cputime"] += self.step / 2
            entry["total_time"] += self.step / 2

    def over_limit(self, key: str | None) -> GraphError | None:
        if not self.enforce:
            return None
        if max(self.app.values()) >= 100:
            return GraphError(4)
        if key and key in self.buc:
            entry = self.buc[key]
            if max(entry["call_count"], entry["total_cputime"], entry["total_time"]) >= 100:
                return GraphError(80002 if entry["type"] == "instagram" else 80001)
        return None

    def headers(self, key: str | None) -> dict[str, str]:
        if not self.send_headers:
            return {}
        out = {"X-App-Usage": json.dumps({k: int(v) for k, v in self.app.items()})}
        if key is not None and key in self.buc:
            e = self.buc[key]
            out["X-Business-Use-Case-Usage"] = json.dumps(
                {
                    key: [
                        {
                            "type": e["type"],
                            "call_count": int(e["call_count"]),
                            "total_cputime": int(e["total_cputime"]),
                            "total_time": int(e["total_time"]),
                            "estimated_time_to_regain_access": int(
                                e["estimated_time_to_regain_access"]
                            ),
                        }
                    ]
                }
            )
        return out


def _parse_body(content_type: str, body: bytes) -> tuple[list[tuple[str, str]], dict[str, Upload]]:
    if not body:
        return [], {}
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        pairs: list[tuple[str, str]] = []
        files: dict[str, Upload] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):  # a nested multipart: no field of ours
                payload = b""
            if filename is not None:
                files[str(name)] = Upload(filename, payload, part.get_content_type())
            elif name is not None:
                pairs.append((str(name), payload.decode("utf-8")))
        return pairs, files
    if content_type.startswith("application/json"):
        data = json.loads(body)
        return [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in data.items()], {}
    return parse_qsl(body.decode("utf-8"), keep_blank_values=True), {}


def _collect(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for key, value in pairs:
        if key.endswith("[]"):
            lists.setdefault(key[:-2], []).append(value)
        else:
            if key in single:
                lists.setdefault(key, [single[key]]).append(value)
            single[key] = value
    return single, lists


class FakeGraph:
    """The stand-in. `start()` binds a port (0 = any free one); `base_url` is then set."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, clock: FakeClock | None = None
    ) -> None:
        self.store = Store(clock)
        self.usage = UsageMeter()
        self.emitter = WebhookEmitter(
            lambda: self.store.settings.app_secret, lambda: self.store.now().timestamp()
        )
        self.store.emit = self.emitter.enqueue
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> FakeGraph:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer((self._host, self._port), Handler)
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        if isinstance(host, bytes):  # only for a Unix socket, which this server never has
            host = host.decode()
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-graph",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.emitter.stop()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def serve_forever(self) -> None:
        if self._thread is not None:
            self._thread.join()

    # -- Python-side controls (the same as the /_fake/ endpoints) ------------------------

    def add_page(self, name: str, **kwargs: Any) -> PageRec:
        return self.store.add_page(name, **kwargs)

    def inject(self, code: int, **kwargs: Any) -> Injection:
        rule = Injection(code=code, **kwargs)
        with self.store.lock:
            self.store.injections.append(rule)
        return rule

    def malform(
        self,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
        drop: tuple[str, ...] = (),
        values: dict[str, Any] | None = None,
        body: Any = _KEEP,
    ) -> Malformation:
        """Answer matching calls in a shape Graph does not document (`POST
        /_fake/malformed`): `drop` keys, set `values` (its `set`), or replace the answer
        with `body`."""
        rule = Malformation(
            path=path,
            method=method,
            times=times,
            drop=tuple(drop),
            set=dict(values or {}),
            body=None if body is _KEEP else body,
            replace=body is not _KEEP,
        )
        with self.store.lock:
            self.store.malformations.append(rule)
        return rule

    # -- request handling -------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(h.path)
        version = _VERSION.match(unquote(split.path))
        path = _VERSION.sub("", unquote(split.path)) or "/"
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        if path.startswith("/_fake"):
            from ordstyrer_fakegraph.control import control

            try:
                status, payload = control(self, method, path, body)
            except (ValueError, KeyError, TypeError) as exc:
                status, payload = 400, {"error": f"{type(exc).__name__}: {exc}"}
            self._send(h, status, payload, {})
            return
        pairs = parse_qsl(split.query, keep_blank_values=True)
        if method == "GET" and path == "/dialog/oauth":
            self._dialog(h, dict(pairs))
            return
        try:
            body_pairs, files = _parse_body(h.headers.get("Content-Type", ""), body)
        except (ValueError, UnicodeDecodeError):
            body_pairs, files = [], {}
        params, lists = _collect(pairs + body_pairs)
        auth = h.headers.get("Authorization", "")
        if "access_token" not in params and auth.lower().startswith("bearer "):
            params["access_token"] = auth[7:].strip()
        req = Req(method=method, params=params, lists=lists, files=files)
        base = f"http://{h.headers.get('Host', self.base_url.removeprefix('http://'))}"
        status, payload, headers = self.dispatch(
            method, path, req, base, version=version.group(0)[1:] if version else None
        )
        self._send(h, status, payload, headers)

    def _dialog(self, h: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        """Facebook Login's dialog (`/{version}/dialog/oauth`): the person "logs in" at
        once (as `settings.login_user_token`) and is sent back to `redirect_uri` with a
        code, or with `error=access_denied` when `settings.login_outcome` says so. Meta
        shows an error page for a wrong app or redirect URI; here it is a JSON 400."""
        redirect_uri = params.get("redirect_uri", "")
        try:
            answer = self.store.dialog_login(
                client_id=params.get("client_id", ""),
                redirect_uri=redirect_uri,
                state=params.get("state", ""),
            )
        except GraphError as err:
            self._send(h, 400, err.body(), {})
            return
        separator = "&" if urlsplit(redirect_uri).query else "?"
        h.send_response(302)
        h.send_header("Location", f"{redirect_uri}{separator}{urlencode(answer)}")
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, payload: Any, headers: Mapping[str, str]
    ) -> None:
        data = json.dumps(payload, ensure_ascii=True).encode("ascii")
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        h.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(data)

    def dispatch(
        self, method: str, path: str, req: Req, base: str, *, version: str | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        """Answer one call; paging links keep the version asked for (`version`), else
        the configured current one (§0.2)."""
        s = self.store
        key: str | None = None
        kind = "pages"
        with s.lock:
            s.requests.append((method, path))
            try:
                for rule in s.injections:
                    if rule.matches(method, path):
                        err = rule.consume()
                        key, kind = self._usage_key(path, None)
                        self._rate_headers(err, rule, key, kind)
                        raise err
                if path == "/oauth/access_token":
                    return 200, self._malformed(method, path, self._exchange(req)), {}
                token = self._authenticate(req)
                key, kind = self._usage_key(path, token)
                self.usage.record(key, kind)
                limited = self.usage.over_limit(key)
                if limited is not None:
                    raise limited
                s.tick()
                ctx = Ctx(store=s, token=token, base=base, version=version or s.settings.version)
                payload = self._malformed(method, path, self._route(method, path, req, ctx))
                return 200, payload, self.usage.headers(key)
            except GraphError as err:
                return err.http_status, err.body(), {**self.usage.headers(key), **err.headers}

    def _malformed(self, method: str, path: str, payload: Any) -> Any:
        """`payload` as the first malformation matching the call leaves it (`malform`)."""
        for malformation in self.store.malformations:
            if malformation.matches(method, path):
                return malformation.apply(payload)
        return payload

    def _rate_headers(self, err: GraphError, rule: Injection, key: str | None, kind: str) -> None:
        if err.code in {80001, 80002, 32}:
            buc_key = key or "0"
            err.headers["X-Business-Use-Case-Usage"] = json.dumps(
                {
                    buc_key: [
                        {
                            "type": "instagram" if err.code == 80002 else kind,
                            "call_count": 100,
                            "total_cputime": 30,
                            "total_time": 40,
                            "estimated_time_to_regain_access": rule.estimated_time_to_regain_access,
                        }
                    ]
                }
            )
        elif err.code in {4, 17, 613}:
            err.headers["X-App-Usage"] = json.dumps(
                {"call_count": 100, "total_cputime": 20, "total_time": 30}
            )

    def _usage_key(self, path: str, token: Token | None) -> tuple[str | None, str]:
        segs = [p for p in path.split("/") if p]
        rec = self.store.objects.get(segs[0]) if segs else None
        if isinstance(rec, IgUserRec | IgMediaRec | IgCommentRec | IgContainerRec):
            return (rec.id if isinstance(rec, IgUserRec) else rec.ig_user_id), "instagram"
        if rec is not None:
            return self.store.owner_page(rec), "pages"
        if token is not None and token.pages:
            return sorted(token.pages)[0], "pages"
        return None, "pages"

    def _authenticate(self, req: Req) -> Token:
        s = self.store
        value = req.params.get("access_token")
        if not value:
            raise GraphError(104, None, "An access token is required to request this resource.")
        token = s.tokens.get(value)
        if token is None:
            raise GraphError(190)
        if token.expired_subcode == 463:
            raise expired_session(token.expired_at or s.now(), s.now())
        if token.expired_subcode is not None:
            raise GraphError(190, token.expired_subcode)
        proof = req.params.get("appsecret_proof")
        if s.settings.require_proof:
            if not proof:
                raise GraphError(
                    100, None, "API calls from the server require an appsecret_proof argument"
                )
            expected = hmac.new(
                s.settings.app_secret.encode(), value.encode(), hashlib.sha256
            ).hexdigest()
            if not hmac.compare_digest(expected, proof):
                raise GraphError(100, None, "Invalid appsecret_proof provided in the API argument")
        return token

    def _exchange(self, req: Req) -> dict[str, Any]:
        s = self.store
        p = req.params
        if (
            p.get("client_id") != s.settings.app_id
            or p.get("client_secret") != s.settings.app_secret
        ):
            raise GraphError(
                101, None, "Error validating application. Invalid application ID or secret."
            )
        if "code" in p:
            # Facebook Login's code grant: the dialog's code → a short-lived user token.
            user = s.use_login_code(p["code"], p.get("redirect_uri", ""))
            return {"access_token": user, "token_type": "bearer", "expires_in": 5400}
        short = s.tokens.get(p.get("fb_exchange_token", ""))
        if p.get("grant_type") != "fb_exchange_token" or short is None or short.kind != "user":
            raise GraphError(190)
        long_value = "EAAlong" + s.new_id()
        s.add_user_token(long_value, short.pages, tasks=short.tasks, scopes=short.scopes)
        return {"access_token": long_value, "token_type": "bearer", "expires_in": 5183944}

    def _route(self, method: str, path: str, req: Req, ctx: Ctx) -> Any:
        s = self.store
        segs = [p for p in path.split("/") if p]
        if not segs:
            raise GraphError(100, None, "(#100) Unsupported request")
        fields = parse_fields(req.params["fields"]) if req.params.get("fields") else None
        if segs[0] == "debug_token" and method == "GET":
            return self._debug_token(req)
        if segs[0] == "me":
            if ctx.token.kind == "page":
                segs[0] = sorted(ctx.token.pages)[0]
            elif len(segs) == 1:
                return {"id": ctx.token.user_id, "name": "Fake User"}
            elif segs[1] == "accounts" and method == "GET":
                return self._accounts(ctx)
            else:
                raise GraphError(100, None, "(#100) Unsupported request on /me")
        rec = s.get(segs[0])
        if s.owner_page(rec) not in ctx.token.pages:
            raise not_found(segs[0])
        if len(segs) > 2:
            raise GraphError(2500, None, "(#2500) Unknown path components")
        edge_name = segs[1] if len(segs) == 2 else None
        if method == "GET":
            if edge_name is None:
                return project(rec, fields, ctx)
            # `listing` writes `fields` back into the paging URLs from the parsed form.
            params = {k: v for k, v in req.params.items() if k not in _CREDENTIALS | {"fields"}}
            return edge(rec, edge_name, params, fields, ctx)
        if method == "POST":
            return update(rec, req, ctx) if edge_name is None else create(rec, edge_name, req, ctx)
        if method == "DELETE":
            return delete(rec, edge_name, req, ctx)
        raise GraphError(100, None, "(#100) Unsupported method")

    def _accounts(self, ctx: Ctx) -> dict[str, Any]:
        data = []
        for page_id in sorted(ctx.token.pages):
            page = self.store.objects.get(page_id)
            if isinstance(page, PageRec):
                data.append(
                    {
                        "access_token": page.token,
                        "category": page.category,
                        "category_list": [{"id": "2235", "name": page.category}],
                        "name": page.name,
                        "id": page.id,
                        "tasks": sorted(ctx.token.tasks),
                    }
                )
        return {"data": data, "paging": {"cursors": {}}}

    def _debug_token(self, req: Req) -> dict[str, Any]:
        target = self.store.tokens.get(req.params.get("input_token", ""))
        now = int(self.store.now().timestamp())
        if target is None:
            return {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid token"}}}
        return {
            "data": {
                "app_id": self.store.settings.app_id,
                "type": target.kind.upper(),
                "application": "Ordstyrer",
                "expires_at": 0 if target.kind == "page" else now + 5183944,
                "data_access_expires_at": now + 7776000,
                "is_valid": target.expired_subcode is None,
                "issued_at": now - 3600,
                "scopes": list(target.scopes),
                "profile_id": sorted(target.pages)[0]
                if target.kind == "page" and target.pages
                else None,
                "user_id": target.user_id or "1",
            }
        }
