# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shopee push and TikTok webhook under hostile input (review D20): a 4xx or a 2xx,
never a 500, signed or not; the size limit before any read; answers that do not tell
which shops exist."""

import hashlib
import hmac
import json
import socket
from urllib.parse import urlsplit

import requests

from odoo.tests import tagged

from odoo.addons.base_integration.tests.test_perimeter_routes import (
    HostileRouteMixin,
    hostile_bodies,
)

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestPerimeterMarketplaceRoutes(HostileRouteMixin, MarketplaceCase):
    def _shopee_signature(self, raw, key=None):
        return hmac.new(
            (key or self.shopee_api.push_key).encode(),
            self.shopee_push_url().encode() + b"|" + raw,
            hashlib.sha256,
        ).hexdigest()

    def _tiktok_signature(self, raw):
        return hmac.new(
            self.tiktok_api.app_secret.encode(),
            self.tiktok_api.app_key.encode() + raw,
            hashlib.sha256,
        ).hexdigest()

    def test_shopee_push_hostile_input(self):
        self.shopee_order()
        template = self.shopee_api.push_payload("201218V2Y6E59M")
        paths = ["code", "shop_id", "timestamp", "data", "data.ordersn"]
        paths += ["data.status", "data.update_time"]
        self.assertNeverServerError(
            self.shopee_push_url(),
            hostile_bodies(template, paths),
            lambda raw: {"Authorization": self._shopee_signature(raw)},
            self.shopee_shop.connection_id,
        )

    def test_tiktok_webhook_hostile_input(self):
        self.tiktok_order()
        template = self.tiktok_api.webhook_payload("576461413038785752")
        paths = ["type", "tts_notification_id", "shop_id", "data", "data.order_id"]
        # TikTok routes by shop_id: a hostile one finds no shop, so it is refused
        # before its signature counts; the other paths reach describe_webhook.
        self.assertNeverServerError(
            self.tiktok_webhook_url(),
            hostile_bodies(template, paths),
            lambda raw: {"Authorization": self._tiktok_signature(raw)},
            self.tiktok_shop.connection_id,
        )

    def test_unknown_shop_answered_like_a_wrong_signature(self):
        self.shopee_order()
        self.tiktok_order()
        known = self.shopee_api.push_payload("201218V2Y6E59M")
        unknown = dict(known, shop_id=987654321)
        answers = []
        for payload, key in ((known, "wrong-key"), (unknown, None)):
            raw = json.dumps(payload).encode()
            answers.append(
                self.url_open(
                    self.shopee_push_url(),
                    data=raw,
                    headers={"Authorization": self._shopee_signature(raw, key)},
                )
            )
        tiktok = self.tiktok_api.webhook_payload("576461413038785752")
        for payload in (tiktok, dict(tiktok, shop_id="7000000000000000001")):
            raw = json.dumps(payload).encode()
            signature = self._tiktok_signature(raw)
            if payload is tiktok:
                signature = "ab" * 32
            answers.append(
                self.url_open(
                    self.tiktok_webhook_url(),
                    data=raw,
                    headers={"Authorization": signature},
                )
            )
        self.assertEqual(
            {(r.status_code, r.content) for r in answers},
            {
                (
                    403,
                    b'{"error": "invalid_signature", "message": '
                    b'"Invalid signature or token."}',
                )
            },
        )
        shops = (self.shopee_shop | self.tiktok_shop).connection_id
        self.assertFalse(
            self.env["integration.event"].search_count(
                [("connection_id", "in", shops.ids)]
            )
        )

    def _raw_post(self, url, headers, body, timeout=5):
        """Send a request by hand: the declared length need not be the real one."""
        parts = urlsplit(url)
        lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        with socket.create_connection((parts.hostname, parts.port), timeout) as sock:
            sock.sendall(head + body)
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        return int(answer.split(b" ", 2)[1])

    def test_body_limit_applies_before_reading(self):
        for url in (self.shopee_push_url(), self.tiktok_webhook_url()):
            with self.subTest(url=url):
                # 50 MB announced, 1 kB sent: refused on the announcement at once
                # (the route does not wait for, read or parse the rest).
                status = self._raw_post(
                    url,
                    {
                        "Content-Type": "application/json",
                        "Content-Length": str(50 * 1024 * 1024),
                    },
                    b'{"shop_id": 54804, "pad": "' + b"x" * 1000,
                )
                self.assertEqual(status, 413)

    def test_chunked_body_over_the_limit_refused(self):
        def chunks():
            yield b'{"shop_id": 54804, "pad": "'
            for _i in range(1100):
                yield b"x" * 1024
            yield b'"}'

        for url in (self.shopee_push_url(), self.tiktok_webhook_url()):
            with self.subTest(url=url):
                response = requests.post(
                    url,
                    data=chunks(),
                    headers={"Content-Type": "application/json"},
                    timeout=30,
                )
                self.assertEqual(response.status_code, 413)
