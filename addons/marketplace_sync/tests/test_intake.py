# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook intake → fetched order → sale order, lifecycle, parking, idempotency."""

import json
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import requests

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestIntake(MarketplaceCase):
    def _push_shopee(self, order_sn="201218V2Y6E59M", **kw):
        payload = self.shopee_api.push_payload(order_sn, **kw)
        return self.shopee_api.push(self.shopee_push_url(), payload)

    def test_shopee_push_creates_confirmed_order(self):
        order = self.shopee_order()
        response = self._push_shopee()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")  # Shopee wants an empty 2xx body
        self.assertEqual(self.process_inbound(), 1)
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(mp.state, "imported", mp.error_message)
        sale = mp.sale_order_id
        self.assertEqual(sale.client_order_ref, "201218V2Y6E59M")
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.amount_total, 212000.0)
        self.assertEqual(sale.partner_invoice_id, self.shopee_shop.partner_id)
        self.assertEqual(sale.partner_shipping_id.name, "B****i")
        self.assertEqual(sale.picking_ids.move_ids.product_id, self.kaos | self.topi)
        self.assertEqual(
            int(sale.date_order.timestamp()) // 60, order["create_time"] // 60
        )
        self.assertEqual(sale.marketplace_status, "READY_TO_SHIP")
        self.assertEqual(sale.amount_tax, round(212000 - 212000 / 1.11, 2))

    def test_forged_and_unsigned_pushes_store_nothing(self):
        self.shopee_order()
        payload = self.shopee_api.push_payload("201218V2Y6E59M")
        unsigned = self.shopee_api.push(self.shopee_push_url(), payload, sign=False)
        self.assertEqual(unsigned.status_code, 401)
        forged = self.shopee_api.push(self.shopee_push_url(), payload, key="wrong-key")
        self.assertEqual(forged.status_code, 403)
        # a signature over another URL does not cover this one
        other = self.shopee_api.push(
            self.shopee_push_url(), payload, signature="0" * 64
        )
        self.assertEqual(other.status_code, 403)
        self.tiktok_order()
        tt = self.tiktok_api.webhook_payload("576461413038785752")
        self.assertEqual(
            self.tiktok_api.push(self.tiktok_webhook_url(), tt, sign=False).status_code,
            401,
        )
        self.assertEqual(
            self.tiktok_api.push(
                self.tiktok_webhook_url(), tt, signature="ab" * 32
            ).status_code,
            403,
        )
        events = self.env["integration.event"].search(
            [
                (
                    "connection_id",
                    "in",
                    (self.shopee_shop | self.tiktok_shop).connection_id.ids,
                )
            ]
        )
        self.assertFalse(events)
        self.assertFalse(self.env["marketplace.order"].search([]))

    def test_same_push_twenty_times_also_concurrently(self):
        self.shopee_order()
        payload = self.shopee_api.push_payload("201218V2Y6E59M")
        for _i in range(10):
            self.assertEqual(
                self.shopee_api.push(self.shopee_push_url(), payload).status_code, 200
            )
        with ThreadPoolExecutor(max_workers=5) as pool:
            statuses = list(
                pool.map(
                    lambda _i: (
                        self.shopee_api.push(
                            self.shopee_push_url(), payload
                        ).status_code
                    ),
                    range(10),
                )
            )
        self.assertEqual(statuses, [200] * 10)
        self.process_inbound()
        self.process_inbound()
        self.assertEqual(len(self.mp_order(self.shopee_shop, "201218V2Y6E59M")), 1)
        self.assertEqual(
            len(
                self.env["sale.order"].search(
                    [("client_order_ref", "=", "201218V2Y6E59M")]
                )
            ),
            1,
        )
        # a second webhook for the same state, even with a new notification, is a no-op
        self.tiktok_order()
        for _i in range(3):
            self.tiktok_api.push(
                self.tiktok_webhook_url(),
                self.tiktok_api.webhook_payload("576461413038785752"),
            )
        self.process_inbound()
        self.assertEqual(
            len(
                self.env["sale.order"].search(
                    [("client_order_ref", "=", "576461413038785752")]
                )
            ),
            1,
        )

    def test_events_out_of_order_keep_latest_state(self):
        order = self.shopee_order(status="READY_TO_SHIP")
        first_time = order["update_time"]
        early = self.shopee_api.push_payload("201218V2Y6E59M", update_time=first_time)
        self.shopee_api.set_status(
            "201218V2Y6E59M", "SHIPPED", update_time=first_time + 60
        )
        late = self.shopee_api.push_payload("201218V2Y6E59M")
        # the later event arrives first
        self.shopee_api.push(self.shopee_push_url(), late)
        self.process_inbound()
        self.shopee_api.push(self.shopee_push_url(), early)
        self.process_inbound()
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(mp.platform_status, "SHIPPED")
        self.assertEqual(mp.platform_update_time, first_time + 60)
        old_event = self.env["integration.event"].search(
            [("connection_id", "=", self.shopee_shop.connection_id.id)],
            order="id desc",
            limit=1,
        )
        self.assertEqual(old_event.state, "ignored")
        # a stale payload fed directly (e.g. from an old reconciliation page) changes
        # nothing
        stale = dict(
            self.shopee_api.orders["201218V2Y6E59M"],
            order_status="READY_TO_SHIP",
            update_time=first_time,
        )
        self.env["marketplace.order"]._marketplace_import(self.shopee_shop, stale)
        self.assertEqual(mp.platform_status, "SHIPPED")

    def test_tiktok_tokopedia_order(self):
        self.tiktok_order()
        response = self.tiktok_api.push(
            self.tiktok_webhook_url(),
            self.tiktok_api.webhook_payload("576461413038785752"),
        )
        self.assertEqual(response.status_code, 200)
        self.process_inbound()
        mp = self.mp_order(self.tiktok_shop, "576461413038785752")
        self.assertEqual(mp.state, "imported", mp.error_message)
        self.assertEqual(mp.commerce_platform, "TOKOPEDIA")
        sale = mp.sale_order_id
        self.assertEqual(sale.state, "sale")
        # 144000 paid by the buyer + 5000 platform-funded discount
        self.assertEqual(sale.amount_total, 149000.0)
        # the seller's 5 000 a unit sits on the kopi line (no lump discount line)
        kopi = sale.order_line.filtered(lambda line: line.product_id == self.kopi)
        self.assertEqual((kopi.product_uom_qty, kopi.price_unit), (2, 45000))
        self.assertFalse(
            sale.order_line.filtered(
                lambda line: line.product_id == self.tiktok_shop.discount_product_id
            )
        )

    def test_unpaid_waits_then_confirms(self):
        self.tiktok_order(status="ON_HOLD")
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        mp = self.mp_order(self.tiktok_shop, "576461413038785752")
        self.assertEqual((mp.state, mp.lifecycle), ("new", "pending"))
        self.assertFalse(mp.sale_order_id)
        self.tiktok_api.set_status("576461413038785752", "AWAITING_SHIPMENT")
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        self.assertEqual(mp.sale_order_id.state, "sale")

    def test_unknown_sku_parks_then_retry_imports(self):
        order = self.shopee_order()
        order["item_list"][1]["item_id"] = 9999
        order["item_list"][1]["item_sku"] = "NEW-SKU"
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(mp.state, "attention")
        self.assertIn("Unknown SKU NEW-SKU (item 9999", mp.error_message)
        self.assertFalse(mp.sale_order_id)
        self.assertFalse(
            self.env["sale.order"].search([("client_order_ref", "=", mp.name)])
        )
        self.assertTrue(mp.activity_ids)
        # find-unmapped creates a to-do mapping; fill it and retry
        self.shopee_shop.action_find_unmapped()
        todo = self.env["marketplace.product.map"].search(
            [("shop_id", "=", self.shopee_shop.id), ("item_id", "=", "9999")]
        )
        self.assertEqual(len(todo), 1)
        self.assertFalse(todo.line_ids)
        todo.product_id = self.topi
        mp.action_retry()
        self.assertEqual(mp.state, "imported", mp.error_message)
        self.assertEqual(mp.sale_order_id.amount_total, 212000.0)
        self.assertFalse(mp.activity_ids)

    def test_totals_mismatch_parks(self):
        self.shopee_order(total_amount=200000)
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(mp.state, "attention")
        self.assertIn("Totals differ: the platform says 200000.0", mp.error_message)
        self.assertFalse(
            self.env["sale.order"].search([("client_order_ref", "=", mp.name)])
        )

    def test_malformed_payload_parks_nothing_half_created(self):
        order = self.shopee_order()
        del order["total_amount"]
        order["item_list"][0]["model_quantity_purchased"] = "two"
        partners = self.env["res.partner"].search_count([])
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(mp.state, "attention")
        self.assertIn("cannot be read", mp.error_message)
        self.assertIn("total_amount", mp.error_message)
        self.assertIn("model_quantity_purchased", mp.error_message)
        self.assertFalse(mp.sale_order_id)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_malformed_push_body(self):
        body = b'{"code": 3, "shop_id": 54804, "data": {}}'
        import hashlib
        import hmac

        sig = hmac.new(
            self.shopee_api.push_key.encode(),
            self.shopee_push_url().encode() + b"|" + body,
            hashlib.sha256,
        ).hexdigest()
        response = requests.post(
            self.shopee_push_url(),
            data=body,
            timeout=10,
            headers={"Authorization": sig},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["marketplace.order"].search([]))

    def test_unknown_status_parks(self):
        self.shopee_order(status="SOMETHING_NEW")
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(mp.state, "attention")
        self.assertIn("Unknown platform status SOMETHING_NEW", mp.error_message)

    def test_cancel_before_shipment_cancels_order_and_delivery(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        picking = mp.sale_order_id.picking_ids
        self.assertEqual(len(picking), 1)
        self.shopee_api.set_status("201218V2Y6E59M", "IN_CANCEL")
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        self.assertEqual((mp.lifecycle, mp.sale_order_id.state), ("cancelling", "sale"))
        self.shopee_api.set_status("201218V2Y6E59M", "CANCELLED")
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        self.assertEqual(mp.state, "cancelled")
        self.assertEqual(mp.sale_order_id.state, "cancel")
        self.assertEqual(picking.state, "cancel")

    def test_429_and_500_retried_without_duplicate(self):
        self.shopee_order()
        self.server.faults.add(
            "/shopee/api/v2/order/get_order_detail",
            Fault(status=429, headers={"Retry-After": "0"}),
        )
        self.server.faults.add(
            "/shopee/api/v2/order/get_order_detail", Fault(status=500)
        )
        self._push_shopee()
        self.process_inbound()
        self.assertEqual(len(self.server.requests_to("get_order_detail")), 3)
        event = self.env["integration.event"].search(
            [("connection_id", "=", self.shopee_shop.connection_id.id)]
        )
        self.assertEqual(event.state, "done", event.error)
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(mp.state, "imported")
        self.assertEqual(
            len(
                self.env["sale.order"].search(
                    [("client_order_ref", "=", "201218V2Y6E59M")]
                )
            ),
            1,
        )

    def test_platform_down_event_retried_later(self):
        self.shopee_order()
        self.server.faults.add(
            "/shopee/api/v2/order/get_order_detail", Fault(status=503), times=10
        )
        self._push_shopee()
        self.process_inbound()
        event = self.env["integration.event"].search(
            [("connection_id", "=", self.shopee_shop.connection_id.id)]
        )
        self.assertEqual(event.state, "failed")
        self.assertTrue(event.next_attempt_at)
        self.assertFalse(event.dead_letter)
        self.assertFalse(
            self.mp_order(self.shopee_shop, "201218V2Y6E59M").sale_order_id
        )
        self.server.faults.clear()
        event.action_retry()
        self.process_inbound()
        self.assertEqual(event.state, "done", event.error)
        self.assertEqual(
            self.mp_order(self.shopee_shop, "201218V2Y6E59M").state, "imported"
        )

    def test_payload_kept_as_json(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(json.loads(mp.payload)["order_sn"], "201218V2Y6E59M")

    def test_bundle_maps_to_several_products_to_the_rupiah(self):
        bundle = self.env["marketplace.product.map"].search(
            [("shop_id", "=", self.shopee_shop.id), ("item_id", "=", "1002")]
        )
        bundle.line_ids = [
            (5, 0, 0),
            (0, 0, {"product_id": self.kopi.id, "quantity": 2}),
            (0, 0, {"product_id": self.gula.id, "quantity": 1}),
        ]
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        sale = self.mp_order(self.shopee_shop, "201218V2Y6E59M").sale_order_id
        self.assertEqual(sale.amount_total, 212000.0)
        kopi = sale.order_line.filtered(lambda line: line.product_id == self.kopi)
        gula = sale.order_line.filtered(lambda line: line.product_id == self.gula)
        self.assertEqual(kopi.product_uom_qty, 2)
        self.assertEqual(
            kopi.price_subtotal + kopi.price_tax + gula.price_total, 100000
        )
        self.assertNotIn(self.topi, sale.order_line.product_id)

    def test_authorization_expiry_push_asks_reconnect(self):
        payload = {
            "code": 12,
            "shop_id": self.shopee_api.shop_id,
            "timestamp": 1700000000,
            "data": {"expire_time": 1700600000},
        }
        self.assertEqual(
            self.shopee_api.push(self.shopee_push_url(), payload).status_code, 200
        )
        tt = {
            "type": 7,
            "tts_notification_id": "7700",
            "shop_id": self.tiktok_api.shop_id,
            "timestamp": 1700000000,
            "data": {"expiration_time": 1702592000},
        }
        self.assertEqual(
            self.tiktok_api.push(self.tiktok_webhook_url(), tt).status_code, 200
        )
        self.process_inbound()
        for shop in (self.shopee_shop, self.tiktok_shop):
            self.assertTrue(
                shop.activity_ids.filtered(
                    lambda a: a.summary == "Reconnect the marketplace shop"
                ),
                shop.name,
            )

    def test_customer_per_buyer(self):
        self.shopee_shop.partner_mode = "buyer"
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        sale = self.mp_order(self.shopee_shop, "201218V2Y6E59M").sale_order_id
        self.assertEqual(sale.partner_id.ref, "shopee:258220")
        self.assertEqual(sale.partner_invoice_id, sale.partner_id)
        self.assertEqual(sale.partner_shipping_id.parent_id, sale.partner_id)

    def test_shopee_vouchers_from_escrow(self):
        self.shopee_order(total_amount=197000)
        self.shopee_api.escrows["201218V2Y6E59M"] = {
            "order_sn": "201218V2Y6E59M",
            "order_income": {
                "voucher_from_seller": 10000,
                "voucher_from_shopee": 5000,
                "coins": 0,
                "buyer_paid_shipping_fee": 12000,
            },
        }
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        self.assertEqual(mp.state, "imported", mp.error_message)
        # 197000 paid by the buyer + 5000 Shopee voucher paid to the seller
        self.assertEqual(mp.sale_order_id.amount_total, 202000.0)
        self.assertEqual(mp.platform_discount, 5000.0)
        # item discounts (20 000) and the seller voucher (10 000, spread on the
        # lines' value) lower the product lines, no lump discount line
        sale = mp.sale_order_id
        self.assertFalse(
            sale.order_line.filtered(
                lambda line: line.product_id == self.shopee_shop.discount_product_id
            )
        )
        products = sale.order_line.filtered(
            lambda line: line.product_id in (self.kaos | self.topi)
        )
        self.assertEqual(sum(products.mapped("price_total")), 220000 - 30000)

    def test_salesperson_retries_parked_order(self):
        salesman = self.env["res.users"].create(
            {
                "name": "Sales Person",
                "login": "mp_salesman",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        order = self.shopee_order()
        order["item_list"][1]["item_id"] = 7777
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        self.env["marketplace.product.map"].create(
            {
                "shop_id": self.shopee_shop.id,
                "item_id": "7777",
                "model_id": "0",
                "product_id": self.topi.id,
            }
        )
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M").with_user(salesman)
        self.assertEqual(mp.shop_id.name, "Shopee Toko Test")
        mp.action_retry()
        self.assertEqual(mp.state, "imported", mp.error_message)
        with self.assertRaises(AccessError):
            mp.shop_id.read(["api_secret"])

    def test_shopee_lost_pushes_caught_up_once(self):
        self.shopee_order()
        self.shopee_order(order_sn="LOST0000001")
        delivered = self.shopee_api.push_payload("201218V2Y6E59M")
        self.shopee_api.push(self.shopee_push_url(), delivered)
        self.shopee_api.lose_push(delivered)  # also reported lost: no duplicate
        self.shopee_api.lose_push(self.shopee_api.push_payload("LOST0000001"))
        stored = self.env["marketplace.shop"]._cron_shopee_lost_pushes()
        self.assertEqual(stored, 1)
        self.assertFalse(self.shopee_api.lost_pushes)  # confirmed
        self.process_inbound()
        for name in ("201218V2Y6E59M", "LOST0000001"):
            self.assertEqual(self.mp_order(self.shopee_shop, name).state, "imported")

    def test_many_pushes_imported_together_and_odd_ones_alone(self):
        """Pushes of one shop are fetched by 50 and new paid orders created and
        confirmed together; an unknown SKU, totals that differ and an unpaid order in
        the same run end exactly as they do alone."""
        plain = [f"2611{i:04d}BULK" for i in range(5)]
        for name in plain:
            self.shopee_order(order_sn=name)
        self.shopee_order(order_sn="2611UNPAID", status="UNPAID")
        self.shopee_order(order_sn="2611BADTOTAL", total_amount=200000)
        odd = self.shopee_order(order_sn="2611NEWSKU")
        odd["item_list"][1]["item_id"] = 9999
        odd["item_list"][1]["item_sku"] = "NEW-SKU"
        names = [*plain, "2611UNPAID", "2611BADTOTAL", "2611NEWSKU"]
        for name in names:
            self.assertEqual(self._push_shopee(name).status_code, 200)
        Order = type(self.env["marketplace.order"])
        with patch.object(
            Order,
            "_marketplace_create_many",
            autospec=True,
            side_effect=Order._marketplace_create_many,
        ) as create_many:
            self.assertEqual(self.process_inbound(), len(names))
        self.assertEqual(
            len(self.server.requests_to("get_order_detail")),
            1,
            "one detail call for the whole batch",
        )
        created_together = {
            name for call in create_many.call_args_list for name in call.args[2]
        }
        self.assertTrue(set(plain) <= created_together)
        for name in plain:
            mp = self.mp_order(self.shopee_shop, name)
            self.assertEqual(mp.state, "imported", mp.error_message)
            self.assertEqual(mp.sale_order_id.state, "sale")
            self.assertEqual(mp.sale_order_id.amount_total, 212000.0)
            self.assertEqual(len(mp.sale_order_id.picking_ids), 1)
            self.assertEqual(mp.platform_status, "READY_TO_SHIP")
        unpaid = self.mp_order(self.shopee_shop, "2611UNPAID")
        self.assertEqual((unpaid.state, unpaid.lifecycle), ("new", "pending"))
        bad_total = self.mp_order(self.shopee_shop, "2611BADTOTAL")
        self.assertEqual(bad_total.state, "attention")
        self.assertIn("Totals differ", bad_total.error_message)
        new_sku = self.mp_order(self.shopee_shop, "2611NEWSKU")
        self.assertEqual(new_sku.state, "attention")
        self.assertIn("Unknown SKU NEW-SKU", new_sku.error_message)
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("client_order_ref", "in", ["2611BADTOTAL", "2611NEWSKU"])]
            ),
            0,
            "nothing half-created for the parked orders",
        )
        events = self.env["integration.event"].search(
            [("connection_id", "=", self.shopee_shop.connection_id.id)]
        )
        self.assertEqual(set(events.mapped("state")), {"done"})
