# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shopee lost pushes: each page is committed before Shopee is told to forget it."""

import time

from odoo.tests import tagged

from .plumb_common import RealCursorCase, Rollback


@tagged("post_install", "-at_install")
class TestLostPushesRealCursors(RealCursorCase):
    def _lose(self, count):
        now = int(time.time())
        for index in range(count):
            self.shopee_api.lose_push(
                {
                    "data": {
                        "items": [],
                        "ordersn": f"2612LOST{index:04d}",
                        "status": "READY_TO_SHIP",
                        "completed_scenario": "",
                        "update_time": now,
                    },
                    "shop_id": self.shopee_api.shop_id,
                    "code": 3,
                    "timestamp": now,
                }
            )

    def _events(self):
        def read(env):
            events = env["integration.event"].search(
                [
                    (
                        "connection_id",
                        "=",
                        env["marketplace.shop"].browse(self.shopee_id).connection_id.id,
                    ),
                    ("direction", "=", "inbound"),
                ]
            )
            return len(events), len(events.filtered("dead_letter"))

        return self.committed(read)

    def test_confirmed_pages_survive_a_failure_after_them(self):
        """Two pages; the second holds a message that cannot be read, and the run's
        own transaction is lost at the end (a killed worker). Nothing Shopee forgot
        is lost: the readable messages are events, the unreadable one a dead letter
        for a person to see."""
        self._lose(150)
        self.shopee_api.lose_push(
            {"code": 3, "shop_id": self.shopee_api.shop_id, "data": "not an object"}
        )

        def catch_up(env):
            env["marketplace.shop"]._cron_shopee_lost_pushes()
            raise Rollback

        self.work(catch_up)
        self.assertEqual(len(self.server.requests_to("get_lost_push_message")), 2)
        self.assertFalse(self.shopee_api.lost_pushes, "all confirmed at Shopee")
        self.assertEqual(self._events(), (151, 1))
