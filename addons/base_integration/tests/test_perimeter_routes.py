# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook routes under hostile input (review D20): every answer is a 4xx or a 2xx,
never a 500, whether the body is signed or not; unsigned bodies write nothing; answers
reveal neither whether a connection exists nor how it is configured.

``hostile_bodies`` and ``HostileRouteMixin`` are shared with the other addons' route
tests (Shopee, TikTok, Midtrans, Xendit).
"""

import copy
import hashlib
import json
import socket
from urllib.parse import urlsplit

from odoo.tests import HttpCase, tagged

from .common import IntegrationTestMixin

_HOLE = "__hostile__"
# JSON of the wrong type where the route expects something else.
# (An identifier too long for a database index: hex does not compress.)
LONG_TEXT = "".join(hashlib.sha256(b"%d" % i).hexdigest() for i in range(100))
WRONG_TYPES = (
    ["x"],
    {"x": ["y"]},
    "x",
    True,
    1.5,
    -7,
    "",
    "\u0000",
    "\ud800",
    LONG_TEXT,
)
# Number literals that Python's json module would turn into inf, nan or a 401-digit int.
BAD_NUMBERS = ("1e999", "-1e999", "1" + "0" * 400, "NaN", "Infinity", "-Infinity")
WHOLE_BODIES = (
    b'["x"]',
    b'"x"',
    b"1",
    b"null",
    b"[]",
    b"1e999",
    b"NaN",
    b"",
    b"\xff\xfe{",
    b"[" * 100_000,
    b'{"a":' * 100_000,
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' * 5_000 + b"1" + b"}" * 5_000,
)


def _put(payload, path, value):
    *parents, last = path.split(".")
    node = payload
    for name in parents:
        node = node.setdefault(name, {})
    node[last] = value


def hostile_bodies(template, paths, sign_payload=None):
    """``(label, unsigned raw body, raw body to sign)`` for every hostile input.

    :param template: a payload the route accepts when signed.
    :param paths: dotted paths of ``template`` to replace by each hostile value.
    :param sign_payload: ``payload -> payload`` for gateways that sign inside the body
        (Midtrans); header-signed routes sign the raw body afterwards.
    """
    for path in paths:
        tokens = [json.dumps(value) for value in WRONG_TYPES] + list(BAD_NUMBERS)
        for token in tokens:
            payload = copy.deepcopy(template)
            _put(payload, path, _HOLE)
            signed = sign_payload(copy.deepcopy(payload)) if sign_payload else payload

            def render(data, token=token):
                return (
                    json.dumps(data)
                    .encode()
                    .replace(json.dumps(_HOLE).encode(), token.encode())
                )

            yield f"{path}={token[:24]}", render(payload), render(signed)
    for raw in WHOLE_BODIES:
        yield f"body={raw[:24]!r}", raw, raw
    # A real (signed) notification re-encoded: json.loads on bytes would accept UTF-16
    # and UTF-32, whose NUL bytes PostgreSQL cannot store.
    signed = sign_payload(copy.deepcopy(template)) if sign_payload else template
    for encoding in ("utf-16", "utf-32"):
        yield (
            f"encoding={encoding}",
            json.dumps(template).encode(encoding),
            json.dumps(signed).encode(encoding),
        )


class HostileRouteMixin:
    """``assertNeverServerError``: post each hostile body unsigned and signed."""

    def assertNeverServerError(
        self, url, bodies, sign_headers, connections, signs_raw_body=True
    ):
        """:param signs_raw_body: the signature covers the raw bytes (checked before
        parsing), so every signed body that is refused as malformed is kept; False for
        a signature inside the payload, which an unparseable body cannot carry."""
        Event = self.env["integration.event"].sudo()
        domain = [("connection_id", "in", connections.ids)]
        before = Event.search_count(domain)
        self.assertLess(self._post_garbled_chunks(url), 500, "garbled chunked body")
        self.assertEqual(Event.search_count(domain), before)
        for label, unsigned, to_sign in bodies:
            for signed in (False, True):
                with self.subTest(body=label, signed=signed):
                    raw = to_sign if signed else unsigned
                    headers = {"Content-Type": "application/json"}
                    if signed:
                        headers.update(sign_headers(raw))
                    before = Event.search_count(domain)
                    failed = Event.search_count(domain + [("state", "=", "failed")])
                    response = self.url_open(url, data=raw, headers=headers, timeout=30)
                    self.assertLess(response.status_code, 500, response.text[:300])
                    self.assertNotIn("Traceback", response.text)
                    if not signed:
                        self.assertGreaterEqual(response.status_code, 400)
                        self.assertEqual(
                            Event.search_count(domain),
                            before,
                            "unsigned: nothing stored",
                        )
                    elif response.status_code == 400 and signs_raw_body:
                        # Signed but unusable: kept for a person to inspect.
                        self.assertEqual(
                            Event.search_count(domain + [("state", "=", "failed")]),
                            failed + 1,
                        )

    def _post_garbled_chunks(self, url):
        """POST a chunked body whose chunk header is not hexadecimal; the status."""
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            sock.sendall(
                f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                "Connection: close\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n".encode()
            )
            status_line = sock.makefile("rb").readline().decode()
        return int(status_line.split()[1])


@tagged("post_install", "-at_install")
class TestPerimeterRoutes(HostileRouteMixin, IntegrationTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls._create_connection()
        cls.secret = cls.connection.webhook_secret

    def _url(self, connection_id):
        return f"{self.base_url()}/integration/webhook/{connection_id}"

    def _post(self, connection_id, body, signature=None):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Signature"] = signature
        return self.url_open(self._url(connection_id), data=body, headers=headers)

    def test_generic_webhook_hostile_input(self):
        bodies = hostile_bodies({"id": "evt-1", "type": "order.paid"}, ["id", "type"])
        self.assertNeverServerError(
            self._url(self.connection.id),
            bodies,
            lambda raw: {"X-Signature": self._sign(self.secret, raw)[1]},
            self.connection,
        )

    def test_answers_reveal_nothing(self):
        body, signature = self._sign(self.secret, {"id": "probe-1"})
        _body, forged = self._sign("not-the-secret", {"id": "probe-1"})
        archived = self._create_connection(name="Archived", active=False)
        no_secret = self._create_connection(name="No secret", webhook_secret=False)
        missing_id = (
            self.env["integration.connection"].search([], order="id desc", limit=1).id
            + 1000
        )
        for signature_sent in (forged, None):
            answers = {
                case: self._post(connection_id, body, signature_sent)
                for case, connection_id in (
                    ("wrong signature", self.connection.id),
                    ("no such connection", missing_id),
                    ("archived", archived.id),
                    ("no secret configured", no_secret.id),
                )
            }
            with self.subTest(signature=bool(signature_sent)):
                seen = {(r.status_code, r.content) for r in answers.values()}
                self.assertEqual(
                    len(seen),
                    1,
                    {k: (r.status_code, r.text) for k, r in answers.items()},
                )
                status, content = seen.pop()
                self.assertIn(status, (401, 403))
                self.assertNotIn(b"configured", content)
                self.assertNotIn(b"connection", content.lower())
        # A signed delivery with a valid signature to an archived connection is refused
        # like any other.
        archived_body, archived_sig = self._sign(archived.webhook_secret, {"id": "p2"})
        self.assertEqual(
            self._post(archived.id, archived_body, archived_sig).status_code, 403
        )
        self.assertFalse(self._events(archived) | self._events(no_secret))

    def test_success_answer_has_no_internal_id(self):
        body, signature = self._sign(self.secret, {"id": "ok-perimeter"})
        response = self._post(self.connection.id, body, signature)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "accepted"})
        again = self._post(self.connection.id, body, signature)
        self.assertEqual(again.json(), {"status": "duplicate"})
