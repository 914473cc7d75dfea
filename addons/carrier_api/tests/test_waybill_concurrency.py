# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One waybill on real transactions: two users at once, a request rolled back after
the carrier answered.

Committed rows in cursors of their own, cleaned up at the end (cursor_common.py).
"""

import re
import threading

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .cursor_common import BiteshipRealCursorCase, Rollback

ORDERS = re.compile(r"/v1/orders$")


@tagged("post_install", "-at_install")
class TestWaybillRealCursors(BiteshipRealCursorCase):
    tag = "parallel"
    user_count = 2

    def _picking(self, env):
        return env["stock.picking"].browse(self.ids["picking"])

    def test_two_users_at_once_make_one_waybill(self):
        # a slow carrier: both clicks overlap while the first call is out
        self.gateway.faults.add(ORDERS, Fault(delay=0.5))
        barrier = threading.Barrier(2, timeout=30)  # a lost thread fails, never hangs
        outcomes = []

        def click(uid):
            try:
                with self.cursor_env(uid) as env:
                    picking = self._picking(env)
                    self.assertTrue(picking.carrier_id)  # read before the race
                    barrier.wait()
                    picking.action_carrier_api_create_waybill()
                outcomes.append("ok")
            except UserError as exc:
                outcomes.append(str(exc))

        self.run_at_once(click, self.ids["users"], "a click never returned")
        self.assertEqual(len(self.gateway_api.shipments), 1, outcomes)
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        busy = [o for o in outcomes if o != "ok"]
        self.assertIn("is being created right now", busy[0])
        with self.cursor_env() as env:
            picking = self._picking(env)
            waybill = next(iter(self.gateway_api.shipments))
            self.assertEqual(picking.carrier_tracking_ref, waybill)
            self.assertEqual(len(picking.carrier_api_waybill_ids), 1)

    def test_rollback_after_the_carrier_answered_keeps_one_waybill(self):
        uid = self.ids["users"][0]
        with self.assertRaises(Rollback):
            with self.cursor_env(uid) as env:
                self._picking(env).action_carrier_api_create_waybill()
                raise Rollback  # e.g. a later error in the same request
        self.assertEqual(len(self.gateway_api.shipments), 1)
        with self.cursor_env(uid) as env:
            picking = self._picking(env)
            self.assertFalse(picking.carrier_tracking_ref)  # the request was undone
            posts = len(self.gateway.requests_to("/v1/orders", "POST"))
            picking.action_carrier_api_create_waybill()
            # restored from the committed ledger, no second order
            self.assertEqual(len(self.gateway.requests_to("/v1/orders", "POST")), posts)
            self.assertEqual(
                picking.carrier_tracking_ref, next(iter(self.gateway_api.shipments))
            )
        self.assertEqual(len(self.gateway_api.shipments), 1)
