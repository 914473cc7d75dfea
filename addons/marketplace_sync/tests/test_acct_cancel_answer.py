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
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.base_integration.tests.common import IntegrationTestMixin

from gateway_servers.shopee import ShopeeApi

from .common import fixture

SN = "2612ANSWER01"


@tagged("post_install", "-at_install")
class TestCancellationAnsweredOnce(IntegrationTestMixin, BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopee_api = ShopeeApi()
        cls.server = cls._start_gateway_server(cls.shopee_api)
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        detail = copy.deepcopy(fixture("shopee_order_detail.json"))
        detail.update(order_sn=SN, order_status="IN_CANCEL")
        self.shopee_api.put_order(detail)
        access, refresh, lifetime = self.shopee_api.issue_tokens()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            partner = env["res.partner"].create({"name": "Shopee (answer test)"})
            shop = env["marketplace.shop"].create(
                {
                    "name": "Shopee answer test",
                    "provider": "shopee",
                    "company_id": company.id,
                    "shop_ref": str(self.shopee_api.shop_id),
                    "api_key": str(self.shopee_api.partner_id),
                    "api_secret": self.shopee_api.partner_key,
                    "base_url": self.server.url + "/shopee",
                    "access_token": access,
                    "refresh_token": refresh,
                    "token_expires_at": fields.Datetime.now()
                    + timedelta(seconds=lifetime),
                    "partner_id": partner.id,
                    "tax_id": env["account.tax"]
                    .search(
                        [
                            ("company_id", "=", company.id),
                            ("type_tax_use", "=", "sale"),
                        ],
                        limit=1,
                    )
                    .id,
                    "receivable_account_id": env["account.account"]
                    .search(
                        [
                            ("company_ids", "in", company.id),
                            ("reconcile", "=", True),
                            ("account_type", "=", "asset_current"),
                        ],
                        limit=1,
                    )
                    .id,
                }
            )
            # an IN_CANCEL order not confirmed yet: nothing else than the answer
            order = shop._marketplace_fetch_and_import([SN])
            self.assertTrue(order.marketplace_cancel_requested)
            salesman = new_test_user(
                env,
                login="mkacct_answer_salesman",
                groups="sales_team.group_sale_salesman",
            )
            self.ids = {
                "shop": shop.id,
                "connection": shop.connection_id.id,
                "partner": partner.id,
                "order": order.id,
                "user": salesman.id,
                "user_partner": salesman.partner_id.id,
            }
        self.addCleanup(self._cleanup)
        self.server.requests.clear()

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["marketplace.order"].browse(self.ids["order"]).unlink()
            env["marketplace.shop"].browse(self.ids["shop"]).unlink()
            env["integration.connection"].browse(
                self.ids["connection"]
            ).exists().unlink()
            env["res.users"].browse(self.ids["user"]).unlink()
            env["res.partner"].browse(
                [self.ids["partner"], self.ids["user_partner"]]
            ).unlink()
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
