"""Loopback fakes of the StopNCII and NCMEC hash APIs: real HTTP servers in a thread, answering
with the request and response shapes their documentation and python-threatexchange's clients
describe, so that the library's own clients talk to them unchanged (a base-URL override).

StopNCII (https://api.stopncii.org/v1; shapes as python-threatexchange 1.2.17's
clients/stopncii/api.py documents them, read 2026-12-02): ``GET /FetchHashes?startTimestamp=&
pageSize=&nextPageToken=`` with ``x-functions-key`` and ``Ocp-Apim-Subscription-Key`` headers,
answering ``{count, nextPageToken, nextSetTimestamp, hasMoreRecords, hashRecords: [{
lastModtimestamp, signalType, hashValue, hashStatus, caseNumbers, CSPFeedbacks}]}``;
``POST /SubmitFeedback`` with ``{count, hashFeedbacks: [{hashValue, feedbackValue, tags}]}``.

NCMEC (https://report.cybertip.org/hashsharing/v2/documentation.pdf; clients/ncmec/hash_api.py):
``GET /v2/entries?from=&to=`` (basic auth) answering XML ``<queryResult><images maxTimestamp=>
<image><id/><member id=/><classification/><fingerprints><md5/><pdq/></fingerprints></image>
<deletedImage>...</images><paging><next>/v2/entries?...&start=&size=&max=</next></paging>``;
``PUT /v2/entries/{esp}/{entry}/{fingerprint}/feedback``; ``GET /v2/feedback/{type}/reasons``.

Faults a test can switch on: ``status_next`` (answer the next requests with a status, e.g. 429
with ``Retry-After: 0``), ``cut`` (close the connection without an answer, like a dropped
network, for every request matching a predicate).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape


def pdq_for(i: int) -> str:
    """A distinct, well-spread PDQ hex for test entry ``i`` (no two are near each other)."""
    return f"{((i + 1) * 0x9E3779B97F4A7C15 * 0xBF58476D1CE4E5B9) % 2**256:064x}"


def bank_pairs(ws: Any, bank: str) -> set[tuple[str, str]]:
    """A bank's entries as (signal type, hash) pairs: what a fetch left there."""
    from counterspell.matching import banks as B

    t = B.entries(ws, bank)
    return set(zip(t.column("signal_type").to_pylist(), t.column("hash").to_pylist(), strict=True))


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class Fake:
    """A loopback HTTP server handing every request to ``answer``; records what it was sent."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.status_next: list[Reply] = []
        self.cut: Callable[[Request], bool] = lambda r: False
        self.cuts = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(self.command, parts.path,
                              {k: v[0] for k, v in parse_qs(parts.query).items()},
                              {k.lower(): v for k, v in self.headers.items()},
                              self.rfile.read(length) if length else b"")  # fmt: skip
                fake.requests.append(req)
                if fake.cut(req):
                    fake.cuts += 1
                    self.close_connection = True
                    self.connection.shutdown(2)  # no answer at all: the network went away
                    return
                reply = fake.status_next.pop(0) if fake.status_next else fake.answer(req)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, req: Request) -> Reply:
        raise NotImplementedError


@dataclass
class HashRecord:
    ts: int
    signal_type: str  # ImagePDQ | VideoMD5 | URL ...
    value: str
    status: str = "Active"


class StopNCII(Fake):
    FETCH_KEY = "fetch-key"
    SUB_KEY = "subscription-key"
    FEEDBACK_KEY = "feedback-key"

    def __init__(self, page_size: int = 2) -> None:
        super().__init__()
        self.records: list[HashRecord] = []
        self.page_size = page_size  # the server's cap, whatever the client asks for
        self.feedback: list[dict[str, Any]] = []

    def answer(self, req: Request) -> Reply:
        if req.headers.get("ocp-apim-subscription-key") != self.SUB_KEY:
            return Reply(401, b'{"statusCode": 401, "message": "Access denied"}')
        if req.method == "GET" and req.path.endswith("/FetchHashes"):
            if req.headers.get("x-functions-key") != self.FETCH_KEY:
                return Reply(401, b'{"statusCode": 401}')
            return self._fetch(req)
        if req.method == "POST" and req.path.endswith("/SubmitFeedback"):
            if req.headers.get("x-functions-key") != self.FEEDBACK_KEY:
                return Reply(401, b'{"statusCode": 401}')
            body = json.loads(req.body)
            assert body["count"] == len(body["hashFeedbacks"])
            self.feedback.extend(body["hashFeedbacks"])
            return Reply(200, b"{}")
        return Reply(404, b"{}")

    def _fetch(self, req: Request) -> Reply:
        start = int(req.query["startTimestamp"])
        rows = sorted((r for r in self.records if r.ts >= start), key=lambda r: (r.ts, r.value))
        offset = int(req.query.get("nextPageToken", "0").removeprefix("p") or 0)
        size = min(int(req.query.get("pageSize", 800)), self.page_size)
        page = rows[offset : offset + size]
        more = offset + size < len(rows)
        body = {
            "count": len(page),
            "nextPageToken": f"p{offset + size}" if more else None,
            "nextSetTimestamp": page[-1].ts if page else start,
            "hasMoreRecords": more,
            "hashRecords": [
                {"lastModtimestamp": r.ts, "signalType": r.signal_type, "hashValue": r.value,
                 "hashStatus": r.status, "caseNumbers": {"case-" + r.value[:6]: r.status},
                 "CSPFeedbacks": []}
                for r in page
            ],
        }  # fmt: skip
        return Reply(200, json.dumps(body).encode())


@dataclass
class Entry:
    ts: int
    esp: int
    id: str
    kind: str  # image | video
    fingerprints: dict[str, str]
    deleted: bool = False


_FMT = "%Y-%m-%dT%H:%M:%SZ"


class NCMEC(Fake):
    USER, PASSWORD = "esp-user", "esp-password"

    def __init__(self, page_size: int = 2) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        self.page_size = page_size
        self.feedback: list[tuple[str, bytes]] = []
        self.reasons = {"9f3c1a2e-0000-4000-8000-000000000001": "Not the reported content"}

    def answer(self, req: Request) -> Reply:
        auth = "Basic " + base64.b64encode(f"{self.USER}:{self.PASSWORD}".encode()).decode()
        if req.headers.get("authorization") != auth:
            return Reply(401, b"<error>unauthorized</error>", "application/xml")
        if req.method == "GET" and req.path == "/v2/entries":
            return self._entries(req)
        if (
            req.method == "GET"
            and req.path.startswith("/v2/feedback/")
            and req.path.endswith("/reasons")
        ):
            reasons = "".join(
                f'<reason guid="{g}" name="{escape(n)}"/>' for g, n in self.reasons.items()
            )
            body = f'<feedbackReasons xmlns="https://hashsharing.ncmec.org/hashsharing/v2"><availableFeedbackReasons>{reasons}</availableFeedbackReasons></feedbackReasons>'
            return Reply(200, body.encode(), "application/xml")
        if req.method == "PUT" and req.path.endswith("/feedback"):
            self.feedback.append((req.path, req.body))
            return Reply(200, b"", "application/xml")
        return Reply(404, b"", "application/xml")

    def _entries(self, req: Request) -> Reply:
        # the client writes local time with a "Z" (hash_api._date_format): read it the same way
        lo = int(datetime.strptime(req.query["from"], _FMT).timestamp())
        hi = int(datetime.strptime(req.query["to"], _FMT).timestamp())
        rows = sorted((e for e in self.entries if lo <= e.ts <= hi), key=lambda e: (e.esp, e.id))
        start = int(req.query.get("start", 0))
        size = int(req.query.get("size", self.page_size))
        page = rows[start : start + size]
        out = ['<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">']
        for kind in ("image", "video"):
            mine = [e for e in page if e.kind == kind]
            if not mine:
                continue
            top = datetime.fromtimestamp(max(e.ts for e in mine), UTC).strftime(_FMT)
            out.append(f'<{kind}s count="{len(mine)}" maxTimestamp="{top}">')
            for e in mine:
                tag = f"deleted{kind.capitalize()}" if e.deleted else kind
                fps = "" if e.deleted else "<fingerprints>" + "".join(
                    f"<{k}>{v}</{k}>" for k, v in e.fingerprints.items()) + "</fingerprints>"  # fmt: skip
                out.append(f'<{tag}><id>{e.id}</id><member id="{e.esp}">ESP {e.esp}</member>'
                           f"<classification>A1</classification>{fps}</{tag}>")  # fmt: skip
            out.append(f"</{kind}s>")
        if start + size < len(rows):
            params = urlencode({"from": req.query["from"], "to": req.query["to"],
                                "start": start + size, "size": size, "max": len(rows)})  # fmt: skip
            out.append(f"<paging><next>{escape('/v2/entries?' + params)}</next></paging>")
        out.append("</queryResult>")
        return Reply(200, "".join(out).encode(), "application/xml")


@dataclass
class Update:
    id: int
    type: str  # HASH_PDQ | HASH_VIDEO_MD5 | URI ...
    indicator: str
    last_updated: int
    should_delete: bool = False


class ThreatExchange(Fake):
    """Meta's Graph API ``GET /{privacy group}/threat_updates/?access_token=&start_time=&limit=``
    answering ``{data: [{id, indicator, type, last_updated, should_delete, descriptors: {data:
    [{id, owner: {id}, status, tags}]}}], paging: {next}}``
    (https://developers.facebook.com/docs/threat-exchange/reference/apis/threat-updates/, read
    2026-12-02; python-threatexchange's fb_threatexchange client)."""

    TOKEN = "1234|app-secret-token"

    def __init__(self, page_size: int = 2) -> None:
        super().__init__()
        self.updates: list[Update] = []
        self.page_size = page_size

    def answer(self, req: Request) -> Reply:
        if req.query.get("access_token") != self.TOKEN:
            return Reply(400, b'{"error": {"message": "Invalid OAuth access token.", "code": 190}}')
        if not req.path.endswith("/threat_updates/"):
            return Reply(404, b"{}")
        start = int(req.query.get("start_time") or 0)
        rows = sorted(
            (u for u in self.updates if u.last_updated >= start),
            key=lambda u: (u.last_updated, u.id),
        )
        offset = int(req.query.get("after", 0))
        page = rows[offset : offset + self.page_size]
        data = [{"id": str(u.id), "indicator": u.indicator, "type": u.type,
                 "last_updated": str(u.last_updated), "should_delete": u.should_delete,
                 "descriptors": {"data": [] if u.should_delete else [
                     {"id": str(u.id * 10), "owner": {"id": "777"}, "status": "MALICIOUS",
                      "tags": ["partner_list"], "reactions": []}]}}
                for u in page]  # fmt: skip
        body: dict[str, Any] = {"data": data}
        if offset + self.page_size < len(rows):
            params = {**req.query, "after": offset + self.page_size}
            body["paging"] = {"next": f"{self.url}{req.path}?{urlencode(params)}"}
        return Reply(200, json.dumps(body).encode())
