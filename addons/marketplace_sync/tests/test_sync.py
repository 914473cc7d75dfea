# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reconciliation in windows with saved progress; token refresh under a lock."""

import threading
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.base_integration.api import exceptions
from odoo.addons.base_integration.tests.gateway_servers import Fault

from ..api.common import AuthenticationError, TokenExpiredError
from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestSync(MarketplaceCase):
    def _spread_shopee_orders(self, count=30, hours=2):
        now = int(time.time())
        names = []
        for index in range(count):
            name = f"2611{index:04d}SYNC"
            self.shopee_order(
                order_sn=name,
                update_time=now - 60 - index * hours * 3600,
                create_time=now - 120 - index * hours * 3600,
            )
            names.append(name)
        return names

    def _process_outbound(self):
        self.env.flush_all()
        return self.env["integration.event"]._process_pending("outbound")

    def _imported(self, shop):
        return set(
            self.env["marketplace.order"]
            .search([("shop_id", "=", shop.id), ("state", "=", "imported")])
            .mapped("name")
        )

    def test_shopee_reconciliation_pages_and_slices(self):
        names = self._spread_shopee_orders()
        shop = self.shopee_shop.with_context(marketplace_page_size=7)
        shop.write(
            {"sync_cursor": False, "sync_initial_days": 3, "sync_window_hours": 24}
        )
        until = fields.Datetime.now()
        shop._marketplace_sync_orders(until=until)
        self.assertEqual(self._imported(shop), set(names))
        self.assertEqual(shop.sync_cursor, until)
        calls = self.server.requests_to("get_order_list")
        self.assertGreater(len(calls), 4)  # at least 4 slices (3 days + overlap), paged
        self.assertTrue(any(r.arg("cursor") for r in calls))
        for request in calls:
            span = int(request.arg("time_to")) - int(request.arg("time_from"))
            self.assertLessEqual(span, 24 * 3600)
        # a second run re-reads only the overlap and changes nothing
        sales = self.env["sale.order"].search_count([])
        shop._marketplace_sync_orders()
        self.assertEqual(self.env["sale.order"].search_count([]), sales)

    def test_killed_run_resumes_without_gap(self):
        names = self._spread_shopee_orders()
        shop = self.shopee_shop
        shop.write(
            {"sync_cursor": False, "sync_initial_days": 3, "sync_window_hours": 24}
        )
        original = type(shop)._marketplace_sync_slice
        calls = []

        def dying_slice(record, time_from, time_to):
            calls.append((time_from, time_to))
            if len(calls) == 2:
                # imports part of the slice, then the worker is killed
                original(
                    record.with_context(marketplace_page_size=1),
                    time_from,
                    time_from + 3600,
                )
                raise KeyboardInterrupt("worker killed")
            return original(record, time_from, time_to)

        # not self.assertRaises: Odoo's rolls back to a savepoint, hiding the progress
        killed = False
        with patch.object(type(shop), "_marketplace_sync_slice", dying_slice):
            try:
                shop._marketplace_sync_orders()
            except KeyboardInterrupt:
                killed = True
        self.assertTrue(killed)
        first_end = fields.Datetime.to_datetime(
            time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(calls[0][1]))
        )
        self.assertEqual(shop.sync_cursor, first_end)
        partial = self._imported(shop)
        self.assertTrue(partial)
        self.assertLess(len(partial), len(names))
        shop._marketplace_sync_orders()
        self.assertEqual(self._imported(shop), set(names))

    def test_token_expiring_mid_sync_refreshes_once(self):
        names = self._spread_shopee_orders(count=12)
        shop = self.shopee_shop.with_context(marketplace_page_size=5)
        shop.write(
            {"sync_cursor": False, "sync_initial_days": 1, "sync_window_hours": 24}
        )
        old_token = shop.sudo().access_token
        self.shopee_api.expire_tokens_after = 2
        shop._marketplace_sync_orders()
        self.assertEqual(self.shopee_api.refresh_calls, 1)
        self.assertNotEqual(shop.sudo().access_token, old_token)
        self.assertEqual(self._imported(shop), set(names[:12]) & self._imported(shop))
        self.assertEqual(len(self._imported(shop)), 12)
        # the single-use refresh token was rotated and stored
        self.assertEqual(
            self.shopee_api.refresh_tokens.get(shop.sudo().refresh_token), "valid"
        )

    def test_concurrent_refreshes_make_one_call(self):
        shop = self.shopee_shop
        used = shop.sudo().access_token
        errors = []
        self.env.flush_all()  # the threads' cursors read the database
        barrier = threading.Barrier(2)

        def refresh():
            try:
                barrier.wait(timeout=5)
                with self.env.registry.cursor() as cr:
                    env = self.env(cr=cr)
                    env["marketplace.shop"].browse(shop.id)._marketplace_refresh_token(
                        used_token=used
                    )
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=refresh) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertFalse(errors)
        self.assertEqual(self.shopee_api.refresh_calls, 1)
        self.env.invalidate_all()
        self.assertNotEqual(shop.sudo().access_token, used)

    def test_refresh_before_expiry_and_refused_refresh_asks_reconnect(self):
        shop = self._create_shopee_shop(name="Second shop", shop_ref="54805")
        shop.sudo().token_expires_at = fields.Datetime.now() + timedelta(minutes=5)
        # the shop_ref differs from the server's shop: only the refresh (public API)
        # works
        shop._marketplace_ensure_token()
        self.assertEqual(self.shopee_api.refresh_calls, 1)
        self.assertGreater(
            shop.sudo().token_expires_at, fields.Datetime.now() + timedelta(hours=3)
        )
        shop.sudo().refresh_token = "ref-already-used"
        refused = False
        try:
            shop._marketplace_refresh_token()
        except AuthenticationError:
            refused = True
        self.assertTrue(refused)
        self.assertTrue(
            shop.activity_ids.filtered(
                lambda a: a.summary == "Reconnect the marketplace shop"
            )
        )

    def test_tiktok_reconciliation(self):
        now = int(time.time())
        names = []
        for index in range(9):
            name = f"57646141303878{index:04d}"
            self.tiktok_order(order_id=name, update_time=now - 100 - index * 3000)
            names.append(name)
        shop = self.tiktok_shop.with_context(marketplace_page_size=4)
        shop.write(
            {"sync_cursor": False, "sync_initial_days": 1, "sync_window_hours": 6}
        )
        shop._marketplace_sync_orders()
        self.assertEqual(self._imported(shop), set(names))
        self.assertTrue(
            any(r.arg("page_token") for r in self.server.requests_to("orders/search"))
        )

    def test_tiktok_expired_token_refreshed(self):
        self.tiktok_order()
        self.tiktok_api.expire_access_tokens()
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        self.assertEqual(self.tiktok_api.refresh_calls, 1)
        self.assertEqual(
            self.mp_order(self.tiktok_shop, "576461413038785752").state, "imported"
        )

    def test_crons_run_for_every_shop(self):
        self.shopee_order()
        # A minute ago: an order updated in the very second the run starts falls
        # outside ``update_time_lt`` and is only read by the next run's overlap.
        self.tiktok_order(update_time=int(time.time()) - 60)
        (self.shopee_shop | self.tiktok_shop).write(
            {"sync_cursor": False, "sync_initial_days": 1}
        )
        self.shopee_shop.sudo().token_expires_at = fields.Datetime.now() + timedelta(
            minutes=1
        )
        self.shopee_shop.auth_expires_at = fields.Datetime.now() + timedelta(days=3)
        # the crons queue one outbound event per shop; the queue does the work
        self.env["marketplace.shop"]._cron_refresh_tokens()
        # only the shop whose token expires soon has work
        self.assertEqual(self._process_outbound(), 1)
        self.assertEqual(self.shopee_api.refresh_calls, 1)
        self.assertEqual(self.tiktok_api.refresh_calls, 0)
        self.assertTrue(self.shopee_shop.activity_ids)  # authorization ends in 3 days
        self.env["marketplace.shop"]._cron_sync_orders()
        self._process_outbound()
        self.assertEqual(
            self.mp_order(self.shopee_shop, "201218V2Y6E59M").state, "imported"
        )
        self.assertEqual(
            self.mp_order(self.tiktok_shop, "576461413038785752").state, "imported"
        )

    def test_one_shops_database_error_does_not_stop_the_next(self):
        """The crons queue one event per shop: a PostgreSQL error in one shop's work
        rolls back its savepoint only (it was caught without one, leaving the
        transaction aborted for every later shop)."""
        self.shopee_order()
        self.tiktok_order(update_time=int(time.time()) - 60)
        (self.shopee_shop | self.tiktok_shop).write(
            {"sync_cursor": False, "sync_initial_days": 1}
        )
        Shop = type(self.shopee_shop)
        original = Shop._marketplace_sync_slice

        def broken_for_shopee(record, time_from, time_to):
            if record.provider == "shopee":
                record.env.cr.execute("SELECT 1 / 0")  # aborts the transaction
            return original(record, time_from, time_to)

        with patch.object(Shop, "_marketplace_sync_slice", broken_for_shopee):
            self.env["marketplace.shop"]._cron_sync_orders()
            self._process_outbound()
        self.assertEqual(
            self.mp_order(self.tiktok_shop, "576461413038785752").state, "imported"
        )
        failed = self.env["integration.event"].search(
            [
                ("connection_id", "=", self.shopee_shop.connection_id.id),
                ("handler", "=", "_marketplace_sync_orders_event"),
            ]
        )
        self.assertEqual(failed.state, "failed")
        self.assertIn("division by zero", failed.error)
        self.assertFalse(failed.dead_letter, "retried later")

    def test_one_client_and_session_per_job(self):
        """Pages and slices of one reconciliation share one client and one HTTP
        session (it was one per call)."""
        self._spread_shopee_orders(count=12)
        shop = self.shopee_shop.with_context(marketplace_page_size=5)
        shop.write(
            {"sync_cursor": False, "sync_initial_days": 1, "sync_window_hours": 12}
        )
        Connection = type(self.env["integration.connection"])
        with patch.object(
            Connection,
            "_get_http_session",
            autospec=True,
            side_effect=Connection._get_http_session,
        ) as sessions:
            shop._marketplace_sync_orders()
        self.assertGreater(len(self.server.requests_to("get_order_list")), 3)
        self.assertEqual(sessions.call_count, 1)

    def test_token_still_refused_after_a_refresh_is_retryable(self):
        """The platform refuses the new token too: the error is the suite's
        retryable ``TokenExpiredError``, so the queue retries the event instead of
        making it a dead letter."""
        self.tiktok_order()
        expired = {"code": 105002, "message": "Access token is expired"}
        self.server.faults.add(
            "/tiktok/order/202309/orders", Fault(status=401, body=expired), times=2
        )
        with self.assertRaises(TokenExpiredError) as caught:
            self.tiktok_shop._marketplace_api("get_orders", ["576461413038785752"])
        self.assertIsInstance(caught.exception, exceptions.TokenExpiredError)
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(self.tiktok_api.refresh_calls, 1)

    def test_platforms_share_one_client_interface(self):
        """``marketplace.shop`` calls the same operation on either platform."""
        operations = (
            "refresh_token",
            "get_token",
            "authorization_url",
            "get_authorized_shop",
            "get_shop_info",
            "list_orders",
            "get_orders",
            "order_ref",
            "update_stock",
            "ship",
            "get_label",
            "list_returns",
        )
        for shop in (self.shopee_shop, self.tiktok_shop):
            client = shop._marketplace_client()
            for name in operations:
                self.assertTrue(callable(getattr(client, name, None)), name)
        page = self.tiktok_shop._marketplace_api(
            "list_orders", int(time.time()) - 3600, int(time.time())
        )
        self.assertEqual(set(page), {"orders", "next_cursor"})
        page = self.shopee_shop._marketplace_api(
            "list_orders", int(time.time()) - 3600, int(time.time())
        )
        self.assertEqual(set(page), {"orders", "next_cursor"})

    def test_refused_refresh_asks_to_reconnect_without_dead_letters(self):
        shop = self.shopee_shop
        shop.sudo().write(
            {
                "refresh_token": "ref-already-used",
                "token_expires_at": fields.Datetime.now() + timedelta(minutes=1),
            }
        )
        self.env["marketplace.shop"]._cron_refresh_tokens()
        self._process_outbound()
        event = self.env["integration.event"].search(
            [
                ("connection_id", "=", shop.connection_id.id),
                ("handler", "=", "_marketplace_refresh_token_event"),
            ]
        )
        self.assertEqual((event.state, event.dead_letter), ("done", False))
        self.assertTrue(
            shop.activity_ids.filtered(
                lambda a: a.summary == "Reconnect the marketplace shop"
            )
        )

    def test_expired_token_never_dead_letters_an_event(self):
        """An order push processed while the platform refuses even the refreshed
        token waits for its retry, and is imported then."""
        self.tiktok_order()
        payload = self.tiktok_api.webhook_payload("576461413038785752")
        self.assertEqual(
            self.tiktok_api.push(self.tiktok_webhook_url(), payload).status_code, 200
        )
        expired = {"code": 105002, "message": "Access token is expired"}
        self.server.faults.add(
            "/tiktok/order/202309/orders", Fault(status=401, body=expired), times=2
        )
        self.process_inbound()
        event = self.env["integration.event"].search(
            [("connection_id", "=", self.tiktok_shop.connection_id.id)]
        )
        self.assertEqual((event.state, event.dead_letter), ("failed", False))
        self.assertIn("TokenExpiredError", event.error)
        event.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.process_inbound()
        self.assertEqual(event.state, "done", event.error)
        self.assertEqual(
            self.mp_order(self.tiktok_shop, "576461413038785752").state, "imported"
        )
