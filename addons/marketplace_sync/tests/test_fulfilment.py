# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Arrange shipment from the delivery: tracking number stored, label attached."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestFulfilment(MarketplaceCase):
    def _attachments(self, picking):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )

    def test_shopee_arrange_shipment(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        picking = self.mp_order(
            self.shopee_shop, "201218V2Y6E59M"
        ).sale_order_id.picking_ids
        picking.action_marketplace_arrange_shipment()
        body = self.shopee_api.shipped["201218V2Y6E59M"]
        self.assertEqual(
            body["pickup"], {"address_id": 2826, "pickup_time_id": "1639472400"}
        )
        self.assertTrue(picking.carrier_tracking_ref.startswith("SPXID"))
        label = self._attachments(picking)
        self.assertEqual(label.mimetype, "application/pdf")
        self.assertTrue(label.raw.startswith(b"%PDF"))
        with self.assertRaises(UserError):
            picking.action_marketplace_arrange_shipment()

    def test_shopee_own_carrier_tracking_pushed(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        picking = self.mp_order(
            self.shopee_shop, "201218V2Y6E59M"
        ).sale_order_id.picking_ids
        picking.carrier_tracking_ref = "JNE0001234"
        picking.action_marketplace_arrange_shipment()
        self.assertEqual(
            self.shopee_api.shipped["201218V2Y6E59M"]["non_integrated"],
            {"tracking_number": "JNE0001234"},
        )
        self.assertEqual(picking.carrier_tracking_ref, "JNE0001234")

    def test_tiktok_ship_package(self):
        self.tiktok_order()
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        mp = self.mp_order(self.tiktok_shop, "576461413038785752")
        picking = mp.sale_order_id.picking_ids
        picking.action_marketplace_arrange_shipment()
        self.assertEqual(
            self.tiktok_api.shipped["1153132168123859"]["handover_method"], "PICKUP"
        )
        self.assertTrue(picking.carrier_tracking_ref.startswith("JX"))
        self.assertEqual(mp.tracking_number, picking.carrier_tracking_ref)
        self.assertTrue(self._attachments(picking).raw.startswith(b"%PDF"))

    def test_cannot_ship_cancelled_order(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(self.shopee_shop, "201218V2Y6E59M")
        picking = mp.sale_order_id.picking_ids
        self.shopee_api.set_status("201218V2Y6E59M", "IN_CANCEL")
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        with self.assertRaises(UserError):
            picking.action_marketplace_arrange_shipment()
        self.assertFalse(self.server.requests_to("ship_order"))

    def test_tiktok_own_carrier_sends_provider_id(self):
        """Seller shipping: DROP_OFF with the provider id of Get Shipping Providers
        (matched by carrier name), not the carrier name."""
        self.tiktok_order(delivery_option_id="7091146663229654785")
        with self.tiktok_api.lock:
            self.tiktok_api.providers["7091146663229654785"] = [
                {"id": "6617675021119438849", "name": "J&T Express"},
                {"id": "6617675021119438850", "name": "JNE"},
            ]
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        picking = self.mp_order(
            self.tiktok_shop, "576461413038785752"
        ).sale_order_id.picking_ids
        service = self.env["product.product"].create({"name": "JNE", "type": "service"})
        picking.carrier_id = self.env["delivery.carrier"].create(
            {"name": "jne", "product_id": service.id, "delivery_type": "fixed"}
        )
        picking.carrier_tracking_ref = "JNE0001234"
        picking.action_marketplace_arrange_shipment()
        body = self.tiktok_api.shipped["1153132168123859"]
        self.assertEqual(body["handover_method"], "DROP_OFF")
        self.assertEqual(
            body["self_shipment"],
            {
                "tracking_number": "JNE0001234",
                "shipping_provider_id": "6617675021119438850",
            },
        )

    def test_tiktok_unknown_carrier_sends_nothing(self):
        self.tiktok_order(delivery_option_id="7091146663229654785")
        with self.tiktok_api.lock:
            self.tiktok_api.providers["7091146663229654785"] = [
                {"id": "6617675021119438849", "name": "J&T Express"}
            ]
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        picking = self.mp_order(
            self.tiktok_shop, "576461413038785752"
        ).sale_order_id.picking_ids
        service = self.env["product.product"].create(
            {"name": "Kurir", "type": "service"}
        )
        picking.carrier_id = self.env["delivery.carrier"].create(
            {"name": "Kurir Toko", "product_id": service.id, "delivery_type": "fixed"}
        )
        picking.carrier_tracking_ref = "OWN0001"
        with self.assertRaisesRegex(UserError, "J&T Express"):
            picking.action_marketplace_arrange_shipment()
        self.assertFalse(self.server.requests_to("/ship", method="POST"))
        self.assertFalse(picking.marketplace_shipment_arranged)
