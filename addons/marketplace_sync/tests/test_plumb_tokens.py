# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Token refresh on real transactions, with the HTTP log in its own cursor.

What production showed: the refresh held the connection row ``FOR UPDATE``, the log
insert of the refresh call (its foreign key needs that row) waited for it forever, the
worker was killed and Shopee's single-use refresh token was spent. And a caller kept
calling with the old token, which its snapshot still showed.
"""

import threading
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .plumb_common import RealCursorCase, Rollback


@tagged("post_install", "-at_install")
class TestTokenRefreshRealCursors(RealCursorCase):
    def _expire_soon(self, shop_id):
        def expire(env):
            env["marketplace.shop"].browse(shop_id).sudo().token_expires_at = (
                fields.Datetime.now() + timedelta(minutes=5)
            )

        self.work(expire)

    def _stored_pair(self, shop_id):
        return self.committed(
            lambda env: (
                env["marketplace.shop"].browse(shop_id).sudo().access_token,
                env["marketplace.shop"].browse(shop_id).sudo().refresh_token,
                env["marketplace.shop"].browse(shop_id).token_expires_at,
            )
        )

    def _refresh_logs(self, shop_id, path):
        return self.committed(
            lambda env: env["integration.log"].search_count(
                [
                    (
                        "connection_id",
                        "=",
                        env["marketplace.shop"].browse(shop_id).connection_id.id,
                    ),
                    ("url", "like", path),
                ]
            )
        )

    def _assert_refreshed(self, api, shop_id, old_access, refresh_path):
        self.assertEqual(api.refresh_calls, 1, "one refresh call at the platform")
        access, refresh, expires = self._stored_pair(shop_id)
        self.assertNotEqual(access, old_access)
        self.assertGreater(api.access_tokens[access], api.now(), "a live token")
        self.assertEqual(api.refresh_tokens[refresh], "valid", "the new pair is kept")
        self.assertGreater(expires, fields.Datetime.now() + timedelta(hours=1))
        # written by the log's own cursor (the production path), committed
        self.assertGreaterEqual(self._refresh_logs(shop_id, refresh_path), 1)

    # ------------------------------------------------------------------ scheduled
    def _scheduled_refresh(self, api, shop_id, refresh_path):
        self._expire_soon(shop_id)
        old_access = self._stored_pair(shop_id)[0]
        self.work(lambda env: env["marketplace.shop"]._cron_refresh_tokens())
        processed = self.work(
            lambda env: env["integration.event"]._process_pending(
                "outbound", commit=True
            )
        )
        self.assertGreaterEqual(processed, 1)
        self._assert_refreshed(api, shop_id, old_access, refresh_path)

        def events(env):
            shops = env["marketplace.shop"].browse([self.shopee_id, self.tiktok_id])
            return (
                env["integration.event"]
                .search(
                    [
                        ("direction", "=", "outbound"),
                        ("handler", "=", "_marketplace_refresh_token_event"),
                        ("connection_id", "in", shops.connection_id.ids),
                    ]
                )
                .mapped(lambda event: (event.res_id, event.state))
            )

        self.assertEqual(self.committed(events), [(shop_id, "done")], "that shop only")

    def test_scheduled_refresh_shopee(self):
        self._scheduled_refresh(
            self.shopee_api, self.shopee_id, "/auth/access_token/get"
        )

    def test_scheduled_refresh_tiktok(self):
        self._scheduled_refresh(self.tiktok_api, self.tiktok_id, "/token/refresh")

    # ------------------------------------------------------------------ refused token
    def _refused_token_mid_call(self, api, shop_id, order, refresh_path):
        api.put_order(order)
        ref = order.get("order_sn") or order.get("id")
        old_access = self._stored_pair(shop_id)[0]
        api.expire_access_tokens()
        found = {}

        def call(env):
            shop = env["marketplace.shop"].browse(shop_id)
            shop.sudo().access_token  # noqa: B018 - the snapshot holds the old token
            found["first"] = shop._marketplace_api("get_orders", [ref])
            # a second call of the same job uses the new token at once
            found["second"] = shop._marketplace_api("get_orders", [ref])
            raise Rollback  # whatever the caller does next fails

        self.work(call)
        self.assertEqual(len(found["first"]), 1, "the call succeeded after a refresh")
        self.assertEqual(len(found["second"]), 1)
        self._assert_refreshed(api, shop_id, old_access, refresh_path)

    def test_shopee_refused_token_during_call(self):
        self._refused_token_mid_call(
            self.shopee_api,
            self.shopee_id,
            {"order_sn": "2612REFUSED", "order_status": "READY_TO_SHIP"},
            "/auth/access_token/get",
        )

    def test_tiktok_refused_token_during_call(self):
        self._refused_token_mid_call(
            self.tiktok_api,
            self.tiktok_id,
            {"id": "576461413000000001", "status": "AWAITING_SHIPMENT"},
            "/token/refresh",
        )

    # ------------------------------------------------------------------ concurrency
    def _concurrent_refreshes(self, api, shop_id, refresh_path):
        used = self._stored_pair(shop_id)[0]
        # the platform answers slowly: both workers are inside the refresh together
        self.server.faults.add(f"/{api.name}/", Fault(delay=0.5))
        barrier = threading.Barrier(2)

        def refresh(env):
            shop = env["marketplace.shop"].browse(shop_id)
            self.assertEqual(shop.sudo().access_token, used)  # snapshot taken
            barrier.wait(timeout=5)
            return shop._marketplace_refresh_token(used_token=used)

        workers = [self.in_worker(refresh) for _i in range(2)]
        tokens = [self.result(worker) for worker in workers]
        self.assertEqual(api.refresh_calls, 1)
        stored = self._stored_pair(shop_id)[0]
        self.assertEqual(tokens, [stored, stored], "both workers use the new token")
        self._assert_refreshed(api, shop_id, used, refresh_path)

    def test_two_concurrent_refreshes_shopee(self):
        self._concurrent_refreshes(
            self.shopee_api, self.shopee_id, "/auth/access_token/get"
        )

    def test_two_concurrent_refreshes_tiktok(self):
        self._concurrent_refreshes(self.tiktok_api, self.tiktok_id, "/token/refresh")
