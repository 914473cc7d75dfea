# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A tiny framework for gateway test servers.

A :class:`GatewayServer` is a real ``ThreadingHTTPServer`` bound to 127.0.0.1 on a random
port, running in a daemon thread. It dispatches each request to the first mounted
:class:`GatewayHandler` whose ``prefix`` matches the path. A handler declares routes with
:meth:`GatewayHandler.route` and answers with :class:`Response` objects.

Faults are injected per route pattern, FIFO, and consumed one per request::

    server.faults.add("/v2/charge", Fault(status=429, headers={"Retry-After": "1"}))
    server.faults.add("*", Fault(delay=2.0), times=3)

Every request is recorded (``server.requests``) so tests can assert what the client sent.
:meth:`GatewayHandler.send_callback` posts a signed notification to Odoo, the way the
gateway would.
"""

import html
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

_logger = logging.getLogger(__name__)


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    params: dict = field(default_factory=dict)

    @property
    def url_path_with_query(self):
        return self.path

    def json(self):
        return json.loads(self.body or b"null")

    def header(self, name, default=None):
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return default

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def form(self):
        """The fields of an ``application/x-www-form-urlencoded`` body (first values),
        or of a JSON object body."""
        content_type = (self.header("Content-Type") or "").split(";")[0].strip()
        if content_type == "application/json":
            data = self.json()
            return data if isinstance(data, dict) else {}
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def wants_json(self):
        return "application/json" in (self.header("Accept") or "") or (
            (self.header("Content-Type") or "").startswith("application/json")
        )


@dataclass
class Response:
    status: int = 200
    body: object = None  # dict/list -> JSON, str/bytes -> as is
    headers: dict = field(default_factory=dict)

    def encode(self):
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return (self.body or b""), "application/octet-stream"


PAGE_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}
header{background:#263238;color:#fff;padding:.6em 1.2em}
header a{color:#fff}
main{max-width:1100px;margin:1em auto;padding:0 1em}
section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0 0 1em;
padding:.4em 1em 1em}
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em}
table{border-collapse:collapse;width:100%;font-size:.9em}
td,th{border-bottom:1px solid #eee;padding:.3em .4em;text-align:left;vertical-align:top}
form.inline{display:inline}
button{cursor:pointer;margin:.1em}
input,select{margin:.1em}
.msg{padding:.6em 1em;border-radius:4px;margin:0 0 1em;background:#e8f5e9}
.msg.error{background:#ffebee}
.muted{color:#777}
.consent{max-width:480px;margin:3em auto}
"""


def html_page(title, body, status=200, headers=None):
    """A small self-contained HTML page (no external assets: the demo runs offline).

    ``body`` is trusted HTML: escape values with :func:`esc` before putting them in.
    """
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{esc(title)}"
        f"</title><style>{PAGE_STYLE}</style></head><body>{body}</body></html>"
    )
    hdrs = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    hdrs.update(headers or {})
    return Response(status, page, hdrs)


def esc(value):
    return html.escape("" if value is None else str(value), quote=True)


def redirect(location, status=303):
    return Response(status, b"", {"Location": location})


def add_query(url, **params):
    """``url`` with ``params`` appended to its query string (which it may have)."""
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))


@dataclass
class Fault:
    """What to do instead of (or before) the normal answer to one request."""

    status: int = None  # answer with this status instead of the handler's
    body: object = None  # body for that answer (default: a generic error JSON)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # sleep before answering (slow gateway)
    malformed: bool = False  # answer 200 with a truncated, non-JSON body
    drop: bool = False  # close the connection without answering


class FaultQueue:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []  # [pattern, fault, remaining]

    def add(self, pattern, fault, times=1):
        """Inject ``fault`` for the next ``times`` requests whose path matches ``pattern``.

        ``pattern`` is ``"*"`` (any path), a path prefix, or a compiled regex.
        """
        with self._lock:
            self._faults.append([pattern, fault, times])

    def clear(self):
        with self._lock:
            self._faults.clear()

    def discard(self, pattern):
        """Forget every fault injected for exactly ``pattern``."""
        with self._lock:
            self._faults = [f for f in self._faults if f[0] != pattern]

    def pending(self, pattern):
        """How many requests matching exactly ``pattern`` still get a fault."""
        with self._lock:
            return sum(f[2] for f in self._faults if f[0] == pattern)

    def take(self, path):
        with self._lock:
            for entry in self._faults:
                pattern, fault, _remaining = entry
                if pattern == "*" or (
                    pattern.search(path)
                    if isinstance(pattern, re.Pattern)
                    else path.startswith(pattern)
                ):
                    entry[2] -= 1
                    if entry[2] <= 0:
                        self._faults.remove(entry)
                    return fault
        return None


