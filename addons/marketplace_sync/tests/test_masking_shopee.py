# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A refused Shopee call leaves no token in any readable field (issue 8, D2).

Shopee carries ``access_token`` and ``sign`` in the query string, and ``requests``
quotes path and query in the text of a connection error.
"""

import logging
import re
import socket

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MarketplaceCase

# A Shopee signature is 64 hex digits; masked, the parameter reads sign=***.
SIGN = re.compile(r"sign=(?!\*)[^&\s'\")]+")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.texts = []

    def emit(self, record):
        self.texts.append(self.format(record))


@tagged("post_install", "-at_install")
class TestMaskingShopee(MarketplaceCase):
    def setUp(self):
        super().setUp()
        # A port nobody listens on: every call is refused.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.shopee_shop.sudo().write(
            {"base_url": f"http://127.0.0.1:{port}", "event_max_attempts": 1}
        )
        self.connection = self.shopee_shop.connection_id
        # The server log, at the level production runs at.
        self.collect = _Collect()
        self.collect.setFormatter(logging.Formatter("%(name)s %(message)s"))
        root = logging.getLogger()
        levels = {name: logging.getLogger(name).level for name in ("", "odoo")}
        root.addHandler(self.collect)
        for name in levels:
            logging.getLogger(name).setLevel(logging.INFO)

        def restore():
            root.removeHandler(self.collect)
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)

        self.addCleanup(restore)

    def _secrets(self):
        conn = self.connection.sudo()
        return {
            "access token": conn.access_token,
            "refresh token": conn.refresh_token,
            "partner key": conn.api_secret,
        }

    def _assert_clean(self, where, text):
        text = str(text or "")
        for name, secret in self._secrets().items():
            self.assertNotIn(secret, text, f"{name} in {where}")
        self.assertFalse(SIGN.search(text), f"a signature in {where}: {text[:300]}")

    def _raised(self, exception_class, action):
        try:
            action()
        except exception_class as exc:
            return exc
        self.fail(f"{action} raised no {exception_class.__name__}")

    def mp_order_retry(self):
        order = self.env["marketplace.order"].create(
            {"shop_id": self.shopee_shop.id, "name": "201218V2Y6E59M"}
        )
        order.action_retry()

    def test_refused_shopee_call_leaves_no_token_anywhere(self):
        first_message = self.env["mail.message"].search([], order="id desc", limit=1)
        self.shopee_order()
        payload = self.shopee_api.push_payload("201218V2Y6E59M")
        self.assertEqual(
            self.shopee_api.push(self.shopee_push_url(), payload).status_code, 200
        )
        self.process_inbound()
        event = self.env["integration.event"].search(
            [("connection_id", "=", self.connection.id)]
        )
        self.assertEqual(len(event), 1)
        self.assertTrue(event.dead_letter, "one attempt allowed: a dead letter")
        self.assertIn("ConnectionError", event.error, "the error is still explained")
        self._assert_clean("event.error", event.error)

        # The person who presses the buttons. Not assertRaises: it rolls back to a
        # savepoint, and the HTTP log of the calls with it (the log of the event's
        # call went with the handler's savepoint: in production it is committed in
        # its own cursor).
        self._assert_clean(
            "the connection test's UserError",
            self._raised(UserError, self.connection.action_test_connection),
        )
        # Sync orders now runs in the background (issue 9): its failure is the
        # queued event's error, masked like the others.
        self.shopee_shop.action_sync_now()
        self.env.flush_all()
        self.env["integration.event"]._process_pending("outbound")
        sync = self.env["integration.event"].search(
            [
                ("connection_id", "=", self.connection.id),
                ("handler", "=", "_marketplace_sync_orders_event"),
            ]
        )
        self.assertEqual(sync.state, "failed")
        self.assertIn("ConnectionError", sync.error)
        self._assert_clean("the sync event's error", sync.error)
        self._assert_clean(
            "the order retry's UserError",
            self._raised(UserError, self.mp_order_retry),
        )

        logs = self.env["integration.log"].search(
            [("connection_id", "=", self.connection.id)]
        )
        self.assertTrue(logs)
        for log in logs:
            for field in (
                "url",
                "error",
                "request_headers",
                "request_body",
                "response_body",
            ):
                self._assert_clean(f"integration.log.{field}", log[field])
        self.assertIn("sign=***", logs[0].url)

        activities = self.env["mail.activity"].search(
            [
                ("res_model", "in", ("integration.connection", "marketplace.shop")),
                ("res_id", "in", (self.connection.id, self.shopee_shop.id)),
            ]
        )
        self.assertTrue(activities, "the dead letter asks a person to act")
        for activity in activities:
            self._assert_clean("an activity note", activity.note)
            self._assert_clean("an activity summary", activity.summary)
        for message in self.env["mail.message"].search([("id", ">", first_message.id)]):
            self._assert_clean("a mail message", message.body)
            self._assert_clean("a mail message subject", message.subject)

        self.assertTrue(self.collect.texts, "the failures were logged")
        for text in self.collect.texts:
            self._assert_clean("the server log", text)
