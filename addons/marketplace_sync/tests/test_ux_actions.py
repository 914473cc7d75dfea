# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Issue 9: the shop's buttons say what happened and what to do, as the sales
roles press them; the dashboard tells a never-connected shop from a working one."""

import json
import socket

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestUxShopActions(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        common = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.salesman = new_test_user(
            cls.env,
            login="ux_salesman",
            groups="sales_team.group_sale_salesman",
            **common,
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="ux_sales_manager",
            groups="sales_team.group_sale_manager",
            **common,
        )

    def _disconnect(self, shop):
        shop.sudo().write({"access_token": False, "refresh_token": False})

    def _refuse_calls(self, shop):
        """A port nobody listens on: every call of the shop is refused."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        shop.sudo().write({"base_url": f"http://127.0.0.1:{port}"})

    def _events(self, shop, handler):
        return self.env["integration.event"].search(
            [("connection_id", "=", shop.connection_id.id), ("handler", "=", handler)]
        )

    # ------------------------------------------------------------------ not connected
    def test_not_connected_shop_says_press_connect(self):
        shop = self.shopee_shop
        self._disconnect(shop)
        expected = "Shop Shopee Toko Test is not connected: press Connect shop."
        order = self.env["marketplace.order"].create(
            {"shop_id": shop.id, "name": "UXNOTCONNECTED"}
        )
        presses = {
            "Sync orders now": shop.with_user(self.salesman).action_sync_now,
            "Push stock": shop.with_user(self.salesman).action_push_stock,
            "Test connection": shop.with_user(
                self.sales_manager
            ).action_test_connection,
            "Retry (order)": order.with_user(self.salesman).action_retry,
            "Check returns": order.with_user(
                self.salesman
            ).action_marketplace_check_returns,
        }
        for name, press in presses.items():
            with self.subTest(button=name), self.assertRaises(UserError) as caught:
                press()
            self.assertEqual(str(caught.exception), expected)
        self.assertFalse(self._events(shop, "_marketplace_sync_orders_event"))

    def test_shop_without_keys_says_who_enters_them(self):
        shop = self.tiktok_shop
        shop.sudo().write({"api_secret": False, "access_token": False})
        with self.assertRaisesRegex(UserError, "has no app key or app secret yet"):
            shop.with_user(self.sales_manager).action_connect()

    # ------------------------------------------------------------------ health
    def test_health_of_never_connected_then_working_shop(self):
        shop = self.shopee_shop
        self._disconnect(shop)
        card = shop.connection_id.with_user(self.salesman)
        card.invalidate_recordset()
        self.assertEqual(card.health_state, "not_connected")

    def test_sync_that_finds_nothing_is_not_working(self):
        """The cron's poll of an empty shop: done, but no real work."""
        shop = self.shopee_shop
        self.env["marketplace.shop"]._cron_sync_orders()
        self.env.flush_all()
        self.env["integration.event"]._process_pending("outbound")
        events = self._events(shop, "_marketplace_sync_orders_event")
        self.assertTrue(events)
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertFalse(any(events.mapped("productive")))
        card = shop.connection_id.with_user(self.salesman)
        card.invalidate_recordset()
        self.assertEqual(card.health_state, "new")
        self.assertFalse(card.last_success_at)

    def test_sync_now_imports_and_says_how_many(self):
        shop = self.shopee_shop
        self.shopee_order(order_sn="UXSYNC0001")
        answer = shop.with_user(self.salesman).action_sync_now()
        params = answer["params"]
        self.assertEqual(params["type"], "success", params["message"])
        self.assertIn(
            "Order sync of Shopee Toko Test is done: 1 order(s) imported",
            params["message"],
        )
        self.assertEqual(params["next"]["tag"], "soft_reload")
        self.assertTrue(self.mp_order(shop, "UXSYNC0001"))
        # no event left waiting: every slice ran while the person waited
        events = self._events(shop, "_marketplace_sync_orders_event")
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertTrue(any(events.mapped("productive")))
        card = shop.connection_id.with_user(self.salesman)
        card.invalidate_recordset()
        self.assertEqual(card.health_state, "ok")

    def test_background_sync_notifies_who_asked(self):
        shop = self.shopee_shop
        self.shopee_order(order_sn="UXSYNC0002")
        self.last_bus = (
            self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id
        )
        shop._marketplace_queue_sync(notify_uid=self.salesman.id)
        self.env.flush_all()
        while self._events(shop, "_marketplace_sync_orders_event").filtered(
            lambda e: e.state == "received"
        ):
            self.env["integration.event"]._process_pending("outbound")
            self.env.flush_all()
        self.assertIn(
            "Order sync of Shopee Toko Test is done: 1 order(s) imported",
            shop.message_ids[:1].body,
        )
        # the bus writes its rows when the transaction flushes (precommit)
        self.env.cr.flush()
        sent = [
            json.loads(bus.message)
            for bus in self.env["bus.bus"].sudo().search([("id", ">", self.last_bus)])
        ]
        notes = [m for m in sent if m["type"] == "simple_notification"]
        self.assertEqual(len(notes), 1)
        self.assertIn("1 order(s) imported", notes[0]["payload"]["message"])

    def test_sync_now_on_a_failing_gateway_says_it_failed(self):
        shop = self.shopee_shop
        self._refuse_calls(shop)
        answer = shop.with_user(self.salesman).action_sync_now()
        params = answer["params"]
        self.assertEqual(params["type"], "danger")
        self.assertIn("Order sync of Shopee Toko Test failed", params["message"])
        self.assertIn("retried in the background", params["message"])
        self.assertNotIn(shop.sudo().access_token, params["message"])

    def test_order_retry_on_a_failing_gateway_is_a_user_error(self):
        shop = self.shopee_shop
        self._refuse_calls(shop)
        order = self.env["marketplace.order"].create(
            {"shop_id": shop.id, "name": "UXDOWN0001"}
        )
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).action_retry()
        text = str(caught.exception)
        self.assertIn("could not be reached while reading order UXDOWN0001", text)
        self.assertNotIn(shop.sudo().access_token, text)
        self.assertNotIn(shop.sudo().api_secret, text)

    # ------------------------------------------------------------------ stock
    def test_push_stock_says_how_many_skus_it_queued(self):
        shop = self.shopee_shop
        with self.assertRaisesRegex(UserError, "Stock push is off for shop Shopee"):
            shop.with_user(self.salesman).action_push_stock()
        shop.stock_push_enabled = True
        answer = shop.with_user(self.salesman).action_push_stock()
        # the class maps two Shopee SKUs (KAOS-HIT-L and the Topi)
        self.assertIn("2 SKUs queued for Shopee Toko Test", answer["params"]["message"])
        events = self._events(shop, "_marketplace_push_stock_event")
        self.assertEqual(len(events), 1)
        self.assertEqual(events.state, "received")
        self.assertTrue(events._get_payload()["full"])

    def test_push_stock_without_mappings_says_where_to_map(self):
        shop = self.shopee_shop
        shop.stock_push_enabled = True
        shop.product_map_ids.active = False
        with self.assertRaisesRegex(UserError, "No product of shop Shopee Toko Test"):
            shop.with_user(self.salesman).action_push_stock()

    # ------------------------------------------------------------------ settings
    def test_shop_shows_its_webhook_url(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://erp.example.co.id"
        )
        shop = self.tiktok_shop.with_user(self.salesman)
        shop.invalidate_recordset()
        self.assertEqual(
            shop.webhook_url, "https://erp.example.co.id/marketplace/tiktok/webhook"
        )
        self.assertFalse(shop.webhook_url_warning)

    def test_settings_checklist_counts_connected_shops(self):
        admin = new_test_user(
            self.env,
            login="ux_mp_settings_admin",
            groups="base.group_system",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        self._disconnect(self.tiktok_shop)
        settings = self.env["res.config.settings"].with_user(admin).create({})
        html = str(settings.marketplace_checklist)
        # the class has two shops; the TikTok one lost its token
        self.assertIn("Shops connected (1 of 2)", html)
        self.assertIn("press Connect shop on each shop", html)
        # both shops map products to Odoo products
        self.assertIn('text-success me-1" role="img"/>Products mapped', html)