class GatewayHandler:
    """Base class of one gateway's imitation. Subclasses set ``prefix`` and add routes."""

    prefix = ""
    name = "gateway"

    def __init__(self):
        self.server = None  # set when mounted
        self._routes = []  # (method, regex, callable)
        self.lock = threading.RLock()  # guards the handler's in-memory state
        self.register_routes()

    def register_routes(self):
        """Override: call :meth:`route` for every endpoint."""

    def route(self, method, pattern, func):
        """``pattern`` is a path below ``prefix`` with ``{name}`` placeholders."""
        regex = "^" + re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", pattern) + "$"
        self._routes.append((method.upper(), re.compile(regex), func))

    @property
    def base_url(self):
        return self.server.url + self.prefix

    def dispatch(self, request):
        sub_path = request.path[len(self.prefix) :] or "/"
        allowed = False
        for method, regex, func in self._routes:
            match = regex.match(sub_path)
            if not match:
                continue
            allowed = True
            if method != request.method:
                continue
            request.params = match.groupdict()
            return func(request)
        if allowed:
            return Response(405, {"error": "method not allowed"})
        return Response(404, {"error": f"no route {request.method} {sub_path}"})

    def error_response(self, status, request):
        """The gateway's own error envelope for an injected fault; override per gateway."""
        return Response(status, {"error": "injected fault", "status": status})

    def send_callback(self, url, body, headers=None, timeout=30):
        """POST ``body`` (bytes, str or JSON-able) to ``url`` the way the gateway would."""
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        return requests.post(url, data=body, headers=hdrs, timeout=timeout)

    def reset(self):
        """Override: forget the in-memory state (between tests)."""


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GatewayTestServer/1.0"

    def log_message(self, fmt, *args):  # keep test output quiet
        _logger.debug("%s - " + fmt, self.address_string(), *args)

    def _handle(self):
        gateway_server = self.server.gateway_server
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            body=body,
        )
        request.raw_path = self.path
        request.client_port = self.client_address[1]  # tells reused connections apart
        gateway_server.record(request)
        handler = gateway_server.handler_for(split.path)
        fault = gateway_server.faults.take(split.path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.drop:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if handler is None:
            response = Response(404, {"error": "unknown gateway"})
        elif fault and fault.status:
            response = (
                Response(fault.status, fault.body, dict(fault.headers))
                if fault.body is not None
                else handler.error_response(fault.status, request)
            )
            response.headers.update(fault.headers)
        else:
            try:
                response = handler.dispatch(request)
            except Exception as exc:  # a bug in a test server must be visible
                _logger.exception("test server handler failed")
                response = Response(500, {"error": f"test server bug: {exc}"})
        payload, content_type = response.encode()
        if fault and fault.malformed:
            payload, content_type = b'{"truncated": ', "application/json"
        self.send_response(response.status)
        headers = {"Content-Type": content_type}
        headers.update(response.headers)
        for key, value in headers.items():
            self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class GatewayServer:
    """A real HTTP server on 127.0.0.1 serving one or more gateway handlers.

    Use as a context manager or call :meth:`start`/:meth:`stop`.
    """

    def __init__(self, *handlers, host="127.0.0.1", port=0):
        self.handlers = []
        self.faults = FaultQueue()
        self.requests = []
        self._requests_lock = threading.Lock()
        self._httpd = _Server((host, port), _RequestHandler)
        self._httpd.gateway_server = self
        self.host = host
        self._thread = None
        for handler in handlers:
            self.mount(handler)

    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def url(self):
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def mount(self, handler):
        handler.server = self
        self.handlers.append(handler)
        # longest prefix first so "/a/b" wins over "/a"
        self.handlers.sort(key=lambda h: len(h.prefix), reverse=True)
        return handler

    def handler_for(self, path):
        for handler in self.handlers:
            if path == handler.prefix or path.startswith(
                handler.prefix.rstrip("/") + "/"
            ):
                return handler
        return None

    def record(self, request):
        with self._requests_lock:
            self.requests.append(request)

    def requests_to(self, path_part, method=None):
        with self._requests_lock:
            return [
                r
                for r in self.requests
                if path_part in r.path and (method is None or r.method == method)
            ]

    def reset(self):
        self.faults.clear()
        with self._requests_lock:
            self.requests.clear()
        for handler in self.handlers:
            handler.reset()

    def start(self):
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="gateway-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
