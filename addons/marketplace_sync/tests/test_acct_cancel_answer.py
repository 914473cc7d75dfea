# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""*Accept/Reject cancellation* answers the platform exactly once (review D7): the
order row is locked before the call, the answer is recorded in its own committed
transaction, so neither a rollback nor a replay of the request calls Shopee's
``handle_buyer_cancellation`` (which has no idempotency key) a second time.

These tests need committed rows (another transaction cannot see uncommitted ones), so
they work in their own real cursors, as ``test_parallel_workers`` does, and remove
everything they committed at the end.
"""

import copy
import threading

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import tagged

from .acct_common import RealCursorCase
from .common import fixture

SN = "2612ANSWER01"


@tagged("post_install", "-at_install")
class TestCancellationAnsweredOnce(RealCursorCase):
    def setUp(self):
        super().setUp()
        detail = copy.deepcopy(fixture("shopee_order_detail.json"))
        detail.update(order_sn=SN, order_status="IN_CANCEL")
        self.shopee_api.put_order(detail)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["marketplace.shop"].browse(self.ids["shop"])
            # an IN_CANCEL order not confirmed yet: nothing else than the answer
            order = shop._marketplace_fetch_and_import([SN])
            self.assertTrue(order.marketplace_cancel_requested)
            self.ids["order"] = order.id
        self.server.requests.clear()

    def extra_cleanup(self, env):
        with self.shopee_api.lock:
            self.shopee_api.orders.pop(SN, None)
            self.shopee_api.cancellation_answers.clear()

    def _click(self, cr, accept=True):
        env = api.Environment(cr, self.ids["user"], {})
        order = env["marketplace.order"].browse(self.ids["order"])
        if accept:
            return order.action_marketplace_accept_cancellation()
        return order.action_marketplace_reject_cancellation()

    def _calls(self):
        return len(self.server.requests_to("handle_buyer_cancellation"))

    def test_rollback_after_the_platform_accepted_keeps_the_answer(self):
        with self.registry.cursor() as cr:
            self._click(cr)
            # the request fails after the platform accepted (a serialization failure
            # at commit, a killed worker): everything of it is rolled back
            cr.rollback()
        self.assertEqual(self._calls(), 1)
        self.assertEqual(
            self.shopee_api.cancellation_answers,
            [{"order_sn": SN, "operation": "ACCEPT"}],
        )
        # the person clicks again (or Odoo replays the request): no second call
        with self.registry.cursor() as cr:
            self._click(cr)
        self.assertEqual(self._calls(), 1, "the platform is answered once")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = env["marketplace.order"].browse(self.ids["order"])
            self.assertEqual(
                (order.state, order.platform_status), ("cancelled", "CANCELLED")
            )
            self.assertFalse(order.marketplace_cancel_requested)

    def test_second_click_while_the_first_runs_is_refused(self):
        locked, release = threading.Event(), threading.Event()

        def first_click():
            # another request holds the order row, as a click in progress does
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT id FROM marketplace_order WHERE id = %s FOR UPDATE",
                    [self.ids["order"]],
                )
                locked.set()
                release.wait(30)

        thread = threading.Thread(target=first_click)
        thread.start()
        try:
            self.assertTrue(locked.wait(30))
            with (
                self.registry.cursor() as cr,
                self.assertRaisesRegex(UserError, "right now"),
            ):
                self._click(cr)
        finally:
            release.set()
            thread.join(30)
        self.assertEqual(self._calls(), 0, "no call while someone else answers")
